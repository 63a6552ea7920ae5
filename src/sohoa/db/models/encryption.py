"""Encrypted objects: which stored objects are kept as encryption envelopes, under which key.

One row per object sealed into an envelope (:mod:`sohoa.storage.envelope`): the SHA-256 and length of the
envelope's bytes (so fixity, replicas and backups check the stored bytes without any key), the key-encryption
key that wraps its data key now, when it was sealed and when its data key was last re-wrapped (a rotation).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sohoa.db.base import Base, utcnow


class EncryptedObject(Base):
    """One object kept encrypted at rest: its envelope's digest and size, and the KEK wrapping its data key."""

    __tablename__ = "encrypted_objects"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_id: Mapped[int] = mapped_column(ForeignKey("stored_objects.id"), unique=True)
    stored_sha256: Mapped[str] = mapped_column(String(64))
    stored_size: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[str] = mapped_column(String(64), index=True)
    encrypted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    rewrapped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
