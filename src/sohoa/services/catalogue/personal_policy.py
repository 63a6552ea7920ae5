"""Who sees personal data unmasked, and which kinds are masked for everybody else (Luật 91/2025/QH15).

Staff holding ``Permission.PERSONAL_READ`` (admin, archivist, QC inspector, unit officer) see the originals;
an API token only with the ``personal:read`` scope (never implied by another scope); anonymous callers, the
portal, public tokens, OAI-PMH harvesters and IIIF viewers get masked text. ``SOHOA_PERSONAL_MASK`` says which
kinds are masked at each access level (default: every kind at every level). A data subject's restriction masks a
value for every principal but admins and the local operator.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy.orm import Session

from sohoa.domain.codes import Role
from sohoa.domain.personal import PersonalKind
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.settings import Settings, parse_personal_mask

__all__ = ["PERSONAL_SCOPE", "MaskPolicy", "mask_policy", "policy_of", "reads_restricted", "sees_personal_data"]

PERSONAL_SCOPE = "personal:read"

MaskPolicy = dict[str, frozenset[PersonalKind]]


@lru_cache(maxsize=16)
def _parsed(spec: str) -> tuple[tuple[str, frozenset[PersonalKind]], ...]:
    parsed = parse_personal_mask(spec)
    return tuple((level, frozenset(PersonalKind(k) for k in kinds)) for level, kinds in parsed.items())


def mask_policy(spec: str = "") -> MaskPolicy:
    """``SOHOA_PERSONAL_MASK`` parsed: access level → kinds masked outside the staff."""
    return dict(_parsed(spec))


def policy_of(session: Session) -> MaskPolicy:
    """The policy of the settings the session's database was opened with (every kind, everywhere, without)."""
    settings = session.info.get("settings")
    return mask_policy(settings.personal_mask if isinstance(settings, Settings) else "")


def sees_personal_data(principal: Principal | None) -> bool:
    """Whether ``principal`` sees personal data unmasked: staff with ``personal.read``; a token with the
    ``personal:read`` scope (its role, derived from other scopes, never suffices)."""
    if principal is None:
        return False
    if principal.scopes is not None:
        return PERSONAL_SCOPE in principal.scopes
    return principal.can(Permission.PERSONAL_READ)


def reads_restricted(principal: Principal | None) -> bool:
    """Whether ``principal`` reads values under a data subject's restriction: admins (people) only."""
    return principal is not None and principal.scopes is None and principal.role == Role.ADMIN
