"""The signed-in person as the rest of the code sees them: an immutable principal."""

from __future__ import annotations

from dataclasses import dataclass

from sohoa.services.identity.permissions import Permission, allowed

__all__ = ["SYSTEM", "Principal"]


@dataclass(frozen=True)
class Principal:
    """Who makes the request: account id, username, role, the unit they belong to (if any), their preferences."""

    user_id: int
    username: str
    role: str
    unit_id: int | None = None
    full_name: str = ""
    language: str | None = None  # the account's saved interface language ("vi"/"en"), None when not chosen
    time_zone: str | None = None  # the account's IANA time zone, None: the installation's SOHOA_TIME_ZONE
    scopes: frozenset[str] | None = None  # an API token's scopes (None: a person, whose role decides)

    def can(self, permission: Permission) -> bool:
        return allowed(self.role, permission)


# The local operator at the command line: full access on this machine (the only reader of độ mật documents).
SYSTEM = Principal(user_id=0, username="system", role="admin")
