"""Personal data (Luật 91/2025/QH15): what was found in each document, and the data subjects' requests.

``personal_data`` keeps each value found (or added by a reviewer) with where it is on the page images; masking
and the entity index read it. Corrections and restrictions a data subject asks for are recorded beside the data
(``subject_request_items``) and never alter the masters or the document's text.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sohoa.db.base import Base, utcnow


class PersonalDatum(Base):
    """One value of personal data in a document: detected (status 'masked' unless a reviewer showed it) or
    added by a reviewer; ``restricted`` (a data subject's restriction) masks it even for staff but admins."""

    __tablename__ = "personal_data"
    __table_args__ = (Index("ix_personal_data_kind_normalized", "kind", "normalized"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    page_no: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(500))  # as found, NFC
    normalized: Mapped[str] = mapped_column(String(300), index=True)  # domain.personal.normalize_value
    boxes: Mapped[list[list[int]] | None] = mapped_column(JSON)  # [[page_no, x0, y0, x1, y1], …] scan pixels
    source: Mapped[str] = mapped_column(String(10), default="detected")  # detected | reviewer
    status: Mapped[str] = mapped_column(String(10), default="masked")  # masked | shown
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    confidence: Mapped[float | None] = mapped_column(Float)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SubjectRequest(Base):
    """Yêu cầu của chủ thể dữ liệu: access, correction, restriction or deletion, with its due date and answer."""

    __tablename__ = "subject_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # short tracking code
    request_kind: Mapped[str] = mapped_column(String(20))  # access | correction | restriction | deletion
    subject_name: Mapped[str] = mapped_column(String(200))
    subject_name_folded: Mapped[str] = mapped_column(String(200))
    subject_id_number: Mapped[str | None] = mapped_column(String(20))
    requester: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str | None] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | answered | refused
    note: Mapped[str | None] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    handled_by: Mapped[str | None] = mapped_column(String(100))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100))


class SubjectRequestItem(Base):
    """One finding or action of a request: a document found, a correction shown beside a value, a restriction."""

    __tablename__ = "subject_request_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("subject_requests.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    datum_id: Mapped[int | None] = mapped_column(ForeignKey("personal_data.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # found | correction | restriction
    corrected_value: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

