"""The replica's copy in a fixity audit: checked beside the primary, and copied again from a good primary when it
is missing or damaged (the replica must stay a copy one could repair from)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import ObjectStore
from sohoa.services.platform.audit import record_event
from sohoa.services.preservation.events import AGENT, EventType, Outcome
from sohoa.storage.replicated import mirror_object

__all__ = ["ReplicaCheck", "check_replica_copy"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReplicaCheck:
    """The rows of one replica check (a ``fixity_checks`` row, its PREMIS event) and, when the copy is bad and
    could not be made again, the outcome left open."""

    check: dict[str, Any]
    event: dict[str, Any]
    unrepaired: str | None


def _state(replica: ObjectStore, sha256: str) -> tuple[str, str | None]:
    try:
        if not replica.exists(sha256):
            return "missing", "the replica holds no copy"
        if replica.verify(sha256):
            return "ok", None
    except (OSError, SohoaError) as exc:
        return "unreadable", exc.en if isinstance(exc, SohoaError) else f"{type(exc).__name__}: {exc}"
    return "mismatch", "the replica's copy no longer hashes to the object's name"


def check_replica_copy(session: Session, primary: ObjectStore, replica: ObjectStore, *, object_id: int,
                       sha256: str, primary_ok: bool, run_id: int, label: str) -> ReplicaCheck:
    """Verify the replica's copy of one object; a bad one is audited (``preservation.fixity_failed``, store
    replica) and, when the primary copy is good, copied again from it (outcome ``repaired``)."""
    outcome, detail = _state(replica, sha256)
    first = outcome
    if outcome != "ok":
        record_event(session, "system", "preservation.fixity_failed", "stored_object", object_id,
                     {"sha256": sha256, "outcome": outcome, "detail": detail, "store": "replica",
                      "replica": label})
        if primary_ok:
            try:
                mirror_object(primary, replica, sha256)
                outcome, detail = "repaired", f"{first}: {detail}; copied again from the primary"
            except (OSError, SohoaError) as exc:
                detail = f"{detail}; copying again failed: {exc.en if isinstance(exc, SohoaError) else exc}"
        log.error("fixity: replica copy of %s %s (%s)", sha256, outcome, detail)
    now = datetime.now(UTC)
    check = {"run_id": run_id, "object_id": object_id, "sha256": sha256, "checked_at": now, "store": "replica",
             "outcome": outcome, "actual_sha256": sha256 if first == "ok" else None, "seconds": None,
             "detail": detail}
    event = {"identifier": f"urn:uuid:{uuid.uuid4()}", "event_type": str(EventType.FIXITY_CHECK), "at": now,
             "outcome": str(Outcome.SUCCESS if first == "ok" else Outcome.FAILURE),
             "detail": f"Verification of the replica's copy in {label}",
             "outcome_detail": detail or "the digest matches", "agent": AGENT, "object_id": object_id,
             "document_id": None, "file_id": None,
             "payload": {"sha256": sha256, "outcome": outcome, "store": "replica", "replica": label, "run": run_id}}
    return ReplicaCheck(check, event, first if outcome not in ("ok", "repaired") else None)
