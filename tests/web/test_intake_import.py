"""Intake changes nothing silently: numbers as typed, validate-only checks, spreadsheets, re-import confirmation."""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from sohoa.db.models import Accession, Event, FileUnit, InventoryUpload, ReceivedFile
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.inventory import InventoryRow, map_header, validate_rows
from sohoa.services.platform.context import AppContext
from sohoa.services.production import intake
from sohoa.services.production.intake_inventory import read_inventory, stage_upload, staged_upload
from sohoa.services.production.intake_reimport import inventory_diff
from sohoa.services.production.intake_workbooks import error_report_xlsx
from sohoa.web.labels import label

from . import _helpers as helpers
from .test_intake import GOOD, with_errors, xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _accession(ctx: AppContext, title: str = "Đợt kiểm tra") -> int:
    return intake.create_accession(ctx, helpers.unit(ctx), title, actor="admin").id


def _upload(client: TestClient, token: str, acc_id: int, body: bytes, action: str = "import") -> str:
    files = {"inventory": ("muc-luc.xlsx", body, XLSX_TYPE)}
    page = client.post(
        f"/intake/accessions/{acc_id}/inventory", data={"csrf_token": token, "action": action}, files=files
    )
    return page.text


def _counts(ctx: AppContext) -> tuple[int, int, int, int]:
    with ctx.db.session() as session:
        return tuple(  # type: ignore[return-value]
            session.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (FileUnit, InventoryUpload, Event, Accession)
        )


def _pdf_text(client: TestClient, acc_id: int, tmp_path: Path) -> str:
    pdf = client.get(f"/intake/accessions/{acc_id}/handover.pdf")
    assert pdf.status_code == 200
    (tmp_path / "b.pdf").write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "b.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())  # lines wrapped anywhere


def test_shelf_metres_typed_with_a_comma_reach_the_handover_record(
    ctx: AppContext, client: TestClient, tmp_path: Path
) -> None:
    token = helpers.login(client, "archivist")
    acc_id = _accession(ctx)
    client.post(f"/intake/accessions/{acc_id}/boxes", data={"number": "1", "csrf_token": token})
    saved = client.post(f"/intake/accessions/{acc_id}/handover", data={"shelf_metres": "0,5", "csrf_token": token})
    assert saved.status_code == 200 and "Đã lưu biên bản giao nhận" in saved.text
    assert "quy ra mét giá: 0,5 m" in _pdf_text(client, acc_id, tmp_path)  # was "0.10 m": one box's default

    refused = client.post(
        f"/intake/accessions/{acc_id}/handover",
        data={"shelf_metres": "1,234", "giver_name": "Nguyễn Văn An", "csrf_token": token},
    )
    assert refused.status_code == 400
    assert "Mét giá" in refused.text and "có thể là" in refused.text
    assert 'value="Nguyễn Văn An"' in refused.text and 'value="1,234"' in refused.text  # what was typed, kept
    assert intake.get_accession(ctx, acc_id).handover["shelf_metres"] == "0,5"  # nothing saved

    client.post(f"/intake/accessions/{acc_id}/handover", data={"shelf_metres": "", "csrf_token": token})
    assert "quy ra mét giá: 0,1 m" in _pdf_text(client, acc_id, tmp_path)  # 10 cm a box when left blank


