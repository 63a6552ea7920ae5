"""Staff-app helpers: the signed-in principal of a request, safe redirect targets, form integers.

The application context comes from ``sohoa.http.deps.Ctx`` (shared with the portal and the API).
"""

from __future__ import annotations

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from sohoa.http.deps import get_ctx
from sohoa.http.sessions import drop_session_token, session_token
from sohoa.services.identity.principal import Principal
from sohoa.services.identity.user_sessions import resolve

__all__ = ["load_request_principal", "local_path", "optional_int"]


async def load_request_principal(request: Request) -> Principal | None:
    """The signed-in principal, from the server-side session row on every request (revocation is immediate)."""
    cached: Principal | None = request.scope.get("sohoa.principal")
    if cached is not None:
        return cached
    token = session_token(request)
    if token is None:
        return None
    principal = await run_in_threadpool(resolve, get_ctx(request), token)
    if principal is None:
        drop_session_token(request)
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
