"""A writer process of the audit tests, in a module of its own so that a spawned child imports little."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from sohoa.db.models import Event
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import open_context
from sohoa.settings import Settings


def append_in_process(data: str, database_url: str | None, worker: int, count: int, barrier: Any) -> None:
    """A separate process: its own context on the same database; waits for the others, then appends."""
    ctx = open_context(Settings(data=Path(data), workers=1, database_url=database_url), migrate_schema=False)
    try:
        barrier.wait(60)
        for n in range(count):
            with ctx.db.session() as session:
                session.execute(select(Event.id).limit(1)).all()  # a read first, as every request does
                record_event(session, f"process-{worker}", "search", payload={"n": n})
    finally:
        ctx.close()
