"""Search hits shown to a reader of originals: when their snippets or fields spell out personal data, the search
records one personal.view (the documents' ids), not one per hit — on the staff search page and for an API token
with personal:read; readers who get the masks, and hits without personal data, record none."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.db.models import Document, Event
from sohoa.services.catalogue.index_docs import document_index_doc
from sohoa.services.identity.tokens import create_token
from sohoa.services.platform.context import AppContext

from . import _helpers as helpers
from ._personal_world import NAME, PersonalWorld, build_personal_world


@pytest.fixture
def world(ctx: AppContext, client: TestClient) -> PersonalWorld:
    world = build_personal_world(ctx, role_users=False)
    texts = {"land": f"Giao đất ở cho ông {NAME}, CCCD số 001 085 012 345.",
             "allowance": f"Trợ cấp xã hội cho ông {NAME} theo quy định.",
             "other": "Cấp giấy phép xây dựng theo quy định."}
    with ctx.db.session() as session:
        for key, text in texts.items():
            doc = session.get_one(Document, world.docs[key])
            doc.text = text
            session.flush()
            ctx.index.upsert(session, document_index_doc(doc))
    return world


def _views(ctx: AppContext) -> list[Event]:
    with ctx.db.session() as session:
        return list(session.scalars(select(Event).where(Event.action == "personal.view").order_by(Event.id)))


def test_staff_search_records_one_personal_view_per_search(ctx: AppContext, client: TestClient,
                                                            world: PersonalWorld) -> None:
    helpers.login(client, "archivist")
    page = client.get("/search", params={"q": "ông"})
    assert page.status_code == 200 and NAME in page.text  # the originals, to a reader of personal data
    (event,) = _views(ctx)
    assert event.actor == "archivist" and event.entity_type == "search"
    assert event.payload == {"channel": "web", "via": "search",
                             "document_ids": sorted([world.docs["land"], world.docs["allowance"]])}
    client.get("/search", params={"q": "giấy phép xây dựng"})  # a hit without personal data
    assert len(_views(ctx)) == 1

    helpers.login(client, "coordinator")  # gets the masks: nothing unmasked shown, nothing recorded
    masked = client.get("/search", params={"q": "giao đất"}).text
    assert NAME not in masked and len(_views(ctx)) == 1


def test_api_search_with_personal_read_records_one_personal_view(ctx: AppContext, client: TestClient,
                                                                  world: PersonalWorld) -> None:
    reader = create_token(ctx, "ward-one-stop", ["read:unit", "personal:read"], unit="PD.MOI.001")[0]
    plain = create_token(ctx, "ward-plain", ["read:unit"], unit="PD.MOI.001")[0]
    found = client.get("/api/v1/search", params={"q": "ông"}, headers={"Authorization": f"Bearer {plain}"})
    assert found.status_code == 200 and NAME not in found.text and _views(ctx) == []
    found = client.get("/api/v1/search", params={"q": "ông"}, headers={"Authorization": f"Bearer {reader}"})
    assert found.status_code == 200 and NAME in found.text
    (event,) = _views(ctx)
    assert event.actor == "token:ward-one-stop" and event.payload is not None
    assert event.payload["channel"] == "api"
    assert event.payload["document_ids"] == sorted([world.docs["land"], world.docs["allowance"]])
