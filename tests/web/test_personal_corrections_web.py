"""A correction a data subject had recorded is shown beside its value where staff read the document: the staff
document page and the reviewer's personal data panel, with who recorded it and when — the value, the document's
text and the master unchanged; nothing of it for staff without personal.read; masked under a restriction."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from sohoa.db.models import Document, PersonalDatum
from sohoa.services.catalogue import subject_requests as sr
from sohoa.services.platform.context import AppContext

from . import _helpers as helpers
from ._personal_world import NAME, PersonalWorld, build_personal_world

FIXED = "001085012346"


@pytest.fixture
def world(ctx: AppContext, client: TestClient) -> PersonalWorld:
    return build_personal_world(ctx, role_users=False)


def _section(html: str) -> str:
    match = re.search(r'<section class="card" id="personal-corrections".*?</section>', html, re.S)
    return match.group(0) if match else ""


def _panel_row(html: str, datum_id: int) -> str:
    match = re.search(rf'<tr data-personal-id="{datum_id}".*?</tr>', html, re.S)
    assert match is not None
    return match.group(0)


def test_a_correction_is_shown_beside_its_value_to_staff_who_read_personal_data(
        ctx: AppContext, client: TestClient, world: PersonalWorld) -> None:
    land, cccd = world.docs["land"], world.data["land_cccd"]
    archivist = world.principal("archivist", "archivist")
    with ctx.db.session() as session:
        before = session.get_one(Document, land).text
    code = sr.create_request(ctx, archivist, sr.NewRequest("correction", NAME, NAME, unit_id=world.units["ward"]))
    sr.record_correction(ctx, archivist, code, cccd, FIXED, "Giấy khai sinh bản chính")

    helpers.login(client, "archivist")
    section = _section(client.get(f"/documents/{land}").text)
    assert "Cải chính theo yêu cầu của chủ thể dữ liệu" in section
    row = re.search(rf'<tr data-correction-datum="{cccd}">.*?</tr>', section, re.S)
    assert row is not None
    cells = row.group(0)
    assert "001 085 012 345" in cells and FIXED in cells and "Giấy khai sinh bản chính" in cells
    assert "archivist" in cells and code in cells and re.search(r"\d{2}/\d{2}/\d{4}", cells)
    review = client.get(f"/review/{land}")
    assert review.status_code == 200
    panel_row = _panel_row(review.text, cccd)
    assert "001 085 012 345" in panel_row and f"Cải chính: <span lang=\"vi\">{FIXED}</span>" in panel_row
    assert "archivist" in panel_row and code in panel_row
    assert "Cải chính" not in _panel_row(review.text, world.data["land_name"])
    client.get("/lang/en")
    assert "Corrections at the data subject&#39;s request" in client.get(f"/documents/{land}").text
    with ctx.db.session() as session:  # nothing altered
        assert session.get_one(Document, land).text == before
        assert session.get_one(PersonalDatum, cccd).value == "001 085 012 345"

    helpers.login(client, "coordinator")  # reads documents, not personal data
    page = client.get(f"/documents/{land}").text
    assert page.count(FIXED) == 0 and _section(page) == ""

    sr.record_restriction(ctx, archivist, code, cccd)  # masked for everyone but administrators
    helpers.login(client, "archivist")
    section = _section(client.get(f"/documents/{land}").text)
    assert FIXED not in section and "[đã che: số CCCD]" in section
    helpers.login(client, "admin")
    assert FIXED in _section(client.get(f"/documents/{land}").text)
