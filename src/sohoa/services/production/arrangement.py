"""Arrangement (chỉnh lý): fonds and their succession, files in fonds, file metadata, labels, separators."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from sohoa.db.models import Box, Document, FileUnit, Fonds, Unit, UnitLink
from sohoa.domain.codes import AccessLevel
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.inventory import parse_retention
from sohoa.domain.text import nfc
from sohoa.domain.workflow import DocumentState, FondsStatus, transition
from sohoa.services.catalogue.catalog import search_documents
from sohoa.services.catalogue.listing import document_clause
from sohoa.services.identity.policy import DocumentScope, document_scope
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.production.staff_pdf import FileLabel, labels_pdf, separator_pdf
from sohoa.services.registry.units import related_unit_ids

__all__ = [
    "FondsView",
    "UnitRecords",
    "assign_files",
    "box_labels",
    "create_fonds",
    "file_labels",
    "list_files",
    "list_fonds",
    "separator_sheets",
    "set_fonds_status",
    "unit_records",
    "update_file",
]


@dataclass(frozen=True)
class FondsView:
    """A fonds with its unit's predecessors and successors (names), from the succession links."""

    id: int
    code: str
    name: str
    status: str
    unit_name: str | None
    predecessors: list[str]
    successors: list[str]
    files: int


def _links(session: Session, unit_id: int | None) -> tuple[list[str], list[str]]:
    if unit_id is None:
        return [], []
    before = (
        session.execute(
            select(Unit.name)
            .join(UnitLink, UnitLink.from_unit_id == Unit.id)
            .where(UnitLink.to_unit_id == unit_id)
        )
        .scalars()
        .all()
    )
    after = (
        session.execute(
            select(Unit.name)
            .join(UnitLink, UnitLink.to_unit_id == Unit.id)
            .where(UnitLink.from_unit_id == unit_id)
        )
        .scalars()
        .all()
    )
    return sorted(set(before)), sorted(set(after))


def list_fonds(ctx: AppContext) -> list[FondsView]:
    with ctx.db.session() as session:
        views = []
        for fonds in session.execute(select(Fonds).order_by(Fonds.code)).scalars():
            before, after = _links(session, fonds.unit_id)
            files = len(session.execute(select(FileUnit.id).where(FileUnit.fonds_id == fonds.id)).all())
            views.append(
                FondsView(
                    fonds.id,
                    fonds.code,
                    fonds.name,
                    fonds.status,
                    fonds.unit.name if fonds.unit else None,
                    before,
                    after,
                    files,
                )
            )
        return views


def create_fonds(
    ctx: AppContext, code: str, name: str, unit_id: int | None, *, actor: str, status: str = "open"
) -> int:
    """A fonds (phông) of a creating unit; code ≤ 13 characters, unique; status open or closed."""
    label, title = nfc(code).strip(), nfc(name).strip()
    if not label or len(label) > 13 or not title:
        raise ValidationFailed(
            "Mã phông (≤13 ký tự) và tên phông là bắt buộc",
            "Fonds code (≤13 characters) and name are required",
        )
    if status not in tuple(FondsStatus):
        raise ValidationFailed("Trạng thái phông phải là mở hoặc đóng", "Status must be open or closed")
    with ctx.db.session() as session:
        if session.execute(select(Fonds.id).where(Fonds.code == label)).scalar() is not None:
            raise ValidationFailed(f"Mã phông đã tồn tại: {label}", f"Fonds code exists: {label}")
        fonds = Fonds(code=label, name=title, unit_id=unit_id, status=FondsStatus(status))
        session.add(fonds)
        session.flush()
        record_event(session, actor, "fonds.create", "fonds", fonds.id, {"code": label, "status": status})
        return fonds.id


def set_fonds_status(ctx: AppContext, fonds_id: int, status: str, *, actor: str) -> None:
    """Open or close a fonds (an abolished unit's fonds is closed)."""
    if status not in tuple(FondsStatus):
        raise ValidationFailed("Trạng thái phông phải là mở hoặc đóng", "Status must be open or closed")
    with ctx.db.session() as session:
        fonds = session.get(Fonds, fonds_id)
        if fonds is None:
            raise NotFound("Không tìm thấy phông", "Fonds not found")
        fonds.status = transition(fonds.status, FondsStatus(status))
        record_event(session, actor, "fonds.status", "fonds", fonds.id, {"status": status})


def list_files(ctx: AppContext, accession_id: int | None = None, limit: int = 500) -> list[FileUnit]:
    with ctx.db.session() as session:
        stmt = select(FileUnit).order_by(FileUnit.file_code).limit(limit)
        if accession_id is not None:
            stmt = stmt.where(FileUnit.accession_id == accession_id)
        return list(session.execute(stmt).scalars())


