"""Review (kiểm duyệt): queue, one document with pages and fields, validated edits, merge/split/reorder."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from PIL import Image
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileUnit, Page, QcInspection, StoredObject
from sohoa.domain.errors import ValidationFailed
from sohoa.domain.fields import FIELD_BY_NAME, FIELD_NAMES
from sohoa.domain.validation import field_errors
from sohoa.domain.workflow import REVIEW_STATES, DocumentState, transition
from sohoa.engines.poppler import render_page
from sohoa.services.catalogue.documents import lock_visible, visible_document, visible_page
from sohoa.services.catalogue.index_docs import document_index_doc
from sohoa.services.catalogue.listing import document_clause
from sohoa.services.catalogue.personal_data import record_document_personal_data
from sohoa.services.catalogue.personal_masking import audit_personal_view
from sohoa.services.catalogue.publication import public_states
from sohoa.services.catalogue.signatures import SignatureView, document_signatures
from sohoa.services.identity.policy import PUBLISHED_STATES, document_scope
from sohoa.services.identity.principal import SYSTEM, Principal
from sohoa.services.identity.protection import protection_of, raise_protection
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import local_copy, store_bytes
from sohoa.services.production.personal_pages import follow_pages, page_places
from sohoa.services.production.qc import route_after_review
from sohoa.services.production.rebuild import rebuild_document_pdf
from sohoa.services.production.signatures import carry_signatures

__all__ = [
    "REVIEW_STATES",
    "DocumentDetail",
    "QueueItem",
    "get_document",
    "merge_documents",
    "page_image",
    "reorder_pages",
    "review_queue",
    "split_document",
    "update_fields",
    "validate_fields",
]

PREVIEW_MAX_SIDE = 2000


@dataclass(frozen=True)
class QueueItem:
    """One line of the review queue."""

    id: int
    state: str
    file_code: str | None
    source_name: str
    type_name: str | None
    subject: str | None
    pages: int
    low_confidence: int
    public_state: str = "draft"  # draft | published | withdrawn (sohoa.services.catalogue.publication)


@dataclass(frozen=True)
class DocumentDetail:
    """Everything the review screen shows about one document."""

    id: int
    state: str
    file_code: str | None
    source_name: str
    fields: dict[str, str]
    confidence: dict[str, float]
    provenance: dict[str, Any]
    pages: list[dict[str, Any]]
    qc_comment: str | None
    signatures: list[SignatureView] = field(default_factory=list)  # of the master PDF (provenance)
    public_state: str = "draft"  # draft | published | withdrawn (sohoa.services.catalogue.publication)


def _low(doc: Document) -> int:
    return sum(1 for v in (doc.confidence or {}).values() if isinstance(v, int | float) and v < 0.8)


def review_queue(ctx: AppContext, limit: int = 200, *, principal: Principal | None = SYSTEM) -> list[QueueItem]:
    """Documents waiting for review that ``principal`` may see (never độ mật on the network), rework first."""
    with ctx.db.session() as session:
        rows = session.execute(
            select(Document, FileUnit.file_code)
            .outerjoin(FileUnit, Document.file_id == FileUnit.id)
            .where(Document.state.in_(REVIEW_STATES), document_clause(document_scope(session, principal)))
            .order_by((Document.state == DocumentState.REWORK_REVIEW).desc(), Document.id)
            .limit(limit)
        ).all()
        states = public_states(session, [d for d, _ in rows])
        return [
            QueueItem(d.id, d.state, code, d.source_name, d.type_name, d.subject, d.page_amount, _low(d),
                      states[d.id])
            for d, code in rows
        ]


def _field_text(doc: Document, name: str) -> str:
    return FIELD_BY_NAME[name].display(getattr(doc, name))


def get_document(ctx: AppContext, doc_id: int, *, principal: Principal | None = SYSTEM) -> DocumentDetail:
    """The review screen of a document ``principal`` may see; NotFound otherwise (as for a missing one). It shows
    the originals: a document holding personal data is recorded as a ``personal.view`` (channel review)."""
    with ctx.db.session() as session:
        doc = visible_document(session, principal, doc_id)
        audit_personal_view(session, principal, doc, "review")
        pages = [
            {
                "id": p.id,
                "page_no": p.page_no,
                "width": p.width,
                "height": p.height,
                "dpi": p.dpi,
                "text": p.text,
                "blank": p.blank,
                "rotation": p.rotation or 0,
            }
            for p in doc.pages
        ]
        comment = session.execute(
            select(QcInspection.comment)
            .where(QcInspection.document_id == doc.id, QcInspection.decision == "reject")
            .order_by(QcInspection.id.desc())
            .limit(1)
        ).scalar()
        return DocumentDetail(
            doc.id,
            doc.state,
            doc.file.file_code if doc.file else None,
            doc.source_name,
            {n: _field_text(doc, n) for n in FIELD_NAMES},
            dict(doc.confidence or {}),
            dict(doc.provenance or {}),
            pages,
            comment,
            document_signatures(session, doc.id),
            public_states(session, [doc])[doc.id],
        )


def validate_fields(values: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Field name → (vi, en) message for every invalid non-empty value: the field table's rules, the same
    verdicts ingest records (:func:`sohoa.domain.validation.field_errors`)."""
    return field_errors(values)


