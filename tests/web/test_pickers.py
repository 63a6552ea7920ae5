"""Type-ahead pickers with codes (#17 item 3): lookups of units, fonds, hồ sơ and documents under the access
policy, what a form resolves when the script is off, and creating and editing a hồ sơ in the web app."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.db.models import Accession, Box, Event, FileUnit, Fonds, Unit
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.services.catalogue.lookup import (
    lookup_documents,
    lookup_files,
    lookup_fonds,
    lookup_units,
    resolve,
)
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.production import arrangement
from sohoa.services.registry.units import import_hanoi_2025

from . import _helpers as helpers


def _who(ctx: AppContext, role: str) -> Principal:
    """A principal of ``role`` (clerks in the test unit), as a signed-in user of that role is."""
    return Principal(
        user_id=99,
        username=role,
        role=role,
        unit_id=helpers.unit(ctx) if role in ("unit_clerk", "unit_officer") else None,
    )


@pytest.fixture
def hanoi(ctx: AppContext) -> AppContext:
    import_hanoi_2025(ctx)
    return ctx


def _unit_id(ctx: AppContext, identifier: str) -> int:
    with ctx.db.session() as session:
        return int(session.execute(select(Unit.id).where(Unit.identifier == identifier)).scalar_one())


# --- units and fonds ------------------------------------------------------------------------------------


def test_units_are_found_without_tones_by_code_first_and_old_ones_say_so(hanoi: AppContext) -> None:
    found = lookup_units(hanoi, "hoan kiem")
    assert found and found[0].name == "Phường Hoàn Kiếm" and found[0].code == "00070" and not found[0].old
    # A GSO code reused by the new ward: both answer, the current unit first, the dissolved one marked old
    # with its successors.
    by_code = lookup_units(hanoi, "00070")
    assert [(c.name, c.old) for c in by_code[:2]] == [("Phường Hoàn Kiếm", False), ("Phường Hàng Trống", True)]
    assert "Phường Hoàn Kiếm" in by_code[1].successors
    # Two units named alike are told apart by their codes.
    cua_nam = [c for c in lookup_units(hanoi, "cua nam") if c.name == "Phường Cửa Nam"]
    assert sorted((c.code, c.old) for c in cua_nam) == [("00073", True), ("00082", False)]


def test_a_typed_unit_resolves_or_names_its_candidates(hanoi: AppContext) -> None:
    who = _who(hanoi, "admin")
    new = _unit_id(hanoi, "HN.MOI.00082")
    assert resolve(hanoi, who, "units", "00082 — Phường Cửa Nam") == new
    assert resolve(hanoi, who, "units", "HN.MOI.00082") == new
    with pytest.raises(ValidationFailed) as ambiguous:
        resolve(hanoi, who, "units", "phuong cua nam")
    assert "00073 — Phường Cửa Nam" in ambiguous.value.vi and "00082 — Phường Cửa Nam" in ambiguous.value.vi
    # The picker's id settles a choice the text allows, and only such a choice.
    old = _unit_id(hanoi, "HN.CU.00073")
    assert resolve(hanoi, who, "units", "Phường Cửa Nam", str(old)) == old
    assert resolve(hanoi, who, "units", "00082 — Phường Cửa Nam", str(old)) == new
    with pytest.raises(NotFound):
        resolve(hanoi, who, "units", "Phường Không Có")


def test_fonds_are_found_by_their_units_name_without_tones(hanoi: AppContext) -> None:
    ward = _unit_id(hanoi, "HN.MOI.00070")
    fonds_id = arrangement.create_fonds(hanoi, "HK01", "Phông UBND phường", ward, actor="t")
    arrangement.create_fonds(hanoi, "BD01", "Phông UBND phường", _unit_id(hanoi, "HN.MOI.00004"), actor="t")
    found = lookup_fonds(hanoi, "hoan kiem")
    assert [(c.id, c.code, c.note) for c in found] == [(fonds_id, "HK01", "Phường Hoàn Kiếm")]
    assert lookup_fonds(hanoi, "bd")[0].code == "BD01"  # codes first


def test_the_lookup_routes_answer_codes_and_labels(hanoi: AppContext, client: TestClient) -> None:
    helpers.login(client, "archivist")
    items = client.get("/staff/lookup/units", params={"q": "00070"}).json()["items"]
    assert items[0]["text"] == "00070 — Phường Hoàn Kiếm"
    assert items[1]["label"].startswith("00070 — Phường Hàng Trống (cũ) → ") and "Phường Hoàn Kiếm" in items[1]["label"]
    client.get("/lang/en")
    english = client.get("/staff/lookup/units", params={"q": "00070"}).json()["items"]
    assert "(old) → " in english[1]["label"]
    assert client.get("/staff/lookup/fonds", params={"q": "x" * 101}).status_code == 422


def test_lookups_need_a_signed_in_user(hanoi: AppContext, client: TestClient) -> None:
    for kind in ("units", "fonds", "files", "documents"):
        answer = client.get(f"/staff/lookup/{kind}", params={"q": "a"}, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


# --- files and documents under the policy ---------------------------------------------------------------


def _files_in_two_units(ctx: AppContext) -> dict[str, int]:
    own = helpers.unit(ctx)
    other = helpers.unit(ctx, "000.00.00.H26.T2", "UBND phường Khác")
    made = {}
    with ctx.db.session() as session:
        for key, unit_id, level in (
            ("own", own, "internal"),
            ("other", other, "internal"),
            ("otherpub", other, "public"),
            ("secret", own, "secret"),
        ):
            file = FileUnit(
                file_code=f"HS.{key.upper()}",
                file_notation="01.VP",
                title=f"Hồ sơ Hòa giải {key}",
                unit_id=unit_id,
                access_level=level,
            )
            session.add(file)
            session.flush()
            made[key] = file.id
    return made


def test_file_lookup_never_names_a_file_its_caller_may_not_see(ctx: AppContext, staff: dict[str, str]) -> None:
    files = _files_in_two_units(ctx)
    clerk = {c.id for c in lookup_files(ctx, _who(ctx, "unit_clerk"), "hoa giai")}
    assert clerk == {files["own"], files["otherpub"]}
    archivist = {c.id for c in lookup_files(ctx, _who(ctx, "archivist"), "hoa giai")}
    assert archivist == {files["own"], files["other"], files["otherpub"]}
    # độ mật: no one on the network, the administrator included
    assert files["secret"] not in {c.id for c in lookup_files(ctx, _who(ctx, "admin"), "secret")}
    assert lookup_files(ctx, _who(ctx, "archivist"), "hs.own")[0].code == "HS.OWN"
    # a hidden id sent by hand is not taken either
    with pytest.raises(NotFound):
        resolve(ctx, _who(ctx, "unit_clerk"), "files", "HS.OTHER", str(files["other"]))
    assert resolve(ctx, _who(ctx, "archivist"), "files", "HS.OTHER — Hồ sơ Hòa giải other") == files["other"]


def test_document_lookup_follows_the_policy(ctx: AppContext, staff: dict[str, str]) -> None:
    files = _files_in_two_units(ctx)
    seen = helpers.document(
        ctx, files["own"], code_number="12", code_notation="QĐ-UBND", subject="Về hòa giải", access_level="internal"
    )
    hidden = helpers.document(
        ctx,
        files["other"],
        code_number="13",
        code_notation="QĐ-UBND",
        subject="Về hòa giải ở nơi khác",
        access_level="internal",
    )
    secret = helpers.document(
        ctx,
        files["own"],
        code_number="14",
        code_notation="QĐ-UBND",
        subject="Mật",
        access_level="internal",
        secrecy="Mật",
    )
    clerk = lookup_documents(ctx, _who(ctx, "unit_clerk"), "QĐ-UBND")
    assert [c.id for c in clerk] == [seen]
    assert clerk[0].text == f"12/QĐ-UBND — Về hòa giải (#{seen})"
    admin = {c.id for c in lookup_documents(ctx, _who(ctx, "admin"), "QĐ-UBND")}
    assert admin == {seen, hidden}
    assert lookup_documents(ctx, _who(ctx, "admin"), f"#{secret}") == []
    assert [c.id for c in lookup_documents(ctx, _who(ctx, "admin"), f"#{hidden}")] == [hidden]
    assert resolve(ctx, _who(ctx, "admin"), "documents", f"13/QĐ-UBND — x (#{hidden})") == hidden
    with pytest.raises(NotFound):
        resolve(ctx, _who(ctx, "unit_clerk"), "documents", f"13/QĐ-UBND — x (#{hidden})")


# --- creating and editing a hồ sơ -------------------------------------------------------------------------


def _fonds(ctx: AppContext) -> int:
    return arrangement.create_fonds(ctx, "H26", "Phông UBND phường Thử", helpers.unit(ctx), actor="t")


def _form(token: str, **values: str) -> dict[str, str]:
    base = {
        "csrf_token": token,
        "fonds": "H26 — Phông UBND phường Thử",
        "notation": "01.TCCB",
        "title": "Hồ sơ tổ chức cán bộ năm 2024",
        "start_date": "05/03/2024",
        "end_date": "20/12/2024",
        "maintenance": "Vĩnh viễn",
        "access_level": "internal",
        "sheet_total": "12",
        "page_total": "",
        "description": "",
        "accession_id": "",
        "box": "",
    }
    return base | values


def test_the_arrangement_page_offers_a_create_form_and_pickers(ctx: AppContext, client: TestClient) -> None:
    helpers.login(client, "archivist")
    page = client.get("/arrangement").text
    assert 'href="/arrangement/files/new"' in page
    assert 'data-picker="units"' in page and 'data-picker="fonds"' in page
    assert '<select id="f-unitf"' not in page  # no 650-option unit list any more
    form = client.get("/arrangement/files/new")
    assert form.status_code == 200 and 'data-picker="fonds"' in form.text and 'name="notation"' in form.text


def test_a_file_is_created_with_the_standards_code_and_an_audit_event(ctx: AppContext, client: TestClient) -> None:
    fonds_id = _fonds(ctx)
    token = helpers.login(client, "archivist")
    made = client.post("/arrangement/files", data=_form(token, fonds="h26"), follow_redirects=False)
    assert made.status_code == 303, made.text[:500]
    page = client.get(made.headers["location"]).text
    assert "Đã tạo hồ sơ H26.2024.01.TCCB" in page
    with ctx.db.session() as session:
        file = session.execute(select(FileUnit).where(FileUnit.file_code == "H26.2024.01.TCCB")).scalar_one()
        assert (file.fonds_id, file.file_notation, file.permanent, file.sheet_total) == (fonds_id, "01.TCCB", True, 12)
        assert str(file.start_date) == "2024-03-05" and file.unit_id == helpers.unit(ctx)
        events = session.execute(select(Event.action).where(Event.entity_id == file.id)).scalars().all()
        assert "file.create" in events
    again = client.post("/arrangement/files", data=_form(token), follow_redirects=False)
    assert again.status_code == 400
    assert "Đã có hồ sơ mã H26.2024.01.TCCB" in again.text


def test_wrong_fields_are_said_next_to_them_and_nothing_is_saved(ctx: AppContext, client: TestClient) -> None:
    _fonds(ctx)
    token = helpers.login(client, "archivist")
    bad = client.post(
        "/arrangement/files",
        data=_form(
            token, fonds="không có", notation="01 TCCB", maintenance="lâu", start_date="31/02/2024", sheet_total="mười"
        ),
    )
    assert bad.status_code == 400
    for field in ("fonds", "notation", "maintenance", "start_date", "sheet_total"):
        assert re.search(rf'id="f-{field}"[^>]*aria-invalid="true"', bad.text), field
        assert f'id="e-{field}"' in bad.text, field
    assert "Không tìm thấy phông «không có»" in bad.text
    assert "Thời hạn bảo quản phải là «Vĩnh viễn» hoặc số năm" in bad.text
    assert 'value="01 TCCB"' in bad.text  # what was typed stays in the form
    short = client.post("/arrangement/files", data=_form(token, maintenance="3 năm"))
    assert short.status_code == 400 and "NĐ 30 Điều 31" in short.text
    with ctx.db.session() as session:
        assert session.execute(select(FileUnit.id)).first() is None


def test_a_unit_clerk_may_not_create_a_file(ctx: AppContext, client: TestClient) -> None:
    _fonds(ctx)
    token = helpers.login(client, "unit_clerk")
    assert client.get("/arrangement/files/new").status_code == 403
    assert client.post("/arrangement/files", data=_form(token)).status_code == 403


def test_the_file_page_moves_a_file_to_another_fonds_and_box(ctx: AppContext, client: TestClient) -> None:
    accession_id, (file_id,) = helpers.accession_with_files(ctx)
    other = arrangement.create_fonds(ctx, "K02", "Phông khác", None, actor="t")
    token = helpers.login(client, "archivist")
    page = client.get(f"/arrangement/files/{file_id}").text
    assert 'name="fonds"' in page and 'name="box"' in page
    saved = client.post(
        f"/arrangement/files/{file_id}",
        data={
            "csrf_token": token,
            "title": "Hồ sơ 1",
            "maintenance": "20 năm",
            "fonds": "K02 — Phông khác",
            "box": "3",
            "start_date": "",
            "end_date": "",
            "sheet_total": "2",
            "page_total": "2",
            "description": "",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text[:500]
    with ctx.db.session() as session:
        file = session.get(FileUnit, file_id)
        assert file is not None and file.fonds_id == other
        box = session.get(Box, file.box_id)
        assert box is not None and (box.accession_id, box.number) == (accession_id, "3")
    shown = client.get(f"/arrangement/files/{file_id}").text
    assert 'value="K02 — Phông khác"' in shown and 'value="3"' in shown


def test_a_fonds_is_created_for_a_unit_typed_by_name(ctx: AppContext, client: TestClient) -> None:
    unit_id = helpers.unit(ctx)
    token = helpers.login(client, "archivist")
    made = client.post(
        "/arrangement/fonds",
        data={"csrf_token": token, "code": "P9", "name": "Phông 9", "unit": "ubnd phuong thu", "unit_id": ""},
        follow_redirects=False,
    )
    assert made.status_code == 303
    with ctx.db.session() as session:
        assert session.execute(select(Fonds.unit_id).where(Fonds.code == "P9")).scalar_one() == unit_id
    unknown = client.post(
        "/arrangement/fonds", data={"csrf_token": token, "code": "P8", "name": "Phông 8", "unit": "phuong khong co"}
    )
    assert unknown.status_code == 404 or unknown.status_code == 400
    assert "Không tìm thấy đơn vị" in unknown.text and 'value="P8"' in unknown.text


def test_files_are_assigned_to_a_fonds_picked_by_code(ctx: AppContext, client: TestClient) -> None:
    _, (file_id,) = helpers.accession_with_files(ctx)
    fonds_id = _fonds(ctx)
    token = helpers.login(client, "archivist")
    done = client.post(
        "/arrangement/files/assign",
        data={"csrf_token": token, "fonds": "H26", "fonds_id": "", "file_ids": str(file_id)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    with ctx.db.session() as session:
        file = session.get(FileUnit, file_id)
        assert file is not None and file.fonds_id == fonds_id


def test_admin_access_takes_the_picked_file(ctx: AppContext, client: TestClient) -> None:
    _, (file_id,) = helpers.accession_with_files(ctx)
    with ctx.db.session() as session:
        code = session.get(FileUnit, file_id).file_code  # type: ignore[union-attr]
    token = helpers.login(client, "admin")
    page = client.get("/admin/access").text
    assert 'data-picker="files"' in page
    changed = client.post(
        "/admin/access/level",
        data={
            "csrf_token": token,
            "file_id": f"{code} — Hồ sơ 1",
            "file_pick": str(file_id),
            "level": "conditional",
            "reason": "Thử",
        },
    )
    assert changed.status_code == 200 and 'id="access-result"' in changed.text
    with ctx.db.session() as session:
        assert session.get(FileUnit, file_id).access_level == "conditional"  # type: ignore[union-attr]
    titled = client.post(
        "/admin/access/grants",
        data={"csrf_token": token, "file_id": "hồ sơ 1", "username": "archivist", "days": "5", "reason": "Thử"},
    )
    assert titled.status_code == 200 and code in titled.text


def test_an_accession_is_created_for_a_unit_picked_or_typed(ctx: AppContext, client: TestClient) -> None:
    unit_id = helpers.unit(ctx)
    token = helpers.login(client, "archivist")
    page = client.get("/intake").text
    assert 'data-picker="units"' in page and '<select id="f-unit"' not in page
    made = client.post(
        "/intake/accessions",
        data={"csrf_token": token, "unit": "ubnd phuong thu", "unit_id": "", "title": "Đợt 1"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    unknown = client.post("/intake/accessions", data={"csrf_token": token, "unit": "không có", "title": "Đợt 2"})
    assert unknown.status_code == 400 and "Không tìm thấy đơn vị «không có»" in unknown.text
    assert 'value="không có"' in unknown.text
    with ctx.db.session() as session:
        assert session.execute(select(Accession.unit_id)).scalars().all() == [unit_id]


def test_a_unit_clerk_keeps_the_own_unit_list(ctx: AppContext, client: TestClient) -> None:
    other = helpers.unit(ctx, "000.00.00.H26.T2", "UBND phường Khác")
    token = helpers.login(client, "unit_clerk")
    page = client.get("/intake").text
    assert '<select id="f-unit"' in page and "UBND phường Khác" not in page
    refused = client.post("/intake/accessions", data={"csrf_token": token, "unit": "UBND phường Khác", "title": "Đợt"})
    assert refused.status_code == 403
    assert (
        client.post("/intake/accessions", data={"csrf_token": token, "unit_id": str(other), "title": "Đợt"}).status_code
        == 403
    )
