"""Publish and update events: recorded by QC and review, followed by the events feed and by webhooks."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from sohoa.db.models import Document, Event, WebhookDelivery
from sohoa.services.catalogue.listing import list_events
from sohoa.services.platform.context import AppContext
from sohoa.services.production.qc import inspect
from sohoa.services.production.review import update_fields
from sohoa.services.sharing.webhooks import create_webhook, deliver_due, verify_signature

from ._webhook_receiver import serve_receiver
from .world import World


@pytest.fixture
def ctx(ctx: AppContext) -> AppContext:
    """The receiver listens on 127.0.0.1: these tests turn on the operator setting that allows private targets
    (refused by default, see tests/security/test_webhook_targets.py)."""
    ctx.settings = ctx.settings.model_copy(update={"webhook_allow_private": True})
    return ctx


def _set_state(ctx: AppContext, state: str, *doc_ids: int) -> None:
    with ctx.db.session() as session:
        for doc_id in doc_ids:
            doc = session.get(Document, doc_id)
            assert doc is not None
            doc.state = state


def _actions(ctx: AppContext, doc_id: int) -> list[str]:
    with ctx.db.session() as session:
        return list(session.execute(select(Event.action).where(
            Event.entity_type == "document", Event.entity_id == doc_id).order_by(Event.id)).scalars())


def test_qc_accept_is_delivered_as_publish_and_secrets_never(ctx: AppContext, fresh_world: World) -> None:
    public, secret, marked = (fresh_world.docs[("own", "public")], fresh_world.docs[("own", "secret")],
                              fresh_world.marked_secret)
    with serve_receiver() as (url, receiver):
        _, key = create_webhook(ctx, url, ["document.publish"], "admin")
        _set_state(ctx, "qc", public, secret, marked)
        for doc_id in (secret, public, marked):
            assert inspect(ctx, doc_id, "accept", inspector="u_qc") == "accepted"
        report = deliver_due(ctx)
    assert (report.delivered, report.retrying, report.failed) == (1, 0, 0)
    headers, body = receiver.received[0]
    assert verify_signature(key, headers["x-sohoa-timestamp"], body, headers["x-sohoa-signature"])
    payload = json.loads(body)
    assert (payload["event"], payload["document_id"]) == ("document.publish", public)
    # Độ mật documents are accepted (qc.accept in the audit log) but never published: nothing leaves the building.
    for kept in (secret, marked):
        assert "qc.accept" in _actions(ctx, kept) and "document.publish" not in _actions(ctx, kept)
    with ctx.db.session() as session:
        sent = list(session.execute(select(WebhookDelivery.payload)).scalars())
    assert [p["document_id"] for p in sent] == [public]


def test_qc_reject_publishes_nothing(ctx: AppContext, fresh_world: World) -> None:
    doc_id = fresh_world.docs[("own", "internal")]
    _set_state(ctx, "qc", doc_id)
    assert inspect(ctx, doc_id, "reject", inspector="u_qc", defects=["D01"]).startswith("rework_")
    assert "document.publish" not in _actions(ctx, doc_id)


def test_review_edit_and_approval_reach_feed_and_webhooks(ctx: AppContext, fresh_world: World) -> None:
    doc_id = fresh_world.docs[("own", "public")]
    _set_state(ctx, "review", doc_id)
    with serve_receiver() as (url, receiver):
        create_webhook(ctx, url, ["document.publish", "document.update"], "admin")
        errors = update_fields(ctx, doc_id, {"subject": "Về việc hòa giải ở cơ sở (đã sửa)"}, actor="u_archivist",
                               mark_reviewed=True)
        assert errors == {}
        assert deliver_due(ctx).delivered == 2
    got = [json.loads(body) for _, body in receiver.received]
    assert [(p["event"], p["document_id"]) for p in got] == [("document.update", doc_id),
                                                            ("document.publish", doc_id)]
    feed, _ = list_events(ctx, None, limit=200)
    followed = [(e.action, e.document_id) for e in feed if e.document_id == doc_id]
    assert followed == [("document.update", doc_id), ("document.publish", doc_id)]
