"""Search page and document view (with its PDF/A) over the catalogue services."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from sohoa.auth.permissions import Permission
from sohoa.auth.principal import Principal
from sohoa.auth.rules import require
from sohoa.services.catalog import document_pdf_path, search_documents, show_document
from sohoa.services.context import AppContext
from sohoa.web.templating import render

__all__ = ["make_router"]

Reader = Annotated[Principal, require(Permission.DOCUMENT_READ)]


def make_router(ctx: AppContext) -> APIRouter:
    """Routes: GET /search, GET /documents/{id}, GET /documents/{id}/pdf."""
    router = APIRouter()

    @router.get("/search", response_class=HTMLResponse)
    def search_page(
        request: Request,
        principal: Reader,
        q: str = "",
        unit: str | None = None,
        year: Annotated[int | None, Query()] = None,
        type: str | None = None,
    ) -> Response:
        result: dict[str, Any] = {"total": 0, "results": []}
        if q.strip():
            result = search_documents(ctx, q, unit=unit or None, year=year, type_name=type or None, principal=principal)
        return render(
            request,
            "search.html",
            {"q": q, "unit": unit or "", "year": year or "", "type": type or "", "result": result},
        )

    @router.get("/documents/{document_id}", response_class=HTMLResponse)
    def document_page(request: Request, document_id: int, principal: Reader) -> Response:
        data = show_document(ctx, document_id, principal=principal)
        return render(request, "document.html", {"doc": data, "fields": data["documents"][0]["fields"]})

    @router.get("/documents/{document_id}/pdf")
    def document_pdf(document_id: int, principal: Reader) -> Response:
        path, name = document_pdf_path(ctx, document_id, principal=principal)
        return FileResponse(path, media_type="application/pdf", filename=name, content_disposition_type="inline")

    return router
