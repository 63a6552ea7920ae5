"""Creating a hồ sơ (file unit) in the web app, and placing one: its fonds, its accession and box.

The form's values go through the inventory's own row rules (``domain.inventory.validate_rows``: số/ký hiệu
hồ sơ ≤20 characters as ``01.TCCB``, title, date range, retention «Vĩnh viễn» or years ≥5, sheets and pages),
so a file typed in the web app and one imported from a mục lục obey the same standard. Each problem is kept
with its form field (:class:`FieldErrors`), to show next to it.

Mã hồ sơ (NĐ 30/2020): mã phông + năm hình thành + số và ký hiệu hồ sơ, dot-separated
(``H26.2025.01.TCCB``); a file recorded into an accession takes the code its inventory rows take
(``{mã đợt giao nộp}.{số ký hiệu}``), so that receipts and reconciliation match it by its number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.db.models import Accession, Box, FileUnit, Fonds
from sohoa.domain.codes import AccessLevel
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.inventory import InventoryRow, parse_retention, validate_rows
from sohoa.domain.text import nfc
from sohoa.services.identity.protection import may_change_access
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext

__all__ = [
    "FILE_CODE_MAX",
    "FieldErrors",
    "FilePlace",
    "NewFile",
    "create_file",
    "file_code_for",
    "file_place",
    "parse_day",
    "place_file",
]

FILE_CODE_MAX = 30  # FileUnit.file_code (NĐ 30 Phụ lục VI: String 30)
# Inventory columns → the form's fields.
_FIELD_OF = {
    "notation": "notation",
    "title": "title",
    "time": "start_date",
    "retention": "maintenance",
    "sheets": "sheet_total",
    "pages": "page_total",
}
_DAY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class FieldErrors(ValidationFailed):
    """The form's problems, each with its field: ``fields`` maps a field name to (Vietnamese, English)."""

    def __init__(self, fields: dict[str, tuple[str, str]]) -> None:
        count = len(fields)
        super().__init__(f"Chưa lưu được hồ sơ: {count} ô cần sửa", f"The file was not saved: {count} fields to fix")
        self.fields = fields


@dataclass(frozen=True)
class NewFile:
    """What the create form sends, as typed (the fonds and accession already resolved to ids)."""

    fonds_id: int | None
    notation: str
    title: str
    start_date: str
    end_date: str = ""
    maintenance: str = ""
    access_level: str = AccessLevel.INTERNAL
    sheet_total: str = ""
    page_total: str = ""
    description: str = ""
    accession_id: int | None = None
    box: str = ""


def parse_day(text: str) -> date | None:
    """dd/mm/yyyy (also d/m/yyyy, with dots or dashes) or the yyyy-mm-dd of a date input; None if unreadable."""
    value = text.strip()
    iso, day = _ISO.match(value), _DAY.match(value)
    try:
        if iso:
            return date(int(iso[1]), int(iso[2]), int(iso[3]))
        if day:
            return date(int(day[3]), int(day[2]), int(day[1]))
    except ValueError:
        return None
    return None


def file_code_for(fonds_code: str, year: int, notation: str, accession_code: str | None = None) -> str:
    """The mã hồ sơ of a new file: ``{phông}.{năm}.{số ký hiệu}``, or ``{đợt giao nộp}.{số ký hiệu}``."""
    return f"{accession_code}.{notation}" if accession_code else f"{fonds_code}.{year}.{notation}"


def _dates(values: NewFile, errors: dict[str, tuple[str, str]]) -> tuple[date | None, date | None]:
    start = parse_day(values.start_date) if values.start_date.strip() else None
    end = parse_day(values.end_date) if values.end_date.strip() else start
    for name, raw, parsed in (("start_date", values.start_date, start), ("end_date", values.end_date, end)):
        if raw.strip() and parsed is None:
            errors[name] = (
                f"Ngày không đọc được: «{raw.strip()}» (dd/mm/yyyy)",
                f"Unreadable date: «{raw.strip()}» (dd/mm/yyyy)",
            )
    return start, end


