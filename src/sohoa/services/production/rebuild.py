"""Re-render a document's two-layer PDF/A from its pages' stored masters and OCR (after merge, split, edits)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from types import TracebackType

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, Page, StoredObject
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.fields import DocumentFields, FieldValue
from sohoa.domain.ocr import OcrPage
from sohoa.engines.ocr_formats import ocr_page_from_json
from sohoa.engines.pdfa import PdfPageInput, write_pdfa
from sohoa.engines.pdfa_source import note_source
from sohoa.pipeline.documents import document_title
from sohoa.pipeline.triage import load_image_frame, load_page_image, master_bytes_for_pdf, png_bytes
from sohoa.pipeline.types import SourcePage
from sohoa.services.catalogue.fields import document_fields
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import local_copy, store_bytes
from sohoa.services.production.signatures import stored_source_note

__all__ = ["LocalMasters", "embed_bytes", "rebuild_document_pdf"]

_SINGLE_FRAME = frozenset({"image/png", "image/jpeg"})


def _object(session: Session, object_id: int | None) -> StoredObject | None:
    return session.get(StoredObject, object_id) if object_id else None


def _reusable_as_stored(data: bytes, media_type: str) -> bool:
    """A PNG, or an upright RGB/grey JPEG, goes into the PDF exactly as the scanner wrote it."""
    if media_type == "image/png":
        return True
    with Image.open(io.BytesIO(data)) as probe:  # reads the header only; no decode
        upright = probe.getexif().get(0x0112, 1) in (0, 1)  # EXIF rotation is lost inside a PDF
        return upright and probe.mode in ("RGB", "L")


class LocalMasters:
    """Private local copies of stored masters, one per master while the block lasts (the page decoders
    read files): a multi-page master is copied out once for all its pages."""

    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._stack = contextlib.ExitStack()
        self._paths: dict[str, Path] = {}

    def __enter__(self) -> LocalMasters:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stack.close()

    def path(self, sha256: str) -> Path:
        if sha256 not in self._paths:
            self._paths[sha256] = self._stack.enter_context(
                local_copy(self._ctx.store, sha256, self._ctx.settings.work_dir))
        return self._paths[sha256]


def embed_bytes(ctx: AppContext, master: StoredObject, page: Page,
                masters: LocalMasters | None = None) -> tuple[bytes, str]:
    """The encoded image of one page for the PDF, chosen as the ingest pipeline chose it."""
    if master.media_type in _SINGLE_FRAME:
        data = ctx.store.read(master.sha256)
        if _reusable_as_stored(data, master.media_type):
            return data, master.media_type
    if master.media_type == "image/tiff" and masters is None:
        # One page of a (multi-page) TIFF master, read through the store's seekable stream: only the frame's
        # directory and strips are fetched (ranged GETs on S3), not a copy of the whole master. A TIFF is never
        # reused as stored: the PDF gets a PNG, as at ingest.
        with ctx.store.open(master.sha256) as handle:
            image, _dpi = load_image_frame(handle, page.source_index, page.dpi)
        return png_bytes(image), "image/png"
    with contextlib.ExitStack() as stack:
        local = masters or stack.enter_context(LocalMasters(ctx))
        kind = "pdf" if master.media_type == "application/pdf" else "image"
        source = SourcePage(str(local.path(master.sha256)), page.source_index, kind, page.dpi)
        image, _dpi = load_page_image(source)
        return master_bytes_for_pdf(source, image)


def _ocr(ctx: AppContext, session: Session, page: Page) -> OcrPage | None:
    stored = _object(session, page.ocr_object_id)
    if stored is None:
        return None  # a page without OCR (blank, separator, legacy row) gets no text layer
    return ocr_page_from_json(ctx.store.read(stored.sha256).decode("utf-8"))


def _page_input(ctx: AppContext, session: Session, page: Page, masters: LocalMasters) -> PdfPageInput:
    master = _object(session, page.master_object_id)
    if master is None:
        raise NotFound(f"Trang {page.id} không còn bản gốc", f"Page {page.id} has lost its master")
    data, media_type = embed_bytes(ctx, master, page, masters)
    return PdfPageInput(image_bytes=data, media_type=media_type, dpi=page.dpi, ocr=_ocr(ctx, session, page),
                        rotate=page.rotation or 0)


def _render(ctx: AppContext, session: Session, doc: Document, pages: list[Page]) -> bytes:
    fields = document_fields(doc)
    title = document_title(DocumentFields({k: FieldValue(v) for k, v in fields.items()}), doc.source_name)
    buffer = io.BytesIO()
    with LocalMasters(ctx) as masters:
        write_pdfa([_page_input(ctx, session, p, masters) for p in pages], buffer, title=title, fields=fields)
    note = stored_source_note(session, doc)  # a signed master: the new PDF/A says so, as the first did
    return note_source(buffer.getvalue(), note) if note else buffer.getvalue()


def rebuild_document_pdf(ctx: AppContext, session: Session, document_id: int, actor: str) -> int:
    """Render the document's PDF/A-2b again from its pages in page order; returns the new PDF object id."""
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
