"""Intake: inventory validation (codes, dates, retention, duplicates), re-upload, reconciliation, handover PDF."""

from __future__ import annotations

import io
import subprocess
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from openpyxl import Workbook

from sohoa.domain.inventory import InventoryRow, validate_rows
from sohoa.services.platform.context import AppContext
from sohoa.services.production import intake

from . import _helpers as helpers

HEADER = [
    "Số TT",
    "Số, ký hiệu hồ sơ",
    "Tiêu đề hồ sơ",
    "Thời gian tài liệu",
    "Thời hạn bảo quản",
    "Số tờ/Số trang",
    "Ghi chú",
]
GOOD = [
    [1, "01.VP", "Hồ sơ hội nghị tổng kết năm 2019", "2019", "Vĩnh viễn", "12/24", ""],
    [2, "02.VP", "Hồ sơ về việc xây dựng trụ sở", "03/2018 - 12/2019", "20 năm", "30/58", ""],
    [3, "03.TCCB", "Hồ sơ cán bộ", "2020", "70 năm", "8/16", "Bản chính"],
]


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU"])
    sheet.append(HEADER)
    sheet.append([f"({n})" for n in range(1, 8)])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_errors() -> list[list[object]]:
    return [
        GOOD[0],
        [2, "02.VP", "Hồ sơ về việc xây dựng trụ sở", "31/02/2019", "20 năm", "30/58", ""],  # bad date
        [3, "01.VP", "Trùng số", "2020", "Vĩnh viễn", "5/10", ""],  # duplicate code
        [4, "04 VP?", "Ký hiệu sai", "2020", "mãi mãi", "x", ""],  # bad code, retention, sheets
        [5, "05.VP", "Ngắn hạn", "2020", "2 năm", "3/6", ""],  # under 5 years
    ]


def test_rules_one_by_one() -> None:
    def row(**kw: object) -> InventoryRow:
        base = {
            "line": 2,
            "seq": "1",
            "notation": "01.VP",
            "title": "T",
            "time": "2019",
            "retention": "10 năm",
            "sheets": "3",
            "pages": "6",
            "note": "",
            "start_date": date(2019, 1, 1),
            "end_date": date(2019, 12, 31),
            "retention_years": 10,
        }
        base.update(kw)
        return InventoryRow(**base)  # type: ignore[arg-type]

    assert validate_rows([row()])[0].ok
    codes = {i.code for i in validate_rows([row(notation="")])[0].issues}
    assert codes == {"missing"}
    assert {i.code for i in validate_rows([row(pages="2")])[0].issues} == {"pages_lt_sheets"}
    assert {i.code for i in validate_rows([row()], {"01.VP"})[0].issues} == {"already_registered"}
    future = validate_rows([row(end_date=date(2999, 1, 1))], today=date(2025, 1, 1))[0]
    assert {i.code for i in future.issues} == {"date_range"}


def test_clerk_uploads_inventory_with_errors_then_fixes_it(ctx: AppContext, client: TestClient, tmp_path: Path) -> None:
    token = helpers.login(client, "unit_clerk")
    unit_id = helpers.unit(ctx)
    created = client.post(
        "/intake/accessions",
        data={"unit_id": unit_id, "title": "Tài liệu 2018-2020", "csrf_token": token, "planned_pages": "200"},
    )
    assert created.status_code == 200
    acc_id = intake.list_accessions(ctx)[0].id
    files = {"inventory": ("muc-luc.xlsx", xlsx(with_errors()), "application/vnd.ms-excel")}
    page = client.post(f"/intake/accessions/{acc_id}/inventory", data={"csrf_token": token}, files=files)
    assert page.status_code == 400 and "4 dòng lỗi" in page.text
    upload = intake.latest_upload(ctx, acc_id)
    assert upload is not None
    report = {r["line"]: {i["code"] for i in r["issues"]} for r in upload.report}
    assert report == {
        4: set(),
        5: {"bad_date"},
        6: {"duplicate"},
        7: {"bad_code", "bad_retention", "not_number"},
        8: {"short_retention"},
    }
    assert intake.inventory_files(ctx, acc_id) == []  # nothing registered from a failing inventory
    fixed = {"inventory": ("muc-luc.xlsx", xlsx(GOOD), "application/vnd.ms-excel")}
    page = client.post(f"/intake/accessions/{acc_id}/inventory", data={"csrf_token": token}, files=fixed)
    assert "Hợp lệ" in page.text
    registered = intake.inventory_files(ctx, acc_id)
    assert [f.file_notation for f in registered] == ["01.VP", "02.VP", "03.TCCB"]
    assert registered[1].retention_years == 20 and registered[1].sheet_total == 30
    assert registered[0].permanent and registered[0].page_total == 24

    # Boxes and files received; reconciliation names what is missing, extra and mismatched.
    client.post(f"/intake/accessions/{acc_id}/boxes", data={"number": "1", "csrf_token": token})
    for notation, sheets in (("01.VP", "12"), ("02.VP", "29"), ("99.VP", "4")):
        client.post(
            f"/intake/accessions/{acc_id}/receipts",
            data={"notation": notation, "sheets": sheets, "box_number": "1", "csrf_token": token},
        )
    recon = intake.reconcile(ctx, acc_id)
    assert recon.missing == [("03.TCCB", "Hồ sơ cán bộ")]
    assert recon.extra == ["99.VP"]
    assert recon.mismatched == [("02.VP", 30, 29)]
    assert recon.matched == 1

    client.post(
        f"/intake/accessions/{acc_id}/handover",
        data={
            "giver_name": "Nguyễn Văn An",
            "giver_position": "Văn thư",
            "receiver_name": "Trần Thị Bình",
            "condition": "Tốt",
            "csrf_token": token,
        },
    )
    pdf = client.get(f"/intake/accessions/{acc_id}/handover.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    (tmp_path / "b.pdf").write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "b.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "BIÊN BẢN",
        "Giao nhận hồ sơ, tài liệu",
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "tổng số hộp (cặp): 1",
        "MỤC LỤC HỒ SƠ",
        "Hồ sơ cán bộ",
        "hai bản",
    ):
        assert expected in text, expected


def test_clerk_cannot_open_another_units_accession(ctx: AppContext, client: TestClient) -> None:
    other = helpers.unit(ctx, "000.00.00.H26.T2", "UBND xã Khác")
    acc = intake.create_accession(ctx, other, "Đợt của đơn vị khác", actor="admin")
    helpers.login(client, "unit_clerk")
    assert client.get(f"/intake/accessions/{acc.id}").status_code == 403
    assert "Đợt của đơn vị khác" not in client.get("/intake").text


def test_csv_inventory_with_semicolons(ctx: AppContext) -> None:
    acc = intake.create_accession(ctx, helpers.unit(ctx), "CSV", actor="admin")
    text = ";".join(HEADER) + "\n" + "\n".join(";".join(str(c) for c in row) for row in GOOD)
    result = intake.upload_inventory(ctx, acc.id, "muc-luc.csv", text.encode("utf-8-sig"), actor="admin")
    assert result.accepted and result.rows == 3
