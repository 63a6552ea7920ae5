"""Preservation events (PREMIS v3 ``event`` entities): what happened to an object, a document or a hồ sơ, when,
by which agent, and with what outcome — fixity checks, ingestion, replication, format identification,
encryption, package creation, validation, recovery. Append-only: rows are never updated or deleted; the
packages (AIP/DIP) and the preservation report read them back as PREMIS XML.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sohoa.db.base import Base, utcnow


class PreservationEvent(Base):
    """One PREMIS event. ``event_type`` is a term of the Library of Congress eventType vocabulary
    (``fixity check``, ``ingestion``, ``replication``, ``format identification``, …); ``outcome`` is
    ``success``, ``failure`` or ``warning``. At least one of object/document/file is named."""

    __tablename__ = "preservation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier: Mapped[str] = mapped_column(String(45), unique=True)  # urn:uuid:… (eventIdentifierValue)
    event_type: Mapped[str] = mapped_column(String(60), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(Text)  # eventDetail: what was done, how
    outcome_detail: Mapped[str | None] = mapped_column(Text)  # eventOutcomeDetailNote
    agent: Mapped[str] = mapped_column(String(120))  # software ("sohoa 2.0") or a person's username
    object_id: Mapped[int | None] = mapped_column(ForeignKey("stored_objects.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"), index=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("file_units.id", ondelete="SET NULL"), index=True)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
