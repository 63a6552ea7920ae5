"""The masked derivatives of a document (personal data): page thumbnails and images, and the PDF/A, with the
personal data burned in — what every principal that gets a ``Masking`` receives instead of the staff copy.

Each is built on first request from the staff derivative (never the master, which stays untouched), stored
write-once in the object store and remembered (``masked_derivatives``) under a key of the staff derivative's
SHA-256 (and the OCR, sizes, turns and fields it is drawn with), the page, the kind and the masking's
fingerprint: a reviewer's decision or a policy change makes a new fingerprint, hence a new object with a new
ETag, and the old one is never served again. Two requests at once may both build it; the first row stays and
both answer its object.

What is burned on a page is the masking's boxes plus the box of every OCR word the masking rewrote, so a value
the masking hides in text is hidden in pixels too.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Sequence
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sohoa.db.models import Document, MaskedDerivative, Page, StoredObject
from sohoa.domain.ocr import BBox, OcrPage
from sohoa.domain.ports import ObjectStore
from sohoa.engines.ocr_formats import ocr_page_from_json
from sohoa.engines.redact import MaskedPage, masked_jpeg, masked_pdf, pdf_title
from sohoa.services.catalogue.fields import document_fields
from sohoa.services.platform.objects import store_bytes

__all__ = ["IMAGE_COLUMNS", "PageMasking", "masked_page_boxes", "masked_page_object", "masked_pdf_object",
           "page_mask_boxes"]

_VERSION = "1"  # part of every key: bump when the masked rendering changes
IMAGE_COLUMNS = {"thumbnail": "thumbnail_object_id", "image": "image_object_id"}


class PageMasking(Protocol):
    """What a masked derivative needs of a masking (``sohoa.services.catalogue.personal_data.Masking``)."""

    @property
    def fingerprint(self) -> str: ...

    def page_boxes(self, page_no: int) -> list[BBox]: ...

    def ocr(self, ocr: OcrPage) -> OcrPage: ...

    def text(self, text: str) -> str: ...

    def fields(self, fields: dict[str, str | None]) -> dict[str, str | None]: ...


def _key(kind: str, page_no: int | None, fingerprint: str, *sources: object) -> str:
    """The key of a masked derivative: what it is, the masking, and everything its pixels and text come from."""
    made_of = json.dumps([_VERSION, kind, page_no, fingerprint, *sources], ensure_ascii=False, default=str)
    return hashlib.sha256(made_of.encode("utf-8")).hexdigest()


def _ocr(session: Session, store: ObjectStore, page: Page) -> OcrPage | None:
    stored = session.get(StoredObject, page.ocr_object_id) if page.ocr_object_id else None
    return ocr_page_from_json(store.read(stored.sha256).decode("utf-8")) if stored is not None else None


def _rewritten(ocr: OcrPage, masked: OcrPage) -> list[BBox]:
    """The boxes of the words the masking changed or dropped."""
    kept = {(word.text, word.bbox) for word in masked.words}
    return [word.bbox for word in ocr.words if (word.text, word.bbox) not in kept]


def masked_page_boxes(masking: PageMasking, page: Page, ocr: OcrPage | None) -> tuple[BBox, ...]:
    """What to burn on ``page`` (scan pixels): the masking's boxes and those of the OCR words it rewrites."""
    boxes = list(masking.page_boxes(page.page_no))
    if ocr is not None:
        boxes += _rewritten(ocr, masking.ocr(ocr))
    return tuple(dict.fromkeys(boxes))


def page_mask_boxes(store: ObjectStore, session: Session, page: Page, masking: PageMasking) -> tuple[BBox, ...]:
    """What to burn on ``page``, its OCR read from the store (:func:`masked_page_boxes`)."""
    return masked_page_boxes(masking, page, _ocr(session, store, page))


def _cached(session: Session, key: str) -> StoredObject | None:
    row = session.execute(select(MaskedDerivative).where(MaskedDerivative.key == key)).scalar_one_or_none()
    return session.get(StoredObject, row.object_id) if row is not None else None


