"""The round trip as a proof: a hồ sơ in one archive against the same hồ sơ taken in by another from its AIP.

Both sides are reduced to a snapshot keyed by what survives a move between archives — the file code, a
document's first page (master digest and page index), object digests, event identifiers — never by row ids.
Every column of the hồ sơ, its documents, pages and signatures is compared, every object is re-hashed in
both stores, every audit event of the first archive must be in the second one's imported history (time,
actor, action, entity, payload) and every PREMIS event must be there with its identifier, time and outcome.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from sohoa.db.models import (
    Accession,
    Box,
    Document,
    DocumentSignature,
    Event,
    FileUnit,
    Fonds,
    ImportedAuditEvent,
    IngestItem,
    Page,
    PersonalDatum,
    PreservationEvent,
    StoredObject,
    Unit,
)
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.intake.rows import row_values

__all__ = ["Difference", "Snapshot", "compare_archives", "snapshot"]

# Set by the archive that holds the row, not carried by a package: ids, links by id, the ingest bookkeeping.
_FILE_SKIP = {"id", "unit_id", "fonds_id", "accession_id", "box_id"}
_DOC_SKIP = {"id", "file_id", "unit_id", "ingest_item_id", "pdf_object_id"}
_PAGE_SKIP = {"id", "document_id", "master_object_id", "ocr_object_id", "thumbnail_object_id", "image_object_id"}
_SIG_SKIP = {"id", "document_id", "master_object_id"}
_OBJECT_SKIP = {"id", "last_fixity_at"}
# What an AIP carries of a page (TT 05/2025: the master, the OCR; the PDF/A per document). A page's thumbnail and
# display image derive from the master (thumbnails made at intake, display images when first asked for): not
# compared.
_CARRIED = ("master", "ocr")
# A PREMIS event's links are compared through its entity; its ``payload`` (Sohoa's own JSON beside the event)
# has no place in PREMIS.xml and is not carried.
_PREMIS_SKIP = {"id", "object_id", "document_id", "file_id", "payload"}


@dataclass(frozen=True)
class Difference:
    """One thing that differs: where (``documents[…].pages[2]``), which field, and both values."""

    where: str
    field: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Snapshot:
    """A hồ sơ as an archive holds it, keyed without row ids."""

    file: dict[str, Any]
    documents: dict[str, dict[str, Any]]
    objects: dict[str, dict[str, Any]]
    audit: list[tuple[Any, ...]]
    premis: dict[str, dict[str, Any]]


def _sha(session: Session, object_id: int | None) -> str | None:
    return None if object_id is None else session.get(StoredObject, object_id).sha256  # type: ignore[union-attr]


def _doc_key(session: Session, doc: Document) -> str:
    if doc.pages:
        first = doc.pages[0]
        return f"{_sha(session, first.master_object_id)}#{first.source_index}"
    return f"code:{doc.doc_code}" if doc.doc_code else f"ordinal:{doc.doc_ordinal}"


def _file_record(session: Session, file: FileUnit) -> dict[str, Any]:
    record = row_values(file, skip=_FILE_SKIP)
    unit = session.get(Unit, file.unit_id) if file.unit_id else None
    fonds = session.get(Fonds, file.fonds_id) if file.fonds_id else None
    record["unit"] = row_values(unit, skip={"id", "parent_id"}) if unit else None
    record["fonds"] = row_values(fonds, skip={"id", "unit_id"}) if fonds else None
    record["accession"] = (session.get(Accession, file.accession_id).code  # type: ignore[union-attr]
                           if file.accession_id else None)
    record["box"] = session.get(Box, file.box_id).number if file.box_id else None  # type: ignore[union-attr]
    return record


def _page_record(session: Session, page: Page, objects: dict[str, dict[str, Any]]) -> dict[str, Any]:
    record = row_values(page, skip=_PAGE_SKIP)
    for name in _CARRIED:
        object_id = getattr(page, f"{name}_object_id")
        record[name] = _sha(session, object_id)
        if object_id is not None:
            stored = session.get(StoredObject, object_id)
            assert stored is not None
            objects[stored.sha256] = row_values(stored, skip=_OBJECT_SKIP)
    return record


def _document_record(session: Session, doc: Document, objects: dict[str, dict[str, Any]]) -> dict[str, Any]:
    record = row_values(doc, skip=_DOC_SKIP)
    record["unit"] = session.get(Unit, doc.unit_id).identifier if doc.unit_id else None  # type: ignore[union-attr]
    record["pdf"] = _sha(session, doc.pdf_object_id)
    if doc.pdf_object_id is not None:
        pdf = session.get(StoredObject, doc.pdf_object_id)
        assert pdf is not None
        objects[pdf.sha256] = row_values(pdf, skip=_OBJECT_SKIP)
    record["pages"] = [_page_record(session, page, objects) for page in doc.pages]
    signatures = session.execute(select(DocumentSignature).where(DocumentSignature.document_id == doc.id)
                                 .order_by(DocumentSignature.position, DocumentSignature.id)).scalars()
    record["signatures"] = [row_values(s, skip=_SIG_SKIP) | {"master": _sha(session, s.master_object_id)}
                            for s in signatures]
    personal = session.execute(select(PersonalDatum).where(PersonalDatum.document_id == doc.id)
                               .order_by(PersonalDatum.id)).scalars()
    record["personal_data"] = [row_values(p, skip={"id", "document_id"}) for p in personal]
    return record


def _entity_keys(session: Session, file: FileUnit, docs: list[Document]) -> dict[tuple[str, int], str]:
    keys: dict[tuple[str, int], str] = {("file_unit", file.id): f"file:{file.file_code}"}
    for doc in docs:
        key = _doc_key(session, doc)
        keys[("document", doc.id)] = f"document:{key}"
        for page in doc.pages:
            keys[("page", page.id)] = f"page:{_sha(session, page.master_object_id)}#{page.source_index}"
    masters = {page.master_object_id for doc in docs for page in doc.pages}
    for item in session.execute(select(IngestItem).where(IngestItem.master_object_id.in_(masters))).scalars():
        keys[("ingest_item", item.id)] = f"ingest_item:{item.sha256}"
    return keys


def _audit(session: Session, keys: dict[tuple[str, int], str], imported: bool) -> list[tuple[Any, ...]]:
    by_type: dict[str, set[int]] = {}
    for kind, entity_id in keys:
        by_type.setdefault(kind, set()).add(entity_id)
    model: type[Event] | type[ImportedAuditEvent] = ImportedAuditEvent if imported else Event
    clause = or_(*(and_(model.entity_type == kind, model.entity_id.in_(ids)) for kind, ids in by_type.items()))
    rows: Iterable[Event | ImportedAuditEvent] = session.execute(
        select(model).where(clause).order_by(model.at, model.id)).scalars()  # type: ignore[assignment]
    out = []
    for row in rows:
        values = row_values(row, skip=())
        entity = keys.get((row.entity_type or "", row.entity_id or 0))
        out.append((values["at"], row.actor, row.action, entity, row.payload))
    return out


def snapshot(ctx: AppContext, file_code: str, *, imported_audit: bool = False) -> Snapshot:
    """The hồ sơ ``file_code`` of ``ctx``; ``imported_audit``: its audit history is the one a package brought
    (``imported_audit_events``), not the live log."""
    with ctx.db.session() as session:
        file = session.execute(select(FileUnit).where(FileUnit.file_code == file_code)).scalar_one()
        docs = list(session.execute(select(Document).where(Document.file_id == file.id)
                                    .order_by(Document.doc_ordinal, Document.id)).scalars())
        objects: dict[str, dict[str, Any]] = {}
        documents = {_doc_key(session, doc): _document_record(session, doc, objects) for doc in docs}
        keys = _entity_keys(session, file, docs)
        object_ids = list(session.execute(select(StoredObject.id).where(StoredObject.sha256.in_(list(objects))))
                          .scalars())
        premis_rows = session.execute(select(PreservationEvent).where(or_(
            PreservationEvent.file_id == file.id, PreservationEvent.document_id.in_([d.id for d in docs]),
            PreservationEvent.object_id.in_(object_ids)))).scalars()
        # PREMIS.xml writes event times to the second at +07:00 (TT 05/2025): compared to the second.
        premis = {row.identifier: row_values(row, skip=_PREMIS_SKIP) | {
            "at": row_values(row)["at"][:19], "object": _sha(session, row.object_id),
            "document": keys.get(("document", row.document_id or 0)),
            "file": file_code if row.file_id == file.id else None} for row in premis_rows}
        return Snapshot(_file_record(session, file), documents, objects, _audit(session, keys, imported_audit),
                        premis)


def _diff(where: str, left: dict[str, Any], right: dict[str, Any], out: list[Difference]) -> None:
    for name in sorted(set(left) | set(right)):
        a, b = left.get(name), right.get(name)
        if isinstance(a, list) and isinstance(b, list) and all(isinstance(x, dict) for x in [*a, *b]):
            if len(a) != len(b):
                out.append(Difference(where, f"{name} (count)", len(a), len(b)))
            for n, (x, y) in enumerate(zip(a, b, strict=False)):
                _diff(f"{where}.{name}[{n}]", x, y, out)
        elif a != b:
            out.append(Difference(where, name, a, b))


def _check_objects(ctx: AppContext, digests: Iterable[str], label: str, out: list[Difference]) -> None:
    for digest in sorted(digests):
        if not ctx.store.verify(digest):
            out.append(Difference(f"objects[{digest[:12]}]", f"fixity in {label}", True, False))


def compare_archives(left: AppContext, right: AppContext, file_code: str, *, before: Snapshot | None = None,
                     ignore: Iterable[str] = ()) -> list[Difference]:
    """Every difference between hồ sơ ``file_code`` in ``left`` (the archive that exported it) and in ``right``
    (the archive that took its AIP in); empty when the round trip kept everything. ``before``: ``left``'s
    snapshot taken just before the export (the export itself adds events the package cannot hold); ``ignore``:
    field names left out of the comparison (say why where you use it)."""
    a, b = before or snapshot(left, file_code), snapshot(right, file_code, imported_audit=True)
    skipped = set(ignore)
    out: list[Difference] = []
    _diff("file", {k: v for k, v in a.file.items() if k not in skipped},
          {k: v for k, v in b.file.items() if k not in skipped}, out)
    for key in sorted(set(a.documents) | set(b.documents)):
        if key not in a.documents or key not in b.documents:
            out.append(Difference("documents", key, key in a.documents, key in b.documents))
            continue
        _diff(f"documents[{key}]", {k: v for k, v in a.documents[key].items() if k not in skipped},
              {k: v for k, v in b.documents[key].items() if k not in skipped}, out)
    _diff("objects", a.objects, b.objects, out)
    _check_objects(left, a.objects, "left", out)
    _check_objects(right, b.objects, "right", out)
    missing_audit = [event for event in a.audit if event not in b.audit]
    if missing_audit:
        out.append(Difference("audit", "events missing", missing_audit, None))
    for identifier, event in a.premis.items():
        if identifier not in b.premis:
            out.append(Difference("premis", identifier, event, None))
        else:
            _diff(f"premis[{identifier}]", event, b.premis[identifier], out)
    return out
