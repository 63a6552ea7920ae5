"""Per-router dependencies: the caller of each scope, over one rate limiter."""

from __future__ import annotations

from typing import Any

from fastapi import Depends

from sohoa.api.security import caller_dependency
from sohoa.http.ratelimit import RateLimiter
from sohoa.http.rules import public
from sohoa.services.platform.context import AppContext

__all__ = ["ApiDeps"]


class ApiDeps:
    """``caller(scope)`` for routes; token auth is the API's own, so every route is ``public(csrf=False)``
    to the staff authorization layer (no session cookies, hence no CSRF) and checks its scope here."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.limiter = RateLimiter(ctx.settings.api_rate_per_minute)
        self.rule = public(csrf=False)

    def caller(self, scope: str | None = None) -> Any:
        return Depends(caller_dependency(self.ctx, self.limiter, scope))
