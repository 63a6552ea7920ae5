"""One runner at a time for periodic preservation work (fixity, OCFL sync, replica catch-up, backups).

Several web processes may serve the same archive; each starts the same periodic tasks. ``single_runner(ctx,
name)`` lets exactly one of them run a pass: the ``preservation_leases`` row ``name`` is taken with one atomic
``UPDATE … WHERE expired OR mine`` (or the ``INSERT`` of a first row, which the primary key lets only one process
win), so it works the same on SQLite and PostgreSQL and across machines sharing a database. While the pass
runs a heartbeat thread renews the lease; a process that dies leaves a lease that expires after ``ttl``
seconds, and the next pass elsewhere takes it over (at once on the same machine, where the holder's pid is seen
gone). Leaving the block releases it.

    with single_runner(ctx, "fixity") as mine:
        if mine:
            run_fixity(ctx, trigger="schedule")
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from sohoa.db.models import PreservationLease
from sohoa.services.platform.context import AppContext

__all__ = ["DEFAULT_TTL", "lease_holder", "release", "single_runner", "try_acquire"]

log = logging.getLogger(__name__)

DEFAULT_TTL = 600.0  # seconds; renewed every third of it while the pass runs


def _holder() -> str:
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _dead_here(holder: str) -> bool:
    """Whether ``holder`` names a process of this machine that no longer runs (a killed `sohoa fixity run`)."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname()[:60] or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return False


def try_acquire(ctx: AppContext, name: str, holder: str, *, ttl: float = DEFAULT_TTL) -> bool:
    """Take or renew the lease ``name`` for ``holder``: True when it is now ``holder``'s until now + ``ttl``."""
    now = datetime.now(UTC)
    expires = now + timedelta(seconds=ttl)
    try:
        with ctx.db.session() as session:
            taken = session.execute(
                update(PreservationLease)
                .where(PreservationLease.name == name,
                       or_(PreservationLease.expires_at < now, PreservationLease.holder == holder))
                .values(holder=holder, acquired_at=now, expires_at=expires)
                .execution_options(synchronize_session=False))
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                return True
            row = session.get(PreservationLease, name)
            if row is not None:  # held by another, not expired: unless by a process of this machine that died
                if not _dead_here(row.holder):
                    return False
                stale = session.execute(
                    update(PreservationLease)
                    .where(PreservationLease.name == name, PreservationLease.holder == row.holder)
                    .values(holder=holder, acquired_at=now, expires_at=expires)
                    .execution_options(synchronize_session=False))
                return bool(stale.rowcount == 1)  # type: ignore[attr-defined]
            session.add(PreservationLease(name=name, holder=holder, acquired_at=now, expires_at=expires))
            session.flush()
            return True
    except IntegrityError:  # another process inserted the first row at the same moment: it won
        return False
    except OperationalError:  # SQLite busy beyond its timeout: someone else is writing; not ours this time
        log.warning("lease %s: the database is busy; the pass is skipped", name)
        return False


def release(ctx: AppContext, name: str, holder: str) -> None:
    """Give the lease back now (only when ``holder`` still holds it)."""
    with ctx.db.session() as session:
        session.execute(update(PreservationLease)
                        .where(PreservationLease.name == name, PreservationLease.holder == holder)
                        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
                        .execution_options(synchronize_session=False))


def lease_holder(ctx: AppContext, name: str) -> str | None:
    """Who holds ``name`` now (None when free or expired): for status pages."""
    with ctx.db.session() as session:
        row = session.execute(select(PreservationLease).where(PreservationLease.name == name)).scalar_one_or_none()
        if row is None:
            return None
        expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=UTC)
        return row.holder if expires > datetime.now(UTC) else None


def _heartbeat(ctx: AppContext, name: str, holder: str, ttl: float, stop: threading.Event) -> None:
    while not stop.wait(ttl / 3):
        try:
            if not try_acquire(ctx, name, holder, ttl=ttl):
                log.error("lease %s: lost to another process while running", name)
                return
        except Exception:  # keep trying: the lease lasts ttl, three renewals may fail before it lapses
            log.exception("lease %s: renewal failed", name)


@contextmanager
def single_runner(ctx: AppContext, name: str, *, ttl: float = DEFAULT_TTL) -> Iterator[bool]:
    """Yield True in the one process that holds the lease ``name`` (renewed while the block runs, released
    at its end), False in every other process at the same time."""
    holder = _holder()
    if not try_acquire(ctx, name, holder, ttl=ttl):
        yield False
        return
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(ctx, name, holder, ttl, stop), name=f"lease-{name}",
                            daemon=True)
    beat.start()
    try:
        yield True
    finally:
        stop.set()
        beat.join(ttl)
        try:
            release(ctx, name, holder)
        except Exception:  # it expires by itself after ttl
            log.exception("lease %s: release failed", name)
