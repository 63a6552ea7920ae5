"""Packages taken in (`sohoa ingest-package`) and the audit history they carried.

A package ingested once is remembered by the SHA-256 of its root METS (which lists every file's checksum), so
ingesting it again changes nothing. The audit events of the archive that made the package are kept as history
beside the live hash chain — never inside it: their hashes belong to the other archive's chain.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sohoa.db.base import Base, utcnow


class IngestedPackage(Base):
    """One information package taken in: which, when, by whom, into which hồ sơ, and what it brought."""

    __tablename__ = "ingested_packages"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_id: Mapped[str] = mapped_column(String(200), index=True)  # METS OBJID
    package_type: Mapped[str] = mapped_column(String(20))  # SIP / AIP / DIP (csip:OAISPACKAGETYPE)
    mets_sha256: Mapped[str] = mapped_column(String(64), unique=True)  # the root METS.xml as received
    source: Mapped[str] = mapped_column(String(500))  # the directory, zip or bag it came from
    file_id: Mapped[int | None] = mapped_column(ForeignKey("file_units.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(String(100))
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # counts and warnings of the intake


class ImportedAuditEvent(Base):
    """One audit-log event of the archive a package came from, as it was (time, actor, action, entity,
    payload, its original hash and link), with the entity mapped to this archive's id. ``hash_ok``: the hash
    recomputes from the row with the audit log's own digest."""

    __tablename__ = "imported_audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    package_row_id: Mapped[int] = mapped_column(ForeignKey("ingested_packages.id"), index=True)
    original_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str | None] = mapped_column(String(40))
    original_entity_id: Mapped[int | None] = mapped_column(Integer)
    entity_id: Mapped[int | None] = mapped_column(Integer, index=True)  # this archive's id of the entity
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash_ok: Mapped[bool] = mapped_column(Boolean)
