"""Authentication and authorization: passwords, signed sessions, CSRF, throttling, route rules."""

from sohoa.auth.permissions import ROLE_PERMISSIONS, Permission, allowed
from sohoa.auth.principal import Principal
from sohoa.auth.rules import RouteRule, public, require, route_rules

__all__ = [
    "ROLE_PERMISSIONS",
    "Permission",
    "Principal",
    "RouteRule",
    "allowed",
    "public",
    "require",
    "route_rules",
]
