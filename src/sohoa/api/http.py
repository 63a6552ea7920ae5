"""HTTP helpers of the API: opaque cursors, ETag answers, errors as JSON problems."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import HTTPException, Path, Request
from fastapi.responses import JSONResponse, Response

from sohoa.domain.errors import NotFound, PermissionDenied, SohoaError

__all__ = ["Id", "decode_cursor", "encode_cursor", "etag_json", "guarded"]

# Ids as databases store them (32-bit positive); larger numbers are a 422, not an overflow.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]

T = TypeVar("T")


def encode_cursor(value: int | None) -> str | None:
    """An opaque cursor for the position after ``value`` (None at the end)."""
    if value is None:
        return None
    return base64.urlsafe_b64encode(json.dumps({"a": value}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The position a cursor names; a malformed cursor is a 400."""
    if not cursor:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value = data["a"]
        if not isinstance(value, int) or not 0 <= value < 2**31:
            raise ValueError
        return value
    except (ValueError, KeyError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise HTTPException(400, detail="Con trỏ trang không hợp lệ / invalid cursor") from exc


def etag_json(request: Request, data: Any) -> Response:
    """JSON with a strong ETag; 304 when the client already holds this representation."""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
    wanted = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
    if tag in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def guarded(call: Callable[[], T]) -> T:
    """Run a service call; its errors become JSON HTTP errors (the app's error pages are HTML)."""
    try:
        return call()
    except NotFound as exc:
        raise HTTPException(404, detail=str(exc)) from exc
    except PermissionDenied as exc:
        raise HTTPException(403, detail=str(exc)) from exc
    except SohoaError as exc:
        raise HTTPException(400, detail=str(exc)) from exc


def problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)
