"""The review screen's page editor: thumbnails by page, quarter turns, reordering by position, and the
neighbouring documents a document may be merged with — people pick pages and documents, never type ids.

What a rotation changes: the page's stored ``rotation`` (0/90/180/270, clockwise), its thumbnail (made again
from the master, turned), the page's ``/Rotate`` in the rebuilt PDF/A (image and text layer turn together),
and the page viewer, which shows the page image turned. What it never changes: the master (read only), the
OCR and the field boxes, and the page image and IIIF tiles, which stay in the scan's own geometry (the
pixel size every stored box refers to).
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

from PIL import Image
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sohoa.db.models import Document, Page, StoredObject
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.workflow import DocumentState
from sohoa.engines.thumbnails import make_thumbnail, pdf_page_thumbnail, thumbnail_of
from sohoa.services.catalogue.documents import lock_visible, visible_document, visible_page
from sohoa.services.catalogue.listing import document_clause
from sohoa.services.catalogue.search import actor_name
from sohoa.services.identity.policy import document_scope
from sohoa.services.identity.principal import SYSTEM, Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import local_copy, store_bytes
from sohoa.services.production.rebuild import rebuild_document_pdf
from sohoa.services.production.review import reorder_pages

__all__ = [
    "NEIGHBOURS",
    "TURNS",
    "Neighbour",
    "moved_positions",
    "neighbours",
    "note_thumbnails_shown",
    "page_thumbnail",
    "reorder_by_positions",
    "rotate_page",
]

TURNS = (90, 180, 270)  # the quarter turns a reviewer may give a page, clockwise
NEIGHBOURS = 2  # documents shown on each side of the one under review
_SINGLE_FRAME = frozenset({"image/png", "image/jpeg"})
_TRANSPOSE = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}
_GONE = (DocumentState.MERGED, DocumentState.SUPERSEDED)


@dataclass(frozen=True)
class Neighbour:
    """A document next to the one under review (same hồ sơ, or the same scan when unfiled), to merge with."""

    id: int
    before: bool  # comes before the document under review in the sequence
    type_name: str | None
    sign: str  # số/ký hiệu, "" when not read yet
    subject: str | None
    source_name: str
    pages: int
    first_page_id: int | None
    rotation: int  # of its first page, for the thumbnail's cache key


def _sign(doc: Document) -> str:
    return "/".join(part for part in (doc.code_number, doc.code_notation) if part)


def neighbours(
    ctx: AppContext, doc_id: int, *, principal: Principal | None = SYSTEM, count: int = NEIGHBOURS
) -> list[Neighbour]:
    """Up to ``count`` documents on each side of ``doc_id`` in its hồ sơ (or its scan, when unfiled) that
    ``principal`` may see and that still hold pages, in sequence order."""
    with ctx.db.session() as session:
        doc = visible_document(session, principal, doc_id)
        if doc.file_id is not None:
            same = Document.file_id == doc.file_id
        elif doc.ingest_item_id is not None:
            same = Document.ingest_item_id == doc.ingest_item_id
        else:
            return []
        base = select(Document).where(
            same,
            Document.id != doc.id,
            Document.state.not_in(_GONE),
            document_clause(document_scope(session, principal)),
        )
        before = list(
            session.execute(base.where(Document.id < doc.id).order_by(Document.id.desc()).limit(count)).scalars()
        )
        after = list(session.execute(base.where(Document.id > doc.id).order_by(Document.id).limit(count)).scalars())
        found = []
        for other, is_before in [*((d, True) for d in reversed(before)), *((d, False) for d in after)]:
            first = other.pages[0] if other.pages else None
            found.append(
                Neighbour(
                    other.id,
                    is_before,
                    other.type_name,
                    _sign(other),
                    other.subject,
                    other.source_name,
                    len(other.pages),
                    first.id if first else None,
                    first.rotation if first else 0,
                )
            )
        return found


def moved_positions(count: int, page_no: int, step: int) -> list[int]:
    """The order (1-based positions as they are now) after moving page ``page_no`` by ``step`` (−1 left,
    +1 right); ValidationFailed when the page is not there or would leave the document."""
    target = page_no + step
    if step not in (-1, 1) or not 1 <= page_no <= count or not 1 <= target <= count:
        raise ValidationFailed("Không thể chuyển trang này theo hướng đó", "This page cannot move that way")
    order = list(range(1, count + 1))
    order[page_no - 1], order[target - 1] = order[target - 1], order[page_no - 1]
    return order


def reorder_by_positions(
    ctx: AppContext, doc_id: int, positions: list[int], *, actor: str, principal: Principal | None = SYSTEM
) -> None:
    """Put the pages in the order given as their current positions (1-based, each exactly once): what the
    thumbnail editor posts, so that no page id is ever shown or typed."""
    with ctx.db.session() as session:
        doc = visible_document(session, principal, doc_id)
        ids = [p.id for p in sorted(doc.pages, key=lambda p: p.page_no)]
    if sorted(positions) != list(range(1, len(ids) + 1)):
        raise ValidationFailed("Thứ tự trang không khớp với văn bản", "The page order does not match the document")
    reorder_pages(ctx, doc_id, [ids[n - 1] for n in positions], actor=actor, principal=principal)


def _base_thumbnail(ctx: AppContext, master: StoredObject, index: int) -> Image.Image:
    """The page's preview as ingest makes it (the master as stored, never turned), decoded."""
    if master.media_type in _SINGLE_FRAME:
        data = make_thumbnail(ctx.store.read(master.sha256))
    else:
        with local_copy(ctx.store, master.sha256, ctx.settings.work_dir) as path:
            if master.media_type == "application/pdf":
                data = pdf_page_thumbnail(str(path), index)
            else:
                with Image.open(path) as frames:  # a multi-page TIFF
                    frames.seek(index)
                    data = thumbnail_of(frames.copy())
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def _thumbnail(ctx: AppContext, session: Session, page: Page) -> bytes:
    master = session.get(StoredObject, page.master_object_id)
    if master is None:
        raise NotFound(f"Trang {page.page_no} không còn bản gốc", f"Page {page.page_no} has lost its master")
    image = _base_thumbnail(ctx, master, page.source_index)
    turn = (page.rotation or 0) % 360
    if turn:
        image = image.transpose(_TRANSPOSE[turn])
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue()


