"""Liveness and readiness of a process: can it serve? (``GET /readyz``; ``GET /healthz`` needs nothing.)

Readiness asks what a request needs: the database answers and stands at every migration head, the object store
answers a cheap look-up, and the broker (cluster profile, ``SOHOA_BROKER_URL``) accepts a connection within two
seconds. The answer names each check and why it failed, in both languages, never a URL, host or password (the
exception goes to the log only).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

from sohoa.db.session import schema_heads
from sohoa.services.platform.context import AppContext

if TYPE_CHECKING:
    from kombu.connection import Connection

__all__ = ["BROKER_TIMEOUT", "Check", "broker_connection", "readiness"]

log = logging.getLogger(__name__)

BROKER_TIMEOUT = 2.0  # seconds
_PROBE = "0" * 64  # an object name no content has: the store answers "absent" after one request


@dataclass(frozen=True)
class Check:
    """One readiness check: its name, whether it passed, and (failed) the bilingual reason."""

    name: str
    ok: bool
    reason: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "ok": self.ok, **({"reason": self.reason} if self.reason else {})}


class _NotReady(Exception):
    """A check that reached its service but found it unfit (the message is the bilingual reason)."""


def _database(ctx: AppContext) -> None:
    with ctx.db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        found: set[str] = set()
        if inspect(connection).has_table("alembic_version"):
            found = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    if found != schema_heads():
        raise _NotReady("Lược đồ cơ sở dữ liệu chưa ở phiên bản mới nhất (chạy `sohoa init`) / "
                        "the database schema is not at head (run `sohoa init`)")


def _objects(ctx: AppContext) -> None:
    ctx.store.exists(_PROBE)


def broker_connection(url: str) -> Connection:
    """A kombu connection to ``url`` that gives up after ``BROKER_TIMEOUT`` seconds."""
    from kombu.connection import Connection  # only with a broker: kombu stays out of `sohoa search`

    options = {"socket_connect_timeout": BROKER_TIMEOUT, "socket_timeout": BROKER_TIMEOUT, "max_retries": 1}
    return Connection(url, connect_timeout=BROKER_TIMEOUT, transport_options=options)  # type: ignore[no-untyped-call]


def _broker(ctx: AppContext) -> None:
    url = ctx.settings.broker_url
    assert url is not None
    with broker_connection(url) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT)


_FAILED = {
    "database": "Không kết nối được cơ sở dữ liệu / the database is unreachable",
    "objects": "Không đọc được kho đối tượng / the object store is unreachable",
    "broker": "Không kết nối được hàng đợi tác vụ (broker) / the task broker is unreachable",
}


def _run(name: str, check: Callable[[AppContext], None], ctx: AppContext) -> Check:
    try:
        check(ctx)
    except _NotReady as exc:
        return Check(name, False, str(exc))
    except Exception as exc:
        log.warning("readiness check %s failed: %s: %s", name, type(exc).__name__, exc)
        return Check(name, False, f"{_FAILED[name]} ({type(exc).__name__})")
    return Check(name, True)


def readiness(ctx: AppContext) -> list[Check]:
    """Every readiness check of this process (the broker's only in the cluster profile)."""
    checks: list[tuple[str, Callable[[AppContext], None]]] = [("database", _database), ("objects", _objects)]
    if ctx.settings.broker_url:
        checks.append(("broker", _broker))
    return [_run(name, check, ctx) for name, check in checks]