def assign_files(ctx: AppContext, file_ids: list[int], fonds_id: int, *, actor: str) -> int:
    """Put files in a fonds; a closed fonds still accepts its own unit's older files."""
    with ctx.db.session() as session:
        if session.get(Fonds, fonds_id) is None:
            raise NotFound("Không tìm thấy phông", "Fonds not found")
        files = session.execute(select(FileUnit).where(FileUnit.id.in_(file_ids))).scalars().all()
        for file in files:
            file.fonds_id = fonds_id
        record_event(session, actor, "file.assign_fonds", "fonds", fonds_id, {"files": [f.id for f in files]})
        return len(files)


def _date(text: str) -> date | None:
    if not text.strip():
        return None
    try:
        day, month, year = (int(p) for p in text.strip().split("/"))
        return date(year, month, day)
    except ValueError as exc:
        raise ValidationFailed(f"Ngày không hợp lệ: {text}", f"Invalid date: {text}") from exc


def _count(text: str) -> int | None:
    if not text.strip():
        return None
    if not text.strip().isdigit():
        raise ValidationFailed(f"Phải là số: {text}", f"Must be a number: {text}")
    return int(text)


def update_file(ctx: AppContext, file_id: int, values: dict[str, str], *, actor: str) -> None:
    """Edit a file's metadata: title, dates, retention, sheets/pages, description. Its access level is not
    set here: that is an access change (``identity.access_changes``: role check, warnings, ``access.change``)."""
    retention = parse_retention(values.get("maintenance", ""))
    if retention is None:
        raise ValidationFailed(
            "Thời hạn bảo quản phải là «Vĩnh viễn» hoặc số năm",
            "Retention must be «Vĩnh viễn» or a number of years",
        )
    title = nfc(values.get("title", "")).strip()
    if not title or len(title) > 1000:
        raise ValidationFailed(
            "Tiêu đề hồ sơ là bắt buộc (≤1000 ký tự)", "Title is required (≤1000 characters)"
        )
    start, end = _date(values.get("start_date", "")), _date(values.get("end_date", ""))
    if start and end and start > end:
        raise ValidationFailed("Ngày bắt đầu sau ngày kết thúc", "Start date after end date")
    with ctx.db.session() as session:
        file = session.get(FileUnit, file_id)
        if file is None:
            raise NotFound("Không tìm thấy hồ sơ", "File not found")
        file.title, file.start_date, file.end_date = title, start, end
        file.permanent, file.retention_years = retention
        file.maintenance = "Vĩnh viễn" if retention[0] else f"{retention[1]} năm"
        file.sheet_total, file.page_total = (
            _count(values.get("sheet_total", "")),
            _count(values.get("page_total", "")),
        )
        file.description = nfc(values.get("description", "")).strip()[:2000] or None
        record_event(
            session,
            actor,
            "file.update",
            "file_unit",
            file.id,
            {k: v for k, v in values.items() if k not in {"csrf_token", "access_level"}},
        )


def file_labels(ctx: AppContext, file_ids: list[int]) -> bytes:
    """Labels with a QR code per file (mã hồ sơ, title, dates, retention, sheets)."""

    with ctx.db.session() as session:
        files = session.execute(
            select(FileUnit).where(FileUnit.id.in_(file_ids)).order_by(FileUnit.file_code)
        ).scalars()
        labels = [
            FileLabel(
                f"SOHOA:FILE:{f.file_code}",
                f.file_code,
                (
                    f.title[:120],
                    f"{f.start_date or ''} – {f.end_date or ''}",
                    f"{f.maintenance or ''} · {f.sheet_total or '?'} tờ",
                ),
            )
            for f in files
        ]
    return labels_pdf(labels)


def box_labels(ctx: AppContext, accession_id: int) -> bytes:
    """Labels with a QR code per box of an accession, listing the files recorded in it."""

    with ctx.db.session() as session:
        boxes = session.execute(
            select(Box).where(Box.accession_id == accession_id).order_by(Box.number)
        ).scalars()
        labels = []
        for box in boxes:
            codes = (
                session.execute(
                    select(FileUnit.file_notation)
                    .where(FileUnit.box_id == box.id)
                    .order_by(FileUnit.file_notation)
                )
                .scalars()
                .all()
            )
            span = f"{codes[0]} → {codes[-1]}" if codes else "—"
            labels.append(
                FileLabel(
                    f"SOHOA:BOX:{accession_id}:{box.number}",
                    f"Hộp số {box.number}",
                    (f"Hồ sơ: {span}", f"{len(codes)} hồ sơ", box.location or ""),
                )
            )
    return labels_pdf(labels)


def separator_sheets(ctx: AppContext, file_ids: list[int]) -> bytes:
    """One separator sheet per file, to put in front of it in the scanner's feeder."""

    with ctx.db.session() as session:
        rows = session.execute(
            select(FileUnit.file_code, FileUnit.title)
            .where(FileUnit.id.in_(file_ids))
            .order_by(FileUnit.file_code)
        ).all()
    return separator_pdf([(code, title) for code, title in rows])


