"""Catalogue export for the national document-exchange formats: the records of a file or a unit, under the policy.

What crosses the archive's edge is never độ mật: the export reads through a principal's scope (public records by
default, every non-secret record for an archivist export). The writers are :mod:`sohoa.services.sharing.edxml`
(the edXML-like envelope of QCVN 102:2016) and :func:`csv_tt02` (the TT 02/2019 Phụ lục II document fields).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select

from sohoa.db.models import Document, FileUnit, Unit
from sohoa.domain.cells import csv_bytes
from sohoa.domain.codes import ACCESS_LEVELS, AccessLevel
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.fields import RecordHeading
from sohoa.domain.workflow import DocumentState
from sohoa.services.catalogue.listing import document_clause
from sohoa.services.catalogue.personal_masking import Masking, maskings_for
from sohoa.services.identity.policy import document_scope
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext

__all__ = ["TT02_COLUMNS", "ExportRecord", "collect_records", "csv_tt02", "record_export"]

_GONE = (DocumentState.MERGED, DocumentState.SUPERSEDED)


@dataclass(frozen=True)
class ExportRecord(RecordHeading):
    """One document as the exchange formats describe it (NĐ 30 Phụ lục VI fields, its file and unit)."""

    doc_code: str | None
    file_code: str | None
    organ_id: str | None          # the file's OrganId (mã phông / cơ quan lập hồ sơ)
    file_catalog: int | None
    file_notation: str | None
    doc_ordinal: int | None
    signer_position: str | None
    signer_full_name: str | None
    urgency: str | None
    language: str | None
    page_amount: int
    access_level: str
    physical_state: str | None
    unit_identifier: str | None   # the issuing unit's mã định danh (QCVN 102 / QĐ 20/2020)
    unit_name: str | None


def _record(doc: Document, file: FileUnit | None, unit: Unit | None) -> ExportRecord:
    return ExportRecord(
        document_id=doc.id, doc_code=doc.doc_code, file_code=file.file_code if file else None,
        organ_id=file.organ_id if file else None, file_catalog=file.file_catalog if file else None,
        file_notation=file.file_notation if file else None, doc_ordinal=doc.doc_ordinal, type_name=doc.type_name,
        code_number=doc.code_number, code_notation=doc.code_notation, issued_date=doc.issued_date, place=doc.place,
        organ_name=doc.organ_name, parent_organ_name=doc.parent_organ_name, subject=doc.subject,
        signer_position=doc.signer_position, signer_full_name=doc.signer_full_name, urgency=doc.urgency,
        language=doc.language, page_amount=doc.page_amount, access_level=doc.access_level,
        physical_state=file.physical_state if file else None, unit_identifier=unit.identifier if unit else None,
        unit_name=unit.name if unit else None)


def collect_records(ctx: AppContext, principal: Principal | None, *, file_code: str | None = None,
                    unit: str | None = None) -> list[ExportRecord]:
    """The documents of one file (by mã hồ sơ) or one unit (by mã định danh) that ``principal`` may see, in
    file and ordinal order; never a document marked độ mật."""
    if (file_code is None) == (unit is None):
        raise ValidationFailed("Chọn một hồ sơ hoặc một đơn vị", "Choose one file or one unit")
    with ctx.db.session() as session:
        scope = document_scope(session, principal)
        stmt = select(Document).where(document_clause(scope), Document.state.not_in(_GONE),
                                      Document.secrecy.is_(None), Document.access_level != AccessLevel.SECRET)
        if file_code is not None:
            file_id = session.execute(select(FileUnit.id).where(FileUnit.file_code == file_code)).scalar()
            if file_id is None:
                raise NotFound(f"Không có hồ sơ {file_code}", f"No file {file_code}")
            stmt = stmt.where(Document.file_id == file_id)
        else:
            unit_id = session.execute(select(Unit.id).where(Unit.identifier == unit)).scalar()
            if unit_id is None:
                raise NotFound(f"Không tìm thấy đơn vị '{unit}'", f"Unknown unit '{unit}'")
            stmt = stmt.where(Document.unit_id == unit_id)
        docs = session.execute(stmt.order_by(Document.file_id, Document.doc_ordinal, Document.id)).scalars().all()
        # The catalogue leaves the archive: personal data in a subject is masked as the public reads it.
        maskings = maskings_for(session, docs, None)
        return [_masked(_record(d, d.file, d.unit), maskings[d.id]) for d in docs]


def _masked(record: ExportRecord, masking: Masking | None) -> ExportRecord:
    return record if masking is None else replace(record, subject=masking.optional_text(record.subject))


def record_export(ctx: AppContext, actor: str, fmt: str, records: list[ExportRecord], target: dict[str, str]) -> None:
    """Audit an export: who, which format, of what, and which documents left."""
    with ctx.db.session() as session:
        record_event(session, actor, "catalogue.export", None, None,
                     {"format": fmt, **target, "documents": [r.document_id for r in records]})


# TT 02/2019 Phụ lục II document fields, tags as public implementations spell them [S] (docs/integration.md).
TT02_COLUMNS: tuple[str, ...] = (
    "DocCode", "FileCode", "Identifier", "OrganId", "FileCatalog", "FileNotation", "DocOrdinal", "TypeName",
    "CodeNumber", "CodeNotation", "IssuedDate", "OrganName", "Subject", "Language", "PageAmount", "Description",
    "InforSign", "Keyword", "Mode", "ConfidenceLevel", "Autograph", "Format",
)


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _tt02_row(record: ExportRecord, archive_id: str) -> dict[str, str]:
    return {
        "DocCode": _text(record.doc_code), "FileCode": _text(record.file_code), "Identifier": archive_id,
        "OrganId": _text(record.organ_id), "FileCatalog": _text(record.file_catalog),
        "FileNotation": _text(record.file_notation), "DocOrdinal": _text(record.doc_ordinal),
        "TypeName": _text(record.type_name), "CodeNumber": _text(record.code_number),
        "CodeNotation": _text(record.code_notation),
        "IssuedDate": record.issued_date.strftime("%d/%m/%Y") if record.issued_date else "",
        "OrganName": _text(record.organ_name), "Subject": _text(record.subject),
        "Language": _text(record.language), "PageAmount": str(record.page_amount), "Description": "",
        "InforSign": "", "Keyword": "", "Mode": ACCESS_LEVELS[AccessLevel(record.access_level)][0],
        "ConfidenceLevel": "Số hóa", "Autograph": "", "Format": _text(record.physical_state),
    }


def csv_tt02(records: list[ExportRecord], archive_id: str = "") -> bytes:
    """UTF-8 CSV (with BOM, for spreadsheet programs) of the TT 02/2019 document fields, dates dd/mm/yyyy; cells a
    spreadsheet would read as formulas are neutralised (:mod:`sohoa.domain.cells`)."""
    rows = (_tt02_row(record, archive_id) for record in records)
    return csv_bytes(TT02_COLUMNS, ([row[c] for c in TT02_COLUMNS] for row in rows))
