"""Portal routes: public search and documents, copy requests (no login); staff decisions (REVIEW permission)."""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependencies.
import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sohoa.domain.errors import SohoaError
from sohoa.domain.fields import FIELD_BY_NAME
from sohoa.domain.search import MAX_QUERY_CHARS
from sohoa.domain.text import nfc
from sohoa.http.deps import Ctx
from sohoa.http.i18n import request_lang
from sohoa.http.objects import ObjectResponse
from sohoa.http.rules import public, require
from sohoa.portal import search_engines
from sohoa.portal.templating import render_page, site_url
from sohoa.services.catalogue.documents import document_pdf, view_document
from sohoa.services.catalogue.permalinks import identifiers_for, permalink_path, resolve_identifier
from sohoa.services.catalogue.record_meta import record_page_meta
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.sharing.copies import (
    Requester,
    approve_copy,
    copy_pdf,
    copy_status,
    list_copy_requests,
    refuse_copy,
    request_copy,
)
from sohoa.web.flash import flash

__all__ = ["router"]

# /portal… for everyone (reads as anonymous: public records only), /staff/copies… for reviewers.
router = APIRouter(include_in_schema=False)
Anyone = Annotated[Principal | None, public()]
Staff = Annotated[Principal, require(Permission.REVIEW)]
Text = Annotated[str, Form(max_length=1000)]
router.include_router(search_engines.router)  # /sitemap.xml, /robots.txt
_BLANK_LINES = re.compile(r"\n\s*\n")


@router.get("/portal", response_class=HTMLResponse)
def portal_search(request: Request, ctx: Ctx, _who: Anyone,
                  q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
                  year_text: Annotated[str, Query(alias="year", max_length=4)] = "") -> Response:
    # An empty year field in the form arrives as "year=": treat it as no filter.
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    result: dict[str, Any] = {"total": 0, "results": [], "suggestion": None}
    if q.strip():
        page = search(ctx, None, SearchRequest(q, year=year, limit=50), channel="portal")
        links = {doc_id: permalink_path(ident) for doc_id, ident in
                 identifiers_for(ctx, [hit.document_id for hit in page.results]).items()}
        result = {"total": page.total, "results": page.results, "suggestion": page.suggestion, "links": links}
    return render_page(request, "portal/search.html", {"q": q, "year": year, "result": result})


def _record(request: Request, ctx: AppContext, document_id: int, q: str = "", **extra: Any) -> dict[str, Any]:
    """The record page's context: the record as the public sees it, and what the page says about it."""
    doc = view_document(ctx, None, document_id, query=q, channel="portal")
    meta = record_page_meta(ctx, document_id, site_url(request, ctx), request_lang(request))
    fields = [(name, FIELD_BY_NAME[name].display(value)) for name, value in doc.fields.items() if value]
    # The OCR text as paragraphs in the page's font (blank lines part them; the lines inside are kept).
    paragraphs = [part.strip() for part in _BLANK_LINES.split(nfc(doc.text)) if part.strip()]
    return {"doc": doc, "meta": meta, "q": q, "fields": fields, "paragraphs": paragraphs, **extra}


@router.get("/portal/r/{identifier:path}", response_class=HTMLResponse)
def portal_record(request: Request, ctx: Ctx, _who: Anyone, identifier: Annotated[str, Path(max_length=200)],
                  q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "") -> Response:
    # The permanent link: another form of the identifier (derived, different case) moves to the canonical one.
    found = resolve_identifier(ctx, identifier)
    if found.identifier != identifier:
        query = f"?{urlencode({'q': q})}" if q else ""
        return RedirectResponse(permalink_path(found.identifier) + query, status_code=301)
    return render_page(request, "portal/document.html", _record(request, ctx, found.document_id, q))


@router.get("/portal/documents/{document_id}", response_class=HTMLResponse)
def portal_document(request: Request, ctx: Ctx, _who: Anyone, document_id: int,
                    q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "") -> Response:
    # The old address keeps working; the page names its permanent link as canonical.
    return render_page(request, "portal/document.html", _record(request, ctx, document_id, q))


@router.get("/portal/documents/{document_id}/pdf")
def portal_pdf(ctx: Ctx, _who: Anyone, document_id: int) -> Response:
    return ObjectResponse(document_pdf(ctx, None, document_id, channel="portal"), inline=True)


@router.post("/portal/documents/{document_id}/copy")
def portal_request_copy(request: Request, ctx: Ctx, _who: Anyone, document_id: int, name: Text, id_number: Text,
                        email: Text = "", phone: Text = "", address: Text = "", purpose: Text = "") -> Response:
    try:
        info = request_copy(ctx, document_id, Requester(name, id_number, email, phone, address, purpose))
    except SohoaError as exc:
        return render_page(request, "portal/document.html", _record(request, ctx, document_id, error=exc),
                           status_code=400)
    return RedirectResponse(f"/portal/copies/{info.code}", status_code=303)


@router.get("/portal/copies/{code}", response_class=HTMLResponse)
def portal_copy_status(request: Request, ctx: Ctx, _who: Anyone, code: Annotated[str, Path(max_length=40)]) -> Response:
    info = copy_status(ctx, code)
    identifier = identifiers_for(ctx, [info.document_id]).get(info.document_id)
    record = {"identifier": identifier, "path": permalink_path(identifier)} if identifier else None
    return render_page(request, "portal/copy_status.html", {"info": info, "record": record})


@router.get("/portal/copies/{code}/pdf")
def portal_copy_pdf(ctx: Ctx, _who: Anyone, code: str) -> Response:
    return ObjectResponse(copy_pdf(ctx, code))


@router.get("/staff/copies", response_class=HTMLResponse)
def staff_copies(request: Request, ctx: Ctx, who: Staff) -> Response:
    return render_page(request, "portal/staff_copies.html", {"requests": list_copy_requests(ctx, principal=who)})


@router.post("/staff/copies/{request_id}/approve")
def staff_approve(request: Request, ctx: Ctx, who: Staff, request_id: int) -> Response:
    info = approve_copy(ctx, request_id, who.username)
    flash(request, "Đã duyệt yêu cầu bản sao {code}", code=info.code)
    return RedirectResponse("/staff/copies", status_code=303)


@router.post("/staff/copies/{request_id}/refuse")
def staff_refuse(request: Request, ctx: Ctx, who: Staff, request_id: int,
                 reason: Annotated[str, Form(max_length=2000)]) -> Response:
    info = refuse_copy(ctx, request_id, who.username, reason)
    flash(request, "Đã từ chối yêu cầu bản sao {code}", code=info.code)
    return RedirectResponse("/staff/copies", status_code=303)