def _reindex(ctx: AppContext, session: Session, doc: Document) -> None:
    """The document's personal data found again (fields or pages changed), then its masked search row."""
    if doc.pages:
        record_document_personal_data(session, ctx.store, doc)
        ctx.index.upsert(session, document_index_doc(doc))
    else:
        ctx.index.delete(session, doc.id)  # merged away: nothing left to find


def update_fields(
    ctx: AppContext, doc_id: int, values: dict[str, str], *, actor: str, mark_reviewed: bool = False,
    principal: Principal | None = SYSTEM,
) -> dict[str, tuple[str, str]]:
    """Save corrected fields (all or nothing); returns the validation errors (empty when saved).

    With ``mark_reviewed``, a document not waiting for review (approved, sampled or merged already) raises
    ``IllegalTransition`` before anything is saved."""
    clean = {n: FIELD_BY_NAME[n].normalise(values[n]) for n in FIELD_NAMES if n in values}
    errors = validate_fields(clean)
    if errors:
        return errors
    with ctx.db.session() as session:
        (doc,) = lock_visible(session, principal, doc_id)
        if mark_reviewed:  # refused before any edit (the states that may be accepted may also go to QC)
            transition(doc.state, DocumentState.ACCEPTED)
        changes: dict[str, list[str]] = {}
        for name, value in clean.items():
            spec = FIELD_BY_NAME[name]
            before, after = _field_text(doc, name), spec.display(value)
            if before != after:
                changes[name] = [before, after]
                setattr(doc, name, spec.column_value(value))
                (doc.confidence or {}).pop(name, None)
        if changes:
            doc.confidence = {k: v for k, v in (doc.confidence or {}).items() if k not in changes} | {
                k: 1.0 for k, pair in changes.items() if pair[1]
            }
            record_event(session, actor, "document.update", "document", doc.id, {"changes": changes})
            _reindex(ctx, session, doc)
            if doc.pages:  # the XMP carries the fields: the PDF/A must show the corrected values
                rebuild_document_pdf(ctx, session, doc.id, actor)
        if mark_reviewed:
            route_after_review(session, doc, actor, ctx.settings.qc_default_rate)
        return {}


def _renumber(pages: list[Page]) -> None:
    for number, page in enumerate(pages, start=1):
        page.page_no = number


def _refresh(ctx: AppContext, session: Session, actor: str, *docs: Document) -> None:
    """After pages moved: counts, text, search row and a PDF/A rebuilt from the pages as they now are."""
    for doc in docs:
        doc.page_amount = len(doc.pages)
        doc.text = "\n\f".join(p.text for p in doc.pages)
        session.flush()
        _reindex(ctx, session, doc)
        if doc.pages:
            rebuild_document_pdf(ctx, session, doc.id, actor)
        else:
            doc.pdf_object_id = None


def merge_documents(ctx: AppContext, doc_id: int, other_id: int, *, actor: str,
                    principal: Principal | None = SYSTEM, before: bool = False) -> None:
    """Append ``other``'s pages to ``doc`` (put them first with ``before``: the document that came before it
    in the sequence); ``other`` becomes 'merged' (kept for the audit trail)."""
    if doc_id == other_id:
        raise ValidationFailed("Không thể gộp văn bản với chính nó", "Cannot merge a document with itself")
    with ctx.db.session() as session:
        doc, other = lock_visible(session, principal, doc_id, other_id)
        places = page_places(doc, other)  # the reviewer's masks follow their pages (personal_pages)
        kept = sorted(doc.pages, key=lambda p: p.page_no)
        moved = sorted(other.pages, key=lambda p: p.page_no)
        for page in moved:
            page.document_id = doc.id
        _renumber(moved + kept if before else kept + moved)
        session.flush()
        session.refresh(doc)
        session.refresh(other)
        carry_signatures(session, other, doc)  # the digital signatures of the moved pages' masters
        reviewed = other.state in PUBLISHED_STATES
        other.state = transition(other.state, DocumentState.MERGED)
        # The survivor holds the other's pages: it takes the strictest độ mật and access level of both.
        protection = raise_protection(doc, protection_of(other), [doc.id, other.id])
        if doc.state in PUBLISHED_STATES and not reviewed:
            # Unreviewed pages joined it: reviewed again before the public sees it.
            doc.state = transition(doc.state, DocumentState.REVIEW)
        record_event(
            session,
            actor,
            "document.update",  # one action for every change, so the feed and webhooks follow it
            "document",
            doc.id,
            {"operation": "merge", "merged": other.id, "pages": [p.id for p in moved], "protection": protection,
             "state": doc.state, "place": "before" if before else "after"},
        )
        follow_pages(session, places)
        _refresh(ctx, session, actor, doc, other)


