"""The inventory spreadsheets of intake: the blank mục lục template and the error report of an upload.

The template carries the NĐ 30 column headings the import reads (a frozen header row, widths, the
retention list as a drop-down), and a second sheet with the instructions and an example row. The error
report repeats every row of an upload under the same headings with one more column, "Lỗi", listing each
row's problems: fixed in place, the report itself can be uploaded again (the extra column is not read).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from sohoa.domain.cells import xlsx_append, xlsx_finish
from sohoa.domain.inventory import RowReport

__all__ = ["TEMPLATE_COLUMNS", "error_report_xlsx", "template_xlsx"]

# key, Vietnamese heading (as NĐ 30 Phụ lục V writes it), width, Vietnamese instruction, English instruction
TEMPLATE_COLUMNS: tuple[tuple[str, str, int, str, str], ...] = (
    ("seq", "Số TT", 8, "Số thứ tự của hồ sơ trong mục lục: 1, 2, 3…", "Running number of the file: 1, 2, 3…"),
    (
        "notation",
        "Số, ký hiệu hồ sơ",
        18,
        "Bắt buộc; tối đa 20 ký tự: chữ, số, dấu . - / _ (ví dụ 01.VP)",
        "Required; up to 20 letters, digits or . - / _ (e.g. 01.VP)",
    ),
    ("title", "Tiêu đề hồ sơ", 60, "Bắt buộc; tối đa 1000 ký tự", "Required; up to 1000 characters"),
    (
        "time",
        "Thời gian tài liệu",
        22,
        "Bắt buộc: năm (2019), khoảng năm (2018-2020), tháng/năm hoặc ngày/tháng/năm (03/2019 - 12/2019)",
        "Required: a year (2019), years (2018-2020), month/year or day/month/year (03/2019 - 12/2019)",
    ),
    (
        "retention",
        "Thời hạn bảo quản",
        18,
        "Bắt buộc: «Vĩnh viễn» hoặc số năm, từ 5 năm trở lên (ví dụ 20 năm)",
        "Required: «Vĩnh viễn» (permanent) or a number of years, 5 or more (e.g. 20 năm)",
    ),
    ("sheets", "Số tờ", 10, "Bắt buộc: số nguyên dương", "Required: a positive whole number"),
    ("pages", "Số trang", 10, "Không bắt buộc: số nguyên, không nhỏ hơn số tờ", "Optional: a whole number ≥ sheets"),
    ("note", "Ghi chú", 30, "Không bắt buộc", "Optional"),
)
EXAMPLE = (1, "01.VP", "Hồ sơ hội nghị tổng kết công tác năm 2019", "2019", "Vĩnh viễn", 12, 24, "Bản chính")
RETENTION_CHOICES = "Vĩnh viễn,5 năm,10 năm,20 năm,50 năm,70 năm"
ERROR_HEADING = "Lỗi (Errors)"


def _workbook() -> Any:
    from openpyxl import Workbook  # heavy: only the spreadsheet downloads need it

    return Workbook()


def _header(sheet: Any, headings: Sequence[str]) -> None:
    """The header row, shaded and wrapped (``xlsx_finish`` makes it bold and frozen once the rows are in)."""
    from openpyxl.styles import Alignment, PatternFill

    xlsx_append(sheet, headings)
    for cell in sheet[1]:
        cell.fill = PatternFill("solid", fgColor="DDE6F0")
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _bytes(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def template_xlsx() -> bytes:
    """The blank inventory template: the headings the import reads, the instructions and an example."""
    from openpyxl.worksheet.datavalidation import DataValidation

    book = _workbook()
    sheet = book.active
    sheet.title = "Mục lục hồ sơ"
    _header(sheet, [c[1] for c in TEMPLATE_COLUMNS])
    xlsx_finish(sheet, widths=[c[2] for c in TEMPLATE_COLUMNS])
    retention = DataValidation(type="list", formula1=f'"{RETENTION_CHOICES}"', allow_blank=True)
    retention.showErrorMessage = False  # a suggestion list: "15 năm" is valid too
    retention.prompt, retention.promptTitle = "Vĩnh viễn hoặc số năm (≥ 5)", "Thời hạn bảo quản"
    sheet.add_data_validation(retention)
    column = [c[0] for c in TEMPLATE_COLUMNS].index("retention") + 1
    letter = sheet.cell(row=1, column=column).column_letter
    retention.add(f"{letter}2:{letter}2000")
    notes = book.create_sheet("Hướng dẫn")
    _header(notes, ["Cột", "Cách ghi", "Instructions"])
    for _key, heading, _width, vi, en in TEMPLATE_COLUMNS:
        xlsx_append(notes, [heading, vi, en])
    xlsx_append(notes, [])
    xlsx_append(notes, ["Ví dụ (Example)"])
    xlsx_append(notes, [c[1] for c in TEMPLATE_COLUMNS])
    xlsx_append(notes, EXAMPLE)
    xlsx_append(notes, [])
    xlsx_append(
        notes,
        [
            "Lưu ý",
            "Ghi mỗi hồ sơ một dòng ở trang «Mục lục hồ sơ», dưới dòng tiêu đề; số có thể ghi 0,5 hoặc 1.234.",
            "One file per row on the «Mục lục hồ sơ» sheet, under the header; numbers as 0,5 or 1.234.",
        ],
    )
    xlsx_finish(notes, widths=[22, 70, 70])
    return _bytes(book)


def _issues(report: RowReport, lang: str) -> str:
    """The row's problems in words (never the issue codes), warnings marked as such."""
    parts = []
    for issue in report.issues:
        text = issue.en if lang == "en" else issue.vi
        if issue.severity != "error":
            text = f"({'warning' if lang == 'en' else 'cảnh báo'}) {text}"
        parts.append(text)
    return "; ".join(parts)


def error_report_xlsx(reports: Sequence[RowReport], lang: str = "vi") -> bytes:
    """Every row of an upload under the template headings, with its problems in the last column (rows with
    an error shaded); the header is frozen and the columns sized."""
    from openpyxl.styles import Alignment, PatternFill

    book = _workbook()
    sheet = book.active
    sheet.title = "Mục lục hồ sơ"
    _header(sheet, [*(c[1] for c in TEMPLATE_COLUMNS), ERROR_HEADING])
    shade = PatternFill("solid", fgColor="FDE2E1")
    for report in reports:
        row = report.row
        cells = [row.seq, row.notation, row.title, row.time, row.retention, row.sheets, row.pages, row.note]
        xlsx_append(sheet, [*cells, _issues(report, lang)])
        last = sheet[sheet.max_row]
        last[-1].alignment = Alignment(wrap_text=True, vertical="top")
        if not report.ok:
            for cell in last:
                cell.fill = shade
    sheet.auto_filter.ref = sheet.dimensions
    xlsx_finish(sheet, widths=[*(c[2] for c in TEMPLATE_COLUMNS), 70])
    return _bytes(book)
