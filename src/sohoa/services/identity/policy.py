"""The one place that decides which documents a principal may see; every query applies its scope.

Rules: roles × access levels × unit scope (own unit plus its predecessors and successors through
succession links), widened by unexpired per-file grants. Outside a principal's own scope (anonymous callers,
public-only tokens, other units) a document is seen only when it is published: ``access_level == "public"``
and reviewed (state in :data:`PUBLISHED_STATES`). Documents marked độ mật (``secrecy`` set or
``access_level == "secret"``) are never visible on the shared network — not to admins either; only the
local operator (the ``sohoa`` command on the archive's own machine, :data:`LOCAL_OPERATOR`) reads them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileGrant
from sohoa.domain.codes import AccessLevel, Role
from sohoa.domain.workflow import PUBLISHED_STATES
from sohoa.services.identity.principal import Principal
from sohoa.services.registry.units import related_unit_ids

__all__ = [
    "PUBLISHED_STATES",
    "DocumentScope",
    "can_view_document",
    "document_scope",
    "grant_file_ids",
    "is_local_operator",
    "is_secret",
    "scope_allows",
]

# Staff of the archives and the programme see every unit; unit staff see their unit's lineage.
_ARCHIVE_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.QC_INSPECTOR, Role.ARCHIVIST, Role.SCAN_OPERATOR}
_STAFF_LEVELS = frozenset({AccessLevel.PUBLIC, AccessLevel.CONDITIONAL, AccessLevel.INTERNAL})
_LEVELS_BY_ROLE: dict[str, frozenset[str]] = {
    Role.ADMIN: _STAFF_LEVELS | {AccessLevel.SECRET},
    Role.ARCHIVIST: _STAFF_LEVELS,
    Role.COORDINATOR: _STAFF_LEVELS,
    Role.QC_INSPECTOR: _STAFF_LEVELS,
    Role.SCAN_OPERATOR: _STAFF_LEVELS,
    Role.UNIT_CLERK: _STAFF_LEVELS,
    Role.UNIT_OFFICER: _STAFF_LEVELS,
}
_PUBLIC_ONLY = frozenset({AccessLevel.PUBLIC})
_NO_UNITS: frozenset[int] = frozenset()


def is_local_operator(principal: Principal | None) -> bool:
    """The command-line operator on the archive machine (``principal.SYSTEM``): the only reader of secrets."""
    return principal is not None and principal.user_id == 0 and principal.username == "system"


def is_secret(doc: Document) -> bool:
    """Độ mật: never on the shared network."""
    return bool(doc.secrecy) or doc.access_level == AccessLevel.SECRET


@dataclass(frozen=True)
class DocumentScope:
    """What a principal may see: access levels, own unit ids (None = every unit, in any state; outside them
    only published public documents), granted files, secrets."""

    levels: frozenset[str]
    unit_ids: frozenset[int] | None
    grant_file_ids: frozenset[int] = field(default_factory=frozenset)
    exclude_secret: bool = True

    def filter_args(self) -> dict[str, Any]:
        """The scope as ``SearchFilters`` keyword arguments."""
        return {"access_levels": self.levels, "scope_unit_ids": self.unit_ids,
                "grant_file_ids": self.grant_file_ids or None, "exclude_secret": self.exclude_secret,
                "published_states": PUBLISHED_STATES if self.unit_ids is not None else None}


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes (stored as UTC): make them comparable.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def grant_file_ids(session: Session, principal: Principal | None,
                   now: datetime | None = None) -> frozenset[int]:
    """Files granted to the principal (user, or API token as negative user id) and not expired."""
    if principal is None or principal.user_id == 0:
        return frozenset()
    moment = now or datetime.now(UTC)
    owner = (FileGrant.token_id == -principal.user_id) if principal.user_id < 0 else (
        FileGrant.user_id == principal.user_id)
    rows = session.execute(select(FileGrant.file_id, FileGrant.expires_at).where(
        owner, FileGrant.revoked_at.is_(None))).all()
    return frozenset(fid for fid, until in rows if _aware(until) > moment)


def document_scope(session: Session, principal: Principal | None) -> DocumentScope:
    """The scope of a principal; anonymous callers see public documents only."""
    if principal is None:
        return DocumentScope(_PUBLIC_ONLY, _NO_UNITS)
    local = is_local_operator(principal)
    levels = _LEVELS_BY_ROLE.get(principal.role, _PUBLIC_ONLY)
    if not local:
        levels = levels - {AccessLevel.SECRET}
    grants = grant_file_ids(session, principal)
    if principal.role in _ARCHIVE_ROLES:
        return DocumentScope(levels, None, grants, exclude_secret=not local)
    if principal.unit_id is None or principal.role not in _LEVELS_BY_ROLE:  # public-only tokens and such
        return DocumentScope(_PUBLIC_ONLY, _NO_UNITS, grants)

    return DocumentScope(levels, frozenset(related_unit_ids(session, principal.unit_id)), grants)


def scope_allows(scope: DocumentScope, doc: Document) -> bool:
    """The scope's rule for one document (the same rule the search SQL applies)."""
    if scope.exclude_secret and is_secret(doc):
        return False
    if doc.file_id is not None and doc.file_id in scope.grant_file_ids:
        return True
    if doc.access_level not in scope.levels:
        return False
    if scope.unit_ids is None or doc.unit_id in scope.unit_ids:
        return True
    return doc.access_level == AccessLevel.PUBLIC and doc.state in PUBLISHED_STATES


def can_view_document(session: Session, principal: Principal | None, doc: Document) -> bool:
    """Whether the principal may see this document (same rule the search scope applies)."""
    return scope_allows(document_scope(session, principal), doc)
