"""Bounded work per request before any route runs: per-address rate limits on the portal and on the
anonymous forms (login, copy requests), and a cap on request bodies (ASGI middleware).

The REST API limits per token, or per address without one, in its own dependency (``sohoa.api.security``).
Addresses are the client's as the server sees it: behind a reverse proxy, list the proxy's address in
``SOHOA_FORWARDED_ALLOW_IPS`` (``sohoa serve`` passes it to uvicorn) so that ``X-Forwarded-For`` names the
real client; no other peer may name one.
"""

from __future__ import annotations

import json
import re

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sohoa.http.i18n import translate
from sohoa.http.ratelimit import RateLimiter, address_key
from sohoa.settings import Settings

__all__ = ["RequestLimits", "body_limit"]

MULTIPART_OVERHEAD = 1024**2  # boundaries and the small fields around an uploaded file
# One chunk of a resumable scan upload (PUT /scanning/uploads/{id}); the scanning routes check it too.
CHUNK_LIMIT = 16 * 1024 * 1024
_CHUNK_PATH = re.compile(r"^/scanning/uploads/[^/]+$")
_FORMS = re.compile(r"^/(login|portal/documents/\d+/copy)$")
# Reading a copy request by its tracking code (its page, its copy, the lookup form's answer): a guess at a code
# costs what a guess at a form does, so these share the forms' bucket.
_CODE_PAGE = re.compile(r"^/portal/copies/[^/]+(/pdf)?$")


def body_limit(settings: Settings, method: str, path: str, content_type: str) -> int:
    """The most bytes a request may send: an upload's size for uploads, ``max_body_bytes`` for the rest."""
    if content_type.startswith("multipart/form-data"):
        return settings.max_upload_bytes + MULTIPART_OVERHEAD
    if method == "PUT" and _CHUNK_PATH.match(path):
        return CHUNK_LIMIT
    return settings.max_body_bytes


# Answered before any route (no language chosen yet): both languages, the English from the interface strings.
_TOO_LARGE = "Yêu cầu quá lớn (tối đa {limit} byte)"
_TOO_MANY = "Quá nhiều yêu cầu từ địa chỉ này, hãy thử lại sau {seconds} giây"


def _bilingual(template: str, **values: int) -> str:
    return f"{template.format(**values)} / {translate(template, 'en').format(**values)}"


def _too_large(limit: int) -> str:
    return _bilingual(_TOO_LARGE, limit=limit)


async def _answer(send: Send, status: int, detail: str, headers: dict[str, str], html: bool) -> None:
    if html:
        body = (f"<!doctype html><html lang=vi><meta charset=utf-8><title>{status}</title>"
                f"<p>{detail}</p></html>").encode()
        media = "text/html; charset=utf-8"
    else:
        body, media = json.dumps({"detail": detail}, ensure_ascii=False).encode(), "application/json"
    raw = [(b"content-type", media.encode()), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class RequestLimits:
    """Refuses, before the route: a client address over its rate (429 with Retry-After), a declared body
    over its limit (413); and stops reading a body that grows past its limit (413)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self.portal = RateLimiter(settings.portal_rate_per_minute, burst=max(1, settings.portal_rate_per_minute // 2))
        self.forms = RateLimiter(settings.form_rate_per_minute, burst=max(1, settings.form_rate_per_minute // 2))

    def _limiter(self, method: str, path: str, query: bytes = b"") -> RateLimiter | None:
        if method == "POST" and _FORMS.match(path):
            return self.forms
        if _CODE_PAGE.match(path) or (path == "/portal/copies" and b"code=" in query):
            return self.forms
        if path == "/portal" or path.startswith("/portal/"):
            return self.portal
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        html = "text/html" in headers.get("accept", "")
        limiter = self._limiter(method, path, scope.get("query_string", b""))
        if limiter is not None:
            wait = limiter.take(address_key(scope["client"][0] if scope.get("client") else None))
            if wait > 0:
                seconds = max(1, round(wait))
                detail = _bilingual(_TOO_MANY, seconds=seconds)
                await _answer(send, 429, detail, {"Retry-After": str(seconds)}, html)
                return
        content_type = headers.get("content-type", "")
        limit = body_limit(self.settings, method, path, content_type)
        declared = headers.get("content-length", "")
        # Uploads answer an over-large declaration themselves (and audit it); their stream is still capped here.
        if declared.isdigit() and int(declared) > limit and not content_type.startswith("multipart/form-data"):
            await _answer(send, 413, _too_large(limit), {"Connection": "close"}, html)
            return
        await self.app(scope, _counting(receive, limit), send)


def _counting(receive: Receive, limit: int) -> Receive:
    """``receive`` that raises a 413 once more than ``limit`` body bytes arrived (chunked bodies too)."""
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise HTTPException(413, _too_large(limit))
        return message

    return counted
