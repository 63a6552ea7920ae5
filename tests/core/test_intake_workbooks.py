"""The intake workbooks through the shared workbook helper (``xlsx_finish``): the header bold and frozen on
every sheet, the template's columns as wide as designed for what people type, and the error report's columns
widened to their content."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from sohoa.domain.cells import MAX_WIDTH, xlsx_append, xlsx_finish
from sohoa.domain.inventory import InventoryRow, RowReport
from sohoa.services.production.intake_workbooks import TEMPLATE_COLUMNS, error_report_xlsx, template_xlsx


def _widths(sheet: object) -> list[float]:
    from openpyxl.utils import get_column_letter

    columns = sheet.column_dimensions  # type: ignore[attr-defined]
    return [columns[get_column_letter(i)].width for i in range(1, sheet.max_column + 1)]  # type: ignore[attr-defined]


def test_xlsx_finish_keeps_the_least_widths_it_is_given() -> None:
    sheet = Workbook().active
    xlsx_append(sheet, ["Số", "Tiêu đề"])
    xlsx_append(sheet, [1, "x" * 200])
    xlsx_finish(sheet, widths=[30])
    assert _widths(sheet) == [30, MAX_WIDTH]  # the given floor, then the content capped
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2"


def test_the_template_keeps_its_header_and_widths() -> None:
    book = load_workbook(io.BytesIO(template_xlsx()))
    sheet, notes = book.worksheets
    for page in (sheet, notes):
        assert page.freeze_panes == "A2" and all(cell.font.b for cell in page[1])
        assert page["A1"].fill.fgColor.rgb.endswith("DDE6F0")  # the shaded header as before
    designed = [width for _key, _heading, width, _vi, _en in TEMPLATE_COLUMNS]
    assert all(got >= want for got, want in zip(_widths(sheet), designed, strict=True))
    assert _widths(sheet)[2] == 60 and _widths(notes)[1:3] == [70, 70]
    assert not notes["A9"].font.b  # only the header row is bold


def test_the_error_report_fits_its_columns_to_the_rows() -> None:
    note = "Bản chính, có dấu đỏ, lưu tại kho số 2 tầng 3"
    row = InventoryRow(
        line=2,
        seq="1",
        notation="01.VP",
        title="Hồ sơ hội nghị",
        time="2019",
        retention="Vĩnh viễn",
        sheets="12",
        pages="24",
        note=note,
    )
    sheet = load_workbook(io.BytesIO(error_report_xlsx([RowReport(row, ())]))).worksheets[0]
    assert sheet.freeze_panes == "A2" and all(cell.font.b for cell in sheet[1])
    widths = _widths(sheet)
    assert widths[2] == 60 and widths[-1] == 70  # the title and the errors keep their room
    assert widths[7] == len(note) + 2 > 30  # the note, fitted to its text (the template gives it 30)
