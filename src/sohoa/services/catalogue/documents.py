"""Reading one document under the access policy: view, highlight boxes, page images and OCR, PDF — each audited."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sohoa.db.models import Document, Page, StoredObject
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.ports import ObjectStore
from sohoa.engines.ocr_formats import ocr_page_from_json, ocr_page_to_json, to_alto, to_hocr
from sohoa.index.boxes import match_boxes
from sohoa.index.query import parse_query
from sohoa.services.catalogue.fields import document_fields
from sohoa.services.catalogue.personal_corrections import Correction, document_corrections
from sohoa.services.catalogue.personal_derivatives import masked_page_object, masked_pdf_object
from sohoa.services.catalogue.personal_masking import Masking, audit_personal_view, masking_for, shown_to
from sohoa.services.catalogue.publication import public_states
from sohoa.services.catalogue.search import actor_name
from sohoa.services.catalogue.signatures import SignatureView, document_signatures
from sohoa.services.identity.policy import can_view_document
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import ObjectDownload, download_of

__all__ = [
    "OCR_FORMATS",
    "PAGE_KINDS",
    "DocumentView",
    "PageBoxes",
    "PageSize",
    "document_pdf",
    "highlight_boxes",
    "lock_visible",
    "page_image",
    "page_ocr",
    "require_visible",
    "view_document",
    "visible_document",
    "visible_page",
]

# Page derivative → (column, media type).
PAGE_KINDS: dict[str, tuple[str, str]] = {
    "thumbnail": ("thumbnail_object_id", "image/jpeg"),
    "image": ("image_object_id", "image/jpeg"),
}

# OCR format → media type. The stored JSON is the one copy; hOCR (XHTML, served as HTML as hOCR tools
# expect — text/vnd.hocr+html is not registered) and ALTO are derived from it on demand.
OCR_FORMATS: dict[str, str] = {
    "json": "application/json",
    "hocr": "text/html; charset=utf-8",
    "alto": "application/xml; charset=utf-8",
}


@dataclass(frozen=True)
class PageSize:
    """A page's number and pixel size (of the scan, which the boxes use), and the quarter turn it is shown at."""

    page: int
    width: int
    height: int
    rotation: int = field(default=0, kw_only=True)  # clockwise, given in review (production.page_editor)


@dataclass(frozen=True)
class PageBoxes(PageSize):
    """Boxes ([left, top, right, bottom], pixels of the page image) around the words matching a query."""

    boxes: list[list[int]]


@dataclass(frozen=True)
class DocumentView:
    """One visible document as a reader sees it."""

    document_id: int
    source: str
    fields: dict[str, str | None]
    access_level: str
    unit_id: int | None
    file_id: int | None
    state: str
    text: str
    has_pdf: bool
    updated_at: str | None
    pages: list[PageSize]
    highlights: list[PageBoxes]
    signatures: list[SignatureView] = field(default_factory=list)  # of the master PDF (provenance)
    page_texts: list[str] = field(default_factory=list)  # each page's OCR text, in page order (the viewer)
    public_state: str = "draft"  # draft | published | withdrawn (sohoa.services.catalogue.publication)
    corrections: list[Correction] = field(default_factory=list)  # a data subject's, beside values (staff only)


def visible_document(session: Session, principal: Principal | None, document_id: int) -> Document:
    """The document, or NotFound — the same answer for absent and not-yours (existence is not disclosed)."""
    doc = session.get(Document, document_id)
    if doc is None or not can_view_document(session, principal, doc):
        raise NotFound(f"Không có văn bản số {document_id}", f"No document {document_id}")
    return doc


def visible_page(session: Session, principal: Principal | None, page_id: int) -> Page:
    """A page of a document ``principal`` may see, or NotFound — the same answer for a missing page, a loose
    page and a page of a document out of scope."""
    page = session.get(Page, page_id)
    if page is None or page.document_id is None:
        raise NotFound("Không tìm thấy trang", "Page not found")
    try:
        visible_document(session, principal, page.document_id)
    except NotFound:
        raise NotFound("Không tìm thấy trang", "Page not found") from None
    return page


