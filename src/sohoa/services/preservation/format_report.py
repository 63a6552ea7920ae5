"""The migration-watch report: objects per format with the policy's verdict, and every object at risk named by
what it is to an archivist — the master file (its original name) or derivative, the document(s) and page(s) it
belongs to, the hồ sơ (file code)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileUnit, ObjectFormat, Page, StoredObject
from sohoa.services.preservation.events import iso_vn
from sohoa.services.preservation.format_policy import FormatPolicy
from sohoa.services.preservation.formats import FormatCount, format_summary, pending_count

__all__ = ["AtRiskObject", "FormatReport", "Placement", "format_report"]

_SCAN = 500


@dataclass(frozen=True)
class Placement:
    """Where an object is used: a document (its id and code, the hồ sơ's file code) and page, and as what."""

    document_id: int
    doc_code: str | None
    file_code: str | None
    page_no: int | None
    role: str  # master, pdf, ocr, thumbnail, image


@dataclass(frozen=True)
class AtRiskObject:
    """One object the policy holds at risk, why, and where it is used."""

    object_id: int
    sha256: str
    kind: str
    original_name: str | None
    puid: str
    name: str
    version: str
    flags: str
    warning: str
    reason: str
    identified_at: str
    placements: tuple[Placement, ...] = ()


@dataclass
class FormatReport:
    """The counts per format, the objects not identified yet, and the objects at risk."""

    policy: str
    formats: list[FormatCount]
    pending: int
    at_risk: list[AtRiskObject] = field(default_factory=list)
    at_risk_total: int = 0

    def as_json(self) -> dict[str, Any]:
        return {"policy": self.policy, "pending": self.pending, "at_risk_total": self.at_risk_total,
                "formats": [vars(c) for c in self.formats],
                "at_risk": [{**{k: v for k, v in vars(o).items() if k != "placements"},
                             "placements": [vars(p) for p in o.placements]} for o in self.at_risk]}


def _placements(session: Session, ids: Sequence[int]) -> dict[int, list[Placement]]:
    """Where each object is used: as a page's master, OCR, thumbnail or image, or as a document's PDF."""
    found: dict[int, list[Placement]] = {i: [] for i in ids}
    columns = {"master": Page.master_object_id, "ocr": Page.ocr_object_id, "thumbnail": Page.thumbnail_object_id,
               "image": Page.image_object_id}
    page_query = (select(Page.master_object_id, Page.ocr_object_id, Page.thumbnail_object_id, Page.image_object_id,
                         Page.page_no, Document.id, Document.doc_code, FileUnit.file_code)
                  .join(Document, Document.id == Page.document_id)
                  .outerjoin(FileUnit, FileUnit.id == Document.file_id)
                  .where(or_(*(column.in_(ids) for column in columns.values())))
                  .order_by(Document.id, Page.page_no))
    for master, ocr, thumb, image, page_no, doc_id, doc_code, file_code in session.execute(page_query).all():
        for role, object_id in zip(columns, (master, ocr, thumb, image), strict=True):
            if object_id in found:
                found[object_id].append(Placement(doc_id, doc_code, file_code, page_no, role))
    doc_query = (select(Document.pdf_object_id, Document.id, Document.doc_code, FileUnit.file_code)
                 .outerjoin(FileUnit, FileUnit.id == Document.file_id).where(Document.pdf_object_id.in_(ids)))
    for object_id, doc_id, doc_code, file_code in session.execute(doc_query).all():
        if object_id is not None:
            found[object_id].append(Placement(doc_id, doc_code, file_code, None, "pdf"))
    return found


def _compact(placements: list[Placement]) -> tuple[Placement, ...]:
    """A master of many pages in one document is named once per document (its first page)."""
    seen: set[tuple[int, str]] = set()
    kept = []
    for place in placements:
        if (place.document_id, place.role) not in seen:
            seen.add((place.document_id, place.role))
            kept.append(place)
    return tuple(kept)


def format_report(session: Session, policy: FormatPolicy, *, limit: int = 1000) -> FormatReport:
    """Counts per format, pending objects, and up to ``limit`` objects at risk (oldest objects first)."""
    formats = format_summary(session, policy)
    report = FormatReport(policy.source, formats, pending_count(session))
    report.at_risk_total = sum(c.count for c in formats if c.at_risk)
    puids = sorted({c.puid for c in formats if c.at_risk})
    if not puids:
        return report
    query = (select(ObjectFormat, StoredObject).join(StoredObject, StoredObject.id == ObjectFormat.object_id)
             .where(ObjectFormat.puid.in_(puids)).order_by(ObjectFormat.object_id)
             .execution_options(yield_per=_SCAN))
    chosen: list[tuple[ObjectFormat, StoredObject, str]] = []
    result = session.execute(query)
    for row, obj in result:  # streamed: stops once ``limit`` are found
        verdict = policy.assess(row.puid, warning=row.warning, flags=row.flags)
        if verdict.at_risk:
            chosen.append((row, obj, verdict.reason))
            if len(chosen) >= limit:
                break
    result.close()
    placements: dict[int, list[Placement]] = {}
    ids = [obj.id for _, obj, _ in chosen]
    for start in range(0, len(ids), _SCAN):
        placements.update(_placements(session, ids[start:start + _SCAN]))
    report.at_risk = [AtRiskObject(obj.id, obj.sha256, obj.kind, obj.original_name, row.puid, row.name, row.version,
                                   row.flags, row.warning, reason, iso_vn(row.identified_at),
                                   _compact(placements.get(obj.id, [])))
                      for row, obj, reason in chosen]
    return report
