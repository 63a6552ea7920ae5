"""The audit log as the network sees it: an event about a độ mật document keeps its row, not its payload.

A correction of a secret document records the fields before and after (``document.update``), a QC
decision its comment: the admin's viewer and export on the shared network show such rows with the
payload withheld. The local operator reads them in full (``sohoa audit list`` / ``sohoa audit export``),
and the hash chain is verified over the stored rows, not over what a viewer shows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sohoa.db.models import Document
from sohoa.domain.codes import AccessLevel

__all__ = ["WITHHELD", "AuditRow", "secret_document_ids", "withhold_secret_payloads"]

WITHHELD: dict[str, str] = {"withheld": "độ mật: chỉ đọc trên máy lưu trữ / read on the archive machine"}


def secret_document_ids(session: Session, ids: set[int]) -> set[int]:
    """Which of ``ids`` are độ mật documents (secrecy set or the secret access level)."""
    if not ids:
        return set()
    secret = or_(Document.secrecy.is_not(None), Document.access_level == AccessLevel.SECRET)
    return set(session.execute(select(Document.id).where(Document.id.in_(sorted(ids)), secret)).scalars())


@dataclass(frozen=True)
class AuditRow:
    """One audit event as viewers and exports show it (``at`` in ISO 8601)."""

    id: int
    at: str
    actor: str
    action: str
    entity_type: str | None
    entity_id: int | None
    payload: dict[str, Any] | None
    hash: str


def withhold_secret_payloads(session: Session, rows: list[AuditRow]) -> list[AuditRow]:
    """The rows with the payload of every event about a độ mật document replaced by :data:`WITHHELD`."""
    ids = {r.entity_id for r in rows if r.entity_type == "document" and r.entity_id is not None}
    secret = secret_document_ids(session, ids)
    return [replace(r, payload=dict(WITHHELD)) if r.entity_type == "document" and r.entity_id in secret else r
            for r in rows]
