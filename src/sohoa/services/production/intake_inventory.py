"""Inventory (mục lục hồ sơ) upload: read xlsx/csv in the NĐ 30 columns, validate row by row, register files."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Accession, FileUnit, InventoryUpload
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.inventory import InventoryRow, RowReport, map_header, parse_retention, parse_time_span
from sohoa.domain.inventory import validate_rows as _validate
from sohoa.domain.text import nfc
from sohoa.domain.workflow import FileUnitState
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext

__all__ = ["MAX_INVENTORY_BYTES", "UploadResult", "UploadSummary", "latest_upload", "read_inventory",
           "upload_inventory"]

MAX_INVENTORY_BYTES = 10 * 1024 * 1024
_NUMBERING = re.compile(r"^\(\d+\)$")


def _get(session: Session, accession_id: int) -> Accession:
    accession = session.get(Accession, accession_id)
    if accession is None:
        raise NotFound("Không tìm thấy đợt giao nộp", "Accession not found")
    return accession


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value)).strip()


def _table(filename: str, data: bytes) -> list[list[str]]:
    if len(data) > MAX_INVENTORY_BYTES:
        raise ValidationFailed("Tệp mục lục quá lớn (tối đa 10 MB)", "Inventory file too large (10 MB max)")
    if filename.lower().endswith(".xlsx"):
        from openpyxl import load_workbook  # imported here: only xlsx uploads need it

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as exc:  # openpyxl raises many types for damaged files
            raise ValidationFailed("Không đọc được tệp xlsx", "Cannot read the xlsx file") from exc
        return [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    if filename.lower().endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationFailed("Tệp CSV phải mã hóa UTF-8", "The CSV file must be UTF-8") from exc
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
        return [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text), dialect)]
    raise ValidationFailed("Chỉ nhận tệp .xlsx hoặc .csv", "Only .xlsx or .csv files are accepted")


def _row(line: int, cells: list[str], columns: dict[str, int]) -> InventoryRow:
    def get(key: str) -> str:
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else ""

    sheets, pages = get("sheets"), get("pages")
    if "sheets_pages" in columns:
        parts = [p.strip() for p in get("sheets_pages").split("/")]
        sheets, pages = parts[0], (parts[1] if len(parts) > 1 else "")
    span = parse_time_span(get("time"))
    retention = parse_retention(get("retention"))
    return InventoryRow(
        line,
        get("seq"),
        get("notation"),
        get("title"),
        get("time"),
        get("retention"),
        sheets,
        pages,
        get("note"),
        span[0] if span else None,
        span[1] if span else None,
        bool(retention and retention[0]),
        retention[1] if retention else None,
    )


def read_inventory(filename: str, data: bytes) -> list[InventoryRow]:
    """Rows of an inventory in the NĐ 30 columns; the header row is found among the first 15."""
    table = _table(filename, data)
    for index, cells in enumerate(table[:15]):
        columns = map_header(cells)
        if columns:
            body = table[index + 1 :]
            # Skip blank rows and the "(1) (2) (3)…" column-number row NĐ 30 tables carry.
            return [
                _row(index + 2 + n, cells, columns)
                for n, cells in enumerate(body)
                if any(cells) and not _NUMBERING.match(cells[0])
            ]
    raise ValidationFailed(
        "Không tìm thấy dòng tiêu đề cột (Số TT, Số ký hiệu hồ sơ, Tiêu đề hồ sơ…)",
        "No header row found (Số TT, Số ký hiệu hồ sơ, Tiêu đề hồ sơ…)",
    )


@dataclass(frozen=True)
class UploadResult:
    """The stored upload and its per-row report; ``accepted`` when no row has an error."""

    upload_id: int
    accepted: bool
    rows: int
    errors: int
    reports: list[RowReport]


def _report_json(reports: list[RowReport]) -> list[dict[str, Any]]:
    return [
        {
            "line": r.row.line,
            "seq": r.row.seq,
            "notation": r.row.notation,
            "title": r.row.title,
            "issues": [
                {"column": i.column, "code": i.code, "vi": i.vi, "en": i.en, "severity": i.severity}
                for i in r.issues
            ],
        }
        for r in reports
    ]


def _apply_rows(session: Session, acc: Accession, rows: list[InventoryRow]) -> None:
    existing = {
        f.file_notation: f
        for f in session.execute(select(FileUnit).where(FileUnit.accession_id == acc.id)).scalars()
    }
    wanted = {row.notation for row in rows}
    for notation, file in existing.items():
        if notation not in wanted and file.state == FileUnitState.REGISTERED:
            session.delete(file)
    for row in rows:
        file = existing.get(row.notation) or FileUnit(
            file_code=f"{acc.code}.{row.notation}"[:30], accession_id=acc.id, file_notation=row.notation
        )
        file.title, file.unit_id, file.fonds_id = row.title, acc.unit_id, acc.fonds_id
        file.maintenance = "Vĩnh viễn" if row.permanent else f"{row.retention_years} năm"
        file.permanent, file.retention_years = row.permanent, row.retention_years
        file.start_date, file.end_date = row.start_date, row.end_date
        file.file_catalog = row.start_date.year if row.start_date else None
        file.sheet_total = int(row.sheets)
        file.page_total = int(row.pages) if row.pages.isdigit() else None
        file.description = row.note or None
        session.add(file)


def upload_inventory(
    ctx: AppContext, accession_id: int, filename: str, data: bytes, *, actor: str
) -> UploadResult:
    """Validate an inventory row by row; when no row has an error, register its files."""
    rows = read_inventory(filename, data)
    if not rows:
        raise ValidationFailed("Mục lục không có dòng nào", "The inventory has no rows")
    with ctx.db.session() as session:
        acc = _get(session, accession_id)
        taken = set(
            session.execute(
                select(FileUnit.file_notation).where(
                    FileUnit.unit_id == acc.unit_id, FileUnit.accession_id != acc.id
                )
            ).scalars()
        )
        reports = _validate(rows, {t.upper() for t in taken if t})
        errors = sum(1 for r in reports if not r.ok)
        upload = InventoryUpload(
            accession_id=acc.id,
            filename=filename[:300],
            uploaded_by=actor,
            row_count=len(rows),
            error_count=errors,
            accepted=errors == 0,
            report=_report_json(reports),
        )
        session.add(upload)
        if errors == 0:
            _apply_rows(session, acc, rows)
        session.flush()
        record_event(
            session,
            actor,
            "inventory.upload",
            "accession",
            acc.id,
            {"upload_id": upload.id, "rows": len(rows), "errors": errors, "filename": filename},
        )
        return UploadResult(upload.id, errors == 0, len(rows), errors, reports)


@dataclass(frozen=True)
class UploadSummary:
    """An inventory upload as the validation screen shows it; ``report`` holds each row's issues."""

    id: int
    filename: str
    rows: int
    errors: int
    accepted: bool
    report: list[dict[str, Any]]
    uploaded_by: str
    uploaded_at: datetime


def latest_upload(ctx: AppContext, accession_id: int) -> UploadSummary | None:
    """The last upload's summary and report, for the validation screen."""
    with ctx.db.session() as session:
        upload = session.execute(
            select(InventoryUpload)
            .where(InventoryUpload.accession_id == accession_id)
            .order_by(InventoryUpload.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if upload is None:
            return None
        return UploadSummary(id=upload.id, filename=upload.filename, rows=upload.row_count,
                             errors=upload.error_count, accepted=upload.accepted, report=upload.report or [],
                             uploaded_by=upload.uploaded_by, uploaded_at=upload.uploaded_at)
