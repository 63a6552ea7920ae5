"""Staff tables: user accounts, inventories, receipts, scan uploads, QC plans and checks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from sohoa.db.base import Base, state_type, utcnow
from sohoa.domain.workflow import ScanUploadState


class User(Base):
    """A staff account; its sessions are rows of ``user_sessions`` (``session_version`` is no longer read)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(30), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The user's own preferences (None: the session's language, the installation's ``SOHOA_TIME_ZONE``).
    language: Mapped[str | None] = mapped_column(String(8))
    time_zone: Mapped[str | None] = mapped_column(String(64))


class InventoryUpload(Base):
    """One upload of a mục lục hồ sơ for an accession, with its row-by-row validation report."""

    __tablename__ = "inventory_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    accession_id: Mapped[int] = mapped_column(ForeignKey("accessions.id"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[bool] = mapped_column(Boolean, default=False)
    report: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)


class ReceivedFile(Base):
    """A file physically received at intake, counted sheet by sheet, matched to the inventory if possible."""

    __tablename__ = "received_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    accession_id: Mapped[int] = mapped_column(ForeignKey("accessions.id"), index=True)
    file_notation: Mapped[str] = mapped_column(String(30))
    box_id: Mapped[int | None] = mapped_column(ForeignKey("boxes.id"))
    sheets_counted: Mapped[int | None] = mapped_column(Integer)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("file_units.id"))
    received_by: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ScanUpload(Base):
    """One scan upload (browser or hot folder) into a per-upload directory, then through the pipeline."""

    __tablename__ = "scan_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("file_units.id"), index=True)
    station: Mapped[str | None] = mapped_column(String(40))
    operator: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    received: Mapped[int] = mapped_column(BigInteger, default=0)
    source_key: Mapped[str | None] = mapped_column(String(600), unique=True)  # hot folder: path+size+mtime
    state: Mapped[ScanUploadState] = mapped_column(state_type(ScanUploadState, 20), default=ScanUploadState.RECEIVING,
                                                   index=True)
    message: Mapped[str | None] = mapped_column(Text)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    # Uploads the operator grouped: ``group_size`` files sharing ``group_token`` are ingested together
    # (``one_document``: their pages, in file-name order, are one document; else split as a folder is).
    group_token: Mapped[str | None] = mapped_column(String(40), index=True)
    group_size: Mapped[int | None] = mapped_column(Integer)
    one_document: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    replaces_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))  # a rework rescan
    document_ids: Mapped[list[int] | None] = mapped_column(JSON)  # the documents its pages went into
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class QcPlan(Base):
    """A sampling plan: a share of reviewed documents (per accession or operator) that an inspector checks."""

    __tablename__ = "qc_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    accession_id: Mapped[int | None] = mapped_column(ForeignKey("accessions.id"))
    operator: Mapped[str | None] = mapped_column(String(64))
    rate: Mapped[float] = mapped_column(Float, default=0.1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class QcInspection(Base):
    """An inspector's decision on one document: accept or reject with defect codes and a rework target."""

    __tablename__ = "qc_inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("qc_plans.id"))
    inspector: Mapped[str] = mapped_column(String(64))
    operator: Mapped[str | None] = mapped_column(String(64), index=True)
    decision: Mapped[str] = mapped_column(String(10))  # accept / reject
    defects: Mapped[list[str] | None] = mapped_column(JSON)
    comment: Mapped[str | None] = mapped_column(Text)
    rework_to: Mapped[str | None] = mapped_column(String(20))  # scanning / review
    checks: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    decided_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