def _row(values: NewFile, start: date | None, end: date | None) -> InventoryRow:
    retention = parse_retention(values.maintenance) or (False, None)
    span = f"{start:%d/%m/%Y} - {end:%d/%m/%Y}" if start and end else ""
    return InventoryRow(
        line=1,
        seq="1",
        notation=nfc(values.notation).strip(),
        title=nfc(values.title).strip(),
        time=span,
        retention=values.maintenance.strip(),
        sheets=values.sheet_total.strip(),
        pages=values.page_total.strip(),
        note=nfc(values.description).strip(),
        start_date=start,
        end_date=end,
        permanent=retention[0],
        retention_years=retention[1],
    )


def _check(values: NewFile, role: str) -> tuple[InventoryRow, dict[str, tuple[str, str]]]:
    errors: dict[str, tuple[str, str]] = {}
    start, end = _dates(values, errors)
    row = _row(values, start, end)
    for issue in validate_rows([row])[0].issues:
        name = _FIELD_OF.get(issue.column)
        if issue.severity == "error" and name and name not in errors:
            errors[name] = (issue.vi, issue.en)
    if values.fonds_id is None:
        errors["fonds"] = ("Hãy chọn phông của hồ sơ", "Choose the file's fonds")
    if values.access_level not in tuple(AccessLevel):
        errors["access_level"] = ("Mức độ tiếp cận không hợp lệ", "Invalid access level")
    elif not may_change_access(role, AccessLevel.INTERNAL, values.access_level):
        errors["access_level"] = (
            f"Vai trò {role} không được đặt mức «{values.access_level}»",
            f"Role {role} may not set the level «{values.access_level}»",
        )
    if values.box.strip() and values.accession_id is None:
        errors["box"] = (
            "Hộp thuộc một đợt giao nộp: hãy chọn đợt giao nộp",
            "A box belongs to an accession: choose the accession",
        )
    elif len(values.box.strip()) > 20:
        errors["box"] = ("Số hộp dài quá 20 ký tự", "Box number longer than 20 characters")
    return row, errors


def _box(session: Session, accession_id: int, number: str) -> int:
    """The accession's box of that number, recorded now if it was not (not yet received)."""
    box = session.execute(
        select(Box).where(Box.accession_id == accession_id, Box.number == number)
    ).scalar_one_or_none()
    if box is None:
        box = Box(accession_id=accession_id, number=number, received=False)
        session.add(box)
        session.flush()
    return box.id


def _code_taken(session: Session, code: str, errors: dict[str, tuple[str, str]]) -> None:
    if len(code) > FILE_CODE_MAX:
        errors["notation"] = (
            f"Mã hồ sơ «{code}» dài quá {FILE_CODE_MAX} ký tự: rút ngắn số, ký hiệu hồ sơ",
            f"The file code «{code}» is longer than {FILE_CODE_MAX}: shorten the file number",
        )
    elif session.execute(select(FileUnit.id).where(func.lower(FileUnit.file_code) == code.lower())).first():
        errors["notation"] = (
            f"Đã có hồ sơ mã {code}: số, ký hiệu hồ sơ phải khác",
            f"A file with the code {code} exists: use another file number",
        )


