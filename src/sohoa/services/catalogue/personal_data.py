"""The personal data of each document (Luật 91/2025/QH15): found at ingest and by ``sohoa personal-data scan``,
kept in ``personal_data`` for masking and for the entity index of authorised staff.

``record_document_personal_data`` (re)detects a document: each page's OCR words (values with their boxes, in
scan pixels) and the document's text fields such as the subject (values without boxes). The signer of the
document and its issuing organ are not personal data to mask. Detected rows are replaced, keeping what a
reviewer decided about a value (shown, or masked again), a data subject's restriction, the reviewer's own rows,
and rows a data subject request refers to. Masking lives in ``personal_masking``, the policy in
``personal_policy``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, Page, PersonalDatum, StoredObject, SubjectRequestItem
from sohoa.domain.ocr import OcrPage
from sohoa.domain.personal import PersonalKind, PersonalSpan, normalize_value
from sohoa.domain.ports import ObjectStore
from sohoa.domain.text import nfc
from sohoa.engines.ocr_formats import ocr_page_from_json
from sohoa.intelligence.personal import detect, detect_page

__all__ = ["TEXT_FIELDS", "counts_by_kind", "find_personal_data", "record_document_personal_data",
           "record_personal_data"]

# The document's text fields read for personal data besides its pages (the subject names the citizen often).
TEXT_FIELDS = ("subject",)
# Kinds that can name the issuing organ or the signer rather than a citizen.
_ORGAN_KINDS = frozenset({PersonalKind.NAME, PersonalKind.ADDRESS})


@dataclass
class _Found:
    """One value found in a document: its first reading, pages and boxes."""

    kind: PersonalKind
    value: str
    normalized: str
    page_no: int | None
    confidence: float
    boxes: list[list[int]] = field(default_factory=list)


def _excluded(doc: Document) -> set[tuple[PersonalKind, str]]:
    """The document's own signer and organs: officials and bodies, not personal data to mask."""
    out: set[tuple[PersonalKind, str]] = set()
    if doc.signer_full_name:
        out.add((PersonalKind.NAME, normalize_value(PersonalKind.NAME, doc.signer_full_name)))
    for organ in (doc.organ_name, doc.parent_organ_name):
        if organ:
            out |= {(kind, normalize_value(kind, organ)) for kind in _ORGAN_KINDS}
    return out


def _add(found: dict[tuple[PersonalKind, str], _Found], span: PersonalSpan, page_no: int | None,
         boxes: Iterable[list[int]], excluded: set[tuple[PersonalKind, str]]) -> None:
    normalized = span.normalized[:300]
    key = (span.kind, normalized)
    if not normalized or key in excluded:
        return
    entry = found.get(key)
    if entry is None:
        entry = found[key] = _Found(span.kind, nfc(span.text)[:500], normalized, page_no, span.confidence)
    entry.confidence = max(entry.confidence, span.confidence)
    entry.boxes += [b for b in boxes if b not in entry.boxes]


def find_personal_data(doc: Document, pages: Sequence[tuple[int, OcrPage]]) -> list[_Found]:
    """What ``doc`` holds: each value once, with every box where a page shows it."""
    excluded = _excluded(doc)
    found: dict[tuple[PersonalKind, str], _Found] = {}
    for page_no, ocr in pages:
        if ocr.words:
            for hit in detect_page(ocr):
                _add(found, hit.span, page_no, ([page_no, *b.as_list()] for b in hit.boxes), excluded)
        elif ocr.text.strip():  # a page whose text came without words
            for span in detect(nfc(ocr.text)):
                _add(found, span, page_no, (), excluded)
    texts = [getattr(doc, name) for name in TEXT_FIELDS]
    if not pages and doc.text:
        texts.append(doc.text)
    for text in texts:
        if text:
            for span in detect(nfc(text)):
                _add(found, span, None, (), excluded)
    return list(found.values())


def record_personal_data(session: Session, doc: Document, pages: Sequence[tuple[int, OcrPage]]) -> int:
    """Replace the detected rows of ``doc`` by what its pages (``(page_no, OcrPage)``) and fields hold now;
    a reviewer's decisions and rows, restrictions and rows a request cites stay. Returns the rows it holds."""
    found = find_personal_data(doc, pages)
    rows = list(session.scalars(select(PersonalDatum).where(PersonalDatum.document_id == doc.id)))
    cited = set(session.scalars(select(SubjectRequestItem.datum_id).where(
        SubjectRequestItem.document_id == doc.id, SubjectRequestItem.datum_id.is_not(None))))
    detected = {(PersonalKind(r.kind), r.normalized): r for r in rows if r.source == "detected"}
    decided = {(PersonalKind(r.kind), r.normalized): r for r in rows}  # what reviewers said of each value
    kept: set[int] = set()
    for entry in found:
        key = (entry.kind, entry.normalized)
        row = detected.get(key)
        if row is None:
            if key in decided and decided[key].source == "reviewer":
                continue  # a reviewer already holds this value (with their own boxes)
            row = PersonalDatum(document_id=doc.id, kind=entry.kind.value, normalized=entry.normalized,
                                source="detected", status="masked", restricted=False)
            session.add(row)
        row.value, row.page_no, row.confidence = entry.value, entry.page_no, round(entry.confidence, 4)
        row.boxes = entry.boxes or None
        if row.id is not None:
            kept.add(row.id)
    for row in detected.values():
        if row.id not in kept and row.id not in cited and row.status == "masked" and not row.restricted:
            session.delete(row)  # no longer found and nothing decided about it
    session.flush()
    return len(list(session.scalars(select(PersonalDatum.id).where(PersonalDatum.document_id == doc.id))))


def _stored_pages(session: Session, store: ObjectStore, doc: Document) -> list[tuple[int, OcrPage]]:
    out: list[tuple[int, OcrPage]] = []
    for page in session.scalars(select(Page).where(Page.document_id == doc.id).order_by(Page.page_no)):
        stored = session.get(StoredObject, page.ocr_object_id) if page.ocr_object_id else None
        if stored is None:
            continue
        with store.open(stored.sha256) as handle:
            out.append((page.page_no, ocr_page_from_json(handle.read().decode("utf-8"))))
    return out


def record_document_personal_data(session: Session, store: ObjectStore, doc: Document) -> int:
    """(Re)detect a stored document from its pages' OCR in the object store and its fields; see
    :func:`record_personal_data`."""
    return record_personal_data(session, doc, _stored_pages(session, store, doc))


def counts_by_kind(session: Session, document_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Rows per kind (of some documents, or all)."""
    stmt = select(PersonalDatum.kind)
    if document_ids is not None:
        stmt = stmt.where(PersonalDatum.document_id.in_(list(document_ids)))
    out: dict[str, int] = {}
    for kind in session.scalars(stmt):
        out[kind] = out.get(kind, 0) + 1
    return dict(sorted(out.items()))
