"""The events integration contract: versioned JSON Schemas (draft 2020-12) shipped with the package.

The feed (``/api/v1/events``) and webhook bodies name their schema (``"schema": EVENTS_SCHEMA_URL``); the API
serves each schema at that URL. Within a version changes are additive; a breaking change is a new version
served side by side (see docs/integration.md).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from sohoa.domain.errors import NotFound

__all__ = ["EVENTS_SCHEMA_URL", "EVENT_KINDS", "SCHEMA_VERSIONS", "event_kinds", "events_schema",
           "events_schema_bytes"]

SCHEMA_VERSIONS: tuple[int, ...] = (1,)
EVENTS_SCHEMA_URL = "/api/v1/schemas/events/v1"
# The kinds the feed and webhooks carry; the schema describes each (a test holds the two together).
EVENT_KINDS: tuple[str, ...] = ("document.create", "document.publish", "document.update", "access.change")


@cache
def events_schema_bytes(version: int = 1) -> bytes:
    """The schema file of ``version`` as shipped (NotFound for a version this archive does not serve)."""
    if version not in SCHEMA_VERSIONS:
        raise NotFound(f"Không có lược đồ sự kiện phiên bản {version}", f"No events schema version {version}")
    return (resources.files("sohoa.services.sharing") / "contract" / f"events-v{version}.schema.json").read_bytes()


def events_schema(version: int = 1) -> dict[str, Any]:
    """The schema of ``version`` as a JSON object."""
    loaded: dict[str, Any] = json.loads(events_schema_bytes(version))
    return loaded


def event_kinds(version: int = 1) -> tuple[str, ...]:
    """The event kinds the schema of ``version`` describes."""
    return tuple(str(k["const"]) for k in events_schema(version)["$defs"]["kind"]["oneOf"])
