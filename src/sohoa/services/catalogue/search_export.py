"""Export of search results as XLSX (openpyxl) or PDF (reportlab, Vietnamese-capable Liberation fonts)."""

from __future__ import annotations

import html
import io
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from sohoa.domain.cells import xlsx_append, xlsx_finish
from sohoa.domain.errors import ValidationFailed
from sohoa.domain.fields import FIELDS
from sohoa.services.catalogue.search import SearchHit, SearchRequest, search
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext

__all__ = ["EXPORT_FORMATS", "MAX_EXPORT_ROWS", "export_search"]

MAX_EXPORT_ROWS = 5000
EXPORT_FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                  "pdf": "application/pdf"}
# (header, key, PDF width in points): the document id, the fields the field table exports (its headers,
# order and widths), then the access level.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("Mã VB", "document_id", 40),
    *((spec.export_label, spec.name, spec.export_width) for spec in FIELDS if spec.export_label is not None),
    ("Mức độ tiếp cận", "access_level", 60),
)
FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _clean(value: object) -> str:
    """Text a spreadsheet cell or a PDF paragraph accepts: no control characters."""
    return _CONTROL.sub("", str(value))


def _rows(results: list[SearchHit]) -> list[list[Any]]:
    rows = []
    for hit in results:
        values = {"document_id": hit.document_id, "access_level": hit.access_level, **hit.fields}
        rows.append([_clean(values.get(key) or "") for _, key, _ in COLUMNS])
    return rows


_DATE_COLUMNS = frozenset(i for i, (_, key, _) in enumerate(COLUMNS) if key == "issued_date")


def _cell(index: int, value: Any) -> Any:
    """An exported cell: the issue date as a real date (shown dd/mm/yyyy), the rest as written."""
    if index in _DATE_COLUMNS and isinstance(value, str) and value:
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    return value


def _xlsx(rows: list[list[Any]], title: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Kết quả"
    xlsx_append(sheet, [title])
    xlsx_append(sheet, [label for label, _, _ in COLUMNS])
    for row in rows:
        xlsx_append(sheet, [_cell(i, v) for i, v in enumerate(row)])  # from OCR and typing: never formulas
    xlsx_finish(sheet, header_row=2)
    sheet.column_dimensions["A"].width = 10  # the title line is not a column's content
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _pdf(rows: list[list[Any]], title: str) -> bytes:
    if "LiberationSerif" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("LiberationSerif", str(FONT_DIR / "LiberationSerif-Regular.ttf")))
    style = ParagraphStyle("vi", fontName="LiberationSerif", fontSize=8, leading=10)
    data = [[Paragraph(label, style) for label, _, _ in COLUMNS]]
    data += [[Paragraph(html.escape(str(v)), style) for v in row] for row in rows]
    table = Table(data, repeatRows=1, colWidths=[width for _, _, width in COLUMNS])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, "#888888"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), title=title, leftMargin=20, rightMargin=20)
    heading = ParagraphStyle("h", fontName="LiberationSerif", fontSize=12, leading=16)
    doc.build([Paragraph(html.escape(title), heading), table])
    return out.getvalue()


def export_search(ctx: AppContext, principal: Principal | None, request: SearchRequest, fmt: str, *,
                  channel: str = "web") -> tuple[bytes, str, str]:
    """(content, media type, file name) of every visible result, up to :data:`MAX_EXPORT_ROWS`."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationFailed(f"Định dạng không hỗ trợ: {fmt}", f"Unsupported format: {fmt}")
    results: list[SearchHit] = []
    offset = 0
    while len(results) < MAX_EXPORT_ROWS:
        page = search(ctx, principal, SearchRequest(**{**vars(request), "limit": 200, "offset": offset}),
                      audit=offset == 0, channel=f"{channel}:export")
        results.extend(page.results)
        offset += 200
        if offset >= page.total:
            break
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).isoformat(timespec="seconds")
    title = _clean(f"Kết quả tìm kiếm “{request.query}” — {len(results)} văn bản — {now}")
    rows = _rows(results[:MAX_EXPORT_ROWS])
    content = _xlsx(rows, title) if fmt == "xlsx" else _pdf(rows, title)
    return content, EXPORT_FORMATS[fmt], f"sohoa-search.{fmt}"