def create_file(ctx: AppContext, values: NewFile, *, actor: str, role: str) -> tuple[int, str]:
    """A new hồ sơ in a fonds (and an accession and box, if given): its id and mã hồ sơ; ``FieldErrors`` when
    a field is wrong (every field checked at once)."""
    row, errors = _check(values, role)
    with ctx.db.session() as session:
        fonds = session.get(Fonds, values.fonds_id) if values.fonds_id is not None else None
        acc = session.get(Accession, values.accession_id) if values.accession_id is not None else None
        if values.fonds_id is not None and fonds is None:
            errors["fonds"] = ("Không tìm thấy phông", "Fonds not found")
        if values.accession_id is not None and acc is None:
            errors["accession"] = ("Không tìm thấy đợt giao nộp", "Accession not found")
        if fonds is not None and row.start_date is not None and "notation" not in errors:
            _code_taken(
                session, file_code_for(fonds.code, row.start_date.year, row.notation, acc.code if acc else None), errors
            )
        if errors or fonds is None or row.start_date is None:
            raise FieldErrors(errors)
        code = file_code_for(fonds.code, row.start_date.year, row.notation, acc.code if acc else None)
        file = FileUnit(
            file_code=code,
            file_notation=row.notation,
            title=row.title,
            fonds_id=fonds.id,
            unit_id=acc.unit_id if acc else fonds.unit_id,
            accession_id=acc.id if acc else None,
            organ_id=fonds.code,
            file_catalog=row.start_date.year,
            start_date=row.start_date,
            end_date=row.end_date,
            permanent=row.permanent,
            retention_years=row.retention_years,
            maintenance="Vĩnh viễn" if row.permanent else f"{row.retention_years} năm",
            access_level=values.access_level,
            sheet_total=int(row.sheets),
            page_total=int(row.pages) if row.pages.isdigit() else None,
            description=row.note or None,
        )
        if acc is not None and values.box.strip():
            file.box_id = _box(session, acc.id, nfc(values.box).strip())
        session.add(file)
        session.flush()
        record_event(
            session,
            actor,
            "file.create",
            "file_unit",
            file.id,
            {
                "file_code": code,
                "fonds": fonds.code,
                "title": row.title,
                "access_level": values.access_level,
                "accession_id": file.accession_id,
                "box": values.box.strip() or None,
            },
        )
        return file.id, code


def place_file(ctx: AppContext, file_id: int, fonds_id: int | None, box: str, *, actor: str) -> None:
    """Put a file in a fonds and, when it belongs to an accession, in one of its boxes (blank: no box)."""
    number = nfc(box).strip()
    with ctx.db.session() as session:
        file = session.get(FileUnit, file_id)
        if file is None:
            raise NotFound("Không tìm thấy hồ sơ", "File not found")
        if fonds_id is not None and session.get(Fonds, fonds_id) is None:
            raise NotFound("Không tìm thấy phông", "Fonds not found")
        if number and file.accession_id is None:
            raise FieldErrors(
                {
                    "box": (
                        "Hồ sơ không thuộc đợt giao nộp nào nên chưa xếp vào hộp được",
                        "The file belongs to no accession, so it cannot go in a box",
                    )
                }
            )
        if len(number) > 20:
            raise FieldErrors({"box": ("Số hộp dài quá 20 ký tự", "Box number longer than 20 characters")})
        before = (file.fonds_id, file.box_id)
        file.fonds_id = fonds_id if fonds_id is not None else file.fonds_id
        file.box_id = _box(session, file.accession_id, number) if number and file.accession_id else None
        if (file.fonds_id, file.box_id) != before:
            record_event(
                session, actor, "file.place", "file_unit", file.id, {"fonds_id": file.fonds_id, "box": number or None}
            )


@dataclass(frozen=True)
class FilePlace:
    """Where a file sits: its fonds (id and "CODE — Name"), its accession's code and its box number."""

    fonds_id: int | None
    fonds: str
    accession: str
    box: str


def file_place(ctx: AppContext, file_id: int) -> FilePlace:
    """The fonds, accession and box of a file, for its form."""
    with ctx.db.session() as session:
        file = session.get(FileUnit, file_id)
        if file is None:
            raise NotFound("Không tìm thấy hồ sơ", "File not found")
        fonds = session.get(Fonds, file.fonds_id) if file.fonds_id is not None else None
        acc = session.get(Accession, file.accession_id) if file.accession_id is not None else None
        box = session.get(Box, file.box_id) if file.box_id is not None else None
        return FilePlace(
            fonds.id if fonds else None,
            f"{fonds.code} — {fonds.name}" if fonds else "",
            acc.code if acc else "",
            box.number if box else "",
        )
