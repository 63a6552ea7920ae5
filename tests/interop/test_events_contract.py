"""The events integration contract: every event the archive emits, in the feed and in real webhook deliveries,
validates against the shipped JSON Schema; a new document action fails until the contract decides on it."""

from __future__ import annotations

import ast
import json
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from sqlalchemy import select, update

from sohoa.api.schemas import WebhookEvent
from sohoa.app import create_app
from sohoa.db.models import Document
from sohoa.services.catalogue.listing import FEED_ACTIONS
from sohoa.services.identity.access_changes import change_file_access
from sohoa.services.identity.tokens import create_token
from sohoa.services.platform.context import AppContext
from sohoa.services.production import review
from sohoa.services.production.filing import move_document
from sohoa.services.sharing import webhooks
from sohoa.services.sharing.event_contract import EVENT_KINDS, EVENTS_SCHEMA_URL, event_kinds, events_schema

from ..ingest._helpers import text_page
from ..shared._webhook_receiver import serve_receiver
from ..web import _helpers as helpers

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "sohoa"
# Actions recorded on documents that are reads or internal bookkeeping: never in the feed nor in webhooks.
NOT_PUBLISHED = {"document.view", "page.view", "page.ocr", "document.download", "document.pdf_rebuilt",
                 "document.review", "qc.redo",
                 # personal data (Luật 91/2025): staff reads of originals and reviewers' masks stay in the audit log
                 "personal.view", "personal.add", "personal.mask", "personal.unmask"}


def _validator(part: str) -> Draft202012Validator:
    schema = events_schema(1)
    registry: Registry[Any] = Registry().with_resource(schema["$id"], Resource.from_contents(schema))
    return Draft202012Validator({"$ref": f"{schema['$id']}#/$defs/{part}"}, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def _errors(part: str, instance: object) -> list[str]:
    return [e.message for e in _validator(part).iter_errors(instance)]


def _documented_verifier() -> Any:
    """The signature check docs/integration.md gives subscribers, as printed there."""
    text = (ROOT / "docs" / "integration.md").read_text(encoding="utf-8")
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(compile(code, "docs/integration.md", "exec"), namespace)  # our own documentation, run as printed
    return namespace["verify_sohoa_webhook"]


def _document_actions() -> dict[str, str]:
    """Every literal action recorded with entity type 'document' anywhere in the package: action → where."""
    found: dict[str, str] = {}
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "record_event"):
                continue
            args = [a.value if isinstance(a, ast.Constant) else None for a in node.args[2:4]]
            if len(args) == 2 and args[1] == "document" and isinstance(args[0], str):
                found[args[0]] = f"{path.relative_to(SRC)}:{node.lineno}"
    return found


def test_the_schema_is_served_and_describes_exactly_the_kinds_emitted(ctx: AppContext) -> None:
    client = TestClient(create_app(ctx, watch_hot_folders=False))
    response = client.get(EVENTS_SCHEMA_URL)  # public: no token
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/schema+json")
    served = response.json()
    Draft202012Validator.check_schema(served)
    assert served == events_schema(1) and served["$schema"].endswith("/2020-12/schema")
    kinds = set(event_kinds(1))
    assert kinds == set(EVENT_KINDS) == set(FEED_ACTIONS) == set(webhooks.EVENTS) == set(typing.get_args(WebhookEvent))
    # the OpenAPI of the feed names the schema reference of each item
    spec = client.get("/api/v1/openapi.json").json()
    assert "schema" in spec["components"]["schemas"]["EventItem"]["properties"]


def test_no_document_action_escapes_the_contract() -> None:
    """A new action on documents must be added to the schema (and the feed) or declared not published here."""
    actions = _document_actions()
    assert "document.create" in actions and "access.change" in actions  # the scan sees the real calls
    undecided = {a: where for a, where in actions.items() if a not in EVENT_KINDS and a not in NOT_PUBLISHED}
    assert undecided == {}, "describe these events in events-v1.schema.json or list them as not published"
    assert set(EVENT_KINDS) <= set(actions)  # and the contract names no kind the code never records


def test_an_unknown_kind_or_a_missing_field_does_not_validate() -> None:
    good = {"event": "document.update", "event_id": 7, "at": "2026-12-04T10:00:00.123456+00:00",
            "document_id": 3, "href": "/api/v1/documents/3", "schema": EVENTS_SCHEMA_URL}
    assert _errors("webhookPayload", good) == []
    assert _errors("webhookPayload", good | {"extra": "additive fields are allowed within v1"}) == []
    assert _errors("webhookPayload", good | {"event": "document.withdraw"}) != []
    assert _errors("webhookPayload", {k: v for k, v in good.items() if k != "href"}) != []
    assert _errors("webhookPayload", good | {"at": "04/12/2026"}) != []