def split_document(ctx: AppContext, doc_id: int, at_page: int, *, actor: str,
                   principal: Principal | None = SYSTEM) -> int:
    """Pages from ``at_page`` (1-based) on become a new document; returns its id."""
    with ctx.db.session() as session:
        (doc,) = lock_visible(session, principal, doc_id)
        places = page_places(doc)
        pages = sorted(doc.pages, key=lambda p: p.page_no)
        if not 1 < at_page <= len(pages):
            raise ValidationFailed("Vị trí tách không hợp lệ", "Invalid split position")
        new = Document(
            file_id=doc.file_id,
            unit_id=doc.unit_id,
            ingest_item_id=doc.ingest_item_id,
            source_name=doc.source_name,
            state=DocumentState.REVIEW,
            access_level=doc.access_level,
            secrecy=doc.secrecy,  # the pages keep their protection: split never lowers it
            doc_ordinal=None,
        )
        session.add(new)
        session.flush()
        tail = pages[at_page - 1 :]
        for page in tail:
            page.document_id = new.id
        _renumber(tail)
        session.flush()
        session.refresh(doc)
        session.refresh(new)
        carry_signatures(session, doc, new)  # the new document comes from the same signed master
        record_event(
            session,
            actor,
            "document.update",
            "document",
            doc.id,
            {"operation": "split", "new_document": new.id, "at_page": at_page, "pages": [p.id for p in tail]},
        )
        protection = {"secrecy": new.secrecy, "access_level": new.access_level, "from": [doc.id], "raised": False}
        record_event(session, actor, "document.create", "document", new.id,
                     {"operation": "split", "from": doc.id, "protection": protection})
        follow_pages(session, places)
        _refresh(ctx, session, actor, doc, new)
        return new.id


def reorder_pages(ctx: AppContext, doc_id: int, page_ids: list[int], *, actor: str,
                  principal: Principal | None = SYSTEM) -> None:
    """Put the document's pages in the given order (every page exactly once)."""
    with ctx.db.session() as session:
        (doc,) = lock_visible(session, principal, doc_id)
        places = page_places(doc)
        by_id = {p.id: p for p in doc.pages}
        if sorted(page_ids) != sorted(by_id):
            raise ValidationFailed("Danh sách trang không khớp với văn bản", "Page list does not match")
        before = [p.id for p in sorted(doc.pages, key=lambda p: p.page_no)]
        _renumber([by_id[i] for i in page_ids])
        session.flush()
        session.refresh(doc)
        record_event(
            session, actor, "document.update", "document", doc.id,
            {"operation": "reorder", "before": before, "after": page_ids}
        )
        follow_pages(session, places)
        _refresh(ctx, session, actor, doc)


def _render(ctx: AppContext, master: StoredObject, index: int) -> bytes:
    with local_copy(ctx.store, master.sha256, ctx.settings.work_dir) as path:  # Poppler and Pillow read files
        if master.media_type == "application/pdf":
            image = render_page(path, index, 150)
        else:
            with Image.open(path) as frames:
                frames.seek(index)
                image = frames.convert("RGB")
    image = image.convert("RGB")
    image.thumbnail((PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _cache_image(ctx: AppContext, page_id: int, data: bytes) -> None:
    """Keep the rendered preview as the page's web-size derivative, so the master is decoded once."""
    try:
        with ctx.db.session() as session:
            page = session.get(Page, page_id)
            if page is not None and page.image_object_id is None:
                page.image_object_id = store_bytes(session, ctx.store, data, media_type="image/jpeg",
                                                   kind="image").id
    except IntegrityError:
        pass  # a concurrent first request stored the same bytes; its row serves the next request


def page_image(ctx: AppContext, page_id: int, *,
               principal: Principal | None = SYSTEM) -> tuple[bytes, str, int, int]:
    """A JPEG preview of a page of a document ``principal`` may see, and the pixel size the field boxes
    refer to (the master's). NotFound for a page of a document out of scope, as for a missing page.

    The first request renders it from the master and stores it (kind "image"); later ones read it.
    """
    with ctx.db.session() as session:
        page = visible_page(session, principal, page_id)
        master = session.get(StoredObject, page.master_object_id)
        derived = session.get(StoredObject, page.image_object_id) if page.image_object_id else None
        size = (page.width, page.height)
        source_index = page.source_index
    if derived is not None:
        return ctx.store.read(derived.sha256), derived.media_type, *size
    assert master is not None
    data = _render(ctx, master, source_index)
    _cache_image(ctx, page_id, data)
    return data, "image/jpeg", *size
