"""Shared-database tables: API tokens, per-file grants, copy requests, webhooks, saved searches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sohoa.db.base import Base, state_type, utcnow
from sohoa.domain.workflow import CopyRequestState, WebhookDeliveryState


class ApiToken(Base):
    """A scoped token for a city system; only the SHA-256 of the secret is kept (shown once)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # first characters, to recognise a token in lists
    scopes: Mapped[list[str]] = mapped_column(JSON)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class FileGrant(Base):
    """Access to one hồ sơ (and its documents) for one user or token, until ``expires_at``."""

    __tablename__ = "file_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("file_units.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"), index=True)
    reason: Mapped[str] = mapped_column(String(500), default="")
    granted_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class CopyRequest(Base):
    """A citizen's request for a certified copy (bản sao) of a public document, and its decision."""

    __tablename__ = "copy_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # the requester's tracking code
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    requester_name: Mapped[str] = mapped_column(String(200))
    id_number: Mapped[str] = mapped_column(String(20))  # CCCD / hộ chiếu
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(String(1000), default="")
    state: Mapped[CopyRequestState] = mapped_column(state_type(CopyRequestState, 20), default=CopyRequestState.PENDING,
                                                    index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    copy_object_id: Mapped[int | None] = mapped_column(ForeignKey("stored_objects.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Webhook(Base):
    """A subscriber URL for ``document.published`` / ``document.updated``; payloads signed with ``secret``."""

    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(100))
    events: Mapped[list[str]] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)  # events up to here are dispatched
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class WebhookDelivery(Base):
    """One event to one webhook: attempts so far and when to try next (exponential backoff)."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(Integer)  # the audit event it reports
    event: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[WebhookDeliveryState] = mapped_column(state_type(WebhookDeliveryState, 20),
                                                        default=WebhookDeliveryState.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SavedSearch(Base):
    """A named query with its filters, kept for one owner (user name or token name)."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(200))
    query: Mapped[str] = mapped_column(String(500))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