@pytest.fixture
def hctx(any_ctx: AppContext) -> AppContext:
    """The receiver listens on 127.0.0.1: the operator setting that allows private targets is on."""
    any_ctx.settings = any_ctx.settings.model_copy(update={"webhook_allow_private": True})
    return any_ctx


def _drive(ctx: AppContext, tmp_path: Path) -> None:
    """Real actions: ingest, review with approval, access change with publication, split, merge, reorder, move."""
    helpers.unit(ctx)
    report: Any = helpers.fake_ingest(ctx, [text_page(tmp_path / "p.png", ["Quyết định về việc hòa giải"])],
                                      unit_identifier="000.00.00.H26.T1")
    assert [i.state for i in report.items] == ["done"]
    _, (first, second) = helpers.accession_with_files(ctx, files=2)
    doc = helpers.document(ctx, first, pages=3, state="review")
    other = helpers.document(ctx, first, pages=1, state="review")
    assert review.update_fields(ctx, doc, {"subject": "Về việc hòa giải ở cơ sở"}, actor="archivist",
                                mark_reviewed=True) == {}
    review.update_fields(ctx, other, {}, actor="archivist", mark_reviewed=True)
    change_file_access(ctx, first, "public", "admin", "Công bố hồ sơ", role="admin")
    new = review.split_document(ctx, doc, 3, actor="archivist")
    review.merge_documents(ctx, doc, other, actor="archivist")
    with ctx.db.session() as session:
        pages = [p.id for p in session.get(Document, doc).pages]  # type: ignore[union-attr]
    review.reorder_pages(ctx, doc, list(reversed(pages)), actor="archivist")
    move_document(ctx, new, second, actor="archivist")
    with ctx.db.session() as session:  # what the public may see at delivery time: every document but the merged
        session.execute(update(Document).where(Document.state != "merged").values(state="accepted",
                                                                                  access_level="public"))


@pytest.fixture
def delivered(hctx: AppContext, tmp_path: Path) -> Iterator[tuple[list[tuple[dict[str, str], bytes]], str]]:
    with serve_receiver() as (url, receiver):
        _, secret = webhooks.create_webhook(hctx, url, EVENT_KINDS, "admin")
        _drive(hctx, tmp_path)
        report = webhooks.deliver_due(hctx)
        assert report.delivered == len(receiver.received) > 0 and report.failed == report.retrying == 0
        yield receiver.received, secret


def test_every_emitted_event_validates_in_the_feed_and_in_webhook_deliveries(
        hctx: AppContext, delivered: tuple[list[tuple[dict[str, str], bytes]], str]) -> None:
    received, secret = delivered
    documented = _documented_verifier()
    for headers, body in received:
        payload = json.loads(body)
        assert _errors("webhookHeaders", headers) == [], headers
        assert _errors("webhookPayload", payload) == [], payload
        assert _errors("webhookDelivery", {"headers": headers, "body": payload}) == []
        assert _validator("webhookPayload").is_valid(payload) and Draft202012Validator(events_schema(1)).is_valid(
            payload)
        assert headers["x-sohoa-event"] == payload["event"]
        assert webhooks.verify_signature(secret, headers["x-sohoa-timestamp"], body, headers["x-sohoa-signature"])
        assert documented(secret, headers, body) and not documented("another-secret", headers, body)
        assert not documented(secret, headers, body + b" ") and not documented(
            secret, headers | {"x-sohoa-timestamp": str(int(headers["x-sohoa-timestamp"]) - 3600)}, body)
    assert {json.loads(b)["event"] for _, b in received} == set(EVENT_KINDS)
    raw, _ = create_token(hctx, "city-bus", ["admin"])
    client = TestClient(create_app(hctx, watch_hot_folders=False))
    page = client.get("/api/v1/events?limit=200", headers={"Authorization": f"Bearer {raw}"}).json()
    assert _errors("feedPage", page) == []
    assert all(Draft202012Validator(events_schema(1)).is_valid(item) for item in page["items"])
    assert {item["action"] for item in page["items"]} == set(EVENT_KINDS)
    with hctx.db.session() as session:  # the feed shows what the log holds (admin scope: every document here)
        ids = set(session.execute(select(Document.id)).scalars())
    assert {item["document_id"] for item in page["items"]} <= ids
