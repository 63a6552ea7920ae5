"""Bearer-token authentication, scope checks and rate limiting as route dependencies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from fastapi import FastAPI, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from sohoa.http.deps import get_ctx
from sohoa.http.ratelimit import RateLimiter, address_key
from sohoa.services.identity.principal import Principal
from sohoa.services.identity.tokens import ApiClient, authenticate_token

__all__ = ["Caller", "caller_dependency"]


class _HasLimiter(Protocol):
    @property
    def limiter(self) -> RateLimiter: ...


@dataclass(frozen=True)
class Caller:
    """Who calls the API: a token's client, or anonymous (public records only)."""

    client: ApiClient | None

    @property
    def principal(self) -> Principal | None:
        return self.client.principal() if self.client else None

    @property
    def actor(self) -> str:
        return f"token:{self.client.name}" if self.client else "anonymous"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _client_key(request: Request, client: ApiClient | None) -> str:
    if client is not None:
        return f"t{client.token_id}"
    return address_key(request.client.host if request.client else None)


def _too_many(wait: float) -> HTTPException:
    seconds = max(1, round(wait))
    return HTTPException(429, f"Quá nhiều yêu cầu, hãy thử lại sau {seconds} giây / "
                              f"rate limit exceeded, retry in {seconds} s", headers={"Retry-After": str(seconds)})


def caller_dependency(state: Callable[[FastAPI], _HasLimiter],
                      scope: str | None) -> Callable[[Request], Awaitable[Caller]]:
    """A dependency: authenticate the bearer token (if any), enforce ``scope`` and the rate limit of the app's
    limiter (``state(app).limiter``)."""

    async def dependency(request: Request) -> Caller:
        ctx = get_ctx(request)
        limiter = state(request.app).limiter
        raw = _bearer(request)
        client = None
        if raw is not None:
            def check() -> ApiClient | None:
                with ctx.db.session() as session:
                    return authenticate_token(session, raw)

            client = await run_in_threadpool(check)
            if client is None:
                # a wrong token counts against the caller's address: guessing tokens is rate limited too
                wait = limiter.take(_client_key(request, None))
                if wait > 0:
                    raise _too_many(wait)
                raise HTTPException(401, "Mã truy cập không hợp lệ / invalid or revoked token",
                                    headers={"WWW-Authenticate": "Bearer"})
        wait = limiter.take(_client_key(request, client))
        if wait > 0:
            raise _too_many(wait)
        if scope is not None and (client is None or not client.has(scope)):
            status = 401 if client is None else 403
            raise HTTPException(status, f"Cần phạm vi {scope} / scope {scope} required",
                                headers={"WWW-Authenticate": "Bearer"} if client is None else None)
        return Caller(client)

    return dependency
