"""``OPTIONS`` and 405 answers on API paths that name every method the path has.

Starlette answers a method a path lacks with the ``Allow`` of the first route on the path only (``GET`` where
the path also takes ``POST``), which disagrees with the OpenAPI document. ``install_method_answers`` handles the
405 on ``/api/`` paths instead: ``OPTIONS`` gets 204 with the full ``Allow``; any other method a 405 JSON
problem with the same header. Other paths keep FastAPI's answer.
"""

from __future__ import annotations

import re

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import Response
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from sohoa.api.http import problem

__all__ = ["allowed_methods", "install_method_answers"]

API_PATH = "/api/"


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """Every method the app's API routes take on ``path``, sorted, with ``OPTIONS`` last."""
    methods: set[str] = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and context.path and context.path.startswith(API_PATH):
            regex: re.Pattern[str] = compile_path(context.path)[0]
            if regex.match(path):
                methods |= context.methods or set()
    return [*sorted(methods - {"OPTIONS"}), "OPTIONS"]


def install_method_answers(app: FastAPI) -> None:
    """Answer 405s (and so ``OPTIONS``) on API paths with the path's full ``Allow``."""

    async def handler(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        path = request.url.path
        if exc.status_code != 405 or not path.startswith(API_PATH):
            return await http_exception_handler(request, exc)
        allow = ", ".join(allowed_methods(app, path))
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": allow})
        return problem(405, "Phương thức không được hỗ trợ / method not allowed", headers={"Allow": allow})

    app.add_exception_handler(405, handler)
