"""The records model: units and their succession, fonds, accessions, boxes, files, documents, pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from sohoa.db.base import Base, state_type, utcnow
from sohoa.domain.review_flags import flagged_fields, lowest_confidence
from sohoa.domain.workflow import AccessionStatus, DocumentState, FileUnitState, FondsStatus


class Unit(Base):
    """Cơ quan/đơn vị: a creating body, with validity dates; identifier ≤ 35 chars (QĐ 20/2020)."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier: Mapped[str] = mapped_column(String(35), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    name_folded: Mapped[str] = mapped_column(String(200), index=True)
    unit_type: Mapped[str] = mapped_column(String(30))  # phường, xã, quận, huyện, thị xã, sở, ...
    bloc: Mapped[str] = mapped_column(String(20), default="government")  # party / government / mass_org
    gso_code: Mapped[str | None] = mapped_column(String(10), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)

    parent: Mapped[Unit | None] = relationship(remote_side=[id])


class UnitLink(Base):
    """A succession link: ``from_unit`` was merged_into / split_into / renamed / dissolved → ``to_unit``."""

    __tablename__ = "unit_links"
    __table_args__ = (UniqueConstraint("from_unit_id", "to_unit_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    effective_date: Mapped[date | None] = mapped_column(Date)
    legal_act: Mapped[str | None] = mapped_column(String(100))
    share: Mapped[str | None] = mapped_column(String(10))  # full / partial
    note: Mapped[str | None] = mapped_column(Text)

    from_unit: Mapped[Unit] = relationship(foreign_keys=[from_unit_id])
    to_unit: Mapped[Unit | None] = relationship(foreign_keys=[to_unit_id])


class Fonds(Base):
    """Phông lưu trữ of one creating unit (TT 05/2025 fonds data)."""

    __tablename__ = "fonds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(13), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    status: Mapped[FondsStatus] = mapped_column(state_type(FondsStatus, 10), default=FondsStatus.OPEN)
    history: Mapped[str | None] = mapped_column(Text)
    start_year: Mapped[int | None] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)
    language: Mapped[str | None] = mapped_column(String(50))
    note: Mapped[str | None] = mapped_column(Text)

    unit: Mapped[Unit | None] = relationship()


class Accession(Base):
    """Đợt giao nộp: one handover of records by a unit, with its inventory and boxes."""

    __tablename__ = "accessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    fonds_id: Mapped[int | None] = mapped_column(ForeignKey("fonds.id"))
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[AccessionStatus] = mapped_column(state_type(AccessionStatus, 20), default=AccessionStatus.OPEN)
    received_at: Mapped[date | None] = mapped_column(Date)
    deadline: Mapped[date | None] = mapped_column(Date)
    planned_pages: Mapped[int | None] = mapped_column(Integer)
    handover: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    unit: Mapped[Unit] = relationship()


class Box(Base):
    """Hộp/cặp: a physical container of files."""

    __tablename__ = "boxes"
    __table_args__ = (UniqueConstraint("accession_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    accession_id: Mapped[int] = mapped_column(ForeignKey("accessions.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    barcode: Mapped[str | None] = mapped_column(String(64))
    location: Mapped[str | None] = mapped_column(String(100))
    received: Mapped[bool] = mapped_column(Boolean, default=False)


class FileUnit(Base):
    """Hồ sơ (file unit): NĐ 30 Phụ lục VI / TT 02/2019 Phụ lục I fields."""

    __tablename__ = "file_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_code: Mapped[str] = mapped_column(String(30), unique=True)  # mã hồ sơ
    organ_id: Mapped[str | None] = mapped_column(String(13))
    file_catalog: Mapped[int | None] = mapped_column(Integer)  # năm hình thành / mục lục số
    file_notation: Mapped[str | None] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(1000), default="")
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    fonds_id: Mapped[int | None] = mapped_column(ForeignKey("fonds.id"), index=True)
    accession_id: Mapped[int | None] = mapped_column(ForeignKey("accessions.id"), index=True)
    box_id: Mapped[int | None] = mapped_column(ForeignKey("boxes.id"))
    maintenance: Mapped[str | None] = mapped_column(String(30))  # thời hạn bảo quản, e.g. "Vĩnh viễn"
    retention_years: Mapped[int | None] = mapped_column(Integer)  # None with permanent=True
    permanent: Mapped[bool] = mapped_column(Boolean, default=False)
    access_level: Mapped[str] = mapped_column(String(20), default="internal")
    bloc: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(50), default="Tiếng Việt")
    creator: Mapped[str | None] = mapped_column(String(30))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    doc_total: Mapped[int | None] = mapped_column(Integer)
    sheet_total: Mapped[int | None] = mapped_column(Integer)
    page_total: Mapped[int | None] = mapped_column(Integer)
    keyword: Mapped[str | None] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(2000))
    physical_state: Mapped[str | None] = mapped_column(String(50))
    state: Mapped[FileUnitState] = mapped_column(state_type(FileUnitState, 20), default=FileUnitState.REGISTERED)

    unit: Mapped[Unit | None] = relationship()
    fonds: Mapped[Fonds | None] = relationship()


