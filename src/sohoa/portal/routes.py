"""Portal routes: public search and documents, copy requests (no login); staff decisions (REVIEW permission)."""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependencies.
import re
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sohoa.domain.errors import NotFound, SohoaError
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
    CopyRequestInfo,
    Requester,
    approve_copy,
    copy_pdf,
    copy_status,
    due_date,
    list_copy_requests,
    refuse_copy,
    request_copy,
)
from sohoa.services.sharing.portal_browse import BrowseFilters, browse, year_query
from sohoa.web.flash import flash

__all__ = ["router"]

# /portal… for everyone (reads as anonymous: public records only), /staff/copies… for reviewers.
router = APIRouter(include_in_schema=False)
Anyone = Annotated[Principal | None, public()]
Staff = Annotated[Principal, require(Permission.REVIEW)]
Text = Annotated[str, Form(max_length=1000)]
QueryText = Annotated[str, Query(max_length=MAX_QUERY_CHARS)]
Choice = Annotated[str, Query(max_length=200)]
router.include_router(search_engines.router)  # /sitemap.xml, /robots.txt
_BLANK_LINES = re.compile(r"\n\s*\n")


@router.get("/portal", response_class=HTMLResponse)
def portal_search(request: Request, ctx: Ctx, _who: Anyone, q: QueryText = "",
                  year_text: Annotated[str, Query(alias="year", max_length=4)] = "",
                  unit: Choice = "", type_name: Annotated[str, Query(alias="type", max_length=100)] = "",
                  file: Choice = "", fonds: Choice = "",
                  page: Annotated[int, Query(ge=1, le=10_000)] = 1) -> Response:
    """The portal's home: a search when a query is typed, else the public records to browse by unit, year and
    type (a query that is only a year, "2024", browses that year)."""
    # An empty year field in the form arrives as "year=": treat it as no filter.
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    if q.strip() and year_query(q) is None:
        found = search(ctx, None, SearchRequest(q, year=year, unit=unit or None, type_name=type_name or None,
                                                limit=50), channel="portal")
        links = {doc_id: permalink_path(ident) for doc_id, ident in
                 identifiers_for(ctx, [hit.document_id for hit in found.results]).items()}
        result = {"total": found.total, "results": found.results, "suggestion": found.suggestion, "links": links,
                  "partial": found.partial}
        return render_page(request, "portal/search.html", {"q": q, "year": year, "result": result})
    filters = BrowseFilters(unit=unit or None, year=year_query(q) or year, type_name=type_name or None,
                            file_code=file or None, fonds_code=fonds or None, page=page)
    listing = browse(ctx, filters)
    return render_page(request, "portal/search.html", {"q": q, "year": filters.year, "browse": listing})


def _record(request: Request, ctx: AppContext, document_id: int, q: str = "", **extra: Any) -> dict[str, Any]:
    """The record page's context: the record as the public sees it, and what the page says about it."""
    doc = view_document(ctx, None, document_id, query=q, channel="portal")
    meta = record_page_meta(ctx, document_id, site_url(request, ctx), request_lang(request))
    fields = [(name, FIELD_BY_NAME[name].display(value)) for name, value in doc.fields.items() if value]
    # The OCR text as paragraphs in the page's font (blank lines part them; the lines inside are kept).
    paragraphs = [part.strip() for part in _BLANK_LINES.split(nfc(doc.text)) if part.strip()]
    record = meta.record
    # The reference code: the hồ sơ's code and the document's number in it (TT 05/2025 names a document's
    # file "{mã hồ sơ}.{STT}"), else the file's code alone.
    reference = (f"{record.file_code}.{record.ordinal:03d}" if record.file_code and record.ordinal
                 else record.file_code)
    settings = ctx.settings
    terms = {"fees": settings.portal_copy_fees, "days": settings.portal_copy_days}
    return {"doc": doc, "meta": meta, "q": q, "fields": fields, "paragraphs": paragraphs, "reference": reference,
            "copy_terms": terms, **extra}


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


def _status_context(ctx: AppContext, info: CopyRequestInfo) -> dict[str, Any]:
    identifier = identifiers_for(ctx, [info.document_id]).get(info.document_id)
    record = {"identifier": identifier, "path": permalink_path(identifier)} if identifier else None
    due = due_date(info.created_at, ctx.settings.portal_copy_days, ZoneInfo(ctx.settings.time_zone))
    return {"info": info, "record": record, "due": due}


@router.get("/portal/copies", response_class=HTMLResponse)
def portal_copy_lookup(request: Request, ctx: Ctx, _who: Anyone,
                       code: Annotated[str, Query(max_length=40)] = "") -> Response:
    """Look up a copy request by its tracking code as typed (any case, with or without the dash)."""
    if not code.strip():
        return render_page(request, "portal/copy_lookup.html", {"code": ""})
    try:
        info = copy_status(ctx, code.strip())
    except NotFound as exc:
        return render_page(request, "portal/copy_lookup.html", {"code": code, "error": exc}, status_code=404)
    return RedirectResponse(f"/portal/copies/{info.code}", status_code=303)


@router.get("/portal/copies/{code}", response_class=HTMLResponse)
def portal_copy_status(request: Request, ctx: Ctx, _who: Anyone, code: Annotated[str, Path(max_length=40)]) -> Response:
    info = copy_status(ctx, code)
    if info.code != code:  # typed in another form ("k7ma4qx2"): the page lives at the code as given out
        return RedirectResponse(f"/portal/copies/{info.code}", status_code=301)
    return render_page(request, "portal/copy_status.html", _status_context(ctx, info))


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