@dataclass(frozen=True)
class UnitFileRow:
    """A hồ sơ of the unit lineage with its number of visible documents."""

    id: int
    file_code: str
    title: str
    unit_name: str | None
    documents: int
    start_date: date | None
    end_date: date | None
    maintenance: str | None


@dataclass(frozen=True)
class UnitDocumentRow:
    """A document of the unit lineage: its type, sign (số/ký hiệu), date, subject and where it is filed."""

    id: int
    type_name: str | None
    sign: str
    issued_date: date | None
    subject: str
    file_code: str | None
    unit_name: str | None


@dataclass(frozen=True)
class UnitRecords:
    """Hồ sơ của đơn vị: the files and documents of a user's unit and of its predecessors/successors."""

    unit_name: str | None
    units: list[str] = field(default_factory=list)
    files: list[UnitFileRow] = field(default_factory=list)
    documents: list[UnitDocumentRow] = field(default_factory=list)
    query: str = ""
    total: int = 0


def _doc_clause(scope: DocumentScope, unit_ids: set[int]) -> ColumnElement[bool]:
    return and_(document_clause(scope), Document.unit_id.in_(sorted(unit_ids)),
                Document.state != DocumentState.MERGED)


def _file_rows(session: Session, scope: DocumentScope, unit_ids: set[int], limit: int) -> list[UnitFileRow]:
    clause = and_(FileUnit.unit_id.in_(sorted(unit_ids)), FileUnit.access_level.in_(sorted(scope.levels)))
    if scope.exclude_secret:
        clause = and_(clause, FileUnit.access_level != AccessLevel.SECRET)
    counts = (select(Document.file_id, func.count().label("n")).where(_doc_clause(scope, unit_ids))
              .group_by(Document.file_id).subquery())
    rows = session.execute(
        select(FileUnit, Unit.name, counts.c.n).outerjoin(Unit, FileUnit.unit_id == Unit.id)
        .outerjoin(counts, counts.c.file_id == FileUnit.id).where(clause).order_by(FileUnit.file_code).limit(limit)
    ).all()
    return [UnitFileRow(f.id, f.file_code, f.title, unit, n or 0, f.start_date, f.end_date, f.maintenance)
            for f, unit, n in rows]


def _doc_row(doc: Document, file_code: str | None, unit_name: str | None) -> UnitDocumentRow:
    sign = f"{doc.code_number}/{doc.code_notation}" if doc.code_number and doc.code_notation else ""
    return UnitDocumentRow(doc.id, doc.type_name, sign, doc.issued_date, doc.subject or doc.source_name, file_code,
                           unit_name)


def _documents(session: Session, clause: ColumnElement[bool], limit: int, ids: list[int] | None = None
               ) -> list[UnitDocumentRow]:
    stmt = (select(Document, FileUnit.file_code, Unit.name).outerjoin(FileUnit, Document.file_id == FileUnit.id)
            .outerjoin(Unit, Document.unit_id == Unit.id).where(clause))
    if ids is not None:
        stmt = stmt.where(Document.id.in_(ids))
    rows = session.execute(stmt.order_by(Document.issued_date.desc(), Document.id.desc()).limit(limit)).all()
    found = [_doc_row(d, code, unit) for d, code, unit in rows]
    if ids is not None:  # keep the search ranking
        rank = {doc_id: n for n, doc_id in enumerate(ids)}
        found.sort(key=lambda row: rank[row.id])
    return found


def unit_records(ctx: AppContext, principal: Principal, query: str = "", limit: int = 200) -> UnitRecords:
    """Files and documents of the principal's unit lineage that the principal may see; ``query`` searches them."""

    if principal.unit_id is None:
        return UnitRecords(None, query=query)
    text = nfc(query).strip()
    with ctx.db.session() as session:
        own = session.get(Unit, principal.unit_id)
        if own is None:
            return UnitRecords(None, query=text)
        unit_ids = related_unit_ids(session, own.id)
        scope = document_scope(session, principal)
        names = sorted(session.execute(select(Unit.name).where(Unit.id.in_(sorted(unit_ids - {own.id})))).scalars())
        clause = _doc_clause(scope, unit_ids)
        files = _file_rows(session, scope, unit_ids, limit)
        identifier = own.identifier
        if not text:
            documents = _documents(session, clause, limit)
            return UnitRecords(own.name, names, files, documents, "", len(documents))
    found = search_documents(ctx, text, unit=identifier, principal=principal, limit=50)
    ids = [hit.document_id for hit in found.results]
    with ctx.db.session() as session:  # the same rule once more on the hits: search and list never disagree
        documents = _documents(session, clause, limit, ids)
    return UnitRecords(own.name, names, files, documents, text, found.total)
