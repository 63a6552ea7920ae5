"""Fixity audits with their memory, and the leases that keep periodic preservation work to one process.

A ``fixity_runs`` row is one pass over the stored objects (resumable: its ``cursor`` is the last object id it
finished); a ``fixity_checks`` row is one object checked in one copy (primary or replica) with its outcome,
so every object has a history: when it was checked, where, and what was found. A ``preservation_leases`` row
names the one process that may run a periodic pass (fixity, OCFL sync, replica catch-up, backups) until it
expires or is released.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sohoa.db.base import Base, utcnow


class FixityRun(Base):
    """One fixity pass: ``running`` → ``done`` (or ``interrupted``: a later pass continues from ``cursor``).
    ``trigger``: ``schedule``, ``cli``, ``web``; the counts say what it found."""

    __tablename__ = "fixity_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(20), index=True)  # running / done / interrupted
    trigger: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(100), default="system")
    due_only: Mapped[bool] = mapped_column(Boolean, default=True)
    cursor: Mapped[int] = mapped_column(Integer, default=0)  # the last stored_objects.id done
    checked: Mapped[int] = mapped_column(Integer, default=0)
    ok: Mapped[int] = mapped_column(Integer, default=0)
    mismatch: Mapped[int] = mapped_column(Integer, default=0)
    missing: Mapped[int] = mapped_column(Integer, default=0)
    unreadable: Mapped[int] = mapped_column(Integer, default=0)
    repaired: Mapped[int] = mapped_column(Integer, default=0)
    orphans: Mapped[int] = mapped_column(Integer, default=0)  # in the store, unknown to the database
    bytes_read: Mapped[int] = mapped_column(BigInteger, default=0)
    rate: Mapped[float | None] = mapped_column(Float)  # objects/s cap of the pass (None: uncapped)
    holder: Mapped[str | None] = mapped_column(String(120))  # host:pid of the process running it
    note: Mapped[str | None] = mapped_column(Text)


class FixityCheck(Base):
    """One object checked in one copy. ``outcome``: ok / mismatch / missing / unreadable / repaired;
    ``object_id`` None for an orphan (a stored file the database does not know)."""

    __tablename__ = "fixity_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("fixity_runs.id"), index=True)
    object_id: Mapped[int | None] = mapped_column(ForeignKey("stored_objects.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # the expected digest (the object's name)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    store: Mapped[str] = mapped_column(String(10), default="primary")  # primary / replica
    outcome: Mapped[str] = mapped_column(String(12), index=True)
    actual_sha256: Mapped[str | None] = mapped_column(String(64))
    seconds: Mapped[float | None] = mapped_column(Float)
    detail: Mapped[str | None] = mapped_column(Text)


class PreservationLease(Base):
    """Who may run the periodic pass ``name`` now: ``holder`` until ``expires_at`` (renewed while it runs)."""

    __tablename__ = "preservation_leases"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    acquired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
