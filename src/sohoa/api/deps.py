"""Per-app state of the API (its rate limiter and ingest worker) and the caller dependencies of its routes.

The router is module-level, so what used to be built per router lives on the application, created on first
use: ``api_state(app)``. Token auth is the API's own, so the router is ``public(csrf=False)`` to the staff
authorization layer (no session cookies, hence no CSRF) and each route checks its scope through ``Anyone``,
``Admin``, ``Ingester`` or ``RecordRequester``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI

from sohoa.api.http import ERRORS
from sohoa.api.security import Caller, caller_dependency
from sohoa.http.ratelimit import RateLimiter
from sohoa.http.rules import public
from sohoa.services.platform.context import AppContext
from sohoa.services.sharing.api_ingest import ApiIngestWorker

__all__ = ["Admin", "Anyone", "ApiState", "Ingester", "RecordRequester", "api_router", "api_state"]

_LOCK = threading.Lock()


@dataclass(frozen=True)
class ApiState:
    """What one application's API keeps between requests."""

    limiter: RateLimiter
    worker: ApiIngestWorker


def api_state(app: FastAPI) -> ApiState:
    """The API state of ``app`` (over ``app.state.ctx``), made on first use."""
    with _LOCK:
        state: ApiState | None = getattr(app.state, "sohoa_api", None)
        if state is None:
            ctx: AppContext = app.state.ctx
            state = ApiState(RateLimiter(ctx.settings.api_rate_per_minute), ApiIngestWorker(ctx))
            app.state.sohoa_api = state
        return state


Anyone = Annotated[Caller, Depends(caller_dependency(api_state, None))]
Admin = Annotated[Caller, Depends(caller_dependency(api_state, "admin"))]
Ingester = Annotated[Caller, Depends(caller_dependency(api_state, "write:ingest"))]
RecordRequester = Annotated[Caller, Depends(caller_dependency(api_state, "records:request"))]


def api_router() -> APIRouter:
    """A router of API routes: public to the staff rules (the token checks are the routes' own) and declaring
    the token layer's and the services' error answers (``ERRORS``) on every route. Each module's router carries
    these itself: FastAPI includes routers lazily, so a route keeps only its own router's dependencies."""
    return APIRouter(dependencies=[public(csrf=False)], responses=ERRORS)
