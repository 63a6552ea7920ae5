"""OAI-PMH 2.0 at ``/oai`` (GET and POST form requests) and the schema of the ``nd30`` metadata format.

Harvesters are machines: a staff session cookie is ignored; an ``Authorization: Bearer`` API token widens the
view to the token's scope; without one the caller sees what the public sees. The answers are built by
``sohoa.services.sharing.oai``; this module only reads the request, the token and the rate.
"""

from __future__ import annotations

import threading
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from sohoa.http.deps import Ctx
from sohoa.http.ratelimit import RateLimiter, address_key
from sohoa.http.rules import public
from sohoa.services.identity.tokens import ApiClient, authenticate_token
from sohoa.services.platform.context import AppContext
from sohoa.services.sharing.oai import OaiCaller, answer
from sohoa.services.sharing.oai_metadata import ND30_XSD

__all__ = ["router"]

router = APIRouter()
_LOCK = threading.Lock()
_XML = "text/xml; charset=utf-8"


def _limiter(request: Request, ctx: AppContext) -> RateLimiter:
    with _LOCK:
        limiter: RateLimiter | None = getattr(request.app.state, "oai_limiter", None)
        if limiter is None:
            limiter = RateLimiter(ctx.settings.api_rate_per_minute)
            request.app.state.oai_limiter = limiter
        return limiter


async def _caller(request: Request, ctx: AppContext) -> OaiCaller:
    """The harvester: its token (401 when one is given and not valid), within the API's rate per minute."""
    scheme, _, raw = request.headers.get("authorization", "").partition(" ")
    client: ApiClient | None = None
    if scheme.lower() == "bearer" and raw.strip():
        def check() -> ApiClient | None:
            with ctx.db.session() as session:
                return authenticate_token(session, raw.strip())

        client = await run_in_threadpool(check)
        if client is None:
            raise HTTPException(401, "Mã truy cập không hợp lệ / invalid or revoked token",
                                headers={"WWW-Authenticate": "Bearer"})
    key = f"t{client.token_id}" if client else address_key(request.client.host if request.client else None)
    wait = _limiter(request, ctx).take(key)
    if wait > 0:
        seconds = max(1, round(wait))
        raise HTTPException(429, f"Quá nhiều yêu cầu / rate limit exceeded, retry in {seconds} s",
                            headers={"Retry-After": str(seconds)})
    if client is None:
        return OaiCaller(None, "anonymous", "anonymous")
    return OaiCaller(client.principal(), f"token:{client.token_id}", f"token:{client.name}")


async def _respond(request: Request, ctx: AppContext, query: str) -> Response:
    caller = await _caller(request, ctx)
    args = parse_qs(query, keep_blank_values=True)
    base_url = str(request.base_url).rstrip("/")
    body = await run_in_threadpool(answer, ctx, caller, args, base_url)
    return Response(body, media_type=_XML)


@router.get("/oai", dependencies=[public(csrf=False)])
async def oai_get(request: Request, ctx: Ctx) -> Response:
    """OAI-PMH request in the query string."""
    return await _respond(request, ctx, request.url.query)


@router.post("/oai", dependencies=[public(csrf=False)])
async def oai_post(request: Request, ctx: Ctx) -> Response:
    """OAI-PMH request as an application/x-www-form-urlencoded body (no cookies: no CSRF token)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        raise HTTPException(415, "Cần application/x-www-form-urlencoded / form-encoded body required")
    body = await request.body()
    return await _respond(request, ctx, body.decode("utf-8", "replace"))


@router.get("/oai/nd30.xsd", dependencies=[public()])
async def nd30_schema() -> FileResponse:
    """The XML Schema of the nd30 metadata format (NĐ 30/2020 Phụ lục VI fields)."""
    return FileResponse(ND30_XSD, media_type="application/xml")
