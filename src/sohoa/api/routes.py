"""API v1 router (module-level ``router``, included by ``sohoa.app``), its OpenAPI document and the background
threads it runs while the app runs: the API ingest worker and webhook delivery.

The app may set ``app.state.api_ingest_fn`` (an ``ingest_paths``-like function; tests pass a fake engine)
and ``app.state.webhook_interval`` (seconds between delivery passes) before it starts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from sohoa.api import routes_documents, routes_exchange, routes_ingest, routes_meta, routes_personal
from sohoa.api.deps import api_state
from sohoa.api.http import ERRORS
from sohoa.http.rules import public
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.lease import single_runner
from sohoa.services.sharing.webhooks import delivery_task

__all__ = ["API_PREFIX", "WEBHOOK_INTERVAL_SECONDS", "openapi_document", "router"]

API_PREFIX = "/api/v1"
WEBHOOK_INTERVAL_SECONDS = 15.0
RESUME_LEASE_SECONDS = 60.0  # the process restarting left API uploads holds this lease while it runs
DESCRIPTION = """REST API của cơ sở dữ liệu dùng chung / the shared archive database API.

Authenticate with `Authorization: Bearer <token>` (`sohoa token create`). Scopes: `read:public` (public records),
`read:unit` (the token's unit with its predecessors and successors), `write:ingest` (submit files with
`POST /ingest`, follow them with `GET /ingest/{sha256}`), `records:request` (one-stop-shop record requests,
`POST /record-requests`: the answer holds what the token's read scopes see), `personal:read` (personal data
unmasked in what the other scopes read, and the entity index `GET /personal-data`), `admin` (every
non-secret record, webhooks). Without a token you read public records only. Documents marked độ mật are never
served. Lists are keyset pages: pass `next_cursor` back as `cursor` (decimal digits; null at the end). Reads
carry ETags (send `If-None-Match`); each token (or address) has a request budget per minute (429 with
`Retry-After`). Errors (other than 422, the validation report) are `{"detail": "<Vietnamese> / <English>"}`."""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the ingest worker (resuming unfinished uploads) and webhook delivery; stop both on shutdown."""
    ctx: AppContext = app.state.ctx
    worker = api_state(app).worker
    deliveries = delivery_task(ctx, interval=getattr(app.state, "webhook_interval", WEBHOOK_INTERVAL_SECONDS))
    with single_runner(ctx, "api-resume", ttl=RESUME_LEASE_SECONDS) as resumer:  # one process restarts left items
        worker.start(getattr(app.state, "api_ingest_fn", None), resume=resumer)
        if not ctx.settings.broker_url:  # with a broker `sohoa beat` schedules the deliveries
            deliveries.start()
        app.state.api_ingest_worker, app.state.webhook_delivery = worker, deliveries
        try:
            yield
        finally:
            deliveries.stop()
            worker.stop()


# Every /api/v1 route; token auth and scopes are checked per route (``sohoa.api.deps``); every route may answer
# the token layer's and the services' errors (``ERRORS``).
router = APIRouter(prefix=API_PREFIX, tags=["api-v1"], dependencies=[public(csrf=False)], responses=ERRORS,
                   lifespan=_lifespan)
router.include_router(routes_documents.router)
router.include_router(routes_meta.router)
router.include_router(routes_ingest.router)
router.include_router(routes_exchange.router)
router.include_router(routes_personal.router)


def openapi_document(api: APIRouter) -> dict[str, Any]:
    """The OpenAPI 3 document of the API routes, with the bearer scheme."""
    spec = get_openapi(title="Sohoa API", version="1.0.0", description=DESCRIPTION, routes=api.routes)
    spec.setdefault("components", {})["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    spec["security"] = [{"bearer": []}, {}]
    return spec


@cache
def _spec() -> dict[str, Any]:
    return openapi_document(router)


@router.get("/openapi.json", include_in_schema=False)
def api_openapi() -> JSONResponse:
    """The API's OpenAPI document."""
    return JSONResponse(_spec())
