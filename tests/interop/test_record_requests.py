"""Record requests of one-stop-shop systems over the real API, on SQLite and PostgreSQL: number/sign, land parcel
and tone-insensitive name lookups, across unit succession, under the access policy, stored, audited, refetched."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.app import create_app
from sohoa.db.models import Document, Event, UnitLink
from sohoa.services.identity import accounts
from sohoa.services.identity.tokens import create_token
from sohoa.services.platform.context import AppContext
from sohoa.services.production.ingest_store import document_index_doc

from ..web import _helpers as helpers

OLD, NEW, OTHER = "000.00.00.H26.XA", "000.00.00.H26.PB", "000.00.00.H26.PC"
GRANT = "Giấy chứng nhận quyền sử dụng đất: thửa đất số 123, tờ bản đồ số 05, cấp cho ông Nguyễn Văn An."


@dataclass
class World:
    client: TestClient
    docs: dict[str, int]
    tokens: dict[str, dict[str, str]]


def _doc(ctx: AppContext, file_id: int, unit_id: int, text: str, *, level: str = "public",
         secrecy: str | None = None, issued: date = date(2020, 1, 1), **fields: object) -> int:
    doc_id = helpers.document(ctx, file_id, state="accepted", access_level=level, secrecy=secrecy,
                              issued_date=issued, **fields)
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        doc.unit_id, doc.text = unit_id, text
        session.flush()
        ctx.index.upsert(session, document_index_doc(doc))
    return doc_id


@pytest.fixture
def world(any_ctx: AppContext) -> Iterator[World]:
    ctx = any_ctx
    old = accounts.create_unit(ctx, OLD, "UBND xã Cũ", "xã", "test")
    new = accounts.create_unit(ctx, NEW, "UBND phường Mới", "phường", "test")
    other = accounts.create_unit(ctx, OTHER, "UBND phường Khác", "phường", "test")
    with ctx.db.session() as session:
        session.add(UnitLink(from_unit_id=old, to_unit_id=new, kind="merged_into", share="full"))
    _, files = helpers.accession_with_files(ctx, files=5)
    docs = {
        "grant": _doc(ctx, files[0], old, GRANT, code_number="45", code_notation="QĐ-UBND",
                      subject="Cấp giấy chứng nhận", issued=date(2019, 5, 2)),
        "internal": _doc(ctx, files[1], old, "Biên bản xác minh thửa số 123 tờ bản đồ số 5 (hộ NGUYEN VAN AN).",
                         level="internal", issued=date(2021, 3, 4)),
        "secret": _doc(ctx, files[2], old, "Thửa đất số 123, tờ bản đồ số 5 — hồ sơ mật của Nguyễn Văn An.",
                       level="internal", secrecy="mật"),
        "elsewhere": _doc(ctx, files[3], other, "Thửa đất số 123 tờ bản đồ số 5 ở phường khác.",
                          issued=date(2022, 1, 1)),
        "near_miss": _doc(ctx, files[4], other, "Thửa đất số 123, tờ bản đồ số 6. Bà Nguyễn Văn Anh.",
                          code_number="45", code_notation="QĐ-UB"),
    }
    tokens = {}
    for name, scopes, unit in (("ward", ["records:request", "read:unit"], NEW), ("desk", ["records:request"], None),
                               ("reader", ["read:public"], None), ("city", ["admin"], None)):
        raw, _ = create_token(ctx, f"mot-cua-{name}", scopes, unit=unit)
        tokens[name] = {"Authorization": f"Bearer {raw}"}
    yield World(TestClient(create_app(ctx, watch_hot_folders=False)), docs, tokens)


def _body(unit: str | None = None, **criterion: str) -> dict[str, object]:
    kind = "code" if "code" in criterion else "parcel" if "parcel" in criterion else "name"
    body: dict[str, object] = {"purpose": "Giải quyết thủ tục cấp đổi giấy chứng nhận",
                               "case_reference": "H26.22-241204-0001", "criterion": {"kind": kind, **criterion}}
    return body | ({"unit": unit} if unit else {})


def _ask(world: World, who: str, unit: str | None = None, **criterion: str) -> dict[str, object]:
    body = _body(unit, **criterion)
    response = world.client.post("/api/v1/record-requests", json=body, headers=world.tokens[who])
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _ids(answer: dict[str, object]) -> list[int]:
    return [r["document_id"] for r in answer["results"]]  # type: ignore[attr-defined,index]


def test_parcel_across_succession_within_the_tokens_scope(any_ctx: AppContext, world: World) -> None:
    docs = world.docs
    answer = _ask(world, "ward", parcel="123", map_sheet="5", unit=NEW)  # the new ward finds the old commune's
    assert _ids(answer) == [docs["internal"], docs["grant"]]  # never the secret; most recent first at equal score
    first = answer["results"][0]  # type: ignore[index]
    assert first["unit_identifier"] == OLD and first["matched_on"] == "parcel" and first["href"].endswith(
        f"/documents/{docs['internal']}")
    assert set(_ids(_ask(world, "desk", parcel="123", map_sheet="5"))) == {docs["grant"], docs["elsewhere"]}
    assert _ids(_ask(world, "desk", parcel="123", map_sheet="5", unit=NEW)) == [docs["grant"]]  # public only
    assert _ids(_ask(world, "desk", parcel="999", map_sheet="5")) == []
    # an admin token reads every unit and level, never độ mật
    assert set(_ids(_ask(world, "city", parcel="123", map_sheet="5"))) == {docs["grant"], docs["internal"],
                                                                           docs["elsewhere"]}


def test_name_is_tone_insensitive_and_whole_words(world: World) -> None:
    docs = world.docs
    # both found whatever the tones; the one written as typed ranks first
    assert _ids(_ask(world, "ward", person_name="Nguyễn Văn An")) == [docs["grant"], docs["internal"]]
    assert _ids(_ask(world, "ward", person_name="nguyen van an")) == [docs["internal"], docs["grant"]]
    assert _ids(_ask(world, "desk", person_name="Nguyễn Văn An")) == [docs["grant"]]  # 'Nguyễn Văn Anh' is not him
    assert _ids(_ask(world, "desk", person_name="Nguyễn Văn Anh")) == [docs["near_miss"]]


def test_number_and_sign(world: World) -> None:
    docs = world.docs
    answer = _ask(world, "desk", code="45/QĐ-UBND")
    assert _ids(answer) == [docs["grant"]]
    assert answer["results"][0]["code_notation"] == "QĐ-UBND"  # type: ignore[index]
    assert _ids(_ask(world, "desk", code="số 45/2019/qđ-ubnd")) == [docs["grant"]]
    assert _ids(_ask(world, "desk", code="45/2020/QĐ-UBND")) == []  # the grant was issued in 2019
    assert set(_ids(_ask(world, "desk", code="45"))) == {docs["grant"], docs["near_miss"]}
    assert _ids(_ask(world, "desk", code="46/QĐ-UBND")) == []


def test_stored_audited_and_only_for_the_same_token(any_ctx: AppContext, world: World) -> None:
    answer = _ask(world, "ward", parcel="123", map_sheet="5", unit=NEW)
    url = f"/api/v1/record-requests/{answer['request_id']}"
    again = world.client.get(url, headers=world.tokens["ward"])
    assert again.status_code == 200 and again.json()["results"] == answer["results"]
    assert again.json()["case_reference"] == "H26.22-241204-0001"
    assert world.client.get(url, headers=world.tokens["desk"]).status_code == 404  # another token: no such request
    assert world.client.get(url).status_code == 401
    with any_ctx.db.session() as session:  # the document becomes độ mật: the stored answer no longer shows it
        doc = session.get(Document, world.docs["internal"])
        assert doc is not None
        doc.secrecy = "mật"
        events = list(session.execute(select(Event).where(Event.action == "record.request")).scalars())
    assert world.docs["internal"] not in _ids(world.client.get(url, headers=world.tokens["ward"]).json())
    assert len(events) == 1 and events[0].payload["purpose"] == "Giải quyết thủ tục cấp đổi giấy chứng nhận"
    assert events[0].payload["case_reference"] == "H26.22-241204-0001"
    assert events[0].actor == "token:mot-cua-ward" and events[0].payload["results"] == _ids(answer)


def test_refusals(world: World) -> None:
    body = _body(parcel="123", map_sheet="5")
    post = world.client.post
    assert post("/api/v1/record-requests", json=body).status_code == 401
    assert post("/api/v1/record-requests", json=body, headers=world.tokens["reader"]).status_code == 403
    two = body | {"criterion": {"kind": "parcel", "parcel": "123", "map_sheet": "5", "person_name": "Nguyễn Văn An"}}
    assert post("/api/v1/record-requests", json=two, headers=world.tokens["desk"]).status_code == 422
    for criterion in ({"kind": "name", "person_name": "An"}, {"kind": "code", "code": "QĐ-UBND"},
                      {"kind": "parcel", "parcel": "123"}):
        refused = post("/api/v1/record-requests", json=body | {"criterion": criterion}, headers=world.tokens["desk"])
        assert refused.status_code == 422, criterion
    no_case = {k: v for k, v in body.items() if k != "case_reference"}
    assert post("/api/v1/record-requests", json=no_case, headers=world.tokens["desk"]).status_code == 422
    unknown = body | {"unit": "000.00.00.H99.ZZ"}
    assert post("/api/v1/record-requests", json=unknown, headers=world.tokens["desk"]).status_code == 404
    spec = world.client.get("/api/v1/openapi.json").json()
    assert {"RecordRequestIn", "RecordRequestOut", "RecordMatchOut", "ByCode", "ByParcel", "ByName"} <= set(
        spec["components"]["schemas"])
    assert "post" in spec["paths"]["/api/v1/record-requests"]
