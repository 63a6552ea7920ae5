"""Scanning (số hóa): resumable chunked uploads (alone or grouped into one document), live progress by
server-sent events, hot folders, and the rework QC sent back with its "redo"."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.http.deps import Ctx
from sohoa.http.limits import CHUNK_LIMIT
from sohoa.http.rules import require
from sohoa.services.catalogue.lookup import resolve, visible
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.production import scanning
from sohoa.web.flash import flash
from sohoa.web.templating import render

__all__ = ["router"]

router = APIRouter(prefix="/scanning")
Operator = Annotated[Principal, require(Permission.SCAN)]
_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")

SSE_SECONDS = 600


class StartUpload(BaseModel):
    """The browser announces a file before sending its chunks: alone, or one of ``group_size`` files it sends
    as ``group`` (``one_document``: their pages are one document), or the rescan of a rework document.
    ``file`` is the hồ sơ as the operator typed or picked it ("CODE — Title", a code or a title), resolved under
    the access policy (``file_id``, the picker's id, settles a choice between several matches)."""

    filename: str
    size: int
    file_id: int | None = None
    file: str | None = None
    group: str | None = None
    group_size: int | None = None
    one_document: bool = False
    replaces: int | None = None


def _json(status: scanning.UploadStatus) -> dict[str, object]:
    return dict(status.__dict__)


@router.get("")
def scanning_home(request: Request, ctx: Ctx, who: Operator,
                  redo: Annotated[int | None, Query(ge=1)] = None) -> Response:
    """The upload area (``redo``: set to rescan that rework document), the rework list, the uploads."""
    rework = scanning.rework_documents(ctx, who)
    values = {
        "uploads": scanning.list_uploads(ctx, who.username),
        "rework": rework,
        "redo": next((item for item in rework if item.id == redo and item.action == "rescan"), None),
        "doc_href": "/review/" if who.can(Permission.REVIEW) else "/documents/",
        "station_dir": str(ctx.settings.data / "hotfolders"),
    }
    return render(request, "scanning.html", values)


def _file_id(ctx: AppContext, who: Principal, body: StartUpload) -> int | None:
    """The hồ sơ the upload goes to: typed text resolved (one match the operator may see, or a clear error),
    else a bare id the operator may see (one answer whether absent or hidden), else none."""
    if body.file and body.file.strip():
        return resolve(ctx, who, "files", body.file, str(body.file_id or ""))
    if body.file_id is not None and not visible(ctx, who, "files", body.file_id):
        raise NotFound("Không tìm thấy hồ sơ", "File not found")
    return body.file_id


@router.post("/uploads")
def start_upload(ctx: Ctx, who: Operator, body: StartUpload) -> Response:
    status = scanning.start_upload(
        ctx, _file_id(ctx, who, body), body.filename, body.size, operator=who.username, group=body.group,
        group_size=body.group_size, one_document=body.one_document, replaces=body.replaces, principal=who)
    return JSONResponse(_json(status), status_code=201)


@router.post("/rework/{doc_id}/review")
def redo_in_review(request: Request, ctx: Ctx, who: Operator, doc_id: int) -> Response:
    """The redo of a rework document whose defects are not the scan's: it goes back to review."""
    try:
        scanning.redo_in_review(ctx, doc_id, principal=who, actor=who.username)
    except ValidationFailed as exc:
        flash(request, exc.vi, kind="error")  # one of the service's sentences, each in the English table
    else:
        flash(request, "Đã chuyển văn bản #{doc} sang kiểm duyệt lại", doc=doc_id)
    return RedirectResponse("/scanning#rework", status_code=303)


@router.get("/uploads/{token}")
def upload_status(ctx: Ctx, _who: Operator, token: str) -> Response:
    return JSONResponse(_json(scanning.upload_status(ctx, token)))


@router.put("/uploads/{token}")
async def upload_chunk(request: Request, ctx: Ctx, who: Operator, token: str) -> Response:
    """The chunk is awaited from the client; writing it (and its database row) runs in the thread pool."""
    match = _RANGE.match(request.headers.get("content-range", ""))
    if not match:
        raise ValidationFailed("Thiếu Content-Range", "Content-Range header required")
    data = await request.body()
    start, end = int(match.group(1)), int(match.group(2))
    if len(data) > CHUNK_LIMIT or end - start + 1 != len(data):
        raise ValidationFailed("Khối dữ liệu không hợp lệ", "Invalid chunk")
    status = await run_in_threadpool(scanning.append_chunk, ctx, token, start, data, operator=who.username)
    if status.state == "queued":
        request.app.state.scan_worker.submit(token)
    return JSONResponse(_json(status))


async def _events(request: Request, ctx: AppContext, operator: str, rounds: int) -> AsyncIterator[str]:
    live: scanning.LiveProgress = request.app.state.scan_worker.live
    last: dict[str, str] = {}
    for tick in range(rounds):
        if await request.is_disconnected():
            return
        for status in await run_in_threadpool(scanning.list_uploads, ctx, operator, 20):
            payload = _json(status) | {"live": live.get(status.token)}
            text = json.dumps(payload, ensure_ascii=False, default=str)
            if last.get(status.token) != text:
                last[status.token] = text
                yield f"event: upload\ndata: {text}\n\n"
        yield ": keep-alive\n\n"
        if tick + 1 < rounds:
            await asyncio.sleep(0.5)


@router.get("/events")
def events(request: Request, ctx: Ctx, who: Operator, once: bool = False) -> Response:
    """Server-sent events with the operator's uploads; ``once`` sends one snapshot (polling clients, tests)."""
    rounds = 1 if once else SSE_SECONDS * 2
    return StreamingResponse(
        _events(request, ctx, who.username, rounds),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/hotfolder/{station}")
def poll_hot_folder(request: Request, ctx: Ctx, _who: Operator, station: str) -> Response:
    tokens = scanning.scan_hot_folder(ctx, station, stable_seconds=0)
    for token in tokens:
        request.app.state.scan_worker.submit(token)
    return JSONResponse({"queued": tokens})

