"""The cluster's task page (``/staff/tasks``): queue depths, the workers that answer a ping, and the dead letters
(tasks given up after their retries) with retry and discard. Viewing needs ``tasks.view``, acting
``tasks.manage`` (admins); both actions are audited. Without a broker the page says the archive runs embedded.
"""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependencies.
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sohoa.http.deps import Ctx
from sohoa.http.rules import require
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.tasks import queue_depth
from sohoa.services.platform.tasks.batches import requeue_before_retry
from sohoa.services.platform.tasks.client import sender, sender_app
from sohoa.services.platform.tasks.failures import dead_letters, discard_failure, retry_failure
from sohoa.web.flash import flash
from sohoa.web.templating import render

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter(prefix="/staff/tasks", include_in_schema=False)
Viewer = Annotated[Principal, require(Permission.TASKS_VIEW)]
Manager = Annotated[Principal, require(Permission.TASKS_MANAGE)]
FailureId = Annotated[int, Path(ge=1)]
PING_SECONDS = 1.0


def _workers(ctx: AppContext) -> list[str] | None:
    """The workers answering a ping within ``PING_SECONDS`` (None: the broker did not answer)."""
    try:
        answers = sender_app(ctx.settings).control.inspect(timeout=PING_SECONDS).ping() or {}
    except Exception:
        log.warning("tasks page: the broker did not answer the ping", exc_info=True)
        return None
    return sorted(answers)


def _depths(ctx: AppContext) -> dict[str, int] | None:
    try:
        return queue_depth(ctx.settings)
    except Exception:
        log.warning("tasks page: queue depths not read", exc_info=True)
        return None


@router.get("", response_class=HTMLResponse)
def tasks_page(request: Request, ctx: Ctx, who: Viewer) -> Response:
    cluster = bool(ctx.settings.broker_url)
    values: dict[str, Any] = {
        "cluster": cluster, "failures": dead_letters(ctx), "can_manage": who.can(Permission.TASKS_MANAGE),
        "depths": _depths(ctx) if cluster else {}, "workers": _workers(ctx) if cluster else [],
    }
    return render(request, "staff_tasks.html", values)


@router.post("/{failure_id}/retry")
def retry(request: Request, ctx: Ctx, who: Manager, failure_id: FailureId) -> Response:
    """Send a dead letter's task again, as it was."""
    send = sender(ctx.settings)

    def again(name: str, args: list[Any], kwargs: dict[str, Any]) -> object:
        requeue_before_retry(ctx, name, args)
        return send(name, args, kwargs)

    retry_failure(ctx, failure_id, who.username, again)
    flash(request, "Đã gửi lại tác vụ")
    return RedirectResponse("/staff/tasks", status_code=303)


@router.post("/{failure_id}/discard")
def discard(request: Request, ctx: Ctx, who: Manager, failure_id: FailureId) -> Response:
    """Close a dead letter without running it."""
    discard_failure(ctx, failure_id, who.username)
    flash(request, "Đã bỏ tác vụ lỗi")
    return RedirectResponse("/staff/tasks", status_code=303)
