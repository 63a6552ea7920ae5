"""The staff screens of personal data: /staff/personal-data (the entity index) and the data subject requests —
who may open them, the menu, the purpose required, results linking to the staff document page, a request from
the form to its answer and the exported workbook."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from sohoa.db.models import Event, PersonalDatum
from sohoa.services.platform.context import AppContext

from . import _helpers as helpers
from ._personal_world import NAME, PersonalWorld, build_personal_world

PURPOSE = "Giải quyết hồ sơ đất đai của công dân"


@pytest.fixture
def world(ctx: AppContext, client: TestClient) -> PersonalWorld:
    return build_personal_world(ctx, role_users=False)


def _search(client: TestClient, q: str, purpose: str = PURPOSE, **more: str) -> str:
    response = client.get("/staff/personal-data", params={"q": q, "purpose": purpose, **more})
    assert response.status_code == 200, response.text[:500]
    return response.text


def test_who_opens_the_screens_and_the_menu(client: TestClient, world: PersonalWorld) -> None:
    for role, status in (("scan_operator", 403), ("coordinator", 403), ("unit_clerk", 403), ("qc_inspector", 403),
                         ("archivist", 200), ("unit_officer", 200), ("admin", 200)):
        token = helpers.login(client, role)
        home = client.get("/").text
        assert ('href="/staff/personal-data"' in home) == (status == 200), role
        for path in ("/staff/personal-data", "/staff/personal-data/requests"):
            assert client.get(path).status_code == status, (role, path)
        client.post("/logout", data={"csrf_token": token})
    assert client.get("/staff/personal-data", follow_redirects=False).status_code == 303  # to the sign-in page


def test_a_search_without_tones_lists_the_records_and_is_audited(
        ctx: AppContext, client: TestClient, world: PersonalWorld) -> None:
    helpers.login(client, "ward_officer")
    page = _search(client, "nguyen van thuan")
    assert NAME in page and f'href="/documents/{world.docs["land"]}"' in page
    assert f'href="/documents/{world.docs["allowance"]}"' in page and "Xã Thử Cũ" in page
    assert f'href="/documents/{world.docs["other"]}"' not in page  # another ward's
    assert f'href="/documents/{world.docs["secret"]}"' not in page  # độ mật
    refused = client.get("/staff/personal-data", params={"q": "nguyen van thuan", "purpose": "xem"})
    assert refused.status_code == 400 and "mục đích" in refused.text
    assert f'href="/documents/{world.docs["land"]}"' not in refused.text
    with ctx.db.session() as session:
        events = list(session.execute(select(Event).where(Event.action == "personal.search")).scalars())
    assert [(e.actor, (e.payload or {}).get("purpose")) for e in events] == [("ward_officer", PURPOSE)]
    # the document page itself opens for the officer (the old commune is in the ward's lineage)
    assert client.get(f"/documents/{world.docs['land']}").status_code == 200


def test_english_page_and_unit_picker(client: TestClient, world: PersonalWorld) -> None:
    helpers.login(client, "archivist")
    client.get("/lang/en")
    page = _search(client, "thửa 123 tờ 45", unit="PD.MOI.001 — Phường Thử Mới", unit_id=str(world.units["ward"]))
    assert "Personal data search" in page and "land parcel" in page and "Purpose of the search" in page
    assert f'href="/documents/{world.docs["land"]}"' in page
    elsewhere = _search(client, "thửa 123 tờ 45", unit="PD.MOI.002")
    assert f'href="/documents/{world.docs["land"]}"' not in elsewhere and "No records found" in elsewhere


def test_a_request_from_the_form_to_its_answer(ctx: AppContext, client: TestClient, world: PersonalWorld) -> None:
    token = helpers.login(client, "archivist")
    created = client.post("/staff/personal-data/requests", data={
        "csrf_token": token, "request_kind": "restriction", "subject_name": NAME, "subject_id_number": "",
        "requester": "Nguyễn Văn Thuận", "contact": "0900 000 000", "unit": "PD.MOI.001", "unit_id": "",
        "received": "2026-03-02", "note": ""}, follow_redirects=False)
    assert created.status_code == 303, created.text[:500]
    url = created.headers["location"]
    code = url.rsplit("/", 1)[1]
    assert re.fullmatch(r"YC-[A-Z0-9]{6}", code)
    page = client.get(url).text
    assert f"Đã ghi nhận yêu cầu {code}" in page and "Phường Thử Mới" in page
    assert f'href="/documents/{world.docs["land"]}"' in page  # the entity index ran for the subject
    assert client.get("/staff/personal-data/requests").text.count(code) >= 1

    datum = world.data["land_name"]
    added = client.post(f"{url}/items", data={"csrf_token": token, "action": "found",
                                              "document_id": str(world.docs["land"]), "datum_id": str(datum)})
    assert added.status_code == 200 and f"Đã thêm văn bản #{world.docs['land']} vào kết quả" in added.text
    restricted = client.post(f"{url}/items", data={"csrf_token": token, "action": "restriction",
                                                   "document_id": str(world.docs["land"]), "datum_id": str(datum),
                                                   "note": "Theo đề nghị"})
    assert restricted.status_code == 200 and "Đã hạn chế xử lý" in restricted.text
    with ctx.db.session() as session:
        row = session.get(PersonalDatum, datum)
        assert row is not None and row.restricted
    bad = client.post(f"{url}/answer", data={"csrf_token": token, "outcome": "answered", "answer": " "})
    assert bad.status_code == 400
    done = client.post(f"{url}/answer", data={"csrf_token": token, "outcome": "answered",
                                              "answer": "Đã hạn chế xử lý dữ liệu theo yêu cầu."})
    assert done.status_code == 200 and f"Đã trả lời yêu cầu {code}" in done.text
    assert 'id="answer"' not in done.text  # closed: no more actions
    book = client.get(f"{url}/answer.xlsx")
    assert book.status_code == 200 and book.headers["content-type"].startswith("application/vnd.openxml")
    cells = {str(c) for r in load_workbook(io.BytesIO(book.content)).active.iter_rows(values_only=True)
             for c in r if c is not None}
    assert code in cells and "Đã hạn chế xử lý dữ liệu theo yêu cầu." in cells
    # a unit officer of another ward does not see the request
    client.post("/logout", data={"csrf_token": token})
    helpers.login(client, "other_officer")
    assert client.get(url).status_code == 404
    assert code not in client.get("/staff/personal-data/requests").text
