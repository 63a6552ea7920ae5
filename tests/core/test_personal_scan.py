"""Recording the personal data of a document (its page words with boxes, its subject) and `sohoa personal-data
scan`: the signer and issuing organ are left out, a reviewer's 'shown' decision and own values survive a rescan,
the scan is idempotent and reindexes the document so that nobody finds it by a masked value."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from sohoa.cli.main import app
from sohoa.db.models import Document, PersonalDatum
from sohoa.domain.personal import PersonalKind
from sohoa.services.catalogue.documents import view_document
from sohoa.services.catalogue.personal_data import record_document_personal_data
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.production.personal_scan import scan_personal_data
from sohoa.services.production.review import update_fields
from sohoa.settings import Settings
from tests.shared._personal_doc import CCCD, NAME, PHONE, SIGNER, PersonalDoc, build_personal_doc


@pytest.fixture
def record(any_ctx: AppContext) -> PersonalDoc:
    with any_ctx.db.session() as session:
        return build_personal_doc(any_ctx, session)


def _rows(ctx: AppContext, document_id: int) -> list[PersonalDatum]:
    with ctx.db.session() as session:
        return list(session.scalars(select(PersonalDatum).where(PersonalDatum.document_id == document_id)
                                    .order_by(PersonalDatum.id)))


def test_a_document_is_recorded_with_boxes_without_its_signer(any_ctx: AppContext, record: PersonalDoc) -> None:
    with any_ctx.db.session() as session:
        count = record_document_personal_data(session, any_ctx.store, session.get_one(Document, record.document_id))
    rows = _rows(any_ctx, record.document_id)
    assert count == len(rows)
    found = {(r.kind, r.value) for r in rows}
    assert {("name", NAME), ("cccd", CCCD), ("phone", PHONE)} <= found
    assert PersonalKind.PARCEL.value in {r.kind for r in rows}
    assert not any(SIGNER in r.value or r.value == "Hàng Trống" for r in rows)
    name = next(r for r in rows if r.kind == "name")
    assert name.page_no == 1 and name.boxes and all(len(b) == 5 and b[0] == 1 for b in name.boxes)
    assert len({(r.kind, r.normalized) for r in rows}) == len(rows)  # each value once (page and subject)


def test_scan_keeps_decisions_is_idempotent_and_reindexes(any_ctx: AppContext, record: PersonalDoc) -> None:
    assert search(any_ctx, None, SearchRequest(query=CCCD)).total == 0  # the fixture never indexed it
    first = scan_personal_data(any_ctx, [record.document_id])
    assert first.documents == 1 and first.by_kind["cccd"] == 1 and first.by_kind["name"] >= 1
    with any_ctx.db.session() as session:
        phone = session.scalars(select(PersonalDatum).where(PersonalDatum.document_id == record.document_id,
                                                            PersonalDatum.kind == "phone")).one()
        phone.status, phone.decided_by = "shown", "reviewer"
        session.add(PersonalDatum(document_id=record.document_id, page_no=1, kind="address", value="Hàng Trống",
                                  normalized="hang trong", source="reviewer", status="masked",
                                  boxes=[[1, 0, 0, 10, 10]]))
    before = {(r.id, r.kind, r.normalized, r.status, r.source) for r in _rows(any_ctx, record.document_id)}
    again = scan_personal_data(any_ctx, after=0)
    assert again.documents == 1 and again.by_kind == first.by_kind + Counter({"address": 1})
    after = {(r.id, r.kind, r.normalized, r.status, r.source) for r in _rows(any_ctx, record.document_id)}
    assert after == before  # same rows, the 'shown' decision and the reviewer's value kept
    text = view_document(any_ctx, None, record.document_id).text
    assert PHONE in text and CCCD not in text and NAME not in text and "Hàng Trống" not in text
    assert search(any_ctx, None, SearchRequest(query="giao đất")).total == 1
    assert search(any_ctx, None, SearchRequest(query=CCCD)).total == 0
    assert search(any_ctx, None, SearchRequest(query=PHONE)).total == 1  # shown: findable again


def test_the_command_scans_and_counts_by_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_DATA", str(tmp_path))
    ctx = open_context(Settings(data=tmp_path))
    try:
        with ctx.db.session() as session:
            built = build_personal_doc(ctx, session)
    finally:
        ctx.close()
    runner = CliRunner()
    assert runner.invoke(app, ["personal-data", "scan"]).exit_code == 2
    done = runner.invoke(app, ["personal-data", "scan", "--all"])
    assert done.exit_code == 0, done.output
    assert "số CCCD / citizen ID number: 1" in done.output and "scanned 1" in done.output
    one = runner.invoke(app, ["personal-data", "scan", "--document", str(built.document_id)])
    assert one.exit_code == 0 and "scanned 1" in one.output
    assert runner.invoke(app, ["personal-data", "scan", "--document", "999"]).exit_code != 0


def test_a_corrected_subject_is_read_again_for_personal_data(any_ctx: AppContext, record: PersonalDoc) -> None:
    scan_personal_data(any_ctx, [record.document_id])
    errors = update_fields(any_ctx, record.document_id, {"subject": "Về việc giao đất cho bà Trần Thị Hoa"},
                           actor="reviewer")
    assert errors == {}
    assert ("name", "tran thi hoa") in {(r.kind, r.normalized) for r in _rows(any_ctx, record.document_id)}
    subject = str(view_document(any_ctx, None, record.document_id).fields["subject"])
    assert "Trần Thị Hoa" not in subject and "[đã che: họ tên]" in subject
    assert search(any_ctx, None, SearchRequest(query="Trần Thị Hoa")).total == 0
