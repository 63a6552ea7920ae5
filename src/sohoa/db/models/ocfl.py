"""OCFL objects: which hồ sơ has an object in the OCFL storage root (``SOHOA_OCFL_ROOT``), at which version.

One row per hồ sơ once its first version is written. ``signature`` is the sha256 of the version's content and
descriptive metadata (path and digest of each, see ``sohoa.services.preservation.ocfl``): the next sync writes
a new version only when it differs. Every version written is also a PREMIS event of the hồ sơ.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sohoa.db.base import Base, utcnow


class OcflObject(Base):
    """The OCFL object of one hồ sơ: its id (``urn:sohoa:hoso:<file_code>``), head version, how many files
    its head holds, the signature of what it holds and when it was last written."""

    __tablename__ = "ocfl_objects"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("file_units.id"), unique=True)
    object_id: Mapped[str] = mapped_column(String(300), unique=True)
    head: Mapped[str] = mapped_column(String(12))
    files: Mapped[int] = mapped_column(Integer, default=0)
    signature: Mapped[str] = mapped_column(String(64))
    synced_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
