"""Stored objects (content-addressed), ingest batches/items with their processing state, and ingest claims."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sohoa.db.base import Base, state_type, utcnow
from sohoa.domain.workflow import IngestItemState


class StoredObject(Base):
    """One immutable object in the store, addressed by SHA-256 (masters and derivatives)."""

    __tablename__ = "stored_objects"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # master / pdf / ocr / thumbnail / image
    original_name: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_fixity_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IngestBatch(Base):
    """One `sohoa ingest` run (or upload); items keep their own state so a rerun resumes."""

    __tablename__ = "ingest_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(100), default="system")
    options: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class IngestItem(Base):
    """One master file in the pipeline: pending → processing → done | quarantined | failed."""

    __tablename__ = "ingest_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ingest_batches.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(500))
    source_path: Mapped[str] = mapped_column(Text)
    master_object_id: Mapped[int | None] = mapped_column(ForeignKey("stored_objects.id"))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("file_units.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    state: Mapped[IngestItemState] = mapped_column(state_type(IngestItemState, 20), default=IngestItemState.PENDING,
                                                   index=True)
    reason: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class IngestClaim(Base):
    """A master being ingested by one run of one process; the unique digest makes the claim exclusive.

    Deleted when the run ends; a claim whose process is gone (same host, dead pid) or whose
    ``expires_at`` passed without a heartbeat may be taken over.
    """

    __tablename__ = "ingest_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    owner: Mapped[str] = mapped_column(String(32), index=True)  # one ingest run (random)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