def rotate_page(
    ctx: AppContext, doc_id: int, page_no: int, degrees: int, *, actor: str, principal: Principal | None = SYSTEM
) -> int:
    """Turn page ``page_no`` of the document by ``degrees`` clockwise more; returns its rotation now.

    The master is never touched: the turn is stored on the page, its thumbnail is made again from the
    master and the PDF/A is rebuilt with the page's ``/Rotate``; the change is audited."""
    if degrees not in TURNS:
        raise ValidationFailed("Góc xoay không hợp lệ (90, 180 hoặc 270 độ)", "Invalid rotation (90, 180 or 270°)")
    with ctx.db.session() as session:
        (doc,) = lock_visible(session, principal, doc_id)
        page = next((p for p in doc.pages if p.page_no == page_no), None)
        if page is None:
            raise ValidationFailed(f"Văn bản không có trang {page_no}", f"The document has no page {page_no}")
        before = page.rotation or 0
        page.rotation = (before + degrees) % 360
        page.thumbnail_object_id = store_bytes(
            session, ctx.store, _thumbnail(ctx, session, page), media_type="image/jpeg", kind="thumbnail"
        ).id
        record_event(
            session,
            actor,
            "document.update",
            "document",
            doc.id,
            {"operation": "rotate", "page": page.id, "page_no": page_no, "before": before, "after": page.rotation},
        )
        rebuild_document_pdf(ctx, session, doc.id, actor)
        return page.rotation


def page_thumbnail(ctx: AppContext, page_id: int, *, principal: Principal | None = SYSTEM) -> bytes:
    """The JPEG thumbnail of a page of a document ``principal`` may see (turned as the page is); NotFound
    otherwise, as for a missing page. A page without one gets it made from its master and kept."""
    with ctx.db.session() as session:
        page = visible_page(session, principal, page_id)
        stored = session.get(StoredObject, page.thumbnail_object_id) if page.thumbnail_object_id else None
        if stored is not None:
            return ctx.store.read(stored.sha256)
        data = _thumbnail(ctx, session, page)
    with contextlib.suppress(IntegrityError), ctx.db.session() as session:  # a concurrent request kept it
        kept = session.get(Page, page_id)
        if kept is not None and kept.thumbnail_object_id is None:
            kept.thumbnail_object_id = store_bytes(
                session, ctx.store, data, media_type="image/jpeg", kind="thumbnail"
            ).id
    return data


def note_thumbnails_shown(ctx: AppContext, doc_id: int, *, principal: Principal | None = SYSTEM) -> None:
    """One audit event for the page thumbnails a screen shows (the thumbnail route itself records none)."""
    with ctx.db.session() as session:
        doc = visible_document(session, principal, doc_id)
        record_event(
            session,
            actor_name(principal),
            "page.view",
            "document",
            doc.id,
            {"channel": "review", "kind": "thumbnail", "pages": len(doc.pages)},
        )
