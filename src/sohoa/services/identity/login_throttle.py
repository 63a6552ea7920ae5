"""Login throttling that holds under bursts: counters reserved atomically *before* a password is checked.

Four buckets are counted in fixed windows: the username from one address, the username from anywhere,
the address over all usernames and the whole system. Every attempt first bumps all four in one
transaction, each with a single ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (atomic on SQLite and
PostgreSQL, no read-then-write race, no unique-key race). When one bucket is over its limit the
transaction is rolled back — a refused attempt costs no other bucket anything — and the caller gets
:class:`LoginLocked` without any password being verified. So N parallel attempts get at most the
limit of password checks. A success refunds its own reservation (it stays neutral: interleaving a
valid login buys an attacker nothing) and clears the username-from-this-address bucket only.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sohoa.db.models import LoginCounter
from sohoa.domain.errors import ValidationFailed
from sohoa.settings import Settings

__all__ = ["Limits", "LoginLocked", "Reservation", "refund", "reserve"]

_PURGE_ONE_IN = 64  # about one attempt in 64 also deletes counters whose window has passed


class LoginLocked(ValidationFailed):
    """Too many failed logins in a bucket; ``retry_after`` is in seconds."""

    def __init__(self, vi: str, en: str, retry_after: int) -> None:
        super().__init__(vi, en)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limits:
    """Failures allowed per window in each bucket."""

    window: int
    pair: int
    user: int
    address: int
    total: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.login_window_seconds, settings.login_max_failures, settings.login_user_max_failures,
                   settings.login_address_max_failures, settings.login_global_max_failures)


@dataclass(frozen=True)
class Reservation:
    """What one attempt added: (bucket key, window start) of each bucket, the pair bucket first."""

    buckets: tuple[tuple[str, int], ...]


def _key(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _buckets(username: str, address: str, limits: Limits) -> list[tuple[str, int, str]]:
    """(key, limit, kind) in one fixed order, so concurrent transactions lock rows in the same order."""
    name = username.casefold()
    return [
        (_key("pair", name, address), limits.pair, "user"),
        (_key("user", name), limits.user, "user"),
        (_key("addr", address), limits.address, "address"),
        (_key("global"), limits.total, "global"),
    ]


def _bump(session: Session, key: str, now: int, window: int) -> tuple[int, int]:
    """Add one to a bucket (restarting an expired window) atomically; (hits, window start) after it."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(LoginCounter).values(key=key, window_start=now, hits=1)
    expired = LoginCounter.window_start <= now - window
    stmt = insert.on_conflict_do_update(
        index_elements=[LoginCounter.key],
        set_={
            "hits": case((expired, 1), else_=LoginCounter.hits + 1),
            "window_start": case((expired, now), else_=LoginCounter.window_start),
        },
    ).returning(LoginCounter.hits, LoginCounter.window_start)
    hits, start = session.execute(stmt).one()
    return int(hits), int(start)


def _locked(kind: str, retry_after: int) -> LoginLocked:
    minutes = max(1, math.ceil(retry_after / 60))
    if kind == "user":
        return LoginLocked(f"Tài khoản tạm khóa {minutes} phút do đăng nhập sai nhiều lần",
                           f"Too many failed logins; try again in {minutes} minutes", retry_after)
    where_vi, where_en = ("từ địa chỉ này", "from this address") if kind == "address" else ("trên hệ thống",
                                                                                          "on this system")
    return LoginLocked(f"Đăng nhập tạm khóa {minutes} phút do quá nhiều lần sai {where_vi}",
                       f"Too many failed logins {where_en}; try again in {minutes} minutes", retry_after)


def reserve(session: Session, username: str, address: str, limits: Limits, *,
            now: int | None = None) -> Reservation:
    """Count one attempt in every bucket, or raise :class:`LoginLocked` (and roll the counts back).

    ``session`` must be fresh: the bumps are its first statements (SQLite then takes the write lock at
    once instead of failing to upgrade a read), and it is committed or rolled back here.
    """
    moment = int(time.time()) if now is None else now
    taken: list[tuple[str, int]] = []
    refusal: tuple[str, int] | None = None
    for key, limit, kind in _buckets(username, address, limits):
        hits, start = _bump(session, key, moment, limits.window)
        taken.append((key, start))
        if hits > limit:
            wait = max(1, start + limits.window - moment)
            refusal = (kind, wait) if refusal is None else (refusal[0], max(refusal[1], wait))
    if refusal is not None:
        session.rollback()
        raise _locked(*refusal)
    session.commit()
    if secrets.randbelow(_PURGE_ONE_IN) == 0:
        _purge(session, moment - limits.window)
    return Reservation(tuple(taken))


def _purge(session: Session, cutoff: int) -> None:
    """Delete counters whose window has passed, in a transaction of its own that never waits on a row
    another attempt holds (PostgreSQL: SKIP LOCKED), so housekeeping cannot deadlock with a login."""
    stale = select(LoginCounter.key).where(LoginCounter.window_start <= cutoff)
    if session.get_bind().dialect.name == "postgresql":
        stale = stale.with_for_update(skip_locked=True)
    session.execute(delete(LoginCounter).where(LoginCounter.key.in_(stale)))
    session.commit()


def refund(session: Session, reservation: Reservation) -> None:
    """A successful login: clear the username-from-this-address bucket, give back one in the others."""
    (pair, _start), *others = reservation.buckets
    session.execute(delete(LoginCounter).where(LoginCounter.key == pair))
    for key, start in others:
        session.execute(
            update(LoginCounter)
            .where(LoginCounter.key == key, LoginCounter.window_start == start, LoginCounter.hits > 0)
            .values(hits=LoginCounter.hits - 1)
        )
