"""Security headers on every HTTP response (pages, API, static files, redirects, error pages, 500s).

A pure ASGI middleware (it only edits the ``http.response.start`` message, so streaming responses stay
streaming). :class:`SecuredApp` installs it *outside* Starlette's server-error layer, so even the
plain "Internal Server Error" answer carries the headers. A header a route set itself is kept.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CSP", "SecuredApp", "SecurityHeaders"]

# No inline script or style anywhere (templates load /static/app.js and app.css); nothing from other sites.
CSP = ("default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors {ancestors}")
HSTS = "max-age=31536000"
_PDF = "application/pdf"


def _policy(hsts: bool, *, framable: bool) -> tuple[tuple[str, str], ...]:
    """The headers of one response; a PDF may be framed by our own pages (the document view embeds it)."""
    headers = (
        ("Content-Security-Policy", CSP.format(ancestors="'self'" if framable else "'none'")),
        ("X-Frame-Options", "SAMEORIGIN" if framable else "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    )
    return (*headers, ("Strict-Transport-Security", HSTS)) if hsts else headers


class SecurityHeaders:
    """ASGI middleware adding :func:`_policy`'s headers to every HTTP response that lacks them."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self._plain = _policy(hsts, framable=False)
        self._framable = _policy(hsts, framable=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                framable = headers.get("content-type", "").startswith(_PDF)
                for name, value in self._framable if framable else self._plain:
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SecuredApp(FastAPI):
    """FastAPI whose outermost layer is :class:`SecurityHeaders` (set ``state.hsts`` before first use)."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(), hsts=bool(getattr(self.state, "hsts", False)))
