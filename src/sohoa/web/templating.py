"""Jinja2 rendering with the base layout's context: language, principal, CSRF token and navigation."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from sohoa.domain.errors import SohoaError
from sohoa.http.i18n import request_lang, translate
from sohoa.http.sessions import CSRF_FIELD, csrf_token
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.sharing.worklists import WORKLISTS, worklist_counts
from sohoa.web.flash import take_flashes
from sohoa.web.formats import FILTERS
from sohoa.web.labels import labels_of

__all__ = ["ADMIN_PAGES", "NAV", "STATIC_DIR", "TEMPLATES", "UNIT_NAV", "NavLink", "current_link", "layout_context",
           "nav_for", "render", "request_lang"]

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
TEMPLATES.env.filters.update(FILTERS)  # label, date, datetime, plural, payload, or_dash (sohoa.web.formats)
TEMPLATES.env.globals["code_list"] = labels_of  # a code list's codes in order (NĐ 30 selects)
# The staff pages' stylesheets and scripts, served under /static by the application.
STATIC_DIR = Path(__file__).with_name("static")

# Header navigation: (path, Vietnamese label, permission that shows it). The home page lists the same links.
NAV: tuple[tuple[str, str, Permission], ...] = (
    ("/intake", "Tiếp nhận", Permission.INTAKE_VIEW),
    ("/arrangement", "Chỉnh lý", Permission.ARRANGE),
    ("/scanning", "Số hóa", Permission.SCAN),
    ("/review", "Kiểm duyệt", Permission.REVIEW),
    ("/staff/copies", "Cấp bản sao", Permission.REVIEW),
    ("/qc", "Kiểm tra chất lượng", Permission.QC),
    ("/qc/plans", "Kế hoạch lấy mẫu", Permission.QC_PLAN),
    ("/search", "Tìm kiếm", Permission.DOCUMENT_READ),
    ("/staff/personal-data", "Dữ liệu cá nhân", Permission.PERSONAL_SEARCH),
    ("/progress", "Tiến độ", Permission.PROGRESS),
    ("/staff/preservation", "Bảo quản", Permission.PRESERVATION_VIEW),
    ("/admin", "Quản trị", Permission.ADMIN),
)

# Shown to those who belong to a unit (unit clerks and officers): their unit's records and its lineage's.
UNIT_NAV: tuple[str, str, Permission] = ("/our-records", "Hồ sơ của đơn vị", Permission.DOCUMENT_READ)

# The administrator's pages, listed on the home page and on /admin (one click from the menu).
ADMIN_PAGES: tuple[tuple[str, str], ...] = (
    ("/admin", "Người dùng và đơn vị"),
    ("/admin/access", "Phân quyền truy cập"),
    ("/admin/audit", "Nhật ký truy cập"),
    ("/admin/roles", "Vai trò và quyền"),
    ("/staff/tasks", "Tác vụ của cụm"),  # the cluster's queues, workers and dead letters (tasks.view: admins)
)


class NavLink(NamedTuple):
    """A menu entry: where it goes, its label, and the size of the queue behind it (None: not a queue)."""

    href: str
    label: str
    waiting: int | None = None
    waiting_label: str | None = None  # "chờ kiểm duyệt": shown as "12 chờ kiểm duyệt"


def nav_for(principal: Principal | None, counts: Mapping[str, int] | None = None) -> list[NavLink]:
    """The menu a principal may follow, with the counts of the queues it links to (``worklist_counts``)."""
    if principal is None:
        return []
    counts = counts or {}
    queues = {w.href.split("#")[0]: w for w in WORKLISTS if principal.can(w.permission)}
    links = []
    for href, label, perm in NAV:
        if not principal.can(perm) or (href == "/qc/plans" and principal.can(Permission.QC)):
            continue  # an inspector reaches the plans from the QC page; a coordinator from the menu
        queue = queues.get(href)
        count = counts.get(queue.key) if queue else None
        links.append(NavLink(href, label, count, queue.label if queue and count is not None else None))
    href, label, perm = UNIT_NAV
    if principal.unit_id is not None and principal.can(perm):
        links.append(NavLink(href, label))
    return links


def current_link(nav: list[NavLink], path: str) -> str | None:
    """The menu entry the page belongs to: the longest prefix of ``path`` (``/qc/plans`` over ``/qc``)."""
    found = [link.href for link in nav if path == link.href or path.startswith(link.href.rstrip("/") + "/")]
    return max(found, key=len) if found else None


def layout_context(request: Request, lang: str) -> dict[str, Any]:
    """What the shared layout needs beyond the page: the menu with its counts, the flash messages."""
    principal: Principal | None = request.scope.get("sohoa.principal")
    counts: Mapping[str, int] = {}
    ctx = getattr(request.app.state, "ctx", None) if principal is not None else None
    if isinstance(ctx, AppContext):
        counts = worklist_counts(ctx, principal)
    nav = nav_for(principal, counts)
    return {
        "nav": nav,
        "nav_current": current_link(nav, request.url.path),
        "admin_pages": ADMIN_PAGES if principal is not None and principal.can(Permission.ADMIN) else (),
        "flashes": take_flashes(request, lambda text: translate(text, lang)),
    }


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
            **layout_context(request, lang),
            "current_path": request.url.path,
            "error_text": _message(values.get("error"), lang),
            "notice_text": _message(values.get("notice"), lang),
        }
    )
    return TEMPLATES.TemplateResponse(request, template, values, status_code=status_code)