def test_counts_typed_with_separators_or_refused_never_dropped(ctx: AppContext, client: TestClient) -> None:
    token = helpers.login(client, "archivist")
    unit_id = helpers.unit(ctx)
    before = _counts(ctx)
    refused = client.post(
        "/intake/accessions",
        data={"unit_id": unit_id, "title": "Đợt lẻ", "planned_pages": "12,5", "csrf_token": token},
    )
    assert refused.status_code == 400 and "Số trang kế hoạch" in refused.text
    assert 'value="Đợt lẻ"' in refused.text
    assert _counts(ctx)[3] == before[3]  # no accession with a silently blank plan
    zero = client.post(
        "/intake/accessions", data={"unit_id": unit_id, "title": "Đợt", "planned_pages": "0", "csrf_token": token}
    )
    assert zero.status_code == 400 and "phải lớn hơn 0" in zero.text

    client.post(
        "/intake/accessions",
        data={"unit_id": unit_id, "title": "Đợt lớn", "planned_pages": "1.200", "csrf_token": token},
    )
    acc = intake.list_accessions(ctx)[0]
    assert acc.title == "Đợt lớn" and acc.planned_pages == 1200

    bad = client.post(
        f"/intake/accessions/{acc.id}/receipts", data={"notation": "01.VP", "sheets": "mười", "csrf_token": token}
    )
    assert bad.status_code == 400 and "Số tờ đếm được" in bad.text
    with ctx.db.session() as session:
        assert session.execute(select(func.count()).select_from(ReceivedFile)).scalar_one() == 0


def test_inventory_counts_read_thousands_groups() -> None:
    row = InventoryRow(2, "1", "01.VP", "T", "2019", "10 năm", "1.200", "2.400", "")
    reports = validate_rows([row])
    assert {i.code for i in reports[0].issues} == {"bad_date"}  # (no parsed dates given) but the counts pass
    fraction = InventoryRow(2, "1", "01.VP", "T", "2019", "10 năm", "12,5", "", "")
    assert "not_number" in {i.code for i in validate_rows([fraction])[0].issues}


def test_validate_only_changes_nothing_and_offers_the_error_report(ctx: AppContext, client: TestClient) -> None:
    token = helpers.login(client, "archivist")
    acc_id = _accession(ctx)
    before = _counts(ctx)
    page = _upload(client, token, acc_id, xlsx(with_errors()), action="validate")
    assert "4 dòng lỗi" in page and "Chỉ kiểm tra, chưa nhập" in page
    assert "bad_retention" not in re.sub(r'title="[^"]*"', "", page)  # the codes are named in words
    assert _counts(ctx) == before  # no file, no upload record, no audit event
    assert intake.latest_upload(ctx, acc_id) is None

    link = re.search(r'href="(/intake/accessions/\d+/inventory/[0-9a-f]{64}/report\.xlsx)"', page)
    assert link is not None
    report = client.get(link.group(1))
    assert report.status_code == 200 and report.headers["content-type"] == XLSX_TYPE
    sheet = load_workbook(io.BytesIO(report.content)).worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["C"].width == 60
    rows = [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]
    assert rows[0][-1] == "Lỗi (Errors)" and map_header(rows[0])  # the report reads back as an inventory
    assert rows[1][1] == "01.VP" and rows[1][-1] == ""
    assert rows[3][1] == "01.VP" and "Trùng số, ký hiệu hồ sơ với dòng 4" in rows[3][-1]
    assert rows[4][1] == "04 VP?" and "Thời hạn bảo quản phải là «Vĩnh viễn» hoặc số năm" in rows[4][-1]
    assert len(rows) == 1 + len(with_errors())

    valid = _upload(client, token, acc_id, xlsx(GOOD), action="validate")
    assert "Mục lục hợp lệ. Chưa nhập gì" in valid
    assert _counts(ctx) == before


def test_the_template_opens_and_imports(ctx: AppContext, client: TestClient) -> None:
    token = helpers.login(client, "archivist")
    response = client.get("/intake/inventory-template.xlsx")
    assert response.status_code == 200 and response.headers["content-type"] == XLSX_TYPE
    book = load_workbook(io.BytesIO(response.content))
    sheet, notes = book.worksheets
    assert sheet.freeze_panes == "A2" and notes.title == "Hướng dẫn"
    header = [c.value for c in sheet[1]]
    assert set(map_header(header)) == {"seq", "notation", "title", "time", "retention", "sheets", "pages", "note"}
    assert sheet.max_row == 1  # no example row to import by mistake: the example is on the notes sheet
    assert any("Vĩnh viễn" in (v.formula1 or "") for v in sheet.data_validations.dataValidation)
    assert "01.VP" in [c.value for row in notes.iter_rows() for c in row]
    for row in GOOD:  # filled in the template's columns (Số tờ and Số trang apart)
        sheets, pages = str(row[5]).split("/")
        sheet.append([*row[:5], sheets, pages, row[6]])
    out = io.BytesIO()
    book.save(out)
    acc_id = _accession(ctx)
    _upload(client, token, acc_id, out.getvalue())
    assert [f.file_notation for f in intake.inventory_files(ctx, acc_id)] == ["01.VP", "02.VP", "03.TCCB"]


