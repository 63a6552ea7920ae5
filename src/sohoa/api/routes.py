"""API v1 router: ``make_router(ctx)`` (included by the web app factory) and its OpenAPI document."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import APIRouter
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse

from sohoa.api.deps import ApiDeps
from sohoa.api.routes_documents import add_document_routes
from sohoa.api.routes_meta import add_meta_routes
from sohoa.services.context import AppContext

__all__ = ["API_PREFIX", "make_router", "openapi_document"]

API_PREFIX = "/api/v1"
DESCRIPTION = """REST API của cơ sở dữ liệu dùng chung / the shared archive database API.

Authenticate with `Authorization: Bearer <token>` (`sohoa token create`). Scopes: `read:public` (public records),
`read:unit` (the token's unit with its predecessors and successors), `write:ingest`, `admin` (every
non-secret record, webhooks). Without a token you read public records only. Documents marked độ mật are never
served. Lists use opaque cursors (`next_cursor`); reads carry ETags (send `If-None-Match`); each token (or
address) has a request budget per minute (429 with `Retry-After`)."""


def openapi_document(router: APIRouter) -> dict[str, Any]:
    """The OpenAPI 3 document of the API routes, with the bearer scheme."""
    spec = get_openapi(title="Sohoa API", version="1.0.0", description=DESCRIPTION, routes=router.routes)
    spec.setdefault("components", {})["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    spec["security"] = [{"bearer": []}, {}]
    return spec


def make_router(ctx: AppContext) -> APIRouter:
    """Every /api/v1 route; token auth and scopes are checked per route (see ``ApiDeps``)."""
    deps = ApiDeps(ctx)
    router = APIRouter(prefix=API_PREFIX, tags=["api-v1"], dependencies=[deps.rule])
    add_document_routes(router, deps)
    add_meta_routes(router, deps)

    @cache
    def spec() -> dict[str, Any]:
        return openapi_document(router)

    @router.get("/openapi.json", include_in_schema=False)
    def api_openapi() -> JSONResponse:
        return JSONResponse(spec())

    return router
