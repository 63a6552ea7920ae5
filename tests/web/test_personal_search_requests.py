"""Data subject requests (sohoa.services.catalogue.subject_requests): recorded with a due date, the subject found
through the entity index (audited with the request's code), corrections beside the value (nothing altered),
restrictions, the answer and its workbook (no other person's data), who sees which request."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from sohoa.db.models import Document, Event, PersonalDatum
from sohoa.domain.errors import Conflict, NotFound, ValidationFailed
from sohoa.services.catalogue import subject_requests as sr
from sohoa.services.catalogue.index_docs import document_index_doc
from sohoa.services.catalogue.personal_search import search_people
from sohoa.services.catalogue.subject_request_export import export_answer
from sohoa.services.platform.context import AppContext
from sohoa.settings import Settings
from tests._profiles import PROFILES

from ._personal_world import CCCD, NAME, PersonalWorld, build_personal_world, personal_context


@pytest.fixture(params=PROFILES)
def ctx(request: pytest.FixtureRequest, settings: Settings) -> Iterator[AppContext]:
    """The module's tests on SQLite and on the cluster profile (PostgreSQL, objects in S3)."""
    yield from personal_context(request, settings)


@pytest.fixture
def world(ctx: AppContext) -> PersonalWorld:
    return build_personal_world(ctx)


def _actions(ctx: AppContext, prefix: str) -> list[Event]:
    with ctx.db.session() as session:
        return list(session.execute(select(Event).where(Event.action.like(f"{prefix}%")).order_by(Event.id)).scalars())


def test_a_request_is_due_after_the_configured_hours_and_seen_by_its_lineage(
        ctx: AppContext, world: PersonalWorld) -> None:
    officer = world.principal("ward_officer", "unit_officer", "ward")
    received = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    code = sr.create_request(ctx, officer, sr.NewRequest("access", "  Nguyễn   Văn Thuận ", "Nguyễn Văn Thuận",
                                                         subject_id_number="001 085 012 345", received_at=received))
    (row,) = sr.list_requests(ctx, officer)
    assert row.code == code and row.subject_name == NAME and row.unit_name == "Phường Thử Mới"
    assert row.due_at == received + timedelta(hours=ctx.settings.subject_request_hours) and row.overdue
    assert sr.list_requests(ctx, world.principal("other_officer", "unit_officer", "other")) == []
    with pytest.raises(NotFound):
        sr.get_request(ctx, world.principal("other_officer", "unit_officer", "other"), code)
    assert [r.code for r in sr.list_requests(ctx, world.principal("archivist", "archivist"))] == [code]
    (event,) = _actions(ctx, "subject_request.create")
    assert event.payload is not None and event.payload["code"] == code
    assert NAME not in str(event.payload)  # the log names the request, not the person
    for bad in (sr.NewRequest("erase", NAME, "x"), sr.NewRequest("access", " ", "x"),
                sr.NewRequest("access", NAME, "x", subject_id_number="12345")):
        with pytest.raises(ValidationFailed):
            sr.create_request(ctx, officer, bad)


