"""Read side of the catalogue: search, show one document, status counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, IngestItem, Page, StoredObject
from sohoa.domain.errors import NotFound
from sohoa.services.catalogue.fields import document_fields
from sohoa.services.catalogue.search import SearchHit, SearchRequest, search
from sohoa.services.identity.policy import can_view_document
from sohoa.services.identity.principal import SYSTEM, Principal
from sohoa.services.platform.context import AppContext

__all__ = ["SYSTEM", "DocumentRecord", "ExtractedDocument", "FoundDocuments", "document_fields",
           "search_documents", "show_document", "status_counts"]


@dataclass(frozen=True)
class FoundDocuments:
    """The search contract: how many match, whether that count is exact, a suggested query and the hits;
    ``partial``: no document holds every word, the hits hold some of them (best first)."""

    total: int
    total_exact: bool
    suggestion: str | None
    results: list[SearchHit]
    partial: bool = False


@dataclass(frozen=True)
class ExtractedDocument:
    """One document of the extract contract: its pages, fields, per-field confidence and text."""

    pages: list[int]
    fields: dict[str, str | None]
    confidence: dict[str, Any]
    text: str


@dataclass(frozen=True)
class DocumentRecord:
    """The extract contract for one stored document, plus where it lives."""

    document_id: int
    source: str
    pages: int
    documents: list[ExtractedDocument]
    state: str
    file_id: int | None
    unit_id: int | None
    access_level: str
    pdf_sha256: str | None
    provenance: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

def search_documents(ctx: AppContext, query: str, *, unit: str | None = None, year: int | None = None,
                     type_name: str | None = None, limit: int = 20, offset: int = 0,
                     principal: Principal | None = SYSTEM) -> FoundDocuments:
    """Search contract (total, results with document id, source, fields, score, snippet) over the one
    audited search path of the access layer."""
    page = search(ctx, principal, SearchRequest(query=query, unit=unit, year=year, type_name=type_name,
                                                limit=limit, offset=offset), channel="cli")
    return FoundDocuments(page.total, page.total_exact, page.suggestion, page.results, page.partial)


def _visible(session: Session, document_id: int, principal: Principal | None) -> Document:
    doc = session.get(Document, document_id)
    if doc is None or not can_view_document(session, principal, doc):
        # Same answer for "absent" and "not yours": existence is not disclosed.
        raise NotFound(f"Không có văn bản số {document_id}", f"No document {document_id}")
    return doc


def show_document(ctx: AppContext, document_id: int, principal: Principal | None = SYSTEM) -> DocumentRecord:
    """The extract contract for one stored document, plus where it lives."""
    with ctx.db.session() as session:
        doc = _visible(session, document_id, principal)
        pdf = session.get(StoredObject, doc.pdf_object_id) if doc.pdf_object_id else None
        pages = session.execute(select(Page).where(Page.document_id == doc.id).order_by(Page.page_no)).scalars()
        page_numbers = [p.page_no for p in pages]
        return DocumentRecord(
            document_id=doc.id, source=doc.source_name, pages=doc.page_amount,
            documents=[ExtractedDocument(page_numbers, document_fields(doc), doc.confidence or {}, doc.text)],
            state=doc.state, file_id=doc.file_id, unit_id=doc.unit_id, access_level=doc.access_level,
            pdf_sha256=pdf.sha256 if pdf else None, provenance=doc.provenance or {},
        )


def status_counts(ctx: AppContext) -> dict[str, dict[str, int]]:
    """Counts by state: ingest items, documents, pages, objects."""
    with ctx.db.session() as session:
        items = {str(state): n for state, n in session.execute(
            select(IngestItem.state, func.count()).group_by(IngestItem.state)).all()}
        docs = {str(state): n for state, n in session.execute(
            select(Document.state, func.count()).group_by(Document.state)).all()}
        pages = session.execute(select(func.count()).select_from(Page)).scalar_one()
        objects = dict(session.execute(select(StoredObject.kind, func.count()).group_by(StoredObject.kind)).all())
    return {"ingest_items": items, "documents": docs, "pages": {"total": pages}, "objects": objects}
