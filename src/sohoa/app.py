"""The web application factory: middleware, error pages, static files and the routers of every area."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute, APIRouter
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

from sohoa.api import routes as api_routes
from sohoa.domain.errors import NotFound, SohoaError
from sohoa.http.headers import SecuredApp
from sohoa.http.limits import RequestLimits
from sohoa.http.rules import CsrfFailed, Forbidden, LoginRequired, declare_public, rule_of
from sohoa.http.sessions import SESSION_COOKIE
from sohoa.portal import routes as portal_routes
from sohoa.services.platform.audit_checkpoint import checkpoint_pass, checkpoint_task
from sohoa.services.platform.context import AppContext
from sohoa.services.production.scanning import HotFolderWatcher, IngestFn, ScanWorker
from sohoa.web import (
    public_views,
    routes_access,
    routes_admin,
    routes_arrangement,
    routes_auth,
    routes_intake,
    routes_progress,
    routes_qc,
    routes_records,
    routes_review,
    routes_scanning,
)
from sohoa.web.deps import load_request_principal
from sohoa.web.templating import STATIC_DIR, render

__all__ = ["ROUTER_FACTORIES", "RouterFactory", "create_app"]

log = logging.getLogger(__name__)

RouterFactory = Callable[[AppContext], APIRouter]

# The staff areas. Other packages add theirs by appending here or passing ``routers`` to create_app.
ROUTER_FACTORIES: list[RouterFactory] = [
    routes_auth.make_router,
    routes_admin.make_router,
    routes_intake.make_router,
    routes_arrangement.make_router,
    routes_scanning.make_router,
    routes_review.make_router,
    routes_qc.make_router,
    routes_progress.make_router,
    routes_records.make_router,
    public_views.make_router,
    api_routes.make_router,
    routes_access.make_router,
    portal_routes.make_router,
]




def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "") or request.method == "GET"


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def _login(request: Request, _exc: LoginRequired) -> Response:
        if _wants_html(request) and request.method == "GET":
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        return JSONResponse({"detail": "login required"}, status_code=401)

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, _exc: Forbidden) -> Response:
        return render(request, "error.html", {"error": "Bạn không có quyền truy cập trang này"}, status_code=403)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, _exc: CsrfFailed) -> Response:
        return render(request, "error.html", {"error": "Phiên làm việc đã hết hạn, vui lòng thử lại"}, status_code=403)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return render(request, "error.html", {"error": exc}, status_code=404)

    @app.exception_handler(SohoaError)
    async def _sohoa(request: Request, exc: SohoaError) -> Response:
        return render(request, "error.html", {"error": exc}, status_code=400)


async def _fail_closed(request: Request) -> None:
    """A route that declared no rule answers 403 (and the route-rule test fails for it)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or rule_of(route) is None:
        log.error("route %s declares no authorization rule; it is closed", request.url.path)
        raise Forbidden()


def _lifespan(ctx: AppContext, watch: bool) -> Callable[[FastAPI], Any]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = app.state.scan_worker
        worker.start()
        watcher = HotFolderWatcher(ctx, worker) if watch else None
        if watcher:
            watcher.start()
        checkpoints = checkpoint_task(ctx)  # signed audit checkpoints: one now, then on a schedule
        if checkpoints:
            checkpoints.start()
        yield
        if watcher:
            watcher.stop()
        worker.stop()
        if checkpoints:
            checkpoints.stop()
            await run_in_threadpool(checkpoint_pass, ctx)  # and a last one over what this run appended

    return lifespan


def create_app(
    ctx: AppContext,
    routers: Sequence[RouterFactory] = (),
    *,
    scan_ingest: IngestFn | None = None,
    watch_hot_folders: bool = True,
) -> FastAPI:
    """Build the staff application over ``ctx``; ``routers`` adds more areas (API, portal, audit).

    ``scan_ingest`` replaces ``ingest_paths`` for uploaded scans (tests pass a fast fake engine).
    """
    app = SecuredApp(
        title="Sohoa",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=_lifespan(ctx, watch_hot_folders),
    )
    app.state.ctx = ctx
    app.state.scan_worker = ScanWorker(ctx, scan_ingest)
    app.state.principal_loader = load_request_principal
    app.add_middleware(
        SessionMiddleware,
        secret_key=ctx.secret_key,
        session_cookie=SESSION_COOKIE,
        max_age=ctx.settings.session_max_hours * 3600,
        same_site="lax",
        https_only=ctx.settings.cookie_secure,
    )
    app.state.hsts = ctx.settings.cookie_secure  # security headers on every response: sohoa.http.headers
    app.add_middleware(RequestLimits, settings=ctx.settings)  # rates per address, body caps: sohoa.http.limits
    _install_error_pages(app)
    for factory in [*ROUTER_FACTORIES, *routers]:
        app.include_router(factory(ctx), dependencies=[Depends(_fail_closed)])
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    declare_public(app, "/static")
    return app
