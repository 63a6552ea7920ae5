"""Data exchange with city systems: the record requests of one-stop-shop systems (Bộ phận một cửa)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sohoa.db.base import Base, utcnow


class RecordRequest(Base):
    """Yêu cầu tra cứu hồ sơ: who asked (token), why (purpose, case reference), for what, and the answer's ids.

    ``results`` keeps the ranked answer as ``[{"document_id", "matched_on", "score"}]``; fetching the request
    again applies the access policy of that moment to those ids.
    """

    __tablename__ = "record_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id"), index=True)
    actor: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(Text)
    case_reference: Mapped[str] = mapped_column(String(100), index=True)
    criteria: Mapped[dict[str, Any]] = mapped_column(JSON)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
