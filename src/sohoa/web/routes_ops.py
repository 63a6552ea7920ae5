"""Operations routes for load balancers, service managers and Prometheus: ``GET /healthz`` (the process
answers), ``GET /readyz`` (database at head, object store, broker) and ``GET /metrics``.

All three declare ``anonymous()`` to the authorization layer (no session look-up, so no database for
/healthz); /metrics then admits a client inside ``SOHOA_METRICS_ALLOW`` or a bearer API token with the
``metrics:read`` scope, like the API's own token checks. Nothing they answer names a host, URL or secret.
"""

from __future__ import annotations

import functools
import ipaddress
import logging

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from sohoa.http.deps import Ctx
from sohoa.http.rules import anonymous
from sohoa.services.identity.tokens import authenticate_token
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.health import readiness
from sohoa.services.platform.metrics import CONTENT_TYPE_LATEST, render_metrics

__all__ = ["METRICS_SCOPE", "router"]

log = logging.getLogger(__name__)

METRICS_SCOPE = "metrics:read"
_NO_STORE = {"Cache-Control": "no-store"}

router = APIRouter(dependencies=[anonymous()])


@router.get("/healthz")
async def healthz() -> JSONResponse:
    """Liveness: the process answers (no database, no sign-in)."""
    return JSONResponse({"status": "ok"}, headers=_NO_STORE)


@router.get("/readyz")
def readyz(ctx: Ctx) -> JSONResponse:
    """Readiness: 200 when every check passes, else 503 naming the checks that failed and why (a plain def:
    the checks block, FastAPI runs it in the thread pool)."""
    checks = readiness(ctx)
    ready = all(c.ok for c in checks)
    body = {"status": "ok" if ready else "unavailable", "checks": [c.as_dict() for c in checks]}
    return JSONResponse(body, status_code=200 if ready else 503, headers=_NO_STORE)


class MetricsAccessError(HTTPException):
    """A scrape refused: its detail carries its own English ("vi / en")."""


@functools.cache
def _networks(spec: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """SOHOA_METRICS_ALLOW's networks; an entry that is no network admits nobody (and is logged once)."""
    found = []
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        try:
            found.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            log.error("SOHOA_METRICS_ALLOW: '%s' is not a network, ignored", part)
    return tuple(found)


def _inside(address: str | None, spec: str) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # not an address (a test client's name, a unix socket)
        return False
    return any(ip in network for network in _networks(spec))


def _bearer(request: Request) -> str | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _token_may_read(ctx: AppContext, raw: str) -> bool | None:
    """None: no such live token; else whether it holds ``metrics:read`` (or admin)."""
    with ctx.db.session() as session:
        client = authenticate_token(session, raw)
    return None if client is None else client.has(METRICS_SCOPE)


def _admit(request: Request, ctx: AppContext) -> None:
    if _inside(request.client.host if request.client else None, ctx.settings.metrics_allow):
        return
    raw = _bearer(request)
    allowed = None if raw is None else _token_may_read(ctx, raw)
    if allowed is None:
        raise MetricsAccessError(401, "Cần mã truy cập có phạm vi metrics:read / a token with scope metrics:read "
                                      "is required", headers={"WWW-Authenticate": "Bearer"})
    if not allowed:
        raise MetricsAccessError(403, "Cần phạm vi metrics:read / scope metrics:read required")


@router.get("/metrics")
def metrics(request: Request, ctx: Ctx) -> Response:
    """Prometheus text format: this process's HTTP and search figures, the archive's gauges (a plain def: the
    token check and the gauges read the database, FastAPI runs it in the thread pool)."""
    _admit(request, ctx)
    body = render_metrics(ctx)
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers=_NO_STORE)

