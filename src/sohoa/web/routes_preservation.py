"""The preservation page (``/staff/preservation``): fixity audits (coverage, last passes, open problems named by
hồ sơ, document and page, a red banner while damage stays unrepaired), one object's history, and the state of
the OCFL root, the replica, backups, formats and encryption at rest from their own status functions. Viewing
needs ``preservation.view`` (admins, archivists); starting a fixity pass needs ``preservation.manage``.
Other preservation areas add their actions as routers of their own under ``/staff/preservation/…``
(``EXTRA_ROUTERS``), registered here.
"""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependencies.
import logging
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from sohoa.domain.errors import NotFound, SohoaError
from sohoa.http.deps import Ctx
from sohoa.http.rules import require
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.backup_set import backup_history
from sohoa.services.preservation.encryption import encryption_status
from sohoa.services.preservation.fixity import PASS_SECONDS, fixity_summary, object_history, run_fixity
from sohoa.services.preservation.fixity_report import (
    ObjectPlace,
    recent_failures,
    recent_runs,
    visible_places,
)
from sohoa.services.preservation.formats import format_summary, policy_of
from sohoa.services.preservation.lease import lease_holder
from sohoa.services.preservation.ocfl import ocfl_status
from sohoa.services.preservation.replica import replica_status
from sohoa.web.background_actions import start_in_background
from sohoa.web.routes_copies import router as copies_router
from sohoa.web.routes_ocfl import router as ocfl_router
from sohoa.web.templating import render

__all__ = ["EXTRA_ROUTERS", "router"]

log = logging.getLogger(__name__)

router = APIRouter(prefix="/staff/preservation", include_in_schema=False)
Viewer = Annotated[Principal, require(Permission.PRESERVATION_VIEW)]
Manager = Annotated[Principal, require(Permission.PRESERVATION_MANAGE)]
ObjectKey = Annotated[str, Path(max_length=64, pattern=r"^[0-9a-fA-F]{1,64}$")]

# Routers of the other preservation areas (actions under /staff/preservation/…), included below.
EXTRA_ROUTERS: tuple[APIRouter, ...] = (ocfl_router, copies_router)

T = TypeVar("T")

# How codes read on the pages (Vietnamese; the English in sohoa.http.i18n_en_preservation).
NAMES: dict[str, dict[str, str]] = {
    "role_names": {"master": "Bản gốc", "pdf": "Bản PDF", "ocr": "Kết quả OCR", "thumbnail": "Ảnh thu nhỏ",
                   "image": "Ảnh trang", "masked thumbnail": "Ảnh thu nhỏ đã che", "masked image": "Ảnh trang đã che",
                   "masked": "Bản đã che"},
    "outcome_names": {"ok": "Nguyên vẹn", "mismatch": "Sai lệch", "missing": "Bị mất",
                      "unreadable": "Không đọc được", "repaired": "Đã sửa từ bản sao",
                      "orphan": "Không có trong cơ sở dữ liệu"},
    "state_names": {"running": "Đang chạy", "done": "Xong", "interrupted": "Dừng giữa chừng (sẽ tiếp tục)",
                    "stopped": "Đã dừng"},
    "trigger_names": {"schedule": "Theo lịch", "cli": "Dòng lệnh", "web": "Trang web"},
    "backup_kinds": {"full": "Toàn bộ", "incremental": "Gia tăng"},
    "copy_names": {"primary": "Bản chính", "replica": "Bản sao"},
    "event_outcomes": {"success": "Thành công", "failure": "Thất bại", "warning": "Cảnh báo"},
}


def _section(name: str, compute: Callable[[], T]) -> T | None:
    """One area's status; an area that fails is shown as unavailable, never breaks the page."""
    try:
        return compute()
    except Exception:
        log.exception("preservation page: the %s status failed", name)
        return None


def _visible_places(ctx: AppContext, who: Principal, places: tuple[ObjectPlace, ...]) -> list[ObjectPlace | None]:
    with ctx.db.session() as session:
        return visible_places(session, who, places)


def _status(ctx: AppContext) -> dict[str, Any]:
    with ctx.db.session() as session:
        summary = fixity_summary(session)
        formats = _section("formats", lambda: format_summary(session, policy_of(ctx)))
    return {
        "fixity": summary,
        "fixity_holder": lease_holder(ctx, "fixity"),
        "ocfl": _section("ocfl", lambda: ocfl_status(ctx)),
        "replica": _section("replica", lambda: replica_status(ctx)),
        "replica_set": bool(ctx.settings.replica_url),
        "backups": _section("backups", lambda: backup_history(ctx.settings)[:10]),
        "formats": formats,
        "encryption": _section("encryption", lambda: encryption_status(ctx)),
    }


@router.get("", response_class=HTMLResponse)
def preservation_page(request: Request, ctx: Ctx, who: Viewer) -> Response:
    values = _status(ctx)
    summary = values["fixity"]
    values["problems"] = [(p, _visible_places(ctx, who, p.places)) for p in summary.problems]
    values["can_manage"] = who.can(Permission.PRESERVATION_MANAGE)
    return render(request, "preservation.html", values | NAMES)


@router.get("/fixity", response_class=HTMLResponse)
def fixity_history_page(request: Request, ctx: Ctx, who: Viewer) -> Response:
    """Every recent pass and every damage found (open or repaired since)."""
    with ctx.db.session() as session:
        runs = recent_runs(session, limit=100)
        failures = [(f, visible_places(session, who, f.places)) for f in recent_failures(session)]
    return render(request, "preservation_fixity.html", {"runs": runs, "failures": failures} | NAMES)


@router.get("/objects/{key}", response_class=HTMLResponse)
def object_page(request: Request, ctx: Ctx, who: Viewer, key: ObjectKey) -> Response:
    with ctx.db.session() as session:
        found = object_history(session, key)
    if found is None:
        raise NotFound("Không có đối tượng này", "No such object")
    return render(request, "preservation_object.html",
                  {"obj": found, "places": _visible_places(ctx, who, found.places)} | NAMES)


def _background_pass(ctx: AppContext, actor: str) -> None:
    try:
        run_fixity(ctx, trigger="web", actor=actor, max_seconds=PASS_SECONDS)
    except SohoaError as exc:
        log.info("fixity pass from the web not run: %s", exc.en)
    except Exception:
        log.exception("fixity pass from the web failed")


@router.post("/fixity/run")
def start_fixity(request: Request, ctx: Ctx, who: Manager) -> Response:
    """Start a fixity pass now (the objects due; bounded in time like a scheduled one) in the background."""
    return start_in_background(request, ctx, who, lease="fixity", action="preservation.fixity_started",
                               job=lambda: _background_pass(ctx, who.username), thread="fixity-web",
                               state="fixity_web_pass", started="Đã bắt đầu một lượt kiểm tra toàn vẹn",
                               busy="Một lượt kiểm tra toàn vẹn đang chạy")


for _extra in EXTRA_ROUTERS:
    router.include_router(_extra)
