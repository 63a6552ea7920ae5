"""Staff search page and document view (with its PDF/A); every search, view and download is audited."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from sohoa.domain.errors import NotFound, SohoaError, ValidationFailed
from sohoa.http.deps import Ctx
from sohoa.http.objects import ObjectResponse
from sohoa.http.rules import require
from sohoa.services.catalogue.documents import document_pdf as audited_pdf
from sohoa.services.catalogue.documents import page_image, view_document
from sohoa.services.catalogue.lookup import resolve, unit_texts
from sohoa.services.catalogue.publication import PublicState, public_states_by_id
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.principal import Principal
from sohoa.web.templating import render

__all__ = ["router"]

Reader = Annotated[Principal, require(Permission.DOCUMENT_READ)]


# GET /search, GET /documents/{id} (its page viewer, search hits of ?q=), its PDF/A and page images.
router = APIRouter()


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    ctx: Ctx,
    principal: Reader,
    q: str = "",
    unit: Annotated[str, Query(max_length=300)] = "",
    unit_id: str = "",
    year: Annotated[int | None, Query()] = None,
    type: str | None = None,
) -> Response:
    """``unit`` is what the units picker holds ("CODE — Name") or a unit identifier as the query string has
    always taken; ``unit_id`` (the picker's id) settles a choice between units of the same name."""
    result: dict[str, Any] = {"total": 0, "results": [], "suggestion": None, "total_exact": True, "partial": False}
    states: dict[int, PublicState] = {}
    unit_error: SohoaError | None = None
    chosen: int | None = None
    if unit.strip():
        try:
            chosen = resolve(ctx, principal, "units", unit, unit_id)
        except (NotFound, ValidationFailed) as exc:  # unknown or ambiguous: said beside the field
            unit_error = exc
    if q.strip() and unit_error is None:
        found = search(ctx, principal, SearchRequest(query=q, unit_id=chosen, year=year, type_name=type or None))
        result = {"total": found.total, "results": found.results, "suggestion": found.suggestion,
                  "total_exact": found.total_exact, "partial": found.partial}
        states = public_states_by_id(ctx, [hit.document_id for hit in found.results])  # draft/published/withdrawn
    return render(
        request,
        "search.html",
        {"q": q, "unit": unit_texts(ctx, [chosen]).get(chosen, unit) if chosen else unit, "unit_id": chosen or "",
         "unit_error": unit_error, "year": year or "", "type": type or "", "result": result,
         "public_states": states},
    )


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(request: Request, ctx: Ctx, document_id: int, principal: Reader,
                  q: Annotated[str, Query(max_length=500)] = "") -> Response:
    data = view_document(ctx, principal, document_id, query=q)
    return render(request, "document.html", {"doc": data, "fields": data.fields})


@router.get("/documents/{document_id}/pdf")
def document_pdf(ctx: Ctx, document_id: int, principal: Reader) -> Response:
    return ObjectResponse(audited_pdf(ctx, principal, document_id), inline=True)


@router.get("/documents/{document_id}/pages/{page_no}/image")
def document_page_image(ctx: Ctx, document_id: int, principal: Reader,
                        page_no: Annotated[int, Path(ge=1, le=100_000)],
                        kind: Literal["thumbnail", "image"] = "thumbnail") -> Response:
    """A page's thumbnail or stored web-size image (the viewer's strip and fallback), under the policy."""
    return ObjectResponse(page_image(ctx, principal, document_id, page_no, kind),
                          headers={"Cache-Control": "private, max-age=3600"})
