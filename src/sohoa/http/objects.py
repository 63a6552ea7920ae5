"""Stored objects as HTTP responses: streamed from the object store in chunks, with single byte ranges
(``Range``/``If-Range``, 206 and 416), a strong ETag (the object's SHA-256) and a download name.

The store is read through its port (streams and byte ranges), so the same response serves a local
store or an S3-compatible one.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from urllib.parse import quote

import anyio.to_thread
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, Response
from starlette.types import Receive, Scope, Send

from sohoa.domain.ports import CHUNK
from sohoa.services.platform.objects import ObjectDownload

__all__ = ["ObjectResponse", "parse_range"]

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The one byte range a ``Range`` header asks for, as (start, end exclusive).

    None when the header is not one range of bytes (several ranges, other units, nonsense): the whole
    object is sent then, as RFC 9110 allows. ValueError when the range lies outside the object (416).
    """
    found = _RANGE.fullmatch(header.strip())
    if found is None or not (found.group(1) or found.group(2)):
        return None
    first, last = found.group(1), found.group(2)
    if not first:  # the last N bytes
        start, end = max(size - int(last), 0), size
        if int(last) == 0:
            raise ValueError("empty suffix range")
    else:
        start = int(first)
        end = min(int(last) + 1, size) if last else size
        if last and int(last) < start:
            return None  # an invalid range is ignored
    if start >= size:
        raise ValueError("range starts past the end")
    return start, end


def _disposition(kind: str, filename: str) -> str:
    quoted = quote(filename)
    if quoted != filename:
        return f"{kind}; filename*=utf-8''{quoted}"
    return f'{kind}; filename="{filename}"'


class ObjectResponse(Response):
    """A stored object, streamed; ``inline`` PDFs open in the browser, others are attachments."""

    def __init__(self, download: ObjectDownload, *, inline: bool = False,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(status_code=200, media_type=download.media_type, headers=headers)
        self.download = download
        self.headers["accept-ranges"] = "bytes"
        self.headers.setdefault("etag", f'"{download.sha256}"')
        if download.filename:
            self.headers.setdefault("content-disposition",
                                    _disposition("inline" if inline else "attachment", download.filename))

    async def _chunks(self, start: int, end: int) -> AsyncIterator[bytes]:
        position = start
        while position < end:
            stop = min(position + CHUNK, end)
            yield await anyio.to_thread.run_sync(self.download.read_range, position, stop)
            position = stop

    def _wanted(self, scope: Scope) -> tuple[int, int] | None:
        """The range to send (None: the whole object); ValueError: not satisfiable."""
        request = Headers(scope=scope)
        header = request.get("range")
        if header is None or scope.get("method", "GET").upper() not in ("GET", "HEAD"):
            return None
        if_range = request.get("if-range")
        if if_range is not None and if_range != self.headers["etag"]:
            return None  # the client's copy is another object: send it whole
        return parse_range(header, self.download.size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        size = self.download.size
        try:
            wanted = self._wanted(scope)
        except ValueError:
            await PlainTextResponse(status_code=416, headers={"content-range": f"bytes */{size}"})(
                scope, receive, send)
            return
        start, end = wanted if wanted is not None else (0, size)
        if wanted is not None:
            self.status_code = 206
            self.headers["content-range"] = f"bytes {start}-{end - 1}/{size}"
        self.headers["content-length"] = str(end - start)
        body = scope.get("method", "GET").upper() != "HEAD"
        first = b""
        if body and end > start:  # read before the headers: an object that cannot be read (its encryption key
            # missing, say) is the error page, not an empty 200
            first = await anyio.to_thread.run_sync(self.download.read_range, start, min(start + CHUNK, end))
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        if body:
            if first:
                await send({"type": "http.response.body", "body": first, "more_body": True})
            async for chunk in self._chunks(start + len(first), end):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        if self.background is not None:
            await self.background()
