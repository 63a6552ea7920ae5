"""Digital signatures of a document's master PDF, as read at ingest (provenance; the master is never changed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sohoa.db.base import Base, utcnow


class DocumentSignature(Base):
    """Chữ ký số: one signature of the master PDF a document came from (one row per document and signature)."""

    __tablename__ = "document_signatures"
    __table_args__ = (UniqueConstraint("document_id", "master_object_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    master_object_id: Mapped[int] = mapped_column(ForeignKey("stored_objects.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 0-based, in the master's field order
    field_name: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20))  # read / unreadable
    reason: Mapped[str | None] = mapped_column(Text)
    signer_subject: Mapped[str | None] = mapped_column(Text)
    signer_common_name: Mapped[str | None] = mapped_column(String(500))
    signer_organisation: Mapped[str | None] = mapped_column(String(500), index=True)
    issuer: Mapped[str | None] = mapped_column(Text)
    serial: Mapped[str | None] = mapped_column(String(100))
    signing_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    time_source: Mapped[str | None] = mapped_column(String(20))
    intact: Mapped[bool | None] = mapped_column(Boolean)
    valid: Mapped[bool | None] = mapped_column(Boolean)
    trust: Mapped[str] = mapped_column(String(20), default="not_checked")
    coverage: Mapped[str] = mapped_column(String(20), default="unknown")
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # revision, pages, widget, digest algorithm
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
