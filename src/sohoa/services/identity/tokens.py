"""Scoped API tokens for city systems: created once (secret shown once, SHA-256 kept), checked, revoked."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import ApiToken, Unit
from sohoa.domain.codes import Role
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext

__all__ = [
    "SCOPES",
    "ApiClient",
    "TokenInfo",
    "authenticate_token",
    "create_token",
    "hash_token",
    "list_tokens",
    "revoke_token",
]

# read:public — public documents; read:unit — the token's unit lineage; write:ingest — submit files;
# records:request — one-stop-shop record requests (POST /record-requests; the answer holds what the token's
# read scopes see: public records, or its unit lineage with read:unit); admin — every non-secret document,
# webhooks and the events feed; personal:read — personal data unmasked in what the other scopes let it read
# (Luật 91/2025: never implied, not even by admin); metrics:read — GET /metrics only (a Prometheus scraper).
SCOPES: tuple[str, ...] = ("read:public", "read:unit", "write:ingest", "records:request", "personal:read", "admin",
                           "metrics:read")
PREFIX = "sohoa_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenInfo:
    """A token as lists show it (never the secret)."""

    id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    unit_id: int | None
    created_at: datetime
    expires_at: datetime | None
    revoked: bool


@dataclass(frozen=True)
class ApiClient:
    """An authenticated token: what it may do and whose records it reads."""

    token_id: int
    name: str
    scopes: frozenset[str]
    unit_id: int | None

    def has(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes

    def principal(self) -> Principal:
        """The principal the access policy sees (token ids are negative user ids: grants follow them)."""
        if "admin" in self.scopes:
            role = Role.ARCHIVIST.value
        elif "read:unit" in self.scopes and self.unit_id is not None:
            role = Role.UNIT_OFFICER.value
        else:
            role = "public"
        return Principal(user_id=-self.token_id, username=f"token:{self.name}", role=role,
                         unit_id=self.unit_id, scopes=self.scopes)


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(row.id, row.name, row.prefix, tuple(row.scopes), row.unit_id, row.created_at,
                     row.expires_at, row.revoked_at is not None)


def _check_scopes(scopes: Iterable[str], unit_id: int | None) -> list[str]:
    chosen = sorted(set(scopes))
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown or not chosen:
        bad = ", ".join(unknown) or "-"
        raise ValidationFailed(f"Phạm vi không hợp lệ: {bad}",
                               f"Invalid scopes: {bad}; choose from {', '.join(SCOPES)}")
    if "read:unit" in chosen and unit_id is None:
        raise ValidationFailed("Phạm vi read:unit cần một đơn vị", "Scope read:unit needs a unit")
    return chosen


def create_token(ctx: AppContext, name: str, scopes: Iterable[str], *, unit: str | None = None,
                 actor: str = "system", expires_days: int | None = None) -> tuple[str, TokenInfo]:
    """A new token; the returned secret is the only time it is shown."""
    raw = PREFIX + secrets.token_urlsafe(32)
    with ctx.db.session() as session:
        unit_id = None
        if unit:
            found = session.execute(select(Unit.id).where(Unit.identifier == unit)).scalar()
            if found is None:
                raise NotFound(f"Không tìm thấy đơn vị '{unit}'", f"Unknown unit '{unit}'")
            unit_id = int(found)
        chosen = _check_scopes(scopes, unit_id)
        expires = datetime.now(UTC) + timedelta(days=expires_days) if expires_days else None
        row = ApiToken(name=name, token_hash=hash_token(raw), prefix=raw[:12], scopes=chosen, unit_id=unit_id,
                       created_by=actor, expires_at=expires)
        session.add(row)
        session.flush()
        record_event(session, actor, "token.create", "api_token", row.id,
                     {"name": name, "scopes": chosen, "unit_id": unit_id})
        return raw, _info(row)


def list_tokens(ctx: AppContext) -> list[TokenInfo]:
    with ctx.db.session() as session:
        return [_info(r) for r in session.execute(select(ApiToken).order_by(ApiToken.id)).scalars()]


def revoke_token(ctx: AppContext, token_id: int, actor: str = "system") -> TokenInfo:
    with ctx.db.session() as session:
        row = session.get(ApiToken, token_id)
        if row is None:
            raise NotFound(f"Không có mã truy cập số {token_id}", f"No token {token_id}")
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)
            record_event(session, actor, "token.revoke", "api_token", row.id, {"name": row.name})
        return _info(row)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def authenticate_token(session: Session, raw: str) -> ApiClient | None:
    """The client a bearer token belongs to, or None (unknown, revoked or expired)."""
    if not raw.startswith(PREFIX):
        return None
    row = session.execute(select(ApiToken).where(ApiToken.token_hash == hash_token(raw))).scalar_one_or_none()
    now = datetime.now(UTC)
    if row is None or row.revoked_at is not None or (row.expires_at and _aware(row.expires_at) <= now):
        return None
    return ApiClient(row.id, row.name, frozenset(row.scopes), row.unit_id)
