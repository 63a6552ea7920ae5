"""The one place that decides which documents a principal may see; every query applies its scope."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from sohoa.auth.principal import Principal
from sohoa.db.models import Document
from sohoa.domain.codes import AccessLevel, Role

__all__ = ["DocumentScope", "can_view_document", "document_scope"]

# Staff of the archives and the programme see every unit; unit staff see their unit's lineage.
_ARCHIVE_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.QC_INSPECTOR, Role.ARCHIVIST, Role.SCAN_OPERATOR}
_LEVELS_BY_ROLE: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset({AccessLevel.PUBLIC, AccessLevel.CONDITIONAL, AccessLevel.INTERNAL, AccessLevel.SECRET}),
    Role.ARCHIVIST: frozenset({AccessLevel.PUBLIC, AccessLevel.CONDITIONAL, AccessLevel.INTERNAL}),
    Role.COORDINATOR: frozenset({AccessLevel.PUBLIC, AccessLevel.CONDITIONAL, AccessLevel.INTERNAL}),
    Role.QC_INSPECTOR: frozenset({AccessLevel.PUBLIC, AccessLevel.CONDITIONAL, AccessLevel.INTERNAL}),
    Role.SCAN_OPERATOR: frozenset({AccessLevel.PUBLIC, AccessLevel.CONDITIONAL, AccessLevel.INTERNAL}),
    Role.UNIT_CLERK: frozenset({AccessLevel.PUBLIC, AccessLevel.CONDITIONAL, AccessLevel.INTERNAL}),
    Role.UNIT_OFFICER: frozenset({AccessLevel.PUBLIC, AccessLevel.CONDITIONAL, AccessLevel.INTERNAL}),
}
_PUBLIC_ONLY = frozenset({AccessLevel.PUBLIC})


@dataclass(frozen=True)
class DocumentScope:
    """What a principal may see: access levels, and unit ids (None = every unit)."""

    levels: frozenset[str]
    unit_ids: frozenset[int] | None


def document_scope(session: Session, principal: Principal | None) -> DocumentScope:
    """The scope of a principal; anonymous callers see public documents only."""
    if principal is None:
        return DocumentScope(_PUBLIC_ONLY, None)
    levels = _LEVELS_BY_ROLE.get(principal.role, _PUBLIC_ONLY)
    if principal.role in _ARCHIVE_ROLES:
        return DocumentScope(levels, None)
    if principal.unit_id is None:
        return DocumentScope(_PUBLIC_ONLY, None)
    from sohoa.services.units import related_unit_ids

    return DocumentScope(levels, frozenset(related_unit_ids(session, principal.unit_id)))


def can_view_document(session: Session, principal: Principal | None, doc: Document) -> bool:
    """Whether the principal may see this document (same rule the search scope applies)."""
    scope = document_scope(session, principal)
    if doc.access_level not in scope.levels:
        return False
    if doc.access_level == AccessLevel.PUBLIC:
        return True
    return scope.unit_ids is None or doc.unit_id in scope.unit_ids
