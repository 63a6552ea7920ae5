"""Intake (tiếp nhận): accessions, inventory upload and validation, boxes, receipts, reconciliation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.db.models import Accession, Box, FileUnit, ReceivedFile, Unit
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.numbers import NumberError, format_vi, parse_count, parse_decimal
from sohoa.domain.text import nfc
from sohoa.domain.workflow import AccessionStatus, FileUnitState, transition
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.production.intake_inventory import (
    UploadResult,
    check_inventory,
    confirm_reimport,
    latest_upload,
    read_inventory,
    report_json,
    staged_reports,
    upload_inventory,
)
from sohoa.services.production.intake_reimport import InventoryDiff
from sohoa.services.production.staff_pdf import HandoverData, handover_pdf

__all__ = [
    "AccessionView",
    "InventoryDiff",
    "Reconciliation",
    "UploadResult",
    "check_inventory",
    "confirm_reimport",
    "create_accession",
    "form_count",
    "get_accession",
    "handover_document",
    "inventory_files",
    "latest_upload",
    "list_accessions",
    "read_inventory",
    "reconcile",
    "record_box",
    "record_received_file",
    "report_json",
    "set_handover",
    "shelf_metres",
    "staged_reports",
    "upload_inventory",
]

BOX_METRES = Decimal("0.1")  # a standard box takes 10 cm of shelf


def form_count(text: str | None, label: tuple[str, str]) -> int | None:
    """A count typed in a form ("200", "1.200", "1 200"); None when blank, ValidationFailed (naming the field,
    ``label`` in Vietnamese and English) when it is not a whole number, never a silently different value."""
    if text is None or not text.strip():
        return None
    try:
        return parse_count(text)
    except NumberError as exc:
        raise ValidationFailed(f"{label[0]}: {exc.vi}", f"{label[1]}: {exc.en}") from exc


@dataclass(frozen=True)
class AccessionView:
    """An accession as shown on intake screens."""

    id: int
    code: str
    title: str
    unit_id: int
    unit_name: str
    status: str
    received_at: date | None
    deadline: date | None
    planned_pages: int | None
    files: int
    boxes: int
    handover: dict[str, Any]


def _get(session: Session, accession_id: int) -> Accession:
    accession = session.get(Accession, accession_id)
    if accession is None:
        raise NotFound("Không tìm thấy đợt giao nộp", "Accession not found")
    return accession


def _view(session: Session, acc: Accession) -> AccessionView:
    files = session.execute(select(func.count()).where(FileUnit.accession_id == acc.id)).scalar_one()
    boxes = session.execute(select(func.count()).where(Box.accession_id == acc.id)).scalar_one()
    return AccessionView(
        acc.id,
        acc.code,
        acc.title,
        acc.unit_id,
        acc.unit.name,
        acc.status,
        acc.received_at,
        acc.deadline,
        acc.planned_pages,
        files,
        boxes,
        dict(acc.handover or {}),
    )


def create_accession(
    ctx: AppContext,
    unit_id: int,
    title: str,
    *,
    actor: str,
    code: str | None = None,
    deadline: date | None = None,
    planned_pages: int | None = None,
) -> AccessionView:
    """Open an accession (đợt giao nộp) for a unit; the code defaults to GN<year>-<n>."""
    with ctx.db.session() as session:
        if session.get(Unit, unit_id) is None:
            raise NotFound("Không tìm thấy đơn vị", "Unit not found")
        if not nfc(title).strip():
            raise ValidationFailed("Tên đợt giao nộp là bắt buộc", "The accession title is required")
        if planned_pages is not None and planned_pages < 1:
            raise ValidationFailed("Số trang kế hoạch phải lớn hơn 0", "Planned pages must be more than 0")
        if not code:
            count = session.execute(select(func.count()).select_from(Accession)).scalar_one()
            code = f"GN{date.today().year}-{count + 1:03d}"
        if session.execute(select(Accession.id).where(Accession.code == code)).scalar() is not None:
            raise ValidationFailed(f"Mã đợt giao nộp đã tồn tại: {code}", f"Accession code exists: {code}")
        acc = Accession(
            code=code,
            unit_id=unit_id,
            title=nfc(title).strip(),
            deadline=deadline,
            planned_pages=planned_pages,
            status=AccessionStatus.OPEN,
            received_at=date.today(),
        )
        session.add(acc)
        session.flush()
        record_event(session, actor, "accession.create", "accession", acc.id, {"code": code})
        return _view(session, acc)


def list_accessions(ctx: AppContext, unit_id: int | None = None) -> list[AccessionView]:
    """All accessions, or those of one unit (a unit clerk sees only their unit's)."""
    with ctx.db.session() as session:
        stmt = select(Accession).order_by(Accession.id.desc())
        if unit_id is not None:
            stmt = stmt.where(Accession.unit_id == unit_id)
        return [_view(session, a) for a in session.execute(stmt).scalars()]


def get_accession(ctx: AppContext, accession_id: int) -> AccessionView:
    with ctx.db.session() as session:
        return _view(session, _get(session, accession_id))


def inventory_files(ctx: AppContext, accession_id: int) -> list[FileUnit]:
    """The accession's registered files in inventory order (detached rows, read-only use)."""
    with ctx.db.session() as session:
        return list(
            session.execute(
                select(FileUnit).where(FileUnit.accession_id == accession_id).order_by(FileUnit.id)
            ).scalars()
        )


def record_box(
    ctx: AppContext,
    accession_id: int,
    number: str,
    *,
    actor: str,
    barcode: str | None = None,
    location: str | None = None,
) -> int:
    """Record a box (hộp/cặp) as received; re-recording the same number updates it."""
    label = nfc(number).strip()
    if not label or len(label) > 20:
        raise ValidationFailed("Số hộp là bắt buộc (≤20 ký tự)", "Box number is required (≤20 characters)")
    with ctx.db.session() as session:
        _get(session, accession_id)
        box = session.execute(
            select(Box).where(Box.accession_id == accession_id, Box.number == label)
        ).scalar_one_or_none() or Box(accession_id=accession_id, number=label)
        box.received, box.barcode, box.location = True, barcode or box.barcode, location or box.location
        session.add(box)
        session.flush()
        record_event(session, actor, "box.receive", "box", box.id, {"accession_id": accession_id, "number": label})
        return box.id


def record_received_file(
    ctx: AppContext,
    accession_id: int,
    notation: str,
    sheets: int | None,
    *,
    actor: str,
    box_number: str | None = None,
) -> int:
    """Record one file found in the boxes, with its counted sheets, matched to the inventory by number."""
    code = nfc(notation).strip()
    if not code:
        raise ValidationFailed("Số, ký hiệu hồ sơ là bắt buộc", "File number is required")
    with ctx.db.session() as session:
        _get(session, accession_id)
        file = session.execute(
            select(FileUnit).where(FileUnit.accession_id == accession_id, FileUnit.file_notation == code)
        ).scalar_one_or_none()
        box = (
            session.execute(
                select(Box).where(Box.accession_id == accession_id, Box.number == box_number)
            ).scalar_one_or_none()
            if box_number
            else None
        )
        receipt = ReceivedFile(
            accession_id=accession_id,
            file_notation=code,
            sheets_counted=sheets,
            file_id=file.id if file else None,
            box_id=box.id if box else None,
            received_by=actor,
        )
        session.add(receipt)
        if file is not None:
            file.box_id = box.id if box else file.box_id
            if file.state == FileUnitState.REGISTERED:  # received again: it stays received
                file.state = transition(file.state, FileUnitState.RECEIVED)
        session.flush()
        record_event(
            session,
            actor,
            "file.receive",
            "file_unit",
            file.id if file else None,
            {"accession_id": accession_id, "notation": code, "sheets": sheets},
        )
        return receipt.id


@dataclass(frozen=True)
class Reconciliation:
    """Files received against the inventory."""

    missing: list[tuple[str, str]]  # (notation, title) in the inventory, not received
    extra: list[str]  # received, not in the inventory
    mismatched: list[tuple[str, int | None, int]]  # (notation, inventory sheets, counted)
    matched: int


def reconcile(ctx: AppContext, accession_id: int) -> Reconciliation:
    """Compare the received files with the inventory: missing, extra, sheet-count mismatches."""
    with ctx.db.session() as session:
        _get(session, accession_id)
        files = list(session.execute(select(FileUnit).where(FileUnit.accession_id == accession_id)).scalars())
        receipts = list(
            session.execute(
                select(ReceivedFile).where(ReceivedFile.accession_id == accession_id).order_by(ReceivedFile.id)
            ).scalars()
        )
    last: dict[str, ReceivedFile] = {r.file_notation: r for r in receipts}  # a recount replaces a count
    known = {f.file_notation: f for f in files}
    missing = [(f.file_notation or "", f.title) for f in files if f.file_notation not in last]
    extra = [n for n in last if n not in known]
    mismatched = [
        (n, known[n].sheet_total, r.sheets_counted)
        for n, r in last.items()
        if n in known and r.sheets_counted is not None and r.sheets_counted != known[n].sheet_total
    ]
    return Reconciliation(missing, extra, mismatched, len(last) - len(extra) - len(mismatched))


HANDOVER_FIELDS = (
    "giver_name",
    "giver_position",
    "receiver_unit",
    "receiver_name",
    "receiver_position",
    "condition",
    "place",
    "shelf_metres",
)


def shelf_metres(typed: str, boxes: int) -> str:
    """The shelf metres the handover record states, written the Vietnamese way ("0,5"): what was typed, or
    10 cm a box when nothing was; ValidationFailed when the typed text is not a number."""
    if not typed.strip():
        return format_vi(boxes * BOX_METRES)
    try:
        return format_vi(parse_decimal(typed))
    except NumberError as exc:
        raise ValidationFailed(f"Mét giá: {exc.vi}", f"Shelf metres: {exc.en}") from exc


def set_handover(ctx: AppContext, accession_id: int, values: dict[str, str], *, actor: str) -> None:
    """Store the parties and condition stated in the handover record; the shelf metres must read as a number."""
    clean = {k: nfc(values.get(k, "")).strip()[:200] for k in HANDOVER_FIELDS}
    shelf_metres(clean["shelf_metres"], 0)  # refuse "0,5m?" here, not when the record is printed
    with ctx.db.session() as session:
        acc = _get(session, accession_id)
        acc.handover = clean
        record_event(session, actor, "accession.handover", "accession", acc.id, clean)


def _span(files: list[FileUnit]) -> str:
    starts = [f.start_date for f in files if f.start_date]
    ends = [f.end_date for f in files if f.end_date]
    if not starts or not ends:
        return ""
    first, last = min(starts).year, max(ends).year
    return str(first) if first == last else f"{first}-{last}"


def handover_document(ctx: AppContext, accession_id: int) -> bytes:
    """The biên bản giao nhận (NĐ 30 Phụ lục V) of an accession, with its mục lục, as a PDF."""

    acc = get_accession(ctx, accession_id)
    files = inventory_files(ctx, accession_id)
    info = acc.handover
    metres = shelf_metres(str(info.get("shelf_metres") or ""), acc.boxes)
    rows = [
        (str(n), f.file_notation or "", f.title, _span([f]), f.maintenance or "", str(f.sheet_total or ""))
        for n, f in enumerate(files, 1)
    ]
    data = HandoverData(
        acc.unit_name,
        info.get("giver_name", ""),
        info.get("giver_position", ""),
        info.get("receiver_unit") or "Trung tâm Lưu trữ lịch sử",
        info.get("receiver_name", ""),
        info.get("receiver_position", ""),
        acc.title,
        _span(files),
        acc.boxes,
        len(files),
        metres,
        info.get("condition", ""),
        info.get("place") or "Hà Nội",
        date.today(),
        rows,
    )
    return handover_pdf(data)
