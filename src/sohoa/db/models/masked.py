"""Masked derivatives (personal data): which stored object is the public, masked copy of a page image or PDF.

A masked derivative is built once and kept write-once in the object store; the row remembers it by a key made
of what it derives from (the staff derivative's SHA-256), what it is (page and kind) and the masking's
fingerprint, so a new reviewer decision or policy yields a new object and the old one is never served again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sohoa.db.base import Base, utcnow


class MaskedDerivative(Base):
    """Bản che dữ liệu cá nhân: the masked copy (``object_id``) of one page image (page_no, kind 'thumbnail' or
    'image') or of the document's PDF (page_no None, kind 'pdf'), under one masking fingerprint."""

    __tablename__ = "masked_derivatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of kind, page, source and fingerprint
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    page_no: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    fingerprint: Mapped[str] = mapped_column(String(128))
    source_sha256: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[int] = mapped_column(ForeignKey("stored_objects.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
