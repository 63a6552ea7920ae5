"""Saved views of the staff queues: a person's named filter of the review or QC list ("Lưu bộ lọc")."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sohoa.db.base import Base, utcnow


class QueueView(Base):
    """A named filter of one queue (``review`` or ``qc``), kept for its owner only; ``query`` is the queue
    page's query string (the same URL a person can share)."""

    __tablename__ = "queue_views"
    __table_args__ = (UniqueConstraint("owner_id", "queue", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    queue: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    query: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