def require_visible(ctx: AppContext, principal: Principal | None, *document_ids: int) -> None:
    """NotFound unless ``principal`` may see every one of the documents: a write route asks this first,
    so that nobody acts on (or learns of) a document out of their scope."""
    with ctx.db.session() as session:
        for document_id in document_ids:
            visible_document(session, principal, document_id)


def lock_visible(session: Session, principal: Principal | None, *document_ids: int) -> list[Document]:
    """The documents, locked for this transaction and checked under the lock; NotFound unless ``principal``
    may see every one. A change acts on what the policy allows *now*: a document marked độ mật by another
    request a moment earlier is refused, not edited with a form read before it became secret."""
    ids = sorted(set(document_ids))
    if session.get_bind().dialect.name == "sqlite":
        # SQLite locks the whole database for writing; Python's driver opens a transaction only for a write,
        # so a write that changes nothing takes the lock before the rows are read.
        session.execute(update(Document).where(Document.id.in_(ids), Document.id < 0).values(id=Document.id))
        session.expire_all()
    else:
        session.execute(select(Document.id).where(Document.id.in_(ids)).with_for_update())
        session.expire_all()
    return [visible_document(session, principal, document_id) for document_id in document_ids]


def _pages(session: Session, doc: Document) -> list[Page]:
    stmt = select(Page).where(Page.document_id == doc.id).order_by(Page.page_no)
    return list(session.execute(stmt).scalars())


def _boxes(session: Session, store: ObjectStore, pages: list[Page], query: str,
           masking: Masking | None = None) -> list[PageBoxes]:
    """Boxes of the words matching ``query``; masked words match nothing (no hint of where a value is)."""
    parsed = parse_query(query)
    out: list[PageBoxes] = []
    if parsed.empty:
        return out
    for page in pages:
        ocr = session.get(StoredObject, page.ocr_object_id) if page.ocr_object_id else None
        if ocr is None:
            continue
        with store.open(ocr.sha256) as handle:
            words = ocr_page_from_json(handle.read().decode("utf-8"))
        boxes = match_boxes(masking.ocr(words) if masking is not None else words, parsed)
        if boxes:
            out.append(PageBoxes(page.page_no, page.width, page.height, [b.as_list() for b in boxes]))
    return out


def view_document(ctx: AppContext, principal: Principal | None, document_id: int, *, query: str = "",
                  channel: str = "web") -> DocumentView:
    """One visible document: fields, text, pages, and the query's highlight boxes on each page. Personal
    data is masked unless ``principal`` may read it (then ``personal.view`` is recorded too)."""
    with ctx.db.session() as session:
        doc = visible_document(session, principal, document_id)
        pages = _pages(session, doc)
        record_event(session, actor_name(principal), "document.view", "document", doc.id,
                     {"channel": channel})
        masking = shown_to(session, doc, principal, channel)
        fields, text, page_texts = document_fields(doc), doc.text, [p.text or "" for p in pages]
        if masking is not None:
            fields, text, page_texts = masking.fields(fields), masking.text(text), list(map(masking.text, page_texts))
        return DocumentView(
            document_id=doc.id, source=doc.source_name, fields=fields,
            access_level=doc.access_level, unit_id=doc.unit_id, file_id=doc.file_id, state=doc.state,
            text=text, has_pdf=doc.pdf_object_id is not None,
            updated_at=doc.updated_at.isoformat() if doc.updated_at else None,
            pages=[PageSize(p.page_no, p.width, p.height, rotation=p.rotation or 0) for p in pages],
            highlights=_boxes(session, ctx.store, pages, query, masking) if query else [],
            signatures=document_signatures(session, doc.id),
            page_texts=page_texts,
            public_state=public_states(session, [doc])[doc.id],
            corrections=document_corrections(session, doc, principal))


def highlight_boxes(ctx: AppContext, principal: Principal | None, document_id: int,
                    query: str) -> list[PageBoxes]:
    """Boxes (pixel coordinates of each page image) around the words that match ``query``."""
    with ctx.db.session() as session:
        doc = visible_document(session, principal, document_id)
        return _boxes(session, ctx.store, _pages(session, doc), query, masking_for(session, doc, principal))


