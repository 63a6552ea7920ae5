"""The replica and backup actions of the preservation page (``preservation.manage``): catch the replica up now,
make a backup set now — in the background, under the same leases as the scheduled passes; registered by
``routes_preservation``."""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependencies.
import logging
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from sohoa.domain.errors import SohoaError
from sohoa.http.deps import Ctx
from sohoa.http.rules import require
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.backup import make_backup
from sohoa.services.preservation.lease import single_runner
from sohoa.services.preservation.replica import replica_label, replica_pass
from sohoa.web.background_actions import start_in_background
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
    return start_in_background(request, ctx, who, lease="replica", action="preservation.replica_sync_started",
                               job=lambda: _background_replica(ctx), thread="replica-web", state="replica_web_sync",
                               started="Đã bắt đầu đồng bộ bản sao", busy="Bản sao đang được đồng bộ",
                               anchor="#replica")


@router.post("/backup/run")
def start_backup(request: Request, ctx: Ctx, who: Manager) -> Response:
    """Make a backup set now (an incremental on the newest set, a full when there is none), in the background."""
    return start_in_background(request, ctx, who, lease="backup", action="preservation.backup_started",
                               job=lambda: _background_backup(ctx), thread="backup-web", state="backup_web_run",
                               started="Đã bắt đầu sao lưu", busy="Đang sao lưu", anchor="#backups")
