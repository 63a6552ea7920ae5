"""Replica copies: which stored objects the second copy (``SOHOA_REPLICA_URL``) holds, verified when.

One row per object once its stored bytes are in the replica and verified there; an object without a row (or
whose row names another replica) is pending and the next ``sohoa replica sync`` copies it. Every copy is also a
PREMIS ``replication`` event, so the history stays in ``preservation_events``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sohoa.db.base import Base, utcnow


class ReplicaCopy(Base):
    """The replica's copy of one object: where (``replica``, the URL without credentials), the SHA-256 and
    length of the stored bytes copied (the envelope's for an encrypted object), when it was copied and when
    the replica's copy was last verified."""

    __tablename__ = "replica_copies"

    id: Mapped[int] = mapped_column(primary_key=True)
    object_id: Mapped[int] = mapped_column(ForeignKey("stored_objects.id"), unique=True)
    replica: Mapped[str] = mapped_column(String(500))
    stored_sha256: Mapped[str] = mapped_column(String(64))
    stored_size: Mapped[int] = mapped_column(BigInteger)
    replicated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
