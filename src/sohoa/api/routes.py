"""API v1 router: ``make_router(ctx)`` (included by the web app factory), its OpenAPI document and the
background threads it runs while the app runs: the API ingest worker and webhook delivery.

The app may set ``app.state.api_ingest_fn`` (an ``ingest_paths``-like function; tests pass a fake engine)
and ``app.state.webhook_interval`` (seconds between delivery passes) before it starts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from functools import cache
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from sohoa.api.deps import ApiDeps
from sohoa.api.routes_documents import add_document_routes
from sohoa.api.routes_ingest import add_ingest_routes
from sohoa.api.routes_meta import add_meta_routes
from sohoa.services.platform.context import AppContext
from sohoa.services.sharing.api_ingest import ApiIngestWorker
from sohoa.services.sharing.webhooks import delivery_task

__all__ = ["API_PREFIX", "WEBHOOK_INTERVAL_SECONDS", "make_router", "openapi_document"]

API_PREFIX = "/api/v1"
WEBHOOK_INTERVAL_SECONDS = 15.0
DESCRIPTION = """REST API của cơ sở dữ liệu dùng chung / the shared archive database API.

Authenticate with `Authorization: Bearer <token>` (`sohoa token create`). Scopes: `read:public` (public records),
`read:unit` (the token's unit with its predecessors and successors), `write:ingest` (submit files with
`POST /ingest`, follow them with `GET /ingest/{sha256}`), `admin` (every
non-secret record, webhooks). Without a token you read public records only. Documents marked độ mật are never
served. Lists use opaque cursors (`next_cursor`); reads carry ETags (send `If-None-Match`); each token (or
address) has a request budget per minute (429 with `Retry-After`)."""


def openapi_document(router: APIRouter) -> dict[str, Any]:
    """The OpenAPI 3 document of the API routes, with the bearer scheme."""
    spec = get_openapi(title="Sohoa API", version="1.0.0", description=DESCRIPTION, routes=router.routes)
    spec.setdefault("components", {})["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    spec["security"] = [{"bearer": []}, {}]
    return spec


def _lifespan(ctx: AppContext, worker: ApiIngestWorker) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start the ingest worker (resuming unfinished uploads) and webhook delivery; stop both on shutdown."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        deliveries = delivery_task(ctx, interval=getattr(app.state, "webhook_interval", WEBHOOK_INTERVAL_SECONDS))
        worker.start(getattr(app.state, "api_ingest_fn", None))
        deliveries.start()
        app.state.api_ingest_worker, app.state.webhook_delivery = worker, deliveries
        try:
            yield
        finally:
            deliveries.stop()
            worker.stop()

    return lifespan


def make_router(ctx: AppContext) -> APIRouter:
    """Every /api/v1 route; token auth and scopes are checked per route (see ``ApiDeps``)."""
    deps = ApiDeps(ctx)
    worker = ApiIngestWorker(ctx)
    router = APIRouter(prefix=API_PREFIX, tags=["api-v1"], dependencies=[deps.rule],
                       lifespan=_lifespan(ctx, worker))
    add_document_routes(router, deps)
    add_meta_routes(router, deps)
    add_ingest_routes(router, deps, worker)

    @cache
    def spec() -> dict[str, Any]:
        return openapi_document(router)

    @router.get("/openapi.json", include_in_schema=False)
    def api_openapi() -> JSONResponse:
        return JSONResponse(spec())

    return router
