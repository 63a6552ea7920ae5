"""Authentication and authorization: passwords, signed sessions, CSRF, throttling, route rules.

Import the route-rule machinery from ``sohoa.auth.rules`` (it needs FastAPI); this package's top level
stays light so that non-web code can use ``Principal`` and ``Permission`` without loading the web stack.
"""

from sohoa.auth.permissions import ROLE_PERMISSIONS, Permission, allowed
from sohoa.auth.principal import Principal

__all__ = ["ROLE_PERMISSIONS", "Permission", "Principal", "allowed"]
