"""Cookie session contents (Starlette's signed cookie): the server-side session token, CSRF token, language.

The cookie only *points* at a session: whether it is alive is decided by the ``user_sessions`` row
(``sohoa.services.identity.user_sessions``), so revoking the row ends the session whatever the browser holds.
"""

from __future__ import annotations

import secrets
from typing import Any

from starlette.requests import Request

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "check_csrf",
    "csrf_token",
    "drop_session_token",
    "end_session",
    "session_token",
    "start_session",
]

SESSION_COOKIE = "sohoa_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def _session(request: Request) -> dict[str, Any]:
    return request.session if "session" in request.scope else {}


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (also for anonymous sessions: login forms)."""
    session = _session(request)
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


async def check_csrf(request: Request) -> bool:
    """True when the request carries the session's token in the header or the form field."""
    expected = _session(request).get("csrf")
    if not isinstance(expected, str):
        return False
    supplied = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if not supplied and content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()  # Starlette caches the parsed form for the route handler
        value = form.get(CSRF_FIELD)
        supplied = value if isinstance(value, str) else None
    return bool(supplied) and secrets.compare_digest(str(supplied), expected)


def start_session(request: Request, token: str) -> None:
    """Bind the cookie to a server-side session; a fresh CSRF token defeats session fixation of the token."""
    session = _session(request)
    lang = session.get("lang")
    session.clear()
    session.update({"sid": token, "csrf": secrets.token_urlsafe(32)})
    if lang:
        session["lang"] = lang


def end_session(request: Request) -> None:
    lang = _session(request).get("lang")
    _session(request).clear()
    if lang:
        _session(request)["lang"] = lang


def session_token(request: Request) -> str | None:
    """The server-side session token the cookie carries, or None when anonymous."""
    token = _session(request).get("sid")
    return token if isinstance(token, str) and token else None


def drop_session_token(request: Request) -> None:
    """Forget a token the server no longer honours (the cookie then stops sending it)."""
    _session(request).pop("sid", None)
