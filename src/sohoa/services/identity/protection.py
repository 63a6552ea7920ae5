"""A document's protection (độ mật and access level): the strictest wins when pages or documents move,
and only the roles named here change a file's access level (an archivist publishes a file; only an administrator
lowers a secret level).

Merge, split and move never lower a document's protection: the result carries the strictest secrecy and the
strictest access level of everything it came from (:func:`strictest`). Lowering is reserved to an explicit,
audited access change
(:func:`sohoa.services.identity.access_changes.change_file_access`) by a role :func:`may_change_access` allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sohoa.db.models import Document
from sohoa.domain.codes import AccessLevel, Role, Secrecy

__all__ = [
    "LEVEL_RANK",
    "SECRECY_RANK",
    "Protection",
    "level_rank",
    "may_change_access",
    "protection_of",
    "raise_protection",
    "strictest",
]

LEVEL_RANK: dict[str, int] = {AccessLevel.PUBLIC: 0, AccessLevel.CONDITIONAL: 1, AccessLevel.INTERNAL: 2,
                              AccessLevel.SECRET: 3}
SECRECY_RANK: dict[str | None, int] = {None: 0, Secrecy.MAT: 1, Secrecy.TOI_MAT: 2, Secrecy.TUYET_MAT: 3}
_UNKNOWN_LEVEL = LEVEL_RANK[AccessLevel.INTERNAL]  # a level outside the code list counts as internal
_UNKNOWN_SECRECY = SECRECY_RANK[Secrecy.MAT]  # any other non-empty độ mật is still độ mật


def level_rank(level: str) -> int:
    """The level's strictness (public 0 … secret 3)."""
    return LEVEL_RANK.get(level, _UNKNOWN_LEVEL)


def _secrecy_rank(secrecy: str | None) -> int:
    return SECRECY_RANK.get(secrecy or None, _UNKNOWN_SECRECY)


@dataclass(frozen=True)
class Protection:
    """Độ mật and access level of one document (or the level of a file: no secrecy)."""

    secrecy: str | None
    access_level: str

    def covers(self, other: Protection) -> bool:
        """At least as strict as ``other`` on both axes."""
        return (_secrecy_rank(self.secrecy) >= _secrecy_rank(other.secrecy)
                and level_rank(self.access_level) >= level_rank(other.access_level))


def protection_of(doc: Document) -> Protection:
    return Protection(doc.secrecy or None, doc.access_level)


def strictest(*items: Protection) -> Protection:
    """The strictest secrecy and the strictest access level among ``items`` (each axis on its own)."""
    secrecy = max((p.secrecy for p in items), key=_secrecy_rank)
    level = max((p.access_level for p in items), key=level_rank)
    return Protection(secrecy, level)


def raise_protection(doc: Document, floor: Protection, sources: list[int]) -> dict[str, Any]:
    """Raise ``doc`` to at least ``floor`` (never lower it); the audit payload saying what and why."""
    before = protection_of(doc)
    after = strictest(before, floor)
    doc.secrecy, doc.access_level = after.secrecy, after.access_level
    return {"secrecy": after.secrecy, "access_level": after.access_level, "from": sources,
            "raised": after != before, "before": {"secrecy": before.secrecy, "access_level": before.access_level}}


# Who may change a file's access level: narrowing (towards secret) protects, widening exposes; lowering a secret
# level (a secret file, or a document filed in secret) stays the administrator's.
_NARROW_ROLES = frozenset({Role.ADMIN, Role.ARCHIVIST})
_WIDEN_ROLES = frozenset({Role.ADMIN, Role.ARCHIVIST})
_DECLASSIFY_ROLES = frozenset({Role.ADMIN})


def may_change_access(role: str, before: str, after: str) -> bool:
    """Admin: any change. Archivist: narrowing, and widening from a level below secret (internal → public
    publishes a file); lowering a secret level: admin only. Others: none."""
    if level_rank(after) >= level_rank(before):
        return role in _NARROW_ROLES
    if level_rank(before) >= LEVEL_RANK[AccessLevel.SECRET]:
        return role in _DECLASSIFY_ROLES
    return role in _WIDEN_ROLES