class Document(Base):
    """Văn bản: one document of a file (or unsorted intake), with extracted fields (NĐ 30 Phụ lục VI)."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("file_units.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    ingest_item_id: Mapped[int | None] = mapped_column(ForeignKey("ingest_items.id"), index=True)
    doc_ordinal: Mapped[int | None] = mapped_column(Integer)
    doc_code: Mapped[str | None] = mapped_column(String(25), index=True)  # mã định danh văn bản (permalinks)
    type_name: Mapped[str | None] = mapped_column(String(100))
    code_number: Mapped[str | None] = mapped_column(String(11))
    code_notation: Mapped[str | None] = mapped_column(String(30))
    issued_date: Mapped[date | None] = mapped_column(Date, index=True)
    place: Mapped[str | None] = mapped_column(String(100))
    organ_name: Mapped[str | None] = mapped_column(String(200))
    parent_organ_name: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(500))
    signer_position: Mapped[str | None] = mapped_column(String(100))
    signer_full_name: Mapped[str | None] = mapped_column(String(50))
    secrecy: Mapped[str | None] = mapped_column(String(20))
    urgency: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str | None] = mapped_column(String(30), default="vi")
    page_amount: Mapped[int] = mapped_column(Integer, default=0)
    access_level: Mapped[str] = mapped_column(String(20), default="internal")
    confidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    provenance: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text, default="")
    source_name: Mapped[str] = mapped_column(String(500))
    pdf_object_id: Mapped[int | None] = mapped_column(ForeignKey("stored_objects.id"))
    state: Mapped[DocumentState] = mapped_column(state_type(DocumentState, 20), default=DocumentState.EXTRACTED,
                                                 index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    file: Mapped[FileUnit | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    pages: Mapped[list[Page]] = relationship(back_populates="document", order_by="Page.page_no")
    # Kept from confidence and provenance on every write (below), so the review/QC queues filter in SQL.
    min_confidence: Mapped[float | None] = mapped_column(Float)  # the lowest field confidence
    flagged_fields: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # fields to look at


@event.listens_for(Document, "before_insert")
@event.listens_for(Document, "before_update")
def _review_flags(_mapper: Mapper[Document], _connection: Connection, doc: Document) -> None:
    doc.min_confidence = lowest_confidence(doc.confidence)
    doc.flagged_fields = len(flagged_fields(doc.confidence, doc.provenance))


class Page(Base):
    """Trang: one page image of a document, with quality metrics and OCR results."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("master_object_id", "source_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    master_object_id: Mapped[int] = mapped_column(ForeignKey("stored_objects.id"), index=True)
    source_index: Mapped[int] = mapped_column(Integer)  # 0-based page within the master file
    page_no: Mapped[int] = mapped_column(Integer, default=1)  # 1-based within the document
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    dpi: Mapped[int] = mapped_column(Integer)
    quality: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text, default="")
    text_source: Mapped[str] = mapped_column(String(10), default="ocr")
    mean_confidence: Mapped[float | None] = mapped_column()
    ocr_object_id: Mapped[int | None] = mapped_column(ForeignKey("stored_objects.id"))
    thumbnail_object_id: Mapped[int | None] = mapped_column(ForeignKey("stored_objects.id"))
    image_object_id: Mapped[int | None] = mapped_column(ForeignKey("stored_objects.id"))
    state: Mapped[str] = mapped_column(String(20), default="processed")
    blank: Mapped[bool] = mapped_column(Boolean, default=False)
    # A quarter turn clockwise (0/90/180/270) given in review: the PDF/A page, thumbnail and viewer show it;
    # the master, the OCR and the field boxes stay in the scan's own geometry.
    rotation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    document: Mapped[Document | None] = relationship(back_populates="pages")
