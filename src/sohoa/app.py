"""The web application factory: middleware, the error mapping, static files and the routers of every area."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import ExitStack, asynccontextmanager
from functools import partial
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.routing import APIRoute, APIRouter
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.middleware.sessions import SessionMiddleware

from sohoa.api import routes as api_routes
from sohoa.api.methods import install_method_answers
from sohoa.domain.errors import SohoaError
from sohoa.http.errors import install_error_handlers
from sohoa.http.headers import SecuredApp
from sohoa.http.limits import RequestLimits
from sohoa.http.observe import Observed
from sohoa.http.rules import Forbidden, declare_public, rule_of
from sohoa.http.sessions import SESSION_COOKIE
from sohoa.interop import ROUTERS as interop_routers
from sohoa.portal import routes as portal_routes
from sohoa.portal.templating import PORTAL_PATH
from sohoa.portal.templating import render_error as render_portal_error
from sohoa.services.platform.audit_checkpoint import checkpoint_pass, checkpoint_task
from sohoa.services.platform.background import PeriodicTask
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.control import ControlServer, Handler
from sohoa.services.platform.remote_pool import register_pool
from sohoa.services.platform.tasks.client import ClusterScanWorker, cluster_ingest
from sohoa.services.platform.warm_pool import WarmPool
from sohoa.services.preservation.backup import backup_task
from sohoa.services.preservation.encryption import encryption_task
from sohoa.services.preservation.fixity import fixity_task
from sohoa.services.preservation.formats import formats_task
from sohoa.services.preservation.lease import single_runner
from sohoa.services.preservation.ocfl import ocfl_task
from sohoa.services.preservation.replica import replica_task
from sohoa.services.production.ingest import ingest_paths
from sohoa.services.production.scanning import HotFolderWatcher, IngestFn, ScanWorker
from sohoa.web import (
    public_views,
    routes_access,
    routes_admin,
    routes_arrangement,
    routes_auth,
    routes_intake,
    routes_lookup,
    routes_ops,
    routes_personal,
    routes_personal_review,
    routes_preservation,
    routes_progress,
    routes_qc,
    routes_records,
    routes_review,
    routes_scanning,
    routes_tasks,
)
from sohoa.web.deps import load_request_principal
from sohoa.web.templating import STATIC_DIR, render

__all__ = ["ROUTERS", "create_app"]

log = logging.getLogger(__name__)

RESUME_LEASE_SECONDS = 60.0  # the web process restarting left uploads holds this lease while it runs

# Every area's module-level router; handlers take the context through ``sohoa.http.deps.Ctx``.
ROUTERS: tuple[APIRouter, ...] = (
    routes_auth.router,
    routes_admin.router,
    routes_intake.router,
    routes_arrangement.router,
    routes_scanning.router,
    routes_review.router,
    routes_personal_review.router,
    routes_personal.router,
    routes_qc.router,
    routes_progress.router,
    routes_preservation.router,
    routes_records.router,
    routes_lookup.router,
    public_views.router,
    api_routes.router,
    routes_access.router,
    portal_routes.router,
    *interop_routers,
    routes_ops.router,  # /healthz, /readyz, /metrics
    routes_tasks.router,  # /staff/tasks: the cluster's queues, workers and dead letters
)


def _error_page(request: Request, error: SohoaError, status: int) -> Response:
    """The staff error page, or the portal's own under /portal, for ``sohoa.http.errors`` (which maps every
    domain error to HTTP)."""
    if request.url.path.startswith(PORTAL_PATH):
        return render_portal_error(request, error, status)
    return render(request, "error.html", {"error": error}, status_code=status)


async def _fail_closed(request: Request) -> None:
    """A route that declared no rule answers 403 (and the route-rule test fails for it)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or rule_of(route) is None:
        log.error("route %s declares no authorization rule; it is closed", request.url.path)
        raise Forbidden()


def _start_warm_pool(app: FastAPI, ctx: AppContext,
                     control_ops: Mapping[str, Handler]) -> tuple[WarmPool | None, ControlServer]:
    """Start the warm pool (every worker with its engine loaded) for every ingest of this process, then
    the control socket that offers it (`sohoa ingest` hands its pages over): the socket answers once warm.
    An engine that cannot load (no language data) leaves the server without a warm pool: each ingest
    then starts a pool of its own and reports the error where people see it."""
    pool: WarmPool | None = None
    try:
        pool = WarmPool(ctx.settings).start()
    except Exception:
        log.exception("the warm page pool did not start; every ingest starts a pool of its own")
    control = ControlServer(ctx.settings)  # more operations: app.state.control.register(op, handler)
    for op, handler in control_ops.items():
        control.register(op, handler)
    if pool is not None:
        app.state.scan_worker.pool = pool  # uploads and hot folders
        if getattr(app.state, "api_ingest_fn", None) is None:  # API uploads (sohoa.api.routes reads it)
            app.state.api_ingest_fn = partial(ingest_paths, pool=pool)
        register_pool(control, pool)
    control.start()
    app.state.warm_pool, app.state.control = pool, control
    log.info("warm page pool: %s; control socket %s", pool and f"{pool.workers} workers", control.path)
    return pool, control


