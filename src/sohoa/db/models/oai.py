"""What OAI-PMH harvesters have been told: one row per document ever offered, its datestamp and last sets.

A document marked độ mật from the start has a row (its fingerprint) with ``offered`` false, and is never told.
Rows are never deleted: a document that leaves a harvester's view (access changed, merged away, deleted) keeps
its row and is answered as a deleted record (``deletedRecord`` = persistent). ``oai_state`` holds one row whose
update serialises the reconciliations (sohoa.services.sharing.oai_records).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sohoa.db.base import Base, utcnow


class OaiRecord(Base):
    """One harvestable record: a document id (no foreign key: the row outlives the document)."""

    __tablename__ = "oai_records"
    __table_args__ = (Index("ix_oai_records_datestamp_document", "datestamp", "document_id"),)

    document_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    datestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of the metadata and visibility last seen
    gone: Mapped[bool] = mapped_column(Boolean, default=False)  # the document row no longer exists
    offered: Mapped[bool] = mapped_column(Boolean, default=False)  # it was ever not secret (else: never told)
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # anonymous callers see it (last reconciled)
    ever_public: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    last_unit_id: Mapped[int | None] = mapped_column(Integer, index=True)  # its unit while it was not secret
    last_file_id: Mapped[int | None] = mapped_column(Integer)
    unit_spec: Mapped[str | None] = mapped_column(String(60), index=True)
    unit_name: Mapped[str | None] = mapped_column(String(200))
    fonds_spec: Mapped[str | None] = mapped_column(String(60), index=True)
    fonds_name: Mapped[str | None] = mapped_column(String(300))
    type_spec: Mapped[str | None] = mapped_column(String(120), index=True)
    type_name: Mapped[str | None] = mapped_column(String(100))


class OaiState(Base):
    """The single row (id 1) every reconciliation updates first: its lock orders them."""

    __tablename__ = "oai_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    passes: Mapped[int] = mapped_column(Integer, default=0)
