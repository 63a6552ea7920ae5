"""Webhook delivery runs by itself: the web app's thread, backoff between passes, several deliverers, the CLI."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from sohoa.app import create_app
from sohoa.cli.main import app as cli
from sohoa.db.models import Document, WebhookDelivery
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.background import PeriodicTask, QueueWorker
from sohoa.services.platform.context import AppContext
from sohoa.services.production.qc import inspect
from sohoa.services.sharing.webhooks import backoff, create_webhook, deliver_due, delivery_task, verify_signature

from ._webhook_receiver import serve_receiver, wait_until
from .world import World


@pytest.fixture
def ctx(ctx: AppContext) -> AppContext:
    """The receiver listens on 127.0.0.1: these tests turn on the operator setting that allows private targets
    (refused by default, see tests/security/test_webhook_targets.py)."""
    ctx.settings = ctx.settings.model_copy(update={"webhook_allow_private": True})
    return ctx


def _deliveries(ctx: AppContext) -> list[WebhookDelivery]:
    with ctx.db.session() as session:
        return list(session.execute(select(WebhookDelivery).order_by(WebhookDelivery.id)).scalars())


def test_the_web_app_delivers_without_being_asked(ctx: AppContext, fresh_world: World) -> None:
    doc_id = fresh_world.docs[("own", "public")]
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        doc.state = "qc"
    app = create_app(ctx, watch_hot_folders=False)
    app.state.webhook_interval = 0.05
    with serve_receiver() as (url, receiver):
        _, secret = create_webhook(ctx, url, ["document.publish"], "admin")
        with TestClient(app):
            task = app.state.webhook_delivery
            assert task.running
            inspect(ctx, doc_id, "accept", inspector="u_qc")
            assert wait_until(lambda: len(receiver.received) == 1, timeout=10)
        assert not task.running  # stopped with the app
    headers, body = receiver.received[0]
    assert verify_signature(secret, headers["x-sohoa-timestamp"], body, headers["x-sohoa-signature"])
    assert json.loads(body)["document_id"] == doc_id and headers["x-sohoa-event"] == "document.publish"


def test_a_failing_receiver_is_retried_after_its_backoff(ctx: AppContext, fresh_world: World) -> None:
    now = [datetime.now(UTC)]
    task = delivery_task(ctx, interval=0.02, timeout=2.0, clock=lambda: now[0])
    with serve_receiver() as (url, receiver):
        receiver.fail = 1
        create_webhook(ctx, url, ["document.update"], "admin")
        with ctx.db.session() as session:
            record_event(session, "u_archivist", "document.update", "document", fresh_world.docs[("own", "public")],
                         {})
        task.start()
        try:
            assert wait_until(lambda: receiver.attempts == 1, timeout=10)
            runs = task.runs
            assert wait_until(lambda: task.runs >= runs + 5, timeout=10)
            assert receiver.attempts == 1  # passes go on, but the delivery waits for its backoff
            [waiting] = _deliveries(ctx)
            assert (waiting.state, waiting.attempts, waiting.last_status) == ("pending", 1, 503)
            assert abs(waiting.next_try.replace(tzinfo=UTC) - (now[0] + backoff(1))) < timedelta(seconds=1)
            now[0] += backoff(1)
            assert wait_until(lambda: len(receiver.received) == 1, timeout=10)
        finally:
            task.stop()
    [done] = _deliveries(ctx)
    assert (done.state, done.attempts, done.last_status, done.last_error) == ("delivered", 2, 204, None)


def test_two_deliverers_never_send_an_event_twice(ctx: AppContext, fresh_world: World) -> None:
    docs = [fresh_world.docs[(r, "public")] for r in ("own", "predecessor", "successor", "unrelated")]
    with serve_receiver() as (url, receiver):
        create_webhook(ctx, url, ["document.update"], "admin")
        with ctx.db.session() as session:
            for n in range(3):
                for doc_id in docs:
                    record_event(session, "u_archivist", "document.update", "document", doc_id, {"n": n})
        start = threading.Barrier(2)

        def run() -> None:
            start.wait(5)
            for _ in range(4):
                deliver_due(ctx, timeout=2.0)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    ids = [json.loads(body)["event_id"] for _, body in receiver.received]
    assert len(ids) == 12 and len(set(ids)) == 12
    assert all(d.state == "delivered" and d.attempts == 1 for d in _deliveries(ctx))


def test_background_threads_survive_failures_and_stop() -> None:
    seen: list[int] = []

    def handle(job: int) -> None:
        if job == 2:
            raise RuntimeError("bad job")
        seen.append(job)

    worker: QueueWorker[int] = QueueWorker("test-worker", handle)
    for job in (1, 2, 3):
        worker.submit(job)  # queued before start: they wait
    worker.start()
    assert wait_until(worker.idle, timeout=5) and seen == [1, 3]
    worker.stop(timeout=5)
    assert not worker.running

    calls = [0]

    def tick() -> None:
        calls[0] += 1
        raise RuntimeError("database busy")

    task = PeriodicTask("test-task", tick, interval=3600)
    task.start()
    assert wait_until(lambda: calls[0] == 1, timeout=5)
    task.wake()
    assert wait_until(lambda: calls[0] == 2, timeout=5)
    task.stop(timeout=5)
    assert not task.running
    with pytest.raises(ValueError):
        PeriodicTask("never", tick, interval=0)


def test_cli_deliver_and_list(ctx: AppContext, fresh_world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_DATA", str(Path(ctx.settings.data)))
    monkeypatch.setenv("SOHOA_WEBHOOK_ALLOW_PRIVATE", "true")
    with serve_receiver() as (url, receiver):
        create_webhook(ctx, url, ["document.publish"], "admin")
        with ctx.db.session() as session:
            record_event(session, "u_qc", "document.publish", "document", fresh_world.docs[("own", "public")], {})
        runner = CliRunner()
        delivered = runner.invoke(cli, ["webhooks", "deliver", "--timeout", "2"])
        assert delivered.exit_code == 0, delivered.output
        assert "delivered 1" in delivered.output and len(receiver.received) == 1
        listed = runner.invoke(cli, ["webhooks", "list"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and url in listed.output and "document.publish" in listed.output
