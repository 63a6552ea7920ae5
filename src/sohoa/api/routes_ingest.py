"""API v1: submit a file for digitization (``write:ingest``) and follow it by its SHA-256."""

# No `from __future__ import annotations`: FastAPI reads the Annotated dependencies at import.
from typing import Annotated, Any

from fastapi import Path, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from sohoa.api.deps import Ingester, api_router, api_state
from sohoa.api.http import errors, problem
from sohoa.api.schemas import IngestAccepted, IngestStatusOut
from sohoa.api.security import Caller
from sohoa.api.streaming import FormError, receive_form
from sohoa.domain.errors import NotFound, PermissionDenied, SohoaError
from sohoa.http.deps import Ctx
from sohoa.services.platform.context import AppContext
from sohoa.services.sharing.api_ingest import (
    Accepted,
    UploadSink,
    UploadTooLarge,
    accept_upload,
    check_target,
    ingest_status,
    new_upload,
    record_refusal,
)

__all__ = ["router"]

router = api_router()

Sha = Annotated[str, Path(pattern="^[0-9a-f]{64}$", description="SHA-256 (hex) of the uploaded file")]
# Room for the multipart framing and the small fields around the file itself.
FORM_OVERHEAD = 64 * 1024

REQUEST_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "TIFF, JPEG, PNG or PDF; at most `max_upload_bytes`."},
        "file_code": {"type": "string", "maxLength": 30, "description": "Mã hồ sơ (created if new)."},
        "unit": {"type": "string", "maxLength": 35,
                 "description": "Mã định danh đơn vị; a unit-bound token may name only its unit's lineage."},
    },
}}}}}


def _refusal(exc: Exception) -> tuple[int, str, str]:
    """HTTP status, audit reason and message of a refused upload."""
    if isinstance(exc, FormError):
        return exc.status, "too_large" if exc.status == 413 else "bad_form", exc.detail
    if isinstance(exc, UploadTooLarge):
        return 413, "too_large", str(exc)
    if isinstance(exc, PermissionDenied):
        return 403, "forbidden", str(exc)
    if isinstance(exc, NotFound):
        return 404, "not_found", str(exc)
    return 400, getattr(exc, "code", "invalid"), str(exc)


async def _receive(ctx: AppContext, request: Request, caller: Caller, sink: UploadSink) -> tuple[Accepted, int]:
    fields = await receive_form(request, sink)
    unit_id = caller.client.unit_id if caller.client else None
    target = await run_in_threadpool(check_target, ctx, unit_id, fields.get("unit"), fields.get("file_code"))
    return await run_in_threadpool(lambda: accept_upload(ctx, sink, target, actor=caller.actor))


@router.post("/ingest", status_code=202, response_model=IngestAccepted, openapi_extra=REQUEST_BODY,
             summary="Nộp tệp để số hóa / submit a file for digitization (write:ingest)",
             responses={200: {"model": IngestAccepted, "description": "Already known: nothing new queued"},
                        **errors(413)})
async def api_ingest(request: Request, ctx: Ctx, caller: Ingester) -> Response:
    """Stream the file into the upload area, check its target, queue it; refusals are audited."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > ctx.settings.max_upload_bytes + FORM_OVERHEAD:
        await run_in_threadpool(record_refusal, ctx, caller.actor, "too_large", {"declared": int(declared)})
        return problem(413, "Tệp quá lớn / upload too large")
    sink = await run_in_threadpool(new_upload, ctx)
    try:
        accepted, item_id = await _receive(ctx, request, caller, sink)
    except (FormError, SohoaError) as exc:
        status, reason, detail = _refusal(exc)
        await run_in_threadpool(sink.discard)
        await run_in_threadpool(record_refusal, ctx, caller.actor, reason,
                                {"file": sink.name, "received": sink.size})
        return problem(status, detail)
    except BaseException:  # a client gone mid-upload leaves nothing behind
        await run_in_threadpool(sink.discard)
        raise
    if accepted.queued:
        api_state(request.app).worker.submit(item_id)
    body = IngestAccepted(sha256=accepted.sha256, state=accepted.state,
                          status_url=request.app.url_path_for("api_ingest_status", sha256=accepted.sha256))
    return JSONResponse(body.model_dump(), status_code=202 if accepted.queued else 200)


@router.get("/ingest/{sha256}", response_model=IngestStatusOut,
            summary="Trạng thái tệp đã nộp / status of a submitted file (write:ingest)")
def api_ingest_status(ctx: Ctx, caller: Ingester, sha256: Sha) -> IngestStatusOut:
    unit_id = caller.client.unit_id if caller.client else None
    status = ingest_status(ctx, sha256, bound_unit_id=unit_id, actor=caller.actor)
    return IngestStatusOut.model_validate(status)
