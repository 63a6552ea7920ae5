"""Spreadsheet cells that never run: OWASP's CSV-injection rule, applied by every CSV and XLSX writer.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or the full-width
``＝＋－＠`` that some spreadsheet programs fold to them) is read as a formula: ``=HYPERLINK(…)`` typed as a
user name on the login form would otherwise become a live link in the administrator's audit export.
Such text gets a leading apostrophe, in CSV and XLSX alike (one rule, one shape of the data); XLSX
cells holding text are also typed as strings, since openpyxl infers a formula from a leading ``=``.
Numbers, dates and empty cells are left as they are: -5 written as a number stays the number -5.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

__all__ = [
    "DATETIME_FORMAT",
    "DATE_FORMAT",
    "FORMULA_TRIGGERS",
    "csv_bytes",
    "neutralise",
    "safe_row",
    "xlsx_append",
    "xlsx_finish",
]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
DATE_FORMAT = "dd/mm/yyyy"  # how date cells read in every workbook Sohoa writes (the value stays a real date)
DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"
MAX_WIDTH = 60  # characters: longer text wraps rather than widening its column past this


def neutralise(value: object) -> object:
    """``value`` unchanged, except text a spreadsheet would read as a formula: prefixed with ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(values: Iterable[object]) -> list[object]:
    return [neutralise(v) for v in values]


def csv_bytes(header: Sequence[object], rows: Iterable[Iterable[object]]) -> bytes:
    """A UTF-8 CSV (with BOM: spreadsheet programs then read UTF-8) of neutralised cells."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(header))
    writer.writerows(safe_row(row) for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_append(sheet: Any, values: Iterable[object]) -> None:
    """Append a row of neutralised cells to an openpyxl worksheet, every text cell typed as a string."""
    from openpyxl.cell.cell import Cell  # heavy: loaded by the writers only, when they write

    cells = []
    for value in values:
        cell = Cell(sheet, value=neutralise(value))
        if isinstance(cell.value, str):
            cell.data_type = "s"
        cells.append(cell)
    sheet.append(cells)


def _shown_length(value: object) -> int:
    if isinstance(value, datetime):
        return len("dd/mm/yyyy hh:mm:ss")
    if isinstance(value, date):
        return len("dd/mm/yyyy")
    return max((len(line) for line in str(value).splitlines()), default=0) if value is not None else 0


def xlsx_finish(sheet: Any, *, header_row: int = 1, widths: Sequence[int] = ()) -> None:
    """Make a written worksheet readable: the header row bold and frozen, dates shown dd/mm/yyyy (still real
    dates: they sort and filter as dates), each column as wide as its longest cell (up to ``MAX_WIDTH``).
    ``widths``: the narrowest each column may be, from the first (a template's columns keep room for what
    people will type in them)."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    fitted: dict[int, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
            if cell.row == header_row:
                cell.font = Font(bold=True)
            if cell.row >= header_row:
                fitted[cell.column] = max(fitted.get(cell.column, 0), _shown_length(cell.value))
    for column, width in fitted.items():
        least = widths[column - 1] if column <= len(widths) else 0
        sheet.column_dimensions[get_column_letter(column)].width = max(least, min(MAX_WIDTH, width + 2))
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1).coordinate