def _remember(session: Session, row: dict[str, object], stored: StoredObject) -> StoredObject:
    """Remember ``stored`` for the row's key unless a concurrent request remembered one first; the row's object."""
    values = {**row, "object_id": stored.id}
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(MaskedDerivative).values(values).on_conflict_do_nothing(index_elements=["key"]))
    found = _cached(session, str(row["key"]))
    assert found is not None  # inserted now or by the request that won
    return found


def masked_page_object(store: ObjectStore, session: Session, page: Page, kind: str,
                       masking: PageMasking) -> StoredObject | None:
    """The masked copy of a page's stored ``kind`` derivative (thumbnail: turned as the page is shown; image:
    in the scan's geometry); the staff object itself when nothing is to be burned on the page (remembered as
    such); None when the page has no such derivative."""
    column = IMAGE_COLUMNS[kind]
    object_id = getattr(page, column)
    source = session.get(StoredObject, object_id) if object_id else None
    if source is None:
        return None
    key = _key(kind, page.page_no, masking.fingerprint, source.sha256, page.ocr_object_id, page.width, page.height,
               page.rotation or 0)
    found = _cached(session, key)
    if found is not None:
        return found
    row = _row(key, page.document_id or 0, page.page_no, kind, masking, source)
    boxes = page_mask_boxes(store, session, page, masking)
    if not boxes:  # remembered too: the next request reads neither the OCR nor the masking's rules again
        return _remember(session, row, source)
    rotation = (page.rotation or 0) % 360 if kind == "thumbnail" else 0
    data = masked_jpeg(store.read(source.sha256), boxes, scan_size=(page.width, page.height), rotation=rotation)
    return _remember(session, row, store_bytes(session, store, data, media_type="image/jpeg", kind=f"masked_{kind}"))


def _row(key: str, document_id: int, page_no: int | None, kind: str, masking: PageMasking,
         source: StoredObject) -> dict[str, object]:
    return {"key": key, "document_id": document_id, "page_no": page_no, "kind": kind,
            "fingerprint": masking.fingerprint[:128], "source_sha256": source.sha256}


def _masked_pages(store: ObjectStore, session: Session, pages: Sequence[Page],
                  masking: PageMasking) -> list[MaskedPage]:
    out = []
    for page in pages:
        ocr = _ocr(session, store, page)
        out.append(MaskedPage(page.width, page.height, page.dpi, masked_page_boxes(masking, page, ocr),
                              masking.ocr(ocr) if ocr is not None else None, rotate=(page.rotation or 0) % 360))
    return out


def masked_pdf_object(store: ObjectStore, session: Session, doc: Document,
                      masking: PageMasking) -> StoredObject | None:
    """The masked PDF/A of ``doc`` (None when it has no PDF yet): every page rasterised from the staff PDF
    with its boxes burned in, a text layer of masked words, and title and fields as the masking shows them."""
    source = session.get(StoredObject, doc.pdf_object_id) if doc.pdf_object_id else None
    if source is None:
        return None
    pages = list(session.execute(select(Page).where(Page.document_id == doc.id).order_by(Page.page_no)).scalars())
    fields = document_fields(doc)
    key = _key("pdf", None, masking.fingerprint, source.sha256, fields,
               [(p.id, p.ocr_object_id, p.width, p.height, p.dpi, p.rotation or 0) for p in pages])
    found = _cached(session, key)
    if found is not None:
        return found
    masked_pages = _masked_pages(store, session, pages, masking)
    if not any(page.boxes for page in masked_pages) and masking.fields(fields) == fields:
        # nothing of this document is masked (its words, its fields, hence the title and description Sohoa
        # wrote from them): the staff PDF/A is the public one, remembered as such like an unmasked page
        return _remember(session, _row(key, doc.id, None, "pdf", masking, source), source)
    staff = store.read(source.sha256)
    title = pdf_title(staff)
    out = io.BytesIO()
    masked_pdf(staff, masked_pages, out, title=masking.text(title), fields=masking.fields(fields))
    stored = store_bytes(session, store, out.getvalue(), media_type="application/pdf", kind="masked_pdf")
    return _remember(session, _row(key, doc.id, None, "pdf", masking, source), stored)