CHANGED = [
    [1, "01.VP", "Hồ sơ hội nghị tổng kết năm 2019 (bổ sung)", "2019", "Vĩnh viễn", "14/28", ""],
    [3, "03.TCCB", "Hồ sơ cán bộ", "2020", "70 năm", "8/16", "Bản chính"],
    [4, "04.VP", "Hồ sơ thi đua khen thưởng", "2021", "20 năm", "5/10", ""],
]


def test_reimport_lists_its_changes_and_applies_exactly_them_on_confirm(ctx: AppContext, client: TestClient) -> None:
    token = helpers.login(client, "archivist")
    acc_id = _accession(ctx)
    _upload(client, token, acc_id, xlsx(GOOD))
    first = {f.file_notation: f.id for f in intake.inventory_files(ctx, acc_id)}
    before = _counts(ctx)

    page = _upload(client, token, acc_id, xlsx(CHANGED))
    assert "Xác nhận nhập lại mục lục" in page
    added = re.search(r'<ul id="diff-added">(.*?)</ul>', page, re.S)
    removed = re.search(r'<ul id="diff-removed">(.*?)</ul>', page, re.S)
    changed = re.search(r'<table id="diff-changed">(.*?)</table>', page, re.S)
    assert added and "04.VP" in added.group(1) and "01.VP" not in added.group(1)
    assert removed and "02.VP" in removed.group(1) and "không thể bỏ" not in removed.group(1)
    assert changed and "03.TCCB" not in changed.group(1)
    assert "<del>Hồ sơ hội nghị tổng kết năm 2019</del>" in changed.group(1)
    assert "<ins>Hồ sơ hội nghị tổng kết năm 2019 (bổ sung)</ins>" in changed.group(1)
    assert "<del>12</del>" in changed.group(1) and "<ins>14</ins>" in changed.group(1)
    assert _counts(ctx) == before  # nothing changed before the confirmation

    hidden = dict(re.findall(r'<input type="hidden" name="(token|digest|filename)" value="([^"]*)">', page))
    done = client.post(f"/intake/accessions/{acc_id}/inventory/confirm", data={**hidden, "csrf_token": token})
    assert done.status_code == 200 and "Đã nhập lại mục lục: thêm 1, sửa 1, bỏ 1 hồ sơ" in done.text
    files = {f.file_notation: f for f in intake.inventory_files(ctx, acc_id)}
    assert sorted(files) == ["01.VP", "03.TCCB", "04.VP"]
    assert files["01.VP"].id == first["01.VP"] and files["01.VP"].sheet_total == 14  # updated, not recreated
    assert files["01.VP"].title.endswith("(bổ sung)") and files["03.TCCB"].id == first["03.TCCB"]
    with ctx.db.session() as session:
        event = session.execute(select(Event).where(Event.action == "inventory.reimport")).scalar_one()
    assert event.payload is not None
    assert event.payload["added"] == ["04.VP"] and event.payload["removed"] == ["02.VP"]
    assert event.payload["changed"] == {"01.VP": ["title", "sheet_total", "page_total"]}

    again = client.post(f"/intake/accessions/{acc_id}/inventory/confirm", data={**hidden, "csrf_token": token})
    assert again.status_code == 400  # the list it was shown is spent: a second confirm changes nothing
    assert sorted(f.file_notation for f in intake.inventory_files(ctx, acc_id)) == ["01.VP", "03.TCCB", "04.VP"]


