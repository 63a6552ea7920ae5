"""Jinja2 rendering with the base layout's context: language, principal, CSRF token and navigation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from sohoa.domain.errors import SohoaError
from sohoa.http.i18n import request_lang, translate
from sohoa.http.sessions import CSRF_FIELD, csrf_token
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal

__all__ = ["NAV", "STATIC_DIR", "TEMPLATES", "UNIT_NAV", "nav_for", "render", "request_lang"]

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
# The staff pages' stylesheets and scripts, served under /static by the application.
STATIC_DIR = Path(__file__).with_name("static")

# Header navigation: (path, Vietnamese label, permission that shows it).
NAV: tuple[tuple[str, str, Permission], ...] = (
    ("/intake", "Tiếp nhận", Permission.INTAKE_VIEW),
    ("/arrangement", "Chỉnh lý", Permission.ARRANGE),
    ("/scanning", "Số hóa", Permission.SCAN),
    ("/review", "Kiểm duyệt", Permission.REVIEW),
    ("/qc", "Kiểm tra chất lượng", Permission.QC),
    ("/progress", "Tiến độ", Permission.PROGRESS),
    ("/admin", "Quản trị", Permission.ADMIN),
)

# Shown to those who belong to a unit (unit clerks and officers): their unit's records and its lineage's.
UNIT_NAV: tuple[str, str, Permission] = ("/our-records", "Hồ sơ của đơn vị", Permission.DOCUMENT_READ)


def nav_for(principal: Principal | None) -> list[tuple[str, str]]:
    """The header links a principal may follow: (path, Vietnamese label)."""
    if principal is None:
        return []
    links = [(href, label) for href, label, perm in NAV if principal.can(perm)]
    href, label, perm = UNIT_NAV
    if principal.unit_id is not None and principal.can(perm):
        links.append((href, label))
    return links


def _message(error: SohoaError | str | None, lang: str) -> str | None:
    if isinstance(error, SohoaError):
        return error.en if lang == "en" else error.vi
    return translate(error, lang) if error else None


def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """Render a page with the shared layout context."""
    lang = request_lang(request)
    principal: Principal | None = request.scope.get("sohoa.principal")
    values: dict[str, Any] = dict(context or {})
    values.update(
        {
            "lang": lang,
            "_": lambda text: translate(text, lang),
            "principal": principal,
            "csrf_field": CSRF_FIELD,
            "csrf_token": csrf_token(request),
            "nav": nav_for(principal),
            "current_path": request.url.path,
            "error_text": _message(values.get("error"), lang),
            "notice_text": _message(values.get("notice"), lang),
        }
    )
    return TEMPLATES.TemplateResponse(request, template, values, status_code=status_code)
