"""Route authorization: each route declares ``require(permission)`` or ``public()``; a registry lists them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi import routing as fastapi_routing
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

from sohoa.http.sessions import check_csrf
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal

__all__ = [
    "SAFE_METHODS",
    "CsrfFailed",
    "Forbidden",
    "LoginRequired",
    "RouteRule",
    "anonymous",
    "declare_public",
    "public",
    "require",
    "route_rules",
    "rule_of",
]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RULE_ATTR = "__sohoa_rule__"

# How a request's principal is found; set by the app factory (it needs the database).
PrincipalLoader = Callable[[Request], Awaitable[Principal | None]]


@dataclass(frozen=True)
class RouteRule:
    """The rule of one route: a permission, or public (``permission is None``)."""

    permission: Permission | None
    csrf: bool = True

    @property
    def is_public(self) -> bool:
        return self.permission is None


class LoginRequired(Exception):
    """No signed-in user; HTML requests are redirected to the login page."""


class Forbidden(Exception):
    """Signed in, but the role lacks the permission."""


class CsrfFailed(Exception):
    """An unsafe request without the session's CSRF token."""


async def _principal(request: Request) -> Principal | None:
    loader: PrincipalLoader | None = getattr(request.app.state, "principal_loader", None)
    if loader is None:
        return None
    return await loader(request)


async def _enforce_csrf(request: Request, rule: RouteRule) -> None:
    if rule.csrf and request.method not in SAFE_METHODS and not await check_csrf(request):
        raise CsrfFailed()


def require(permission: Permission, *, csrf: bool = True) -> Any:
    """Dependency: a signed-in principal holding ``permission`` (and CSRF on unsafe methods)."""
    rule = RouteRule(permission, csrf)

    async def dependency(request: Request) -> Principal:
        principal = await _principal(request)
        if principal is None:
            raise LoginRequired()
        if not principal.can(permission):
            raise Forbidden()
        await _enforce_csrf(request, rule)
        return principal

    setattr(dependency, RULE_ATTR, rule)
    return Depends(dependency)


def public(*, csrf: bool = True) -> Any:
    """Dependency for a route anyone may call; yields the principal when someone is signed in."""
    rule = RouteRule(None, csrf)

    async def dependency(request: Request) -> Principal | None:
        await _enforce_csrf(request, rule)
        return await _principal(request)

    setattr(dependency, RULE_ATTR, rule)
    return Depends(dependency)


def anonymous() -> Any:
    """Dependency for a public route that needs nobody's identity (health probes, metrics with their own check):
    it never looks the session up, so it touches no database; safe methods only (no CSRF)."""
    rule = RouteRule(None, csrf=False)

    async def dependency(request: Request) -> None:
        if request.method not in SAFE_METHODS:
            raise Forbidden()

    setattr(dependency, RULE_ATTR, rule)
    return Depends(dependency)


def declare_public(app: FastAPI, path: str) -> None:
    """Declare a non-API route or mount (static files) public, explicitly."""
    paths: set[str] | None = getattr(app.state, "public_paths", None)
    if paths is None:
        paths = set()
        app.state.public_paths = paths
    paths.add(path)


def _walk(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _walk(sub)


def rule_of(route: APIRoute) -> RouteRule | None:
    """The rule a route declared through ``require``/``public`` (searched through sub-dependencies)."""
    for call in _walk(route.dependant):
        rule = getattr(call, RULE_ATTR, None)
        if isinstance(rule, RouteRule):
            return rule
    return None


def _flat_routes(app: FastAPI) -> Iterator[tuple[str, set[str] | None, BaseRoute]]:
    """(path, methods, original route) of every route, through included routers (lazy since FastAPI 0.16x)."""
    iterate = getattr(fastapi_routing, "iter_route_contexts", None)
    if iterate is None:
        for route in app.routes:
            yield getattr(route, "path", ""), getattr(route, "methods", None), route
        return
    for context in iterate(app.routes):
        yield context.path or "", context.methods, context.original_route


def route_rules(app: FastAPI) -> dict[tuple[str, str], RouteRule | None]:
    """Every (path, method) of the app with its rule; ``None`` marks a route that declared none."""
    public_paths: set[str] = getattr(app.state, "public_paths", None) or set()
    rules: dict[tuple[str, str], RouteRule | None] = {}
    for path, methods, route in _flat_routes(app):
        for method in sorted(methods or {"GET"}):
            if isinstance(route, APIRoute):
                rules[(path, method)] = rule_of(route)
            else:
                rules[(path, method)] = RouteRule(None, False) if path in public_paths else None
    return rules