def test_reimport_never_removes_a_file_with_work(ctx: AppContext, client: TestClient) -> None:
    token = helpers.login(client, "archivist")
    acc_id = _accession(ctx)
    _upload(client, token, acc_id, xlsx(GOOD))
    client.post(f"/intake/accessions/{acc_id}/boxes", data={"number": "1", "csrf_token": token})
    client.post(
        f"/intake/accessions/{acc_id}/receipts",
        data={"notation": "02.VP", "sheets": "30", "box_number": "1", "csrf_token": token},
    )
    body = xlsx(CHANGED)
    page = _upload(client, token, acc_id, body)
    removed = re.search(r'<ul id="diff-removed">(.*?)</ul>', page, re.S)
    assert removed and "không thể bỏ" in removed.group(1) and "1 lần ghi nhận đã nhận" in removed.group(1)
    assert "/inventory/confirm" not in page  # no confirm button

    with ctx.db.session() as session:  # a hand-made confirmation of that very list is refused too
        acc = session.get(Accession, acc_id)
        assert acc is not None
        diff = inventory_diff(session, acc, read_inventory("x.xlsx", body))
    forced = client.post(
        f"/intake/accessions/{acc_id}/inventory/confirm",
        data={"token": hashlib.sha256(body).hexdigest(), "digest": diff.digest, "csrf_token": token},
    )
    assert forced.status_code == 400 and "02.VP" in forced.text
    assert sorted(f.file_notation for f in intake.inventory_files(ctx, acc_id)) == ["01.VP", "02.VP", "03.TCCB"]


def test_a_confirmation_for_a_list_that_has_changed_is_refused(ctx: AppContext, client: TestClient) -> None:
    token = helpers.login(client, "archivist")
    acc_id = _accession(ctx)
    _upload(client, token, acc_id, xlsx(GOOD))
    page = _upload(client, token, acc_id, xlsx(CHANGED))
    hidden = dict(re.findall(r'<input type="hidden" name="(token|digest|filename)" value="([^"]*)">', page))
    client.post(  # meanwhile 02.VP is received: the list shown (remove 02.VP) no longer holds
        f"/intake/accessions/{acc_id}/receipts", data={"notation": "02.VP", "sheets": "30", "csrf_token": token}
    )
    stale = client.post(f"/intake/accessions/{acc_id}/inventory/confirm", data={**hidden, "csrf_token": token})
    assert stale.status_code == 400 and "đã thay đổi từ lúc kiểm tra" in stale.text
    assert sorted(f.file_notation for f in intake.inventory_files(ctx, acc_id)) == ["01.VP", "02.VP", "03.TCCB"]


def test_a_reimport_that_only_adds_files_asks_too(ctx: AppContext, client: TestClient) -> None:
    token = helpers.login(client, "archivist")
    acc_id = _accession(ctx)
    _upload(client, token, acc_id, xlsx(GOOD))
    more = [*GOOD, [4, "04.VP", "Hồ sơ thi đua khen thưởng", "2021", "20 năm", "5/10", ""]]
    page = _upload(client, token, acc_id, xlsx(more))
    added = re.search(r'<ul id="diff-added">(.*?)</ul>', page, re.S)
    assert added and "04.VP" in added.group(1) and "diff-removed" not in page and "diff-changed" not in page
    assert len(intake.inventory_files(ctx, acc_id)) == 3
    hidden = dict(re.findall(r'<input type="hidden" name="(token|digest|filename)" value="([^"]*)">', page))
    client.post(f"/intake/accessions/{acc_id}/inventory/confirm", data={**hidden, "csrf_token": token})
    assert len(intake.inventory_files(ctx, acc_id)) == 4
    same = _upload(client, token, acc_id, xlsx(more))  # the same inventory again: nothing to confirm
    assert "Xác nhận nhập lại mục lục" not in same and "Mục lục hợp lệ, đã đăng ký 4 hồ sơ" in same


