"""sohoa.json's records made rows again: the creating unit and the fonds (matched by identifier and code), the
hồ sơ (matched by its file code), the ingest items, the documents with their pages, signatures and personal
data, every column as the exporting archive kept it. Row ids are this archive's own; the old ids are mapped
(:class:`IdMap`) so that the audit history and the PREMIS events find their entities.

A document already here (its first page's master and page index are known) is matched, not created again,
and left as it is: taking the same hồ sơ in twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import (
    Document,
    DocumentSignature,
    FileUnit,
    Fonds,
    IngestBatch,
    IngestItem,
    Page,
    PersonalDatum,
    Unit,
)
from sohoa.services.preservation.intake.rows import values_for
from sohoa.services.preservation.intake.source import PackageRefused

__all__ = ["IdMap", "check_references", "import_records"]

_COMPUTED = {"min_confidence", "flagged_fields"}  # kept by the documents table's own hook


@dataclass
class IdMap:
    """The exporting archive's ids → this archive's, per entity type (as the audit log names them)."""

    ids: dict[str, dict[int, int]] = field(default_factory=dict)
    created: dict[str, int] = field(default_factory=dict)
    matched: dict[str, int] = field(default_factory=dict)
    file_id: int | None = None
    new_documents: list[int] = field(default_factory=list)

    def put(self, kind: str, old: Any, new: int, *, created: bool) -> None:
        if old is not None:
            self.ids.setdefault(kind, {})[int(old)] = new
        counter = self.created if created else self.matched
        counter[kind] = counter.get(kind, 0) + 1

    def get(self, kind: str, old: Any) -> int | None:
        return None if old is None else self.ids.get(kind, {}).get(int(old))


def _unit(session: Session, data: Mapping[str, Any] | None, ids: IdMap) -> int | None:
    if not data:
        return None
    found = session.execute(select(Unit).where(Unit.identifier == data["identifier"])).scalar_one_or_none()
    created = found is None
    if found is None:
        found = Unit(**values_for(Unit, data, skip={"id", "parent_id"}))
        session.add(found)
        session.flush()
    ids.put("unit", data.get("id"), found.id, created=created)
    return found.id


def _fonds(session: Session, data: Mapping[str, Any] | None, ids: IdMap) -> int | None:
    if not data:
        return None
    found = session.execute(select(Fonds).where(Fonds.code == data["code"])).scalar_one_or_none()
    created = found is None
    if found is None:
        found = Fonds(**values_for(Fonds, data, skip={"id", "unit_id"}), unit_id=ids.get("unit", data.get("unit_id")))
        session.add(found)
        session.flush()
    ids.put("fonds", data.get("id"), found.id, created=created)
    return found.id


def _file(session: Session, data: Mapping[str, Any] | None, ids: IdMap) -> int | None:
    if not data:
        return None
    found = session.execute(select(FileUnit).where(FileUnit.file_code == data["file_code"])).scalar_one_or_none()
    created = found is None
    if found is None:
        found = FileUnit(**values_for(FileUnit, data, skip={"id", "unit_id", "fonds_id", "accession_id", "box_id"}),
                         unit_id=ids.get("unit", data.get("unit_id")), fonds_id=ids.get("fonds", data.get("fonds_id")))
        session.add(found)
        session.flush()
    ids.put("file_unit", data.get("id"), found.id, created=created)
    ids.file_id = found.id
    return found.id


def _ingest_items(session: Session, items: list[Mapping[str, Any]], objects: Mapping[str, int], ids: IdMap,
                  package_id: str, actor: str) -> None:
    batch: IngestBatch | None = None
    for item in items:
        found = session.execute(select(IngestItem).where(IngestItem.sha256 == item["sha256"])).scalar_one_or_none()
        created = found is None
        if found is None:
            if batch is None:
                batch = IngestBatch(actor=actor, options={"package": package_id})
                session.add(batch)
                session.flush()
            found = IngestItem(**values_for(IngestItem, item, skip={"id", "batch_id", "master_object_id"}),
                               batch_id=batch.id, source_path=f"{package_id}/{item.get('original_name') or ''}",
                               master_object_id=objects.get(str(item.get("master_sha256"))),
                               file_id=ids.file_id)
            session.add(found)
            session.flush()
        ids.put("ingest_item", item.get("id"), found.id, created=created)


def _object(objects: Mapping[str, int], ref: Any, label: str) -> int | None:
    """The stored object id of a reference (``{"sha256": …}`` or a digest), None when there is none."""
    digest = ref.get("sha256") if isinstance(ref, Mapping) else ref
    if not digest:
        return None
    if digest not in objects:
        raise PackageRefused(f"Gói không có đối tượng {digest} mà {label} cần",
                             f"The package lacks object {digest}, needed by {label}", label)
    return objects[str(digest)]


def _existing_document(session: Session, pages: list[Mapping[str, Any]], objects: Mapping[str, int]) -> int | None:
    if not pages:
        return None
    first = pages[0]
    master = objects.get(str(first["master"]["sha256"]))
    if master is None:
        return None
    return session.execute(select(Page.document_id).where(Page.master_object_id == master,
                                                          Page.source_index == first["source_index"])).scalar()


def _document(session: Session, data: Mapping[str, Any], objects: Mapping[str, int], ids: IdMap) -> None:
    pages = list(data.get("pages") or [])
    found = _existing_document(session, pages, objects)
    if found is not None:
        ids.put("document", data.get("id"), found, created=False)
        return
    label = f"documents/{data.get('key')}"
    doc = Document(**values_for(Document, data, skip={"id", "file_id", "unit_id", "ingest_item_id", "pdf_object_id",
                                                      *_COMPUTED}),
                   file_id=ids.file_id, unit_id=ids.get("unit", data.get("unit_id")),
                   ingest_item_id=ids.get("ingest_item", data.get("ingest_item_id")),
                   pdf_object_id=_object(objects, data.get("pdf"), label))
    session.add(doc)
    session.flush()
    ids.put("document", data.get("id"), doc.id, created=True)
    ids.new_documents.append(doc.id)
    for page in pages:
        row = Page(**values_for(Page, page, skip={"id", "document_id", "master_object_id", "ocr_object_id",
                                                  "thumbnail_object_id", "image_object_id"}),
                   document_id=doc.id, master_object_id=_object(objects, page["master"], label),
                   ocr_object_id=_object(objects, page.get("ocr"), label),
                   thumbnail_object_id=objects.get(str(page.get("thumbnail_sha256"))),
                   image_object_id=objects.get(str(page.get("image_sha256"))))
        session.add(row)
        session.flush()
        ids.put("page", page.get("id"), row.id, created=True)
    for signature in data.get("signatures") or []:
        session.add(DocumentSignature(**values_for(DocumentSignature, signature,
                                                   skip={"id", "document_id", "master_object_id"}),
                                      document_id=doc.id,
                                      master_object_id=_object(objects, signature.get("master_sha256"), label)))
    for datum in data.get("personal_data") or []:
        session.add(PersonalDatum(**values_for(PersonalDatum, datum, skip={"id", "document_id"}), document_id=doc.id))
    session.flush()


def _digest_of(ref: Any) -> str | None:
    digest = ref.get("sha256") if isinstance(ref, Mapping) else ref
    return str(digest) if digest else None


def check_references(body: Mapping[str, Any], available: Callable[[str], bool]) -> None:
    """Before anything is stored: every object a document, page or signature needs is in the package (or
    already here, ``available``), else the package is refused naming the document."""
    carried = {str(o["sha256"]) for o in body.get("objects") or [] if o.get("path")}
    for doc in body.get("documents") or []:
        label = f"documents/{doc.get('key')}"
        needed = [doc.get("pdf")] + [r for p in doc.get("pages") or [] for r in (p.get("master"), p.get("ocr"))]
        needed += [s.get("master_sha256") for s in doc.get("signatures") or []]
        for digest in filter(None, map(_digest_of, needed)):
            if digest not in carried and not available(digest):
                raise PackageRefused(f"Gói không có đối tượng {digest} mà {label} cần",
                                     f"The package lacks object {digest}, needed by {label}", label)


def import_records(session: Session, body: Mapping[str, Any], objects: Mapping[str, int], *, package_id: str,
                   actor: str) -> IdMap:
    """Create (or match) every record of a sohoa.json body; the ids of what was created or matched."""
    ids = IdMap()
    _unit(session, body.get("unit"), ids)
    _fonds(session, body.get("fonds"), ids)
    _file(session, body.get("file"), ids)
    _ingest_items(session, list(body.get("ingest_items") or []), objects, ids, package_id, actor)
    for data in body.get("documents") or []:
        _document(session, data, objects, ids)
    return ids
