"""Server-side staff sessions: the cookie holds a random token, the ``user_sessions`` row is the authority.

A session ends when its row is revoked (logout, password change, an admin disabling the account or
changing its role), after ``session_idle_minutes`` without a request, or ``session_max_hours`` after
sign-in — whatever the browser still holds. Only the SHA-256 of the token is stored.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sohoa.db.models import User, UserSession
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext

__all__ = [
    "SessionView",
    "list_sessions",
    "open_session",
    "principal_of",
    "resolve",
    "revoke",
    "revoke_session_id",
    "revoke_user_sessions",
]

_TOUCH_SECONDS = 60  # last_seen_at is written at most once a minute per session (a write per request is waste)


@dataclass(frozen=True)
class SessionView:
    """One open session as an administrator sees it."""

    id: int
    user_id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    address: str | None
    user_agent: str | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def open_session(ctx: AppContext, user_id: int, *, address: str | None = None,
                 user_agent: str | None = None) -> str:
    """Start a session for ``user_id``; returns the token to put in the cookie (shown only once)."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with ctx.db.session() as session:
        session.add(UserSession(
            token_hash=_hash(token), user_id=user_id, created_at=now, last_seen_at=now,
            expires_at=now + timedelta(hours=ctx.settings.session_max_hours),
            address=(address or "")[:64] or None, user_agent=(user_agent or "")[:200] or None,
        ))
    return token


def _alive(row: UserSession, user: User, now: datetime, idle: timedelta) -> bool:
    return (row.revoked_at is None and user.active and _aware(row.expires_at) > now
            and _aware(row.last_seen_at) + idle > now)


def principal_of(user: User) -> Principal:
    """The principal of an account row, with its saved language and time zone."""
    return Principal(user.id, user.username, user.role, user.unit_id, user.full_name,
                     language=user.language, time_zone=user.time_zone)


def resolve(ctx: AppContext, token: str) -> Principal | None:
    """The principal of a live session, or None (unknown, revoked, expired, idle, account disabled)."""
    now = datetime.now(UTC)
    idle = timedelta(minutes=ctx.settings.session_idle_minutes)
    with ctx.db.session() as session:
        found = session.execute(
            select(UserSession, User).join(User, User.id == UserSession.user_id)
            .where(UserSession.token_hash == _hash(token))
        ).one_or_none()
        if found is None or not _alive(found[0], found[1], now, idle):
            return None
        row, user = found
        if now - _aware(row.last_seen_at) > timedelta(seconds=min(_TOUCH_SECONDS, idle.total_seconds() / 2)):
            row.last_seen_at = now
        return principal_of(user)


def revoke(ctx: AppContext, token: str) -> int | None:
    """End the session of ``token`` at once (logout); returns its user id when there was one."""
    with ctx.db.session() as session:
        row = session.execute(select(UserSession).where(UserSession.token_hash == _hash(token))).scalar()
        if row is None:
            return None
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)
        return row.user_id


def revoke_user_sessions(session: Session, user_id: int, *, keep_token: str | None = None) -> int:
    """Revoke every live session of a user, except the one of ``keep_token``; returns how many."""
    stmt = update(UserSession).where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    if keep_token is not None:
        stmt = stmt.where(UserSession.token_hash != _hash(keep_token))
    result = session.execute(stmt.values(revoked_at=datetime.now(UTC)))
    return int(getattr(result, "rowcount", 0) or 0)


def list_sessions(ctx: AppContext, user_id: int | None = None) -> list[SessionView]:
    """Live sessions (of one user, or everyone's), newest first."""
    now = datetime.now(UTC)
    idle = timedelta(minutes=ctx.settings.session_idle_minutes)
    with ctx.db.session() as session:
        stmt = (select(UserSession, User).join(User, User.id == UserSession.user_id)
                .where(UserSession.revoked_at.is_(None)).order_by(UserSession.id.desc()))
        if user_id is not None:
            stmt = stmt.where(UserSession.user_id == user_id)
        return [SessionView(r.id, r.user_id, _aware(r.created_at), _aware(r.last_seen_at), _aware(r.expires_at),
                            r.address, r.user_agent)
                for r, u in session.execute(stmt).all() if _alive(r, u, now, idle)]


def revoke_session_id(ctx: AppContext, session_id: int) -> int | None:
    """An administrator ends one session by its id; returns the user id, None when unknown."""
    with ctx.db.session() as session:
        row = session.get(UserSession, session_id)
        if row is None:
            return None
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)
        return row.user_id
