"""Helpers of the audit tests: an HTTP server in a thread, an attacker's rewrite of the chain."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from sqlalchemy import select, text

from sohoa.db.models import Event
from sohoa.services.platform.audit import GENESIS, _digest
from sohoa.services.platform.context import AppContext


@contextmanager
def serve(app: Any) -> Iterator[str]:
    """The app under uvicorn in a thread (lifespan on); yields its base URL, stops it on exit."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def rechain(ctx: AppContext, victim: int, actor: str) -> None:
    """What an attacker with the database does: change one row, then recompute every hash after it."""
    with ctx.db.session() as session:
        rows = session.execute(select(Event).order_by(Event.id)).scalars().all()
        prev = GENESIS
        session.expunge_all()
        for row in rows:
            who = actor if row.id == victim else row.actor
            digest = _digest(prev, row.at, who, row.action, row.entity_type, row.entity_id, row.payload)
            session.execute(text("UPDATE events SET actor = :actor, prev_hash = :prev, hash = :hash WHERE id = :id"),
                            {"actor": who, "prev": prev, "hash": digest, "id": row.id})
            prev = digest