def _lifespan(ctx: AppContext, watch: bool, warm: bool,
              control_ops: Mapping[str, Handler]) -> Callable[[FastAPI], Any]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        worker = app.state.scan_worker
        cluster = bool(ctx.settings.broker_url)  # cluster profile: `sohoa worker` OCRs, `sohoa beat` runs the timers
        pool, control = (await run_in_threadpool(_start_warm_pool, app, ctx, control_ops) if warm and not cluster
                         else (None, None))
        # Only the web process holding the resume lease (for its whole life) restarts what a stopped one left queued.
        with ExitStack() as resume_lease:
            resumer = resume_lease.enter_context(single_runner(ctx, "scan-resume", ttl=RESUME_LEASE_SECONDS))
            await run_in_threadpool(partial(worker.start, resume=resumer))
            watcher = HotFolderWatcher(ctx, worker) if watch else None
            if watcher:
                watcher.start()
            timers = [] if cluster else _start_timers(ctx)
            yield
            if watcher:
                await run_in_threadpool(watcher.stop)
            await run_in_threadpool(worker.stop)
            for timer in timers:
                await run_in_threadpool(timer.stop)
            if not cluster and ctx.settings.audit_checkpoint_minutes > 0:
                await run_in_threadpool(checkpoint_pass, ctx)  # and a last one over what this run appended
        if control:  # the API worker stopped already (its router's lifespan ends first)
            await run_in_threadpool(control.stop)
        if pool:
            await run_in_threadpool(pool.close)

    return lifespan


def _start_timers(ctx: AppContext) -> list[PeriodicTask]:
    """The embedded profile's periodic work, started (with a broker `sohoa beat` schedules it instead)."""
    timers: list[PeriodicTask] = []
    for factory in (checkpoint_task,  # signed audit checkpoints: one now, then on a schedule
                    formats_task,  # PRONOM identification of new objects (a pass per interval, one process)
                    encryption_task,  # restricted objects sealed at rest (after ingest, after a level changes)
                    ocfl_task,  # new OCFL versions of the hồ sơ that changed (one process at a time)
                    fixity_task,  # objects re-hashed within the fixity cycle (bounded passes, one process)
                    replica_task,  # the second copy caught up (one process at a time)
                    backup_task):  # daily incremental, monthly full backup sets (one process at a time)
        timer = factory(ctx)
        if timer is not None:
            timer.start()
            timers.append(timer)
    return timers


def create_app(
    ctx: AppContext,
    routers: Sequence[APIRouter] = (),
    *,
    scan_ingest: IngestFn | None = None,
    watch_hot_folders: bool = True,
    warm_pool: bool = False,
    control_ops: Mapping[str, Handler] | None = None,
) -> FastAPI:
    """Build the application over ``ctx``: every area of ``ROUTERS`` (API included); ``routers`` adds more (tests).

    ``scan_ingest`` replaces ``ingest_paths`` for uploaded scans (tests pass a fast fake engine).
    ``warm_pool`` (`sohoa serve`): start-up builds the warm page pool that every ingest of the process uses
    (except one ``scan_ingest`` replaces) and the control socket that offers it to `sohoa ingest`;
    ``control_ops`` are further operations of that socket (`sohoa serve` answers `status` and `search`).
    """
    app = SecuredApp(
        title="Sohoa",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=_lifespan(ctx, watch_hot_folders, warm_pool, {} if control_ops is None else control_ops),
    )
    app.state.ctx = ctx
    if ctx.settings.broker_url:  # the cluster profile: uploads are queued for `sohoa worker` processes
        app.state.scan_worker = ClusterScanWorker(ctx, scan_ingest)
        app.state.api_ingest_fn = cluster_ingest
    else:
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
    app.add_middleware(Observed)  # request ids for the logs, HTTP metrics: sohoa.http.observe
    install_error_handlers(app, _error_page)
    install_method_answers(app)  # OPTIONS and 405 on /api/ name every method of the path
    for router in [*ROUTERS, *routers]:
        app.include_router(router, dependencies=[Depends(_fail_closed)])
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    declare_public(app, "/static")
    return app
