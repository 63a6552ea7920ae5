"""Request-scoped helpers for route handlers: the application context and form utilities."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from sohoa.auth.principal import Principal
from sohoa.auth.sessions import session_user
from sohoa.services.accounts import load_principal
from sohoa.services.context import AppContext

__all__ = ["Ctx", "get_ctx", "load_request_principal", "local_path", "optional_int"]


def get_ctx(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


Ctx = Annotated[AppContext, Depends(get_ctx)]


async def load_request_principal(request: Request) -> Principal | None:
    """The signed-in principal, checked against the account on every request (revocation works)."""
    cached: Principal | None = request.scope.get("sohoa.principal")
    if cached is not None:
        return cached
    found = session_user(request)
    if found is None:
        return None
    principal = await run_in_threadpool(load_principal, get_ctx(request), found[0], found[1])
    request.scope["sohoa.principal"] = principal
    return principal


def local_path(target: str | None, default: str = "/") -> str:
    """A redirect target that stays on this site (no scheme, no host, no '//' tricks)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def optional_int(value: str | None) -> int | None:
    """An integer from a form field, None when blank or malformed."""
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None
