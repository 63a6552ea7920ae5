"""The append-only, hash-chained event log: record every action, verify the chain."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from sohoa.db.models import Event

GENESIS = "0" * 64

__all__ = ["GENESIS", "VerifyResult", "record_event", "verify_chain"]


def _digest(prev_hash: str, at: datetime, actor: str, action: str, entity_type: str | None,
            entity_id: int | None, payload: dict[str, Any] | None) -> str:
    moment = at if at.tzinfo else at.replace(tzinfo=UTC)
    body = json.dumps(
        [prev_hash, moment.astimezone(UTC).isoformat(timespec="microseconds"), actor, action,
         entity_type, entity_id, payload],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _lock_chain(session: Session) -> None:
    # Serialise appends so two writers never chain onto the same previous row.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(724513)"))


def record_event(session: Session, actor: str, action: str, entity_type: str | None = None,
                 entity_id: int | None = None, payload: dict[str, Any] | None = None) -> Event:
    """Append one event, chained to the previous one. The caller's transaction commits it."""
    _lock_chain(session)
    session.flush()
    prev = session.execute(select(Event.hash).order_by(Event.id.desc()).limit(1)).scalar()
    prev_hash = prev or GENESIS
    at = datetime.now(UTC)
    event = Event(at=at, actor=actor, action=action, entity_type=entity_type, entity_id=entity_id,
                  payload=payload, prev_hash=prev_hash,
                  hash=_digest(prev_hash, at, actor, action, entity_type, entity_id, payload))
    session.add(event)
    session.flush()
    return event


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a chain check: ``first_bad_id`` names the first row that does not verify."""

    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str | None = None


def verify_chain(session: Session, batch: int = 5000) -> VerifyResult:
    """Recompute every hash in id order; report the first row whose content or link was altered."""
    prev_hash = GENESIS
    checked = 0
    last_id = 0
    while True:
        rows = session.execute(
            select(Event).where(Event.id > last_id).order_by(Event.id).limit(batch)
        ).scalars().all()
        if not rows:
            return VerifyResult(ok=True, checked=checked)
        for row in rows:
            if row.prev_hash != prev_hash:
                return VerifyResult(False, checked, row.id, "prev_hash does not link to the previous row")
            expected = _digest(row.prev_hash, row.at, row.actor, row.action, row.entity_type,
                               row.entity_id, row.payload)
            if expected != row.hash:
                return VerifyResult(False, checked, row.id, "content does not match its hash")
            prev_hash = row.hash
            checked += 1
            last_id = row.id
        session.expunge_all()
