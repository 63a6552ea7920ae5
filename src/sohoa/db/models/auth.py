"""Authentication tables: login failure counters (atomic throttling) and server-side sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from sohoa.db.base import Base, utcnow


class LoginCounter(Base):
    """Failed (or in-flight) logins of one bucket in a fixed window; bumped with one atomic upsert.

    ``key`` is the SHA-256 of the bucket (``user:…``, ``pair:…``, ``addr:…``, ``global``), so a password
    typed into the username field is never stored in clear.
    """

    __tablename__ = "login_counters"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger)  # epoch seconds
    hits: Mapped[int] = mapped_column(Integer, default=0)


class UserSession(Base):
    """A signed-in browser: the cookie carries a random token whose SHA-256 is ``token_hash``."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))
