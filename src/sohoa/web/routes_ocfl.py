"""The OCFL action of the preservation page: write the new OCFL versions now (``preservation.manage``), in the
background and under the same ``ocfl`` lease as the scheduled pass; registered by ``routes_preservation``."""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependencies.
import logging
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sohoa.domain.errors import SohoaError
from sohoa.http.deps import Ctx
from sohoa.http.rules import require
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.ocfl import sync_exclusive
from sohoa.web.background_actions import start_in_background

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
    return start_in_background(request, ctx, who, lease="ocfl", action="preservation.ocfl_sync_started",
                               job=lambda: _background_sync(ctx, who.username), thread="ocfl-web",
                               state="ocfl_web_sync", started="Đã bắt đầu ghi các phiên bản OCFL mới",
                               busy="Kho OCFL đang được ghi", anchor="#ocfl")
