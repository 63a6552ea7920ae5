"""Rendering of portal pages: own templates, the staff layout (``base.html``) and its context; the portal's
own error page; the site's public address."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

from sohoa.domain.errors import SohoaError
from sohoa.http.i18n import translate
from sohoa.http.sessions import CSRF_FIELD, csrf_token
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.web.formats import FILTERS
from sohoa.web.templating import TEMPLATES, layout_context, request_lang

__all__ = ["PORTAL_PATH", "render_error", "render_page", "site_url"]

PORTAL_PATH = "/portal"
STAFF_PAGES = frozenset({"portal/staff_copies.html"})  # rendered here, in the staff layout

_OWN = Path(__file__).with_name("templates")
_PAGES = Jinja2Templates(directory=str(_OWN))
# Our pages first, then the staff application's layout and macros (base.html is shared, not copied).
_PAGES.env.loader = ChoiceLoader([FileSystemLoader(str(_OWN)), TEMPLATES.env.loader])  # type: ignore[list-item]
_PAGES.env.filters.update(FILTERS)  # the staff pages' filters: label, date, datetime, plural…


def render_page(request: Request, template: str, context: dict[str, Any] | None = None, *,
                status_code: int = 200) -> HTMLResponse:
    """Render with the same layout context as the staff pages. The citizens' pages (``portal/layout.html``)
    show the portal's own menu, never the staff one: they read as anonymous whoever asks."""
    lang = request_lang(request)
    principal: Principal | None = request.scope.get("sohoa.principal") if template in STAFF_PAGES else None
    values: dict[str, Any] = dict(context or {})
    error = values.get("error")
    values.update({
        "lang": lang, "_": lambda text: translate(text, lang), "principal": principal,
        "csrf_field": CSRF_FIELD, "csrf_token": csrf_token(request),
        **layout_context(request, lang),
        "current_path": request.url.path,
        "error_text": (error.en if lang == "en" else error.vi) if isinstance(error, SohoaError) else error,
        "notice_text": values.get("notice"),
    })
    return _PAGES.TemplateResponse(request, template, values, status_code=status_code)


def render_error(request: Request, error: SohoaError, status: int) -> HTMLResponse:
    """The portal's own error page (404 above all): the portal's layout and a way back to its search."""
    text = error.en if request_lang(request) == "en" else error.vi
    return render_page(request, "portal/error.html", {"problem": text, "status": status}, status_code=status)


def site_url(request: Request, ctx: AppContext) -> str:
    """The public address links are written with: ``SOHOA_PUBLIC_URL``, else the one the request came to."""
    return ctx.settings.public_url or str(request.base_url).rstrip("/")
