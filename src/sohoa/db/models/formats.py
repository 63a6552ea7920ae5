"""Format identification (PRONOM) of stored objects: what each master and derivative is, by the format
registry, according to which tool and signature file, and when. One row per object, replaced when the object is
identified again (a newer signature file); every identification is also a PREMIS ``format identification`` event,
so the history stays in ``preservation_events``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sohoa.db.base import Base, utcnow


class ObjectFormat(Base):
    """The format of one stored object: PRONOM ``puid`` (``fmt/477``, ``UNKNOWN`` when unidentified), format
    name and version, MIME type, the identifier's ``basis`` and ``warning``, ``flags`` found by inspection
    (``encrypted``, ``javascript``, ``embedded_files`` in a PDF; comma-separated), the tool and its signature."""

    __tablename__ = "object_formats"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_id: Mapped[int] = mapped_column(ForeignKey("stored_objects.id"), unique=True)
    puid: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    version: Mapped[str] = mapped_column(String(60), default="")
    mime: Mapped[str] = mapped_column(String(120), default="")
    basis: Mapped[str] = mapped_column(Text, default="")
    warning: Mapped[str] = mapped_column(Text, default="")
    flags: Mapped[str] = mapped_column(String(200), default="")
    tool: Mapped[str] = mapped_column(String(60))
    signature: Mapped[str] = mapped_column(String(200), default="")
    identified_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
