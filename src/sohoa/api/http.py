"""HTTP helpers of the API: keyset cursors, ETag answers, errors as JSON problems and the error answers every
route declares in the OpenAPI document."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, TypeVar

from fastapi import HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from sohoa.api.schemas import CURSOR_PATTERN, ErrorOut

__all__ = ["CACHED", "ERRORS", "Cursor", "Id", "decode_cursor", "encode_cursor", "errors", "etag_json",
           "problem"]

# Ids as databases store them (32-bit positive); larger numbers are a 422, not an overflow.
Id = Annotated[int, Path(ge=1, le=2_147_483_647)]
MAX_POSITION = 2**31 - 1

Cursor = Annotated[str | None, Query(pattern=CURSOR_PATTERN,
                                     description="`next_cursor` of the previous page (decimal digits); "
                                                 "omit it for the first page.")]

T = TypeVar("T")

_TEXT = {400: "The request cannot be done as asked (unknown unit, too deep a page, invalid value)",
         401: "No valid token (the `WWW-Authenticate` header names the scheme)",
         403: "The token lacks the scope, or the record is outside its reach",
         404: "No such record visible to the caller", 409: "Conflicts with the current state",
         413: "Request body too large", 429: "Request budget spent; retry after `Retry-After` seconds"}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "`Bearer`"}},
    429: {"Retry-After": {"schema": {"type": "string"}, "description": "Seconds to wait"}},
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for error ``codes``: a JSON ``ErrorOut`` each (with its headers)."""
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        out[code] = {"model": ErrorOut, "description": _TEXT[code], **({"headers": _HEADERS[code]}
                                                                      if code in _HEADERS else {})}
    return out


# What the token layer (401, 403, 429) and the service errors (400, 404) can answer on any route.
ERRORS = errors(400, 401, 403, 404, 409, 429)
_ETAG = {"ETag": {"schema": {"type": "string"}, "description": "Strong validator of the body"}}
# ETag-carrying reads: 304 when ``If-None-Match`` names the current representation.
CACHED: dict[int | str, dict[str, Any]] = {
    200: {"headers": _ETAG},
    304: {"description": "Not modified (the `If-None-Match` tag is current)", "headers": _ETAG,
          "content": {}},
}


def encode_cursor(value: int | None) -> str | None:
    """The cursor for the position after ``value`` (None at the end)."""
    return None if value is None else str(value)


def decode_cursor(cursor: str | None) -> int:
    """The position a cursor names (0 without one). The route's pattern has checked the digits; a position past
    any the database can hold means the end (the next page is empty)."""
    if not cursor:
        return 0
    if not cursor.isascii() or not cursor.isdigit():
        raise HTTPException(400, detail="Con trỏ trang không hợp lệ / invalid cursor")
    return min(int(cursor), MAX_POSITION)


def etag_json(request: Request, body: BaseModel) -> Response:
    """The model as JSON with a strong ETag; 304 when the client already holds this representation."""
    data = body.model_dump_json().encode("utf-8")
    tag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    headers = {"ETag": tag, "Cache-Control": "private, no-cache"}
    wanted = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
    if tag in wanted or "*" in wanted:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type="application/json", headers=headers)


def problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """A JSON error answer (``ErrorOut``) for routes that answer without raising."""
    return JSONResponse(ErrorOut(detail=detail).model_dump(), status_code=status, headers=headers)
