"""One ingest of a given master at a time, across processes and hosts: a claim row per master digest.

A run claims a master with one INSERT into ``ingest_claims`` (the digest is unique, so of two runs
exactly one succeeds), keeps its claims alive with a heartbeat and deletes them when it ends. A
claim left by a process that is gone (same host, pid no longer running) or not renewed before
``expires_at`` is taken over with a compare-and-swap UPDATE, so a killed process blocks nobody.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from sohoa.db.base import utcnow
from sohoa.db.models.intake import IngestClaim
from sohoa.db.session import Database

__all__ = ["CLAIM_TTL", "ClaimHolder", "IngestClaims", "pid_running"]

log = logging.getLogger(__name__)

CLAIM_TTL = timedelta(minutes=10)  # a claim not renewed for this long is free (another host's dead process)


def pid_running(pid: int) -> bool:
    """Whether a process with this id runs on this host (one of another user counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return True  # unknown: never take over a claim on a guess
    return True


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@dataclass(frozen=True)
class ClaimHolder:
    """Who holds a master: its host, process and since when."""

    host: str
    pid: int
    since: datetime
    this_run: bool = False  # the same bytes came earlier in this very run (a copy under another name)

    def message(self) -> str:
        if self.this_run:
            return ("Trùng nội dung với một tệp đã có trong lần số hóa này / "
                    "Same content as another file of this ingest run")
        since = _aware(self.since).strftime("%Y-%m-%d %H:%M:%S UTC")
        who = f"{self.host}:{self.pid}"
        return (f"Đang được xử lý bởi tiến trình khác ({who} từ {since}); chạy lại sau khi tiến trình đó xong / "
                f"Being processed by another process ({who} since {since}); run again once it has finished")


class IngestClaims:
    """The claims of one ingest run. A folder whose master is held elsewhere is left whole to its holder:
    its pages form one sequence, which two processes taking turns would cut into wrong documents."""

    def __init__(self, db: Database, ttl: timedelta = CLAIM_TTL) -> None:
        self.db, self.ttl = db, ttl
        self.owner, self.host, self.pid = uuid.uuid4().hex, socket.gethostname()[:255], os.getpid()
        self._held = 0
        self._busy_folders: dict[Path, ClaimHolder] = {}
        self._renewed = time.monotonic()

    def take(self, sha256: str, path: Path) -> ClaimHolder | None:
        """Claim a master for this run: None when it is ours now, else who holds it (or its folder)."""
        folder = path.parent
        if folder in self._busy_folders:
            return self._busy_folders[folder]
        holder = self._claim(sha256)
        if holder is not None and not holder.this_run:
            self._busy_folders[folder] = holder
        return holder

    def _row(self, sha256: str, now: datetime) -> dict[str, object]:
        return {"sha256": sha256, "owner": self.owner, "host": self.host, "pid": self.pid, "claimed_at": now,
                "expires_at": now + self.ttl}

    def _claim(self, sha256: str) -> ClaimHolder | None:
        holder = ClaimHolder("?", 0, utcnow())  # only if the row changed hands three times in a row
        for _ in range(3):  # a claim released or taken over between our statements: look again
            now = utcnow()
            try:
                with self.db.session() as session:
                    session.execute(insert(IngestClaim).values(self._row(sha256, now)))
                self._held += 1
                return None
            except IntegrityError:
                pass
            with self.db.session() as session:
                held = session.execute(select(IngestClaim).where(IngestClaim.sha256 == sha256)).scalar_one_or_none()
                if held is None:
                    continue
                holder = ClaimHolder(held.host, held.pid, held.claimed_at, held.owner == self.owner)
                if holder.this_run or not self._stale(held, now):
                    return holder
                taken = session.execute(
                    update(IngestClaim).where(IngestClaim.sha256 == sha256, IngestClaim.owner == held.owner)
                    .values(self._row(sha256, now)).execution_options(synchronize_session=False))
            if getattr(taken, "rowcount", 0) == 1:
                log.warning("ingest claim of %s taken over from %s:%s (gone)", sha256[:12], holder.host, holder.pid)
                self._held += 1
                return None
        return holder

    def _stale(self, held: IngestClaim, now: datetime) -> bool:
        if _aware(held.expires_at) < now:
            return True
        return held.host == self.host and held.pid != self.pid and not pid_running(held.pid)

    def heartbeat(self) -> None:
        """Push back the expiry of this run's claims (one UPDATE, at most every quarter of the TTL)."""
        if not self._held or time.monotonic() - self._renewed < self.ttl.total_seconds() / 4:
            return
        self._renewed = time.monotonic()
        with self.db.session() as session:
            session.execute(update(IngestClaim).where(IngestClaim.owner == self.owner)
                            .values(expires_at=utcnow() + self.ttl).execution_options(synchronize_session=False))

    def release(self) -> None:
        """Drop every claim of this run (one DELETE)."""
        if not self._held:
            return
        with self.db.session() as session:
            session.execute(delete(IngestClaim).where(IngestClaim.owner == self.owner)
                            .execution_options(synchronize_session=False))
        self._held = 0
