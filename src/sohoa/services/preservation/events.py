"""PREMIS events: append one, read them back for an object, a document or a hồ sơ.

Every preservation action writes one event in the caller's transaction, so the event and what it records
commit together. Times are kept in UTC and written out in ISO 8601 at +07:00 (TT 05/2025).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sohoa.db.models import PreservationEvent

__all__ = ["AGENT", "VN_TIME", "EventType", "Outcome", "events_for", "iso_vn", "record_preservation_event"]

VN_TIME = timezone(timedelta(hours=7), "ICT")


def _version() -> str:
    try:
        return version("sohoa")
    except PackageNotFoundError:  # a source tree that was never installed
        return "dev"


AGENT = f"Sohoa {_version()}"


class EventType(StrEnum):
    """The PREMIS eventType terms Sohoa uses (id.loc.gov/vocabulary/preservation/eventType)."""

    INGESTION = "ingestion"
    MESSAGE_DIGEST = "message digest calculation"
    FIXITY_CHECK = "fixity check"
    REPLICATION = "replication"
    FORMAT_IDENTIFICATION = "format identification"
    VALIDATION = "validation"
    ENCRYPTION = "encryption"
    DECRYPTION = "decryption"
    PACKAGE_CREATION = "information package creation"
    METADATA_MODIFICATION = "metadata modification"
    MIGRATION = "migration"
    MODIFICATION = "modification"  # new content of a hồ sơ (an OCFL version: document added, PDF rebuilt)
    RECOVERY = "recovery"
    DELETION = "deletion"
    ACCESSION = "accession"
    DIGITAL_SIGNATURE_VALIDATION = "digital signature validation"


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    WARNING = "warning"


def iso_vn(moment: datetime) -> str:
    """``moment`` in ISO 8601 at +07:00, to the second (naive times are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN_TIME).isoformat(timespec="seconds")


def record_preservation_event(session: Session, event_type: EventType | str, outcome: Outcome | str, *,
                              object_id: int | None = None, document_id: int | None = None,
                              file_id: int | None = None, detail: str | None = None,
                              outcome_detail: str | None = None, agent: str | None = None,
                              payload: dict[str, Any] | None = None, at: datetime | None = None,
                              identifier: str | None = None) -> PreservationEvent:
    """Append one PREMIS event (flushed, committed by the caller). ``identifier`` and ``at`` are given only
    when an event is carried over from a package (its original identity and time are kept)."""
    if object_id is None and document_id is None and file_id is None:
        raise ValueError("a preservation event names an object, a document or a file")
    event = PreservationEvent(identifier=identifier or f"urn:uuid:{uuid.uuid4()}", event_type=str(event_type),
                              at=at or datetime.now(UTC), outcome=str(outcome), detail=detail,
                              outcome_detail=outcome_detail, agent=agent or AGENT, object_id=object_id,
                              document_id=document_id, file_id=file_id, payload=payload)
    session.add(event)
    session.flush()
    return event


def events_for(session: Session, *, object_ids: Sequence[int] = (), document_ids: Sequence[int] = (),
               file_ids: Sequence[int] = (), event_type: EventType | str | None = None,
               limit: int | None = None) -> list[PreservationEvent]:
    """The events of any of these objects, documents or files, oldest first."""
    conditions = []
    if object_ids:
        conditions.append(PreservationEvent.object_id.in_(list(object_ids)))
    if document_ids:
        conditions.append(PreservationEvent.document_id.in_(list(document_ids)))
    if file_ids:
        conditions.append(PreservationEvent.file_id.in_(list(file_ids)))
    if not conditions:
        return []
    query = select(PreservationEvent).where(or_(*conditions))
    if event_type is not None:
        query = query.where(PreservationEvent.event_type == str(event_type))
    query = query.order_by(PreservationEvent.at, PreservationEvent.id)
    if limit is not None:
        query = query.limit(limit)
    return list(session.execute(query).scalars())