def test_the_reimport_list_reads_in_english(ctx: AppContext, client: TestClient) -> None:
    token = helpers.login(client, "archivist")
    client.get("/lang/en")
    acc_id = _accession(ctx)
    _upload(client, token, acc_id, xlsx(GOOD))
    page = _upload(client, token, acc_id, xlsx(CHANGED))
    for words in ("Confirm the re-import", "Files to add", "Files to change", "Files to remove", "File title"):
        assert words in page, words
    assert "Hồ sơ sẽ" not in page and "Tiêu đề hồ sơ</td>" not in page
    hidden = dict(re.findall(r'<input type="hidden" name="(token|digest|filename)" value="([^"]*)">', page))
    done = client.post(f"/intake/accessions/{acc_id}/inventory/confirm", data={**hidden, "csrf_token": token})
    assert "Inventory re-imported: 1 file(s) added, 1 changed, 1 removed" in done.text
    assert label("audit", "inventory.reimport", "en") == "Inventory re-imported (confirmed)"


def test_reimport_service_on_sqlite_and_postgresql(any_ctx: AppContext) -> None:
    acc = intake.create_accession(any_ctx, helpers.unit(any_ctx), "Đợt", actor="admin")
    first = intake.upload_inventory(any_ctx, acc.id, "a.xlsx", xlsx(GOOD), actor="admin")
    assert first.accepted and not first.pending
    intake.record_received_file(any_ctx, acc.id, "03.TCCB", 8, actor="admin")
    body = xlsx(CHANGED[:1] + CHANGED[2:])  # leaves out 02.VP (no work) and 03.TCCB (received)
    pending = intake.upload_inventory(any_ctx, acc.id, "b.xlsx", body, actor="admin")
    assert pending.diff is not None and pending.upload_id is None
    assert [(r.notation, bool(r.work)) for r in pending.diff.removed] == [("02.VP", False), ("03.TCCB", True)]
    with pytest.raises(ValidationFailed):
        intake.confirm_reimport(any_ctx, acc.id, pending.token, pending.diff.digest, actor="admin")
    assert len(intake.inventory_files(any_ctx, acc.id)) == 3
    keep = xlsx(CHANGED)  # keeps 03.TCCB: 02.VP goes, 04.VP comes, 01.VP changes
    ready = intake.upload_inventory(any_ctx, acc.id, "c.xlsx", keep, actor="admin")
    assert ready.diff is not None and not ready.diff.blocked
    intake.confirm_reimport(any_ctx, acc.id, ready.token, ready.diff.digest, actor="admin")
    assert sorted(f.file_notation or "" for f in intake.inventory_files(any_ctx, acc.id)) == [
        "01.VP",
        "03.TCCB",
        "04.VP",
    ]


def test_staged_uploads_are_named_by_content_and_expire(ctx: AppContext) -> None:
    body = xlsx(GOOD)
    token = stage_upload(ctx, "muc-luc.xlsx", body)
    assert token == hashlib.sha256(body).hexdigest() and stage_upload(ctx, "again.xlsx", body) == token
    assert staged_upload(ctx, token) == (f"{token}.xlsx", body)
    for bad in ("../secret.key", token[:-1], token.upper()):
        with pytest.raises(NotFound):
            staged_upload(ctx, bad)
    path = ctx.settings.data / "intake-staging" / f"{token}.xlsx"
    os.utime(path, (0, 0))  # older than the staging days
    stage_upload(ctx, "other.csv", "Số TT;Số, ký hiệu hồ sơ;Tiêu đề hồ sơ\n".encode())
    with pytest.raises(NotFound):
        staged_upload(ctx, token)


def test_the_error_report_speaks_the_page_language() -> None:
    rows = read_inventory("a.xlsx", xlsx(with_errors()))
    reports = validate_rows(rows)
    book = load_workbook(io.BytesIO(error_report_xlsx(reports, "en"))).worksheets[0]
    errors = [str(row[-1] or "") for row in book.iter_rows(min_row=2, values_only=True)]
    assert "Same file number as line 4" in errors[2] and "Retention must be" in errors[3]
    assert not any("Thời hạn" in text for text in errors)
    vietnamese = load_workbook(io.BytesIO(error_report_xlsx(reports))).worksheets[0]
    assert "Trùng số, ký hiệu hồ sơ" in str(vietnamese.cell(4, vietnamese.max_column).value)
