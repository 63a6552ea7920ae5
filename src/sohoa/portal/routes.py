"""Portal routes: public search and documents, copy requests (no login); staff decisions (REVIEW permission)."""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependencies.
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from sohoa.domain.errors import SohoaError
from sohoa.domain.search import MAX_QUERY_CHARS
from sohoa.http.deps import Ctx
from sohoa.http.objects import ObjectResponse
from sohoa.http.rules import public, require
from sohoa.portal.templating import render_page
from sohoa.services.catalogue.documents import document_pdf, view_document
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.sharing.copies import (
    Requester,
    approve_copy,
    copy_pdf,
    copy_status,
    list_copy_requests,
    refuse_copy,
    request_copy,
)

__all__ = ["router"]

# /portal… for everyone (reads as anonymous: public records only), /staff/copies… for reviewers.
router = APIRouter(include_in_schema=False)
Anyone = Annotated[Principal | None, public()]
Staff = Annotated[Principal, require(Permission.REVIEW)]
Text = Annotated[str, Form(max_length=1000)]


@router.get("/portal", response_class=HTMLResponse)
def portal_search(request: Request, ctx: Ctx, _who: Anyone,
                  q: Annotated[str, Query(max_length=MAX_QUERY_CHARS)] = "",
                  year_text: Annotated[str, Query(alias="year", max_length=4)] = "") -> Response:
    # An empty year field in the form arrives as "year=": treat it as no filter.
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    result: dict[str, Any] = {"total": 0, "results": [], "suggestion": None}
    if q.strip():
        page = search(ctx, None, SearchRequest(q, year=year, limit=50), channel="portal")
        result = {"total": page.total, "results": page.results, "suggestion": page.suggestion}
    return render_page(request, "portal/search.html", {"q": q, "year": year, "result": result})


@router.get("/portal/documents/{document_id}", response_class=HTMLResponse)
def portal_document(request: Request, ctx: Ctx, _who: Anyone, document_id: int, q: str = "") -> Response:
    doc = view_document(ctx, None, document_id, query=q, channel="portal")
    return render_page(request, "portal/document.html", {"doc": doc})


@router.get("/portal/documents/{document_id}/pdf")
def portal_pdf(ctx: Ctx, _who: Anyone, document_id: int) -> Response:
    return ObjectResponse(document_pdf(ctx, None, document_id, channel="portal"), inline=True)


@router.post("/portal/documents/{document_id}/copy")
def portal_request_copy(request: Request, ctx: Ctx, _who: Anyone, document_id: int, name: Text, id_number: Text,
                        email: Text = "", phone: Text = "", address: Text = "", purpose: Text = "") -> Response:
    try:
        info = request_copy(ctx, document_id, Requester(name, id_number, email, phone, address, purpose))
    except SohoaError as exc:
        doc = view_document(ctx, None, document_id, channel="portal")
        return render_page(request, "portal/document.html", {"doc": doc, "error": exc}, status_code=400)
    return RedirectResponse(f"/portal/copies/{info.code}", status_code=303)


@router.get("/portal/copies/{code}", response_class=HTMLResponse)
def portal_copy_status(request: Request, ctx: Ctx, _who: Anyone, code: Annotated[str, Path(max_length=40)]) -> Response:
    return render_page(request, "portal/copy_status.html", {"info": copy_status(ctx, code)})


@router.get("/portal/copies/{code}/pdf")
def portal_copy_pdf(ctx: Ctx, _who: Anyone, code: str) -> Response:
    return ObjectResponse(copy_pdf(ctx, code))


@router.get("/staff/copies", response_class=HTMLResponse)
def staff_copies(request: Request, ctx: Ctx, who: Staff, notice: str = "") -> Response:
    return render_page(request, "portal/staff_copies.html",
                       {"requests": list_copy_requests(ctx), "notice": notice[:200] or None})


@router.post("/staff/copies/{request_id}/approve")
def staff_approve(ctx: Ctx, who: Staff, request_id: int) -> Response:
    info = approve_copy(ctx, request_id, who.username)
    return RedirectResponse(f"/staff/copies?notice=Đã duyệt yêu cầu {info.id}", status_code=303)


@router.post("/staff/copies/{request_id}/refuse")
def staff_refuse(ctx: Ctx, who: Staff, request_id: int, reason: Annotated[str, Form(max_length=2000)]) -> Response:
    info = refuse_copy(ctx, request_id, who.username, reason)
    return RedirectResponse(f"/staff/copies?notice=Đã từ chối yêu cầu {info.id}", status_code=303)