def test_find_correct_restrict_answer_and_export(ctx: AppContext, world: PersonalWorld) -> None:
    archivist = world.principal("archivist", "archivist")
    code = sr.create_request(ctx, archivist, sr.NewRequest("correction", NAME, "Nguyễn Văn Thuận",
                                                           subject_id_number=CCCD, unit_id=world.units["ward"]))
    by_name, by_number = sr.find_for_request(ctx, archivist, code)
    assert {r.document_id for g in by_name.groups for r in g.records} == {world.docs["land"], world.docs["allowance"]}
    assert {r.document_id for g in by_number.groups for r in g.records} == {world.docs["land"]}
    searches = _actions(ctx, "personal.search")
    assert len(searches) == 2 and all(code in str(e.payload["purpose"]) for e in searches if e.payload)

    land, cccd = world.docs["land"], world.data["land_cccd"]
    first = sr.add_found(ctx, archivist, code, land, world.data["land_name"])
    assert sr.add_found(ctx, archivist, code, land, world.data["land_name"]) == first  # once
    with pytest.raises(ValidationFailed):  # a value of another document
        sr.add_found(ctx, archivist, code, world.docs["allowance"], cccd)
    sr.add_found(ctx, archivist, code, land, cccd)
    sr.record_correction(ctx, archivist, code, cccd, "001085012346", "Giấy khai sinh bản chính")
    with ctx.db.session() as session:
        datum = session.get(PersonalDatum, cccd)
        assert datum is not None and datum.value == "001 085 012 345"  # the value found is kept as it is
        doc = session.get(Document, land)
        assert doc is not None and "001085012346" not in doc.text
    # staff see the correction beside the value in the entity index
    found = search_people(ctx, archivist, CCCD, purpose="Kiểm tra cải chính dữ liệu")
    assert found.groups[0].records[0].corrections == ("001085012346",)

    sr.record_restriction(ctx, archivist, code, world.data["land_parcel"], "Chủ thể yêu cầu hạn chế")
    assert search_people(ctx, archivist, "thửa 123 tờ 45", purpose="Kiểm tra hạn chế xử lý").total == 0
    assert search_people(ctx, world.principal("admin", "admin"), "123/45", purpose="Kiểm tra hạn chế xử lý").total == 1
    view = sr.get_request(ctx, archivist, code)
    assert [i.action for i in view.items] == ["found", "found", "correction", "restriction"]
    assert view.items[-1].value == "[đã che: thửa đất]"  # masked for everyone but administrators

    with pytest.raises(ValidationFailed):
        sr.answer_request(ctx, archivist, code, "answered", "  ")
    sr.answer_request(ctx, archivist, code, "answered", "Đã ghi nhận cải chính số CCCD bên cạnh dữ liệu gốc.")
    with pytest.raises(Conflict):
        sr.record_restriction(ctx, archivist, code, cccd)
    assert [e.payload["action"] for e in _actions(ctx, "subject_request.item") if e.payload] == [
        "found", "found", "correction", "restriction"]
    assert len(_actions(ctx, "subject_request.answer")) == 1

    content, media, name = export_answer(ctx, archivist, code)
    (exported,) = _actions(ctx, "subject_request.export")
    assert exported.actor == "archivist" and exported.payload == {"code": code, "records": 1}
    assert name == f"tra-loi-{code}.xlsx" and media.endswith("sheet")
    cells = [str(c) for row in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)
             for c in row if c is not None]
    assert "001 085 012 345" in cells and "001085012346" in cells and NAME in cells
    assert "Đã trả lời" in cells and "12/QĐ-UBND" in cells
    assert not any("Thuần" in c or "Thuận Hòa" in c or "0912" in c for c in cells)  # nobody else's data
    assert not any("giao đất" in c for c in cells)  # no trích yếu


def test_a_restriction_masks_a_value_the_reviewer_had_shown_in_the_shared_search_index(
        ctx: AppContext, world: PersonalWorld) -> None:
    """A value set to 'shown' is in the shared index in clear; restricting it reindexes the document at once."""
    archivist = world.principal("archivist", "archivist")
    land = world.docs["land"]

    def found(query: str) -> set[int]:
        with ctx.db.session() as session:
            return {hit.document_id for hit in ctx.index.search(session, query).hits}

    with ctx.db.session() as session:
        doc = session.get_one(Document, land)
        doc.text = f"Giao đất ở cho ông {NAME}."
        datum = session.get_one(PersonalDatum, world.data["land_name"])
        datum.status = "shown"  # a reviewer decided it is not personal data
        session.flush()
        ctx.index.upsert(session, document_index_doc(doc))
    assert land in found("Thuận")
    code = sr.create_request(ctx, archivist, sr.NewRequest("restriction", NAME, NAME, unit_id=world.units["ward"]))
    sr.record_correction(ctx, archivist, code, world.data["land_cccd"], "001085012346")
    assert land in found("Thuận")  # a correction changes nothing indexed
    sr.record_restriction(ctx, archivist, code, world.data["land_name"], "Chủ thể yêu cầu hạn chế")
    assert land not in found("Thuận")
    assert land in found("giao đất")  # the document is still indexed, its other words found


def test_who_sees_every_request_follows_the_permission_table(ctx: AppContext, world: PersonalWorld) -> None:
    """Archive staff holding personal.search (admin, archivist) see every unit's requests; archive roles without it
    (coordinator, QC inspector) see only those they recorded, like any principal."""
    officer = world.principal("ward_officer", "unit_officer", "ward")
    code = sr.create_request(ctx, officer, sr.NewRequest("access", NAME, NAME))
    for role in ("admin", "archivist"):
        assert [r.code for r in sr.list_requests(ctx, world.principal(role, role))] == [code]
    for role in ("coordinator", "qc_inspector"):
        assert sr.list_requests(ctx, world.principal(role, role)) == []
        with pytest.raises(NotFound):
            sr.get_request(ctx, world.principal(role, role), code)
