"""Webhooks against a real HTTP server on 127.0.0.1: signed payloads, retries with backoff, no secrets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from sohoa.db.models import WebhookDelivery
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.sharing.webhooks import MAX_ATTEMPTS, backoff, create_webhook, deliver_due, verify_signature

from ._webhook_receiver import Receiver, serve_receiver
from .world import World


@pytest.fixture
def ctx(ctx: AppContext) -> AppContext:
    """The receiver listens on 127.0.0.1: these tests turn on the operator setting that allows private targets
    (refused by default, see tests/security/test_webhook_targets.py)."""
    ctx.settings = ctx.settings.model_copy(update={"webhook_allow_private": True})
    return ctx


@pytest.fixture
def receiver() -> Iterator[tuple[str, Receiver]]:
    with serve_receiver() as served:
        yield served


def _publish(ctx: AppContext, doc_id: int) -> None:
    with ctx.db.session() as session:
        record_event(session, "archivist", "document.publish", "document", doc_id, {})


def test_signed_delivery_and_secret_documents_withheld(ctx: AppContext, fresh_world: World,
                                                       receiver: tuple[str, Receiver]) -> None:
    url, state = receiver
    hook, secret = create_webhook(ctx, url, ["document.publish"], "admin")
    public_doc, secret_doc = fresh_world.docs[("own", "public")], fresh_world.docs[("own", "secret")]
    _publish(ctx, public_doc)
    _publish(ctx, secret_doc)
    report = deliver_due(ctx)
    assert (report.delivered, report.retrying, report.failed) == (1, 0, 0)
    headers, body = state.received[0]
    assert verify_signature(secret, headers["x-sohoa-timestamp"], body, headers["x-sohoa-signature"])
    assert not verify_signature("other", headers["x-sohoa-timestamp"], body, headers["x-sohoa-signature"])
    payload = json.loads(body)
    assert payload["document_id"] == public_doc and payload["event"] == "document.publish"
    assert deliver_due(ctx).delivered == 0  # nothing twice
    assert hook.events == ("document.publish",)


def test_retry_with_backoff_until_success(ctx: AppContext, fresh_world: World,
                                         receiver: tuple[str, Receiver]) -> None:
    url, state = receiver
    create_webhook(ctx, url, ["document.update"], "admin")
    with ctx.db.session() as session:
        record_event(session, "archivist", "document.update", "document", fresh_world.docs[("own", "public")], {})
    state.fail = 2
    start = datetime.now(UTC)
    assert deliver_due(ctx, now=start).retrying == 1
    assert deliver_due(ctx, now=start).retrying == 0  # not due yet: it waits its backoff
    assert deliver_due(ctx, now=start + backoff(1)).retrying == 1
    assert deliver_due(ctx, now=start + backoff(1) + backoff(2)).delivered == 1
    with ctx.db.session() as session:
        row = session.query(WebhookDelivery).one()
        assert (row.state, row.attempts, row.last_status, row.last_error) == ("delivered", 3, 204, None)
    assert len(state.received) == 1


def test_gives_up_after_max_attempts(ctx: AppContext, fresh_world: World) -> None:
    create_webhook(ctx, "http://127.0.0.1:9/unreachable", ["document.publish"], "admin")
    _publish(ctx, fresh_world.docs[("own", "public")])
    moment = datetime.now(UTC)
    for _ in range(MAX_ATTEMPTS):
        report = deliver_due(ctx, now=moment, timeout=0.5)
        moment += timedelta(hours=7)
    assert report.failed == 1
    assert backoff(1) == timedelta(seconds=30) and backoff(20) == timedelta(hours=6)
