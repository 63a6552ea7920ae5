"""Re-render a document's two-layer PDF/A from its pages' stored masters and OCR (after merge, split, edits)."""

from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, Page, StoredObject
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.fields import DocumentFields, FieldValue
from sohoa.domain.ocr import OcrPage
from sohoa.engines.pdfa import PdfPageInput
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext

__all__ = ["embed_bytes", "rebuild_document_pdf"]

_SINGLE_FRAME = frozenset({"image/png", "image/jpeg"})


def _object(session: Session, object_id: int | None) -> StoredObject | None:
    return session.get(StoredObject, object_id) if object_id else None


def _reusable_as_stored(path: Path, media_type: str) -> bool:
    """A PNG, or an upright RGB/grey JPEG, goes into the PDF exactly as the scanner wrote it."""
    if media_type == "image/png":
        return True
    from PIL import Image

    with Image.open(path) as probe:  # reads the header only; no decode
        upright = probe.getexif().get(0x0112, 1) in (0, 1)  # EXIF rotation is lost inside a PDF
        return upright and probe.mode in ("RGB", "L")


def embed_bytes(ctx: AppContext, master: StoredObject, page: Page) -> tuple[bytes, str]:
    """The encoded image of one page for the PDF, chosen as the ingest pipeline chose it."""
    from sohoa.pipeline.triage import load_page_image, master_bytes_for_pdf
    from sohoa.pipeline.types import SourcePage

    path = ctx.store.path(master.sha256)
    if master.media_type in _SINGLE_FRAME and _reusable_as_stored(path, master.media_type):
        return path.read_bytes(), master.media_type
    kind = "pdf" if master.media_type == "application/pdf" else "image"
    source = SourcePage(str(path), page.source_index, kind, page.dpi)
    image, _dpi = load_page_image(source)
    return master_bytes_for_pdf(source, image)


def _ocr(ctx: AppContext, session: Session, page: Page) -> OcrPage | None:
    from sohoa.engines.ocr_formats import ocr_page_from_json

    stored = _object(session, page.ocr_object_id)
    if stored is None:
        return None  # a page without OCR (blank, separator, legacy row) gets no text layer
    return ocr_page_from_json(ctx.store.path(stored.sha256).read_text(encoding="utf-8"))


def _page_input(ctx: AppContext, session: Session, page: Page) -> PdfPageInput:
    master = _object(session, page.master_object_id)
    if master is None:
        raise NotFound(f"Trang {page.id} không còn bản gốc", f"Page {page.id} has lost its master")
    data, media_type = embed_bytes(ctx, master, page)
    return PdfPageInput(image_bytes=data, media_type=media_type, dpi=page.dpi, ocr=_ocr(ctx, session, page))


def _render(ctx: AppContext, session: Session, doc: Document, pages: list[Page]) -> bytes:
    from sohoa.engines.pdfa import write_pdfa
    from sohoa.pipeline.documents import document_title
    from sohoa.services.catalogue.catalog import document_fields

    fields = document_fields(doc)
    title = document_title(DocumentFields({k: FieldValue(v) for k, v in fields.items()}), doc.source_name)
    buffer = io.BytesIO()
    write_pdfa([_page_input(ctx, session, p) for p in pages], buffer, title=title, fields=fields)
    return buffer.getvalue()


def rebuild_document_pdf(ctx: AppContext, session: Session, document_id: int, actor: str) -> int:
    """Render the document's PDF/A-2b again from its pages in page order; returns the new PDF object id."""
    from sohoa.services.platform.objects import store_bytes

    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound("Không tìm thấy văn bản", "Document not found")
    session.flush()  # page moves of the caller must be visible to the query below
    pages = list(session.execute(select(Page).where(Page.document_id == doc.id).order_by(Page.page_no)).scalars())
    if not pages:
        raise ValidationFailed("Văn bản không còn trang nào", "The document has no pages left")
    stored = store_bytes(session, ctx.store, _render(ctx, session, doc, pages), media_type="application/pdf",
                         kind="pdf")
    previous = doc.pdf_object_id
    doc.pdf_object_id = stored.id
    record_event(session, actor, "document.pdf_rebuilt", "document", doc.id,
                 {"pdf_sha256": stored.sha256, "pages": [p.id for p in pages], "previous_pdf": previous})
    return stored.id
