"""The append-only, hash-chained event log: record every action, verify the chain."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from sohoa.db.models import Event

GENESIS = "0" * 64

__all__ = ["GENESIS", "VerifyResult", "event_digest", "last_row_id", "record_event", "row_hash", "verify_chain"]


def _digest(prev_hash: str, at: datetime, actor: str, action: str, entity_type: str | None,
            entity_id: int | None, payload: dict[str, Any] | None) -> str:
    moment = at if at.tzinfo else at.replace(tzinfo=UTC)
    body = json.dumps(
        [prev_hash, moment.astimezone(UTC).isoformat(timespec="microseconds"), actor, action,
         entity_type, entity_id, payload],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def event_digest(prev_hash: str, at: datetime, actor: str, action: str, entity_type: str | None,
                 entity_id: int | None, payload: dict[str, Any] | None) -> str:
    """The hash of one event row as the chain computes it (a package's exported events are checked with it)."""
    return _digest(prev_hash, at, actor, action, entity_type, entity_id, payload)


def _lock_chain(session: Session) -> None:
    # PostgreSQL: appends queue on one transaction-scoped advisory lock, taken before the id is drawn, so
    # chain order is id order and the head read below is the last committed row.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(724513)"))


def record_event(session: Session, actor: str, action: str, entity_type: str | None = None,
                 entity_id: int | None = None, payload: dict[str, Any] | None = None) -> Event:
    """Append one event, chained to the previous one. The caller's transaction commits it.

    The row is inserted first and chained afterwards: on SQLite the INSERT is what takes the database's
    write lock (Python's driver opens no transaction for a SELECT), so the head is read while no other
    writer, thread or process, can append; reading it first would let two writers chain onto one row.
    """
    _lock_chain(session)
    at = datetime.now(UTC)
    event = Event(at=at, actor=actor, action=action, entity_type=entity_type, entity_id=entity_id,
                  payload=payload, prev_hash=GENESIS, hash=f"pending-{uuid.uuid4().hex}")
    session.add(event)
    session.flush()
    prev = session.execute(
        select(Event.hash).where(Event.id < event.id).order_by(Event.id.desc()).limit(1)
    ).scalar()
    event.prev_hash = prev or GENESIS
    event.hash = _digest(event.prev_hash, at, actor, action, entity_type, entity_id, payload)
    session.flush()
    return event


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a chain check: ``first_bad_id`` names the first row that does not verify.

    ``head_id``/``head_hash`` are the last row that verified (0 and GENESIS when none did); ``missing`` is
    the id range absent just before a row whose link broke (a deletion), when there is such a gap;
    ``marks`` gives, for each requested id that was reached, (rows verified up to it, its hash).
    """

    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str | None = None
    head_id: int = 0
    head_hash: str = GENESIS
    missing: tuple[int, int] | None = None
    marks: dict[int, tuple[int, str]] = field(default_factory=dict)


def _row_problem(row: Event, prev_hash: str) -> str | None:
    if row.prev_hash != prev_hash:
        return "prev_hash does not link to the previous row"
    expected = _digest(row.prev_hash, row.at, row.actor, row.action, row.entity_type, row.entity_id, row.payload)
    return None if expected == row.hash else "content does not match its hash"


def verify_chain(session: Session, batch: int = 5000, *, start: tuple[int, int, str] = (0, 0, GENESIS),
                 marks: Collection[int] = ()) -> VerifyResult:
    """Recompute every hash in id order; report the first row whose content or link was altered.

    ``start`` = (id, rows up to it, hash) replays only what follows a trusted point (a checkpoint's head).
    """
    last_id, checked, prev_hash = start
    wanted = set(marks)
    seen: dict[int, tuple[int, str]] = {}
    while True:
        rows = session.execute(
            select(Event).where(Event.id > last_id).order_by(Event.id).limit(batch)
        ).scalars().all()
        if not rows:
            return VerifyResult(True, checked, head_id=last_id, head_hash=prev_hash, marks=seen)
        for row in rows:
            problem = _row_problem(row, prev_hash)
            if problem:
                gap = (last_id + 1, row.id - 1) if problem.startswith("prev") and row.id > last_id + 1 else None
                return VerifyResult(False, checked, row.id, problem, last_id, prev_hash, gap, seen)
            prev_hash, last_id = row.hash, row.id
            checked += 1
            if last_id in wanted:
                seen[last_id] = (checked, prev_hash)
        session.expunge_all()


def row_hash(session: Session, event_id: int) -> str | None:
    """The stored hash of one row, None when the row is absent."""
    return session.execute(select(Event.hash).where(Event.id == event_id)).scalar()


def last_row_id(session: Session) -> int:
    """The largest id in the log, 0 when it is empty (whether or not the chain verifies)."""
    return session.execute(select(func.max(Event.id))).scalar() or 0
