"""Re-importing an inventory: what a new mục lục would add, change (field by field) and remove, before it does.

A second inventory for an accession never changes its files at once: ``inventory_diff`` lists the files it
would add, the fields it would change (old → new) and the files it would remove; the intake officer
confirms the list, and ``apply_rows`` then makes exactly those changes. A file that already carries work
(received, boxed, scanned, documents, grants: any row pointing at it) is never removed: the diff names it
with its work and the re-import is refused until the new inventory keeps it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.db.models import Accession, FileUnit
from sohoa.domain.inventory import InventoryRow, count_value
from sohoa.domain.workflow import FileUnitState

__all__ = ["FieldChange", "FileChange", "InventoryDiff", "Removal", "apply_rows", "inventory_diff"]

# The registered fields an inventory row sets: key → (Vietnamese label, English label).
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "title": ("Tiêu đề hồ sơ", "File title"),
    "time": ("Thời gian tài liệu", "Date range"),
    "maintenance": ("Thời hạn bảo quản", "Retention"),
    "sheet_total": ("Số tờ", "Sheets"),
    "page_total": ("Số trang", "Pages"),
    "description": ("Ghi chú", "Note"),
}
# Rows of other tables that point at a file: its work, which a re-import must not delete.
_WORK_LABELS: dict[str, tuple[str, str]] = {
    "documents": ("{n} văn bản", "{n} document(s)"),
    "received_files": ("{n} lần ghi nhận đã nhận", "received {n} time(s)"),
    "scan_uploads": ("{n} lượt tải bản quét", "{n} scan upload(s)"),
    "ingest_items": ("{n} tệp bản quét", "{n} scanned master(s)"),
    "file_grants": ("{n} quyền truy cập", "{n} access grant(s)"),
}


@dataclass(frozen=True)
class FieldChange:
    """One field of a registered file that the new inventory changes."""

    field: str
    label_vi: str
    label_en: str
    old: str
    new: str


@dataclass(frozen=True)
class FileChange:
    notation: str
    title: str
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class Removal:
    """A registered file the new inventory leaves out; ``work`` (vi, en) names what is attached to it."""

    notation: str
    title: str
    work: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class InventoryDiff:
    added: tuple[InventoryRow, ...]
    changed: tuple[FileChange, ...]
    removed: tuple[Removal, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)

    @property
    def blocked(self) -> tuple[Removal, ...]:
        """Removals refused: the file carries work."""
        return tuple(r for r in self.removed if r.work)

    @property
    def digest(self) -> str:
        """A fingerprint of exactly these changes: a confirmation applies only the list it was shown."""
        shape = {
            "added": [(r.notation, r.title) for r in self.added],
            "changed": [(c.notation, [(f.field, f.old, f.new) for f in c.changes]) for c in self.changed],
            "removed": [(r.notation, list(r.work)) for r in self.removed],
        }
        return hashlib.sha256(json.dumps(shape, ensure_ascii=False).encode()).hexdigest()[:32]


def _dates(start: date | None, end: date | None) -> str:
    if not start or not end:
        return ""
    return f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"


def _row_values(row: InventoryRow) -> dict[str, object]:
    pages = count_value(row.pages)
    return {
        "title": row.title,
        "maintenance": "Vĩnh viễn" if row.permanent else f"{row.retention_years} năm",
        "permanent": row.permanent,
        "retention_years": row.retention_years,
        "start_date": row.start_date,
        "end_date": row.end_date,
        "file_catalog": row.start_date.year if row.start_date else None,
        "sheet_total": count_value(row.sheets),
        "page_total": pages,
        "description": row.note or None,
    }


def _shown(file: FileUnit | None, values: dict[str, object] | None) -> dict[str, str]:
    """Each compared field as the diff shows it."""
    if values is None:
        assert file is not None
        values = {k: getattr(file, k) for k in ("title", "maintenance", "sheet_total", "page_total", "description")}
        values |= {"start_date": file.start_date, "end_date": file.end_date}
    start, end = values["start_date"], values["end_date"]
    shown = {k: "" if values[k] is None else str(values[k]) for k in FIELD_LABELS if k != "time"}
    shown["time"] = _dates(start if isinstance(start, date) else None, end if isinstance(end, date) else None)
    return shown


def _work(session: Session, files: Sequence[FileUnit]) -> dict[int, list[tuple[str, str]]]:
    """What is attached to each file: boxes, receipts, documents, scans, grants (any row pointing at it)."""
    ids = [f.id for f in files]
    work: dict[int, list[tuple[str, str]]] = {f.id: [] for f in files}
    for f in files:
        if f.state != FileUnitState.REGISTERED:
            work[f.id].append(("đã nhận", "received"))
        if f.box_id is not None:
            work[f.id].append(("đã xếp hộp", "in a box"))
    if not ids:
        return work
    for table in FileUnit.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name != FileUnit.__tablename__ or table.name == FileUnit.__tablename__:
                continue
            column = table.c[fk.parent.name]
            counts = session.execute(select(column, func.count()).where(column.in_(ids)).group_by(column))
            vi, en = _WORK_LABELS.get(table.name, (f"{{n}} bản ghi {table.name}", f"{{n}} {table.name} row(s)"))
            for file_id, n in counts:
                work[file_id].append((vi.format(n=n), en.format(n=n)))
    return work


def _existing(session: Session, acc: Accession) -> dict[str, FileUnit]:
    files = session.execute(select(FileUnit).where(FileUnit.accession_id == acc.id).order_by(FileUnit.id)).scalars()
    return {f.file_notation or "": f for f in files}


def inventory_diff(session: Session, acc: Accession, rows: Sequence[InventoryRow]) -> InventoryDiff:
    """What importing ``rows`` (already validated) would add, change and remove in the accession's files."""
    existing = _existing(session, acc)
    added, changed = [], []
    for row in rows:
        file = existing.get(row.notation)
        if file is None:
            added.append(row)
            continue
        old, new = _shown(file, None), _shown(None, _row_values(row))
        fields = tuple(
            FieldChange(key, vi, en, old[key], new[key])
            for key, (vi, en) in FIELD_LABELS.items()
            if old[key] != new[key]
        )
        if fields:
            changed.append(FileChange(row.notation, row.title, fields))
    wanted = {row.notation for row in rows}
    gone = [f for n, f in existing.items() if n not in wanted]
    work = _work(session, gone)
    removed = [Removal(f.file_notation or "", f.title, tuple(work[f.id])) for f in gone]
    return InventoryDiff(tuple(added), tuple(changed), tuple(removed))


def apply_rows(session: Session, acc: Accession, rows: Sequence[InventoryRow], diff: InventoryDiff) -> None:
    """Make the changes of ``diff`` (computed from ``rows`` in this session): add, update, remove."""
    existing = _existing(session, acc)
    for removal in diff.removed:
        if not removal.work:
            session.delete(existing[removal.notation])
    for row in rows:
        file = existing.get(row.notation) or FileUnit(
            file_code=f"{acc.code}.{row.notation}"[:30], accession_id=acc.id, file_notation=row.notation
        )
        file.unit_id, file.fonds_id = acc.unit_id, file.fonds_id or acc.fonds_id
        for key, value in _row_values(row).items():
            setattr(file, key, value)
        session.add(file)
