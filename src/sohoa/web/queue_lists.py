"""The review and QC list pages' shared parts: the view read from the URL, its page, the saved views and
the sampling notice, and saving or deleting a view (a form posted from the list, back to the list)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.production import qc, queue_views, queues
from sohoa.web.flash import flash

__all__ = ["delete_view", "list_values", "save_view", "tidy_url"]

PATHS = {"review": "/review", "qc": "/qc"}


def list_values(request: Request, ctx: AppContext, who: Principal, queue: str) -> dict[str, Any]:
    """What a queue page shows: one page of the view in the URL, the filter's choices, the saved views."""
    view = queues.QueueFilter.from_params(request.query_params.multi_items(), queue)
    return {
        "page": queues.queue_page(ctx, queue, view, principal=who),
        "view": view,
        "path": PATHS[queue],
        "queue": queue,
        "sorts": queues.SORTS,
        "states": queues.QUEUE_STATES[queue],
        "saved": queue_views.list_views(ctx, who.user_id, queue),
        "sampling": qc.sampling_status(ctx),
        "can_plan": who.can(Permission.QC_PLAN),
    }


def tidy_url(request: Request, queue: str) -> Response | None:
    """The filter form sends its empty fields too (``?unit=&type=&conf=80``): answer with the view's own short
    URL, the one people share and save; None when the URL is already that."""
    if not any(value == "" for _key, value in request.query_params.multi_items()):
        return None
    view = queues.QueueFilter.from_params(request.query_params.multi_items(), queue)
    target = view.query()
    return RedirectResponse(PATHS[queue] + (f"?{target}" if target else ""), status_code=303)


def save_view(request: Request, ctx: AppContext, who: Principal, queue: str, name: str, query: str) -> Response:
    """Keep the view the list shows under ``name`` and reopen the list on it."""
    view = queues.QueueFilter.from_params(_pairs(query), queue)
    try:
        queue_views.save_view(ctx, who.user_id, queue, name, view)
    except ValidationFailed:
        flash(request, "Tên bộ lọc cần từ 1 đến {n} ký tự", kind="error", n=queue_views.NAME_MAX)
    else:
        flash(request, "Đã lưu bộ lọc {name}", name=" ".join(name.split()))
    target = view.query(page=1)
    return RedirectResponse(PATHS[queue] + (f"?{target}" if target else ""), status_code=303)


def delete_view(request: Request, ctx: AppContext, who: Principal, queue: str, view_id: int) -> Response:
    """Delete one of the person's own views (another person's reads as not found)."""
    try:
        name = queue_views.delete_view(ctx, who.user_id, view_id)
    except NotFound:
        flash(request, "Không tìm thấy bộ lọc đã lưu", kind="error")
    else:
        flash(request, "Đã xoá bộ lọc {name}", name=name)
    return RedirectResponse(PATHS[queue], status_code=303)


def _pairs(query: str) -> list[tuple[str, str]]:
    """The parameters of a posted query string (the list's own URL)."""
    return parse_qsl(query.lstrip("?"), keep_blank_values=False)
