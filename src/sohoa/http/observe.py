"""Every HTTP request observed: a request id (the client's or proxy's sane X-Request-ID, else a new one) set for
the logs and echoed in the answer's ``X-Request-ID``, and the request counted in the Prometheus metrics by
method, route template (never the raw path: no ids, no query) and status."""

from __future__ import annotations

import time

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sohoa.services.platform.logs import REQUEST_ID, request_id_from
from sohoa.services.platform.metrics import HTTP_REQUESTS, HTTP_SECONDS

__all__ = ["REQUEST_ID_HEADER", "Observed"]

REQUEST_ID_HEADER = "X-Request-ID"


def _template(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    if scope.get("path", "").startswith("/static/"):
        return "/static"
    return "<unmatched>"


class Observed:
    """ASGI middleware: the request id and the HTTP metrics of each request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id_from(Headers(scope=scope).get(REQUEST_ID_HEADER))
        token = REQUEST_ID.set(rid)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            method, route = scope.get("method", "GET"), _template(scope)
            HTTP_REQUESTS.labels(method, route, str(status)).inc()
            HTTP_SECONDS.labels(method, route).observe(time.perf_counter() - started)
            REQUEST_ID.reset(token)
