"""One date format and one time zone per user (#17 item 9): dd/mm/yyyy and HH:MM on the local clock in the
pages, the audit log readable (local time, no microseconds, Vietnamese letters, named actions), the audit
export in ISO 8601 with the local offset, workbooks with real dates, a bold frozen header and fitted widths."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from sohoa.domain.cells import DATE_FORMAT, DATETIME_FORMAT
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.web.formats import format_date, format_datetime
from sohoa.web.labels import label, plural

from . import _helpers as helpers

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def test_dates_and_times_read_dd_mm_yyyy_on_the_local_clock() -> None:
    stored = datetime(2026, 4, 19, 18, 30, 5, 123456)  # UTC, as SQLite gives it back (no zone)
    assert format_datetime(stored, HANOI) == "20/04/2026 01:30"
    assert format_datetime(stored.replace(tzinfo=UTC).isoformat(), HANOI, seconds=True) == "20/04/2026 01:30:05"
    assert format_date(stored, HANOI) == "20/04/2026"  # the local day, not the UTC one
    assert format_date(date(2026, 4, 19)) == "19/04/2026"
    assert format_date("2026-04-19") == "19/04/2026"
    assert format_date(None) == "—" and format_datetime("") == "—"


def test_codes_have_names_and_english_counts_agree() -> None:
    assert label("access", "internal", "vi") == "Nội bộ" and label("access", "internal", "en") == "Internal"
    assert label("validation", "bad_retention", "en") == "bad retention"
    assert label("audit", "auth.login", "vi") == "Đăng nhập"
    assert label("retention", "20 năm", "en") == "20 years" and label("retention", None, "en") == "—"
    assert label("secrecy", "Tối mật", "en") == "Secret"
    assert [plural(n, "box", lang="en") for n in (0, 1, 2)] == ["0 boxes", "1 box", "2 boxes"]
    assert plural(2, "box", lang="vi", vi="hộp") == "2 hộp"


def _event(ctx: AppContext) -> None:
    with ctx.db.session() as session:
        record_event(session, "admin", "document.update", "document", 7, {"subject": "Về việc hòa giải"})


def test_audit_log_page_is_local_readable_and_named(ctx: AppContext, client: TestClient) -> None:
    _event(ctx)
    helpers.login(client, "admin")
    page = client.get("/admin/audit").text
    assert "Về việc hòa giải" in page and "\\u" not in page  # letters, not escapes
    assert "Sửa văn bản" in page and "văn bản 7" in page  # the action and its object, named
    shown = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', page)
    assert shown
    for stored, text in shown:
        local = datetime.fromisoformat(stored).astimezone(HANOI)
        assert text == local.strftime("%d/%m/%Y %H:%M:%S")  # no microseconds, no UTC
    client.get("/lang/en")
    assert "Document changed" in client.get("/admin/audit").text


def test_audit_export_keeps_iso_8601_with_the_local_offset(ctx: AppContext, client: TestClient) -> None:
    _event(ctx)
    helpers.login(client, "admin")
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/audit/export?format=csv").content.decode("utf-8-sig"))))
    assert rows and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", row["at"]) for row in rows)
    assert any("Về việc hòa giải" in row["payload"] for row in rows)
    book = load_workbook(io.BytesIO(client.get("/admin/audit/export?format=xlsx").content))
    sheet = book.active
    assert sheet is not None
    header = [cell.value for cell in sheet[1]]
    assert header[-1] == "local_time" and all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    at, local = sheet.cell(row=2, column=header.index("at") + 1), sheet.cell(row=2, column=len(header))
    assert isinstance(local.value, datetime) and local.number_format == DATETIME_FORMAT
    assert local.value == datetime.fromisoformat(str(at.value)).replace(tzinfo=None)


def test_progress_workbook_has_real_dates_and_a_readable_header(ctx: AppContext, client: TestClient) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    helpers.document(ctx, file_id)
    helpers.login(client, "coordinator")
    book = load_workbook(io.BytesIO(client.get("/progress/export.xlsx").content))
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert all(cell.font.bold for cell in sheet[1] if cell.value is not None), sheet.title
        assert sheet.column_dimensions["A"].width > 8, sheet.title
    accessions = book.worksheets[-1]
    deadline = accessions.cell(row=2, column=6)
    assert isinstance(deadline.value, datetime) and deadline.value.date() == date(2030, 1, 1)
    assert deadline.number_format == DATE_FORMAT
    client.get("/lang/en")
    english = load_workbook(io.BytesIO(client.get("/progress/export.xlsx").content))
    assert [c.value for c in english.worksheets[-1][1]][:2] == ["Code", "Unit"]


def test_secrecy_and_urgency_are_chosen_from_the_nd30_lists(ctx: AppContext, client: TestClient) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    doc = helpers.document(ctx, file_id, type_name="Quyết định")
    token = helpers.login(client, "archivist")
    page = client.get(f"/review/{doc}").text
    for name, codes in (("secrecy", ("Mật", "Tối mật", "Tuyệt mật")), ("urgency", ("Khẩn", "Thượng khẩn", "Hỏa tốc"))):
        select = re.search(rf'<select id="f-{name}" name="{name}".*?</select>', page, flags=re.S)
        assert select, name
        assert re.findall(r'<option value="([^"]*)"', select.group(0)) == ["", *codes]
    refused = client.post(f"/review/{doc}", data={"urgency": "Gấp", "csrf_token": token})
    assert refused.status_code == 400 and "Độ khẩn phải là" in refused.text
    client.post(f"/review/{doc}", data={"urgency": "Hỏa tốc", "csrf_token": token})
    page = client.get(f"/review/{doc}").text
    assert re.search(r'<option value="Hỏa tốc" selected>Hỏa tốc</option>', page)
    client.get("/lang/en")
    assert '<option value="Hỏa tốc" selected>Flash</option>' in client.get(f"/review/{doc}").text


def test_document_fields_read_dd_mm_yyyy_and_named(ctx: AppContext, client: TestClient) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    doc = helpers.document(
        ctx, file_id, state="qc", type_name="Quyết định", issued_date=date(2020, 6, 5), urgency="Hỏa tốc"
    )
    helpers.login(client, "admin")
    client.get("/lang/en")
    for path in (f"/documents/{doc}", f"/qc/documents/{doc}"):
        page = client.get(path).text
        assert "05/06/2020" in page and "2020-06-05" not in page, path
        assert re.search(r">\s*Flash\s*<", page), path


def test_every_audit_action_written_has_a_name() -> None:
    """Each action a service records (a literal in ``record_event(…)``) is named on the audit page."""
    from pathlib import Path

    from sohoa.web.labels import LABELS

    src = Path(__file__).resolve().parents[2] / "src" / "sohoa"
    call = re.compile(r'record_event\(\s*[^,()]+,\s*[^,()]+,\s*"([a-z_]+(?:\.[a-z_]+)?)"', re.S)
    actions = {a for path in src.rglob("*.py") for a in call.findall(path.read_text(encoding="utf-8"))}
    assert len(actions) > 40  # the pattern really finds the calls
    assert sorted(a for a in actions if a not in LABELS["audit"]) == []
    assert {f"qc.{d}" for d in ("accept", "reject")} | {f"scan.{s}" for s in ("done", "failed")} <= set(LABELS["audit"])


def test_search_export_writes_issue_dates_as_dates() -> None:
    from sohoa.services.catalogue import search_export

    keys = [key for _, key, _ in search_export.COLUMNS]
    row = ["2020-06-05" if key == "issued_date" else f"{key} value" for key in keys]
    book = load_workbook(io.BytesIO(search_export._xlsx([row], "Kết quả tìm kiếm")))
    sheet = book.active
    assert sheet is not None
    issued = sheet.cell(row=3, column=keys.index("issued_date") + 1)
    assert isinstance(issued.value, datetime) and issued.value.date() == date(2020, 6, 5)
    assert issued.number_format == DATE_FORMAT
    assert sheet.freeze_panes == "A3" and all(c.font.bold for c in sheet[2])


def test_audit_objects_are_chosen_by_name(ctx: AppContext, client: TestClient) -> None:
    _event(ctx)
    helpers.login(client, "admin")
    page = client.get("/admin/audit?entity_type=document").text
    select = re.search(r'<select id="entity_type" name="entity_type">.*?</select>', page, flags=re.S)
    assert select and '<option value="document" selected>văn bản</option>' in select.group(0)
    assert '<option value="file_unit" >hồ sơ</option>' in select.group(0)
    shown = re.findall(r"<td>([^<\d]+) \d+</td>", page.split("<tbody>")[1])
    assert shown and set(shown) == {"văn bản"}  # the filter still applies
