"""Inventory (mục lục hồ sơ) upload: read xlsx/csv in the NĐ 30 columns, validate row by row, register files."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Accession, FileUnit, InventoryUpload
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.inventory import InventoryRow, RowReport, map_header, parse_retention, parse_time_span
from sohoa.domain.inventory import validate_rows as _validate
from sohoa.domain.text import nfc
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.production.intake_reimport import InventoryDiff, apply_rows, inventory_diff
from sohoa.storage.private import open_private, private_dir

__all__ = [
    "MAX_INVENTORY_BYTES",
    "UploadResult",
    "UploadSummary",
    "check_inventory",
    "confirm_reimport",
    "latest_upload",
    "read_inventory",
    "report_json",
    "stage_upload",
    "staged_reports",
    "staged_upload",
    "upload_inventory",
]

MAX_INVENTORY_BYTES = 10 * 1024 * 1024
_NUMBERING = re.compile(r"^\(\d+\)$")
_TOKEN = re.compile(r"^[0-9a-f]{64}$")
STAGING_DAYS = 2  # a staged upload (for its report or its confirmation) is kept this long


def _staging(ctx: AppContext) -> Path:
    return private_dir(ctx.settings.data / "intake-staging")


def stage_upload(ctx: AppContext, filename: str, data: bytes) -> str:
    """Keep an uploaded inventory in the data folder under its SHA-256 (the token a confirmation or a report
    download names); older staged uploads are cleared."""
    folder = _staging(ctx)
    cutoff = time.time() - STAGING_DAYS * 86400
    for old in folder.iterdir():
        with contextlib.suppress(FileNotFoundError):  # another process may clear it first
            if old.stat().st_mtime < cutoff:
                old.unlink()
    token = hashlib.sha256(data).hexdigest()
    path = folder / f"{token}{'.xlsx' if filename.lower().endswith('.xlsx') else '.csv'}"
    if path.is_file():  # named by its content: the same bytes are there already
        os.utime(path)
        return token
    partial = folder / f".{token}.{secrets.token_hex(4)}.tmp"
    with open_private(partial, exclusive=True) as out:
        out.write(data)
    os.replace(partial, path)  # a reader never sees half a file
    return token


def staged_upload(ctx: AppContext, token: str) -> tuple[str, bytes]:
    """(file name, bytes) of a staged upload; NotFound when the token is unknown or has expired."""
    if _TOKEN.match(token):
        for suffix in (".xlsx", ".csv"):
            path = _staging(ctx) / f"{token}{suffix}"
            if path.is_file():
                return path.name, path.read_bytes()
    raise NotFound(
        "Tệp mục lục đã tải lên không còn: hãy tải lên lại", "The uploaded inventory has expired: upload it again"
    )


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
    """An upload's per-row report; ``accepted`` when no row has an error.

    ``upload_id`` is None when nothing was recorded: a validate-only check, or a re-import that waits for
    confirmation (``diff`` then lists its changes). ``token`` names the staged upload (error report, confirm).
    """

    upload_id: int | None
    accepted: bool
    rows: int
    errors: int
    reports: list[RowReport]
    token: str = ""
    diff: InventoryDiff | None = None

    @property
    def pending(self) -> bool:
        return self.diff is not None


def report_json(reports: list[RowReport]) -> list[dict[str, Any]]:
    return [
        {
            "line": r.row.line,
            "seq": r.row.seq,
            "notation": r.row.notation,
            "title": r.row.title,
            "issues": [
                {"column": i.column, "code": i.code, "vi": i.vi, "en": i.en, "severity": i.severity} for i in r.issues
            ],
        }
        for r in reports
    ]


def _taken(session: Session, acc: Accession) -> set[str]:
    """File numbers of the unit already registered in its other accessions."""
    taken = session.execute(
        select(FileUnit.file_notation).where(FileUnit.unit_id == acc.unit_id, FileUnit.accession_id != acc.id)
    ).scalars()
    return {t.upper() for t in taken if t}


def _readable(filename: str, data: bytes) -> list[InventoryRow]:
    rows = read_inventory(filename, data)
    if not rows:
        raise ValidationFailed("Mục lục không có dòng nào", "The inventory has no rows")
    return rows


def check_inventory(ctx: AppContext, accession_id: int, filename: str, data: bytes) -> UploadResult:
    """Validate only: the row-by-row report of an inventory, nothing registered, nothing recorded.

    The upload is kept in the staging folder under its token, for the downloadable error report."""
    rows = _readable(filename, data)
    with ctx.db.session() as session:
        acc = _get(session, accession_id)
        reports = _validate(rows, _taken(session, acc))
    errors = sum(1 for r in reports if not r.ok)
    return UploadResult(None, errors == 0, len(rows), errors, reports, stage_upload(ctx, filename, data))


def staged_reports(ctx: AppContext, accession_id: int, token: str) -> list[RowReport]:
    """The report of a staged upload, validated again against the accession as it stands now."""
    filename, data = staged_upload(ctx, token)
    return check_inventory(ctx, accession_id, filename, data).reports


def _record(
    session: Session, acc: Accession, filename: str, actor: str, rows: int, reports: list[RowReport]
) -> InventoryUpload:
    errors = sum(1 for r in reports if not r.ok)
    upload = InventoryUpload(
        accession_id=acc.id,
        filename=filename[:300],
        uploaded_by=actor,
        row_count=rows,
        error_count=errors,
        accepted=errors == 0,
        report=report_json(reports),
    )
    session.add(upload)
    session.flush()
    return upload


def upload_inventory(ctx: AppContext, accession_id: int, filename: str, data: bytes, *, actor: str) -> UploadResult:
    """Validate an inventory row by row; when no row has an error, register its files.

    Into an accession whose files come from an earlier inventory nothing changes yet: the result carries
    the diff (files to add, change, remove) and the token that ``confirm_reimport`` applies."""
    rows = _readable(filename, data)
    token = stage_upload(ctx, filename, data)
    with ctx.db.session() as session:
        acc = _get(session, accession_id)
        reports = _validate(rows, _taken(session, acc))
        errors = sum(1 for r in reports if not r.ok)
        if errors == 0:
            diff = inventory_diff(session, acc, rows)
            if diff.changed or diff.removed or (diff.added and len(diff.added) < len(rows)):  # files were there
                return UploadResult(None, True, len(rows), 0, reports, token, diff)
            apply_rows(session, acc, rows, diff)
        upload = _record(session, acc, filename, actor, len(rows), reports)
        record_event(
            session,
            actor,
            "inventory.upload",
            "accession",
            acc.id,
            {"upload_id": upload.id, "rows": len(rows), "errors": errors, "filename": filename},
        )
        return UploadResult(upload.id, errors == 0, len(rows), errors, reports, token)


def confirm_reimport(
    ctx: AppContext, accession_id: int, token: str, digest: str, *, actor: str, filename: str = ""
) -> InventoryDiff:
    """Apply a staged re-import whose diff the officer saw (``digest``); refused when the list has changed
    since, or when it would remove a file that carries work."""
    staged_name, data = staged_upload(ctx, token)
    rows = _readable(staged_name, data)
    with ctx.db.session() as session:
        acc = _get(session, accession_id)
        reports = _validate(rows, _taken(session, acc))
        if any(not r.ok for r in reports):
            raise ValidationFailed(
                "Mục lục có lỗi, hãy sửa và tải lên lại", "The inventory has errors; fix it and upload again"
            )
        diff = inventory_diff(session, acc, rows)
        if diff.digest != digest:
            raise ValidationFailed(
                "Hồ sơ của đợt giao nộp đã thay đổi từ lúc kiểm tra: hãy tải mục lục lên lại để xem danh sách mới",
                "The accession's files changed since the check: upload the inventory again to see the new list",
            )
        if diff.blocked:
            names = ", ".join(r.notation for r in diff.blocked)
            raise ValidationFailed(
                f"Không thể bỏ hồ sơ đã có công việc (đã nhận, xếp hộp, quét hoặc có văn bản): {names}",
                f"Files that already carry work (received, boxed, scanned, documents) cannot be removed: {names}",
            )
        apply_rows(session, acc, rows, diff)
        upload = _record(session, acc, filename or staged_name, actor, len(rows), reports)
        record_event(
            session,
            actor,
            "inventory.reimport",
            "accession",
            acc.id,
            {
                "upload_id": upload.id,
                "added": [r.notation for r in diff.added],
                "changed": {c.notation: [f.field for f in c.changes] for c in diff.changed},
                "removed": [r.notation for r in diff.removed],
            },
        )
        return diff


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
        return UploadSummary(
            id=upload.id,
            filename=upload.filename,
            rows=upload.row_count,
            errors=upload.error_count,
            accepted=upload.accepted,
            report=upload.report or [],
            uploaded_by=upload.uploaded_by,
            uploaded_at=upload.uploaded_at,
        )
