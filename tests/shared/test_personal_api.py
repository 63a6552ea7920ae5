"""GET /api/v1/personal-data: the entity index for one-stop-shop systems — scope personal:read required, the
token's read scope applies (its unit's lineage), a purpose required, every query audited under the token's name,
the same results as the staff screen, described in the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.app import create_app
from sohoa.db.models import Event
from sohoa.services.catalogue import subject_requests as sr
from sohoa.services.catalogue.personal_search import search_people
from sohoa.services.identity.tokens import create_token
from sohoa.services.platform.context import AppContext
from tests.web._personal_world import CCCD, NAME, PersonalWorld, build_personal_world

PURPOSE = "Hồ sơ thủ tục cấp đổi giấy chứng nhận 000.00.31.H26-260302-0001"


@pytest.fixture
def setup(ctx: AppContext) -> Iterator[tuple[TestClient, PersonalWorld, dict[str, str]]]:
    world = build_personal_world(ctx)
    tokens = {
        "ward": create_token(ctx, "ward-one-stop", ["read:unit", "personal:read"], unit="PD.MOI.001")[0],
        "ward_plain": create_token(ctx, "ward-plain", ["read:unit"], unit="PD.MOI.001")[0],
        "other": create_token(ctx, "other-one-stop", ["read:unit", "personal:read"], unit="PD.MOI.002")[0],
        "admin": create_token(ctx, "city-admin", ["admin"])[0],
    }
    with TestClient(create_app(ctx, watch_hot_folders=False), raise_server_exceptions=False) as client:
        yield client, world, tokens


def _ask(client: TestClient, token: str | None, **params: str) -> object:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/api/v1/personal-data", params={"purpose": PURPOSE, **params}, headers=headers)


def _docs(body: dict[str, object]) -> set[int]:
    groups = body["groups"]
    assert isinstance(groups, list)
    return {r["document_id"] for g in groups for r in g["records"]}


def test_scope_personal_read_is_required(setup: tuple[TestClient, PersonalWorld, dict[str, str]]) -> None:
    client, _world, tokens = setup
    anonymous = _ask(client, None, q="nguyen van thuan")
    assert anonymous.status_code == 401  # type: ignore[attr-defined]
    plain = _ask(client, tokens["ward_plain"], q="nguyen van thuan")
    assert plain.status_code == 403 and "personal:read" in plain.json()["detail"]  # type: ignore[attr-defined]


def test_the_wards_system_finds_its_old_communes_records_and_is_audited(
        ctx: AppContext, setup: tuple[TestClient, PersonalWorld, dict[str, str]]) -> None:
    client, world, tokens = setup
    response = _ask(client, tokens["ward"], q="nguyen van thuan")
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert _docs(body) == {world.docs["land"], world.docs["allowance"]}
    group = body["groups"][0]
    assert group["kind"] == "name" and group["value"] == NAME
    record = next(r for r in group["records"] if r["document_id"] == world.docs["land"])
    assert record["href"] == f"/api/v1/documents/{world.docs['land']}" and record["unit_identifier"] == "PD.CU.001"
    assert record["file_code"] == "PD.CU.001.2019.01" and record["number"] == "12/QĐ-UBND"
    # the same as the staff screen for the same principal
    same = search_people(ctx, world.principal("ward_officer", "unit_officer", "ward"), "nguyen van thuan",
                         purpose=PURPOSE)
    assert _docs(body) == {r.document_id for g in same.groups for r in g.records}
    with ctx.db.session() as session:
        events = list(session.execute(select(Event).where(Event.action == "personal.search")
                                      .order_by(Event.id)).scalars())
    assert events[0].actor == "token:ward-one-stop" and (events[0].payload or {})["purpose"] == PURPOSE
    assert (events[0].payload or {})["query"] == "nguyen van thuan"


def test_other_lineages_restrictions_and_secrets_stay_out(
        setup: tuple[TestClient, PersonalWorld, dict[str, str]]) -> None:
    client, world, tokens = setup
    assert _docs(_ask(client, tokens["other"], q=CCCD).json()) == set()  # type: ignore[attr-defined]
    assert _docs(_ask(client, tokens["ward"], q="123/45").json()) == {world.docs["land"]}  # type: ignore[attr-defined]
    admin = _ask(client, tokens["admin"], q=NAME).json()  # type: ignore[attr-defined]
    assert world.docs["secret"] not in _docs(admin) and world.docs["other"] in _docs(admin)
    # a restricted value is listed to administrators only, and a token is never one
    assert _docs(_ask(client, tokens["admin"], q="0912345678").json()) == set()  # type: ignore[attr-defined]
    by_unit = _ask(client, tokens["admin"], q=NAME, unit="PD.MOI.001").json()  # type: ignore[attr-defined]
    assert _docs(by_unit) == {world.docs["land"], world.docs["allowance"]}


def test_refusals_and_the_openapi_document(setup: tuple[TestClient, PersonalWorld, dict[str, str]]) -> None:
    client, _world, tokens = setup
    short = _ask(client, tokens["ward"], q=NAME, purpose="tra cứu")
    assert short.status_code == 422  # type: ignore[attr-defined]
    blank = _ask(client, tokens["ward"], q=NAME, purpose=" " * 12)
    assert blank.status_code == 400 and "purpose" in blank.json()["detail"]  # type: ignore[attr-defined]
    assert _ask(client, tokens["ward"], q="12345").status_code == 400  # type: ignore[attr-defined]
    assert _ask(client, tokens["ward"], q=NAME, unit="NO.SUCH").status_code == 404  # type: ignore[attr-defined]
    spec = client.get("/api/v1/openapi.json").json()
    operation = spec["paths"]["/api/v1/personal-data"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"q", "purpose", "kind", "unit", "limit", "offset"}
    assert "personal:read" in operation["summary"]


def test_a_one_stop_shop_forwards_a_request_and_follows_it(
        ctx: AppContext, setup: tuple[TestClient, PersonalWorld, dict[str, str]]) -> None:
    client, world, tokens = setup
    filer = create_token(ctx, "ward-filer", ["records:request", "read:unit"], unit="PD.MOI.001")[0]
    body = {"request_kind": "access", "subject_name": NAME, "requester": NAME, "subject_id_number": CCCD,
            "contact": "thuan@example.vn"}
    assert client.post("/api/v1/personal-data/requests", json=body,
                       headers={"Authorization": f"Bearer {tokens['ward']}"}).status_code == 403  # no records:request
    created = client.post("/api/v1/personal-data/requests", json=body, headers={"Authorization": f"Bearer {filer}"})
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["status"] == "open" and out["unit_name"] == "Phường Thử Mới" and out["items"] == []
    code = out["code"]
    with ctx.db.session() as session:
        (event,) = session.execute(select(Event).where(Event.action == "subject_request.create")).scalars()
        assert event.actor == "token:ward-filer"
    # staff attach a record found; the ward's system follows the request (personal:read), another ward's cannot
    sr.add_found(ctx, world.principal("archivist", "archivist"), code, world.docs["land"], world.data["land_cccd"])
    seen = client.get(f"/api/v1/personal-data/requests/{code}", headers={"Authorization": f"Bearer {tokens['ward']}"})
    assert seen.status_code == 200, seen.text
    (item,) = seen.json()["items"]
    assert item["document_id"] == world.docs["land"] and item["kind"] == "cccd" and item["value"] == "001 085 012 345"
    other = client.get(f"/api/v1/personal-data/requests/{code}", headers={"Authorization": f"Bearer {tokens['other']}"})
    assert other.status_code == 404
    assert client.get(f"/api/v1/personal-data/requests/{code}",
                      headers={"Authorization": f"Bearer {filer}"}).status_code == 403  # personal:read needed
    bad = client.post("/api/v1/personal-data/requests", json={**body, "subject_id_number": "12345"},
                      headers={"Authorization": f"Bearer {filer}"})
    assert bad.status_code == 422
