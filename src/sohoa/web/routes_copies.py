"""The replica and backup actions of the preservation page (``preservation.manage``): catch the replica up now,
make a backup set now — in the background, under the same leases as the scheduled passes; registered by
``routes_preservation``."""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependencies.
import logging
import threading
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from sohoa.domain.errors import SohoaError
from sohoa.http.deps import Ctx
from sohoa.http.rules import require
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.backup import make_backup
from sohoa.services.preservation.lease import lease_holder, single_runner
from sohoa.services.preservation.replica import replica_label, replica_pass
from sohoa.web.flash import flash

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)  # included under /staff/preservation
Manager = Annotated[Principal, require(Permission.PRESERVATION_MANAGE)]


def _background_replica(ctx: AppContext) -> None:
    try:
        report = replica_pass(ctx)
        if report is not None:
            log.info("replica sync from the web: %d copied, %d pending", report.copied, report.pending)
    except Exception:
        log.exception("replica sync from the web failed")


def _background_backup(ctx: AppContext) -> None:
    try:
        with single_runner(ctx, "backup") as mine:
            if mine:
                report = make_backup(ctx)
                log.info("backup from the web: %s, %d objects", report.path.name, report.objects_in_set)
    except SohoaError as exc:
        log.error("backup from the web not made: %s", exc.en)
    except Exception:
        log.exception("backup from the web failed")


@router.post("/replica/sync")
def start_replica_sync(request: Request, ctx: Ctx, who: Manager) -> Response:
    """Copy every pending object to the replica now, in the background."""
    if replica_label(ctx.settings) is None:
        flash(request, "Chưa cấu hình bản sao", kind="error")
        return RedirectResponse("/staff/preservation#replica", status_code=303)
    if lease_holder(ctx, "replica") is not None:
        flash(request, "Bản sao đang được đồng bộ", kind="error")
        return RedirectResponse("/staff/preservation#replica", status_code=303)
    with ctx.db.session() as session:
        record_event(session, who.username, "preservation.replica_sync_started", None, None, {"trigger": "web"})
    worker = threading.Thread(target=_background_replica, args=(ctx,), name="replica-web", daemon=True)
    worker.start()
    request.app.state.replica_web_sync = worker  # tests wait for it
    flash(request, "Đã bắt đầu đồng bộ bản sao")
    return RedirectResponse("/staff/preservation#replica", status_code=303)


@router.post("/backup/run")
def start_backup(request: Request, ctx: Ctx, who: Manager) -> Response:
    """Make a backup set now (an incremental on the newest set, a full when there is none), in the background."""
    if lease_holder(ctx, "backup") is not None:
        flash(request, "Đang sao lưu", kind="error")
        return RedirectResponse("/staff/preservation#backups", status_code=303)
    with ctx.db.session() as session:
        record_event(session, who.username, "preservation.backup_started", None, None, {"trigger": "web"})
    worker = threading.Thread(target=_background_backup, args=(ctx,), name="backup-web", daemon=True)
    worker.start()
    request.app.state.backup_web_run = worker  # tests wait for it
    flash(request, "Đã bắt đầu sao lưu")
    return RedirectResponse("/staff/preservation#backups", status_code=303)