def _page(session: Session, doc: Document, page_no: int) -> Page | None:
    return session.execute(select(Page).where(Page.document_id == doc.id, Page.page_no == page_no)).scalar()


def page_image(ctx: AppContext, principal: Principal | None, document_id: int, page_no: int,
               kind: str = "thumbnail", *, channel: str = "web") -> ObjectDownload:
    """The stored image of one page of a visible document, and its media type: for a principal who may not
    read the document's personal data, its masked copy (``personal_derivatives``)."""
    column, media_type = PAGE_KINDS.get(kind, PAGE_KINDS["thumbnail"])
    with ctx.db.session() as session:
        doc = visible_document(session, principal, document_id)
        page = _page(session, doc, page_no)
        masking = masking_for(session, doc, principal)
        if page is None:
            stored = None
        elif masking is not None:
            stored = masked_page_object(ctx.store, session, page, kind if kind in PAGE_KINDS else "thumbnail",
                                        masking)
        else:
            stored = session.get(StoredObject, getattr(page, column)) if getattr(page, column) else None
        if stored is None:
            raise NotFound(f"Không có ảnh trang {page_no}", f"No image for page {page_no}")
        if masking is None:
            audit_personal_view(session, principal, doc, channel)
        record_event(session, actor_name(principal), "page.view", "document", doc.id,
                     {"channel": channel, "page": page_no, "kind": kind})
        return download_of(ctx.store, stored, media_type=media_type if kind in PAGE_KINDS else stored.media_type)


def page_ocr(ctx: AppContext, principal: Principal | None, document_id: int, page_no: int,
             fmt: str = "json", *, channel: str = "web") -> tuple[bytes, str]:
    """The OCR of one page of a visible document as JSON (stored), hOCR or ALTO, and its media type; masked
    words read as their mask token unless ``principal`` may read personal data."""
    media_type = OCR_FORMATS.get(fmt)
    if media_type is None:
        raise ValidationFailed(f"Định dạng OCR không hợp lệ: {fmt}", f"Unknown OCR format: {fmt}")
    with ctx.db.session() as session:
        doc = visible_document(session, principal, document_id)
        page = _page(session, doc, page_no)
        stored = session.get(StoredObject, page.ocr_object_id) if page is not None and page.ocr_object_id else None
        if stored is None:
            raise NotFound(f"Không có kết quả OCR của trang {page_no}", f"No OCR for page {page_no}")
        with ctx.store.open(stored.sha256) as handle:
            content = handle.read()
        masking = shown_to(session, doc, principal, channel)
        if fmt != "json" or masking is not None:
            ocr = ocr_page_from_json(content.decode("utf-8"))
            ocr = masking.ocr(ocr) if masking is not None else ocr
            content = (ocr_page_to_json(ocr) if fmt == "json" else to_hocr(ocr) if fmt == "hocr"
                       else to_alto(ocr)).encode("utf-8")
        record_event(session, actor_name(principal), "page.ocr", "document", doc.id,
                     {"channel": channel, "page": page_no, "format": fmt})
        return content, media_type


def document_pdf(ctx: AppContext, principal: Principal | None, document_id: int, *,
                 channel: str = "web") -> ObjectDownload:
    """The PDF/A of a visible document and a download name; the download is recorded. A principal who may not
    read the document's personal data gets the masked PDF/A (``personal_derivatives``)."""
    with ctx.db.session() as session:
        doc = visible_document(session, principal, document_id)
        masking = masking_for(session, doc, principal)
        if masking is not None:
            pdf = masked_pdf_object(ctx.store, session, doc, masking)
        else:
            pdf = session.get(StoredObject, doc.pdf_object_id) if doc.pdf_object_id else None
        if pdf is None:
            raise NotFound("Văn bản chưa có PDF", "The document has no PDF yet")
        if masking is None:
            audit_personal_view(session, principal, doc, channel)
        record_event(session, actor_name(principal), "document.download", "document", doc.id,
                     {"channel": channel})
        return download_of(ctx.store, pdf, media_type="application/pdf", filename=f"sohoa-{doc.id}.pdf")
