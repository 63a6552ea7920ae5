"""The OCFL action of the preservation page: write the new OCFL versions now (``preservation.manage``), in the
background and under the same ``ocfl`` lease as the scheduled pass; registered by ``routes_preservation``."""

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
from sohoa.services.preservation.lease import lease_holder
from sohoa.services.preservation.ocfl import sync_exclusive
from sohoa.web.flash import flash

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter(include_in_schema=False)  # included under /staff/preservation
Manager = Annotated[Principal, require(Permission.PRESERVATION_MANAGE)]


def _background_sync(ctx: AppContext, actor: str) -> None:
    try:
        written = [r for r in sync_exclusive(ctx, actor=actor) if r.version]
        log.info("OCFL sync from the web: %d new version(s)", len(written))
    except SohoaError as exc:
        log.info("OCFL sync from the web not run: %s", exc.en)
    except Exception:
        log.exception("OCFL sync from the web failed")


@router.post("/ocfl/sync")
def start_ocfl_sync(request: Request, ctx: Ctx, who: Manager) -> Response:
    """Write a new OCFL version of each hồ sơ that changed, now, in the background."""
    if lease_holder(ctx, "ocfl") is not None:
        flash(request, "Kho OCFL đang được ghi", kind="error")
        return RedirectResponse("/staff/preservation#ocfl", status_code=303)
    with ctx.db.session() as session:
        record_event(session, who.username, "preservation.ocfl_sync_started", None, None, {"trigger": "web"})
    worker = threading.Thread(target=_background_sync, args=(ctx, who.username), name="ocfl-web", daemon=True)
    worker.start()
    request.app.state.ocfl_web_sync = worker  # tests wait for it
    flash(request, "Đã bắt đầu ghi các phiên bản OCFL mới")
    return RedirectResponse("/staff/preservation#ocfl", status_code=303)
