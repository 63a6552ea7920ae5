"""Read from the database everything a package of one hồ sơ or of some documents holds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sohoa.db.models import (
    Document,
    DocumentSignature,
    EncryptedObject,
    Event,
    FileUnit,
    Fonds,
    IngestItem,
    ObjectFormat,
    Page,
    PersonalDatum,
    PreservationEvent,
    StoredObject,
    Unit,
)
from sohoa.domain.errors import SohoaError
from sohoa.services.preservation.events import EventType, events_for
from sohoa.services.preservation.packages.model import Scope

__all__ = ["READ_ACTIONS", "RECURRING_EVENTS", "Collected", "collect", "document_key"]

# Audit actions that only read (a view, a download, a search): access history, not the record's history. A
# storage package (OCFL) leaves them out so that reading a document does not make a new version.
READ_ACTIONS = frozenset({"document.view", "page.view", "document.download", "personal.view", "search",
                          "record.request_view", "copy.download"})
# PREMIS events that recur without the content changing (a fixity audit, a copy to the replica, a package
# written): left out of a storage package for the same reason; a complete export keeps them.
RECURRING_EVENTS = frozenset({str(EventType.FIXITY_CHECK), str(EventType.REPLICATION),
                              str(EventType.PACKAGE_CREATION), str(EventType.VALIDATION)})


@dataclass
class Collected:
    """The rows of one package, read in one session; documents in file order, pages in page order."""

    file: FileUnit | None
    fonds: Fonds | None
    unit: Unit | None
    documents: list[Document]
    pages: dict[int, list[Page]]
    objects: dict[int, StoredObject]
    formats: dict[int, ObjectFormat]
    signatures: list[DocumentSignature]
    personal: list[PersonalDatum]
    ingest_items: list[IngestItem]
    events: list[PreservationEvent]
    audit: list[Event]
    keys: dict[int, str] = field(default_factory=dict)  # document id → its folder/name in the package
    envelopes: dict[int, EncryptedObject] = field(default_factory=dict)  # object id → its envelope's record

    def masters(self) -> list[StoredObject]:
        """The master files of the documents, in the order their first page appears."""
        seen: dict[int, StoredObject] = {}
        for doc in self.documents:
            for page in self.pages.get(doc.id, []):
                if page.master_object_id not in seen:
                    seen[page.master_object_id] = self.objects[page.master_object_id]
        return list(seen.values())


def document_key(doc: Document) -> str:
    """The stable name of a document in a package: its mã định danh, else its ordinal and id."""
    if doc.doc_code:
        return safe_name(doc.doc_code)
    return f"document-{doc.id}"


def safe_name(name: str) -> str:
    """A file name that is safe in any file system, zip and BagIt manifest (letters, digits, . _ -)."""
    kept = "".join(c if (c.isascii() and (c.isalnum() or c in "._-")) else "_" for c in name).strip("._")
    return kept[:120] or "file"


def _documents(session: Session, scope: Scope) -> tuple[FileUnit | None, list[Document]]:
    if scope.file_id is not None:
        file = session.get(FileUnit, scope.file_id)
        if file is None:
            raise SohoaError(f"Không có hồ sơ #{scope.file_id}", f"No file #{scope.file_id}")
        docs = list(session.scalars(select(Document).where(Document.file_id == file.id)
                                    .order_by(Document.doc_ordinal, Document.id)))
        return file, docs
    wanted = sorted(set(scope.document_ids))
    if not wanted:
        raise SohoaError("Gói tin cần một hồ sơ hoặc ít nhất một văn bản",
                         "A package needs a file or at least one document")
    docs = list(session.scalars(select(Document).where(Document.id.in_(wanted)).order_by(Document.id)))
    missing = sorted(set(wanted) - {d.id for d in docs})
    if missing:
        ids = ", ".join(map(str, missing))
        raise SohoaError(f"Không có văn bản: {ids}", f"No such documents: {ids}")
    files = {d.file_id for d in docs}
    file = session.get(FileUnit, files.pop()) if len(files) == 1 and None not in files else None
    return file, docs


def collect(session: Session, scope: Scope, *, complete: bool) -> Collected:
    """Everything a package of ``scope`` holds. ``complete`` False leaves out read-only audit events and
    recurring PREMIS events (see :data:`READ_ACTIONS`, :data:`RECURRING_EVENTS`)."""
    file, docs = _documents(session, scope)
    doc_ids = [d.id for d in docs]
    pages: dict[int, list[Page]] = {d: [] for d in doc_ids}
    for page in session.scalars(select(Page).where(Page.document_id.in_(doc_ids)).order_by(Page.page_no, Page.id)):
        assert page.document_id is not None
        pages[page.document_id].append(page)
    object_ids: set[int] = {d.pdf_object_id for d in docs if d.pdf_object_id}
    for rows in pages.values():
        for page in rows:
            object_ids.update(i for i in (page.master_object_id, page.ocr_object_id) if i)
    objects = {o.id: o for o in session.scalars(select(StoredObject).where(StoredObject.id.in_(object_ids)))}
    formats = {f.object_id: f for f in session.scalars(select(ObjectFormat)
                                                         .where(ObjectFormat.object_id.in_(object_ids)))}
    masters = {p.master_object_id for rows in pages.values() for p in rows}
    items = list(session.scalars(select(IngestItem).where(IngestItem.master_object_id.in_(masters))
                                 .order_by(IngestItem.id)))
    events = events_for(session, object_ids=sorted(object_ids), document_ids=doc_ids,
                        file_ids=[file.id] if file is not None else [])
    if not complete:
        events = [e for e in events if e.event_type not in RECURRING_EVENTS]
    collected = Collected(
        file=file, fonds=session.get(Fonds, file.fonds_id) if file and file.fonds_id else None,
        unit=session.get(Unit, file.unit_id) if file and file.unit_id else None, documents=docs, pages=pages,
        objects=objects, formats=formats,
        signatures=list(session.scalars(select(DocumentSignature).where(DocumentSignature.document_id.in_(doc_ids))
                                        .order_by(DocumentSignature.document_id, DocumentSignature.position))),
        personal=list(session.scalars(select(PersonalDatum).where(PersonalDatum.document_id.in_(doc_ids))
                                      .order_by(PersonalDatum.id))),
        ingest_items=items, events=events,
        audit=_audit(session, file, doc_ids, [i.id for i in items], complete=complete))
    collected.keys = _keys(docs)
    collected.envelopes = {e.object_id: e for e in session.scalars(
        select(EncryptedObject).where(EncryptedObject.object_id.in_(object_ids)))}
    return collected


def _keys(docs: Sequence[Document]) -> dict[int, str]:
    keys: dict[int, str] = {}
    used: set[str] = set()
    for doc in docs:
        key = document_key(doc)
        if key in used:
            key = f"{key}-{doc.id}"
        used.add(key)
        keys[doc.id] = key
    return keys


def _audit(session: Session, file: FileUnit | None, doc_ids: list[int], item_ids: list[int], *,
           complete: bool) -> list[Event]:
    conditions = [(Event.entity_type == "document") & Event.entity_id.in_(doc_ids)]
    if file is not None:
        conditions.append((Event.entity_type == "file_unit") & (Event.entity_id == file.id))
    if item_ids:
        conditions.append((Event.entity_type == "ingest_item") & Event.entity_id.in_(item_ids))
    query = select(Event).where(or_(*conditions)).order_by(Event.id)
    if not complete:
        query = query.where(Event.action.not_in(sorted(READ_ACTIONS)))
    return list(session.scalars(query))
