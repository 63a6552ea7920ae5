"""API v1: search (with export), documents, their PDF, page images, page OCR and highlight boxes."""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependencies built in the closures.
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from sohoa.api.deps import ApiDeps
from sohoa.api.http import Id, decode_cursor, encode_cursor, etag_json, guarded
from sohoa.api.schemas import DocumentOut, ListOut, SearchOut
from sohoa.api.security import Caller
from sohoa.domain.search import MAX_QUERY_CHARS
from sohoa.http.objects import ObjectResponse
from sohoa.services.catalogue.documents import document_pdf, highlight_boxes, page_image, page_ocr, view_document
from sohoa.services.catalogue.listing import list_documents
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.catalogue.search_export import export_search

__all__ = ["add_document_routes"]

Level = Literal["public", "conditional", "internal"]
Sort = Literal["relevance", "date_desc", "date_asc", "newest"]
# The transport ceiling only: the search service answers a query over SOHOA_MAX_QUERY_CHARS with a clear 400.
Q = Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="Từ khóa hoặc số/ký hiệu")]


def _request(q: str, unit: str | None, year: int | None, date_from: date | None, date_to: date | None,
             type: str | None, access_level: str | None, bloc: str | None, retention: str | None,
             sort: str, limit: int, offset: int, facets: bool) -> SearchRequest:
    return SearchRequest(query=q, unit=unit, year=year, date_from=date_from, date_to=date_to, type_name=type,
                         access_level=access_level, bloc=bloc, retention=retention, sort=sort, limit=limit,
                         offset=offset, facets=facets)


def add_document_routes(router: APIRouter, deps: ApiDeps) -> None:
    """Register the routes on ``router``."""
    ctx = deps.ctx
    Anyone = Annotated[Caller, deps.caller()]

    @router.get("/search", response_model=SearchOut, summary="Tìm kiếm văn bản / search documents")
    def api_search(request: Request, caller: Anyone, q: Q, unit: str | None = None,
                   year: Annotated[int | None, Query(ge=1000, le=9999)] = None, date_from: date | None = None,
                   date_to: date | None = None, type: str | None = None, access_level: Level | None = None,
                   bloc: str | None = None, retention: str | None = None, sort: Sort = "relevance",
                   limit: Annotated[int, Query(ge=1, le=200)] = 20, cursor: str | None = None,
                   facets: bool = False) -> Response:
        offset = decode_cursor(cursor)
        wanted = _request(q, unit, year, date_from, date_to, type, access_level, bloc, retention, sort, limit,
                          offset, facets)
        page = guarded(lambda: search(ctx, caller.principal, wanted, channel="api"))
        more = offset + limit < page.total
        return etag_json(request, {"total": page.total, "total_exact": page.total_exact, "results": page.results,
                                   "facets": page.facets,
                                   "suggestion": page.suggestion,
                                   "next_cursor": encode_cursor(offset + limit) if more else None})

    @router.get("/search/export", summary="Xuất kết quả / export results (xlsx, pdf)",
                response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
    def api_export(caller: Anyone, q: Q, format: Literal["xlsx", "pdf"] = "xlsx", unit: str | None = None,
                   year: Annotated[int | None, Query(ge=1000, le=9999)] = None, type: str | None = None,
                   sort: Sort = "relevance") -> Response:
        wanted = _request(q, unit, year, None, None, type, None, None, None, sort, 200, 0, False)
        content, media, name = guarded(lambda: export_search(ctx, caller.principal, wanted, format, channel="api"))
        return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @router.get("/documents", response_model=ListOut, summary="Danh sách văn bản / list documents")
    def api_documents(request: Request, caller: Anyone, cursor: str | None = None,
                      limit: Annotated[int, Query(ge=1, le=200)] = 50) -> Response:
        items, last = list_documents(ctx, caller.principal, after=decode_cursor(cursor), limit=limit)
        return etag_json(request, {"items": items, "next_cursor": encode_cursor(last)})

    @router.get("/documents/{document_id}", response_model=DocumentOut, summary="Một văn bản / one document")
    def api_document(request: Request, caller: Anyone, document_id: Id,
                     q: Annotated[str, Query(max_length=500)] = "") -> Response:
        data = guarded(lambda: view_document(ctx, caller.principal, document_id, query=q, channel="api"))
        return etag_json(request, data)

    @router.get("/documents/{document_id}/highlights", summary="Ô đánh dấu trên ảnh / highlight boxes")
    def api_highlights(request: Request, caller: Anyone, document_id: Id, q: Q) -> Response:
        return etag_json(request, guarded(lambda: highlight_boxes(ctx, caller.principal, document_id, q)))

    @router.get("/documents/{document_id}/pdf", summary="Tệp PDF/A / the PDF/A file",
                response_class=FileResponse, responses={200: {"content": {"application/pdf": {}}}})
    async def api_pdf(caller: Anyone, document_id: Id) -> Response:
        download = await run_in_threadpool(
            guarded, lambda: document_pdf(ctx, caller.principal, document_id, channel="api"))
        return ObjectResponse(download)

    @router.get("/documents/{document_id}/pages/{page_no}/image", summary="Ảnh trang / page image",
                response_class=FileResponse, responses={200: {"content": {"image/jpeg": {}}}})
    async def api_page_image(caller: Anyone, document_id: Id, page_no: Annotated[int, Path(ge=1, le=100_000)],
                             kind: Literal["thumbnail", "image"] = "thumbnail") -> Response:
        download = await run_in_threadpool(
            guarded, lambda: page_image(ctx, caller.principal, document_id, page_no, kind, channel="api"))
        return ObjectResponse(download)

    @router.get("/documents/{document_id}/pages/{page_no}/ocr", summary="Kết quả OCR của trang / page OCR",
                response_class=Response,
                responses={200: {"content": {"application/json": {}, "text/html": {}, "application/xml": {}}}})
    async def api_page_ocr(caller: Anyone, document_id: Id, page_no: Annotated[int, Path(ge=1, le=100_000)],
                           format: Literal["json", "hocr", "alto"] = "json") -> Response:
        content, media = await run_in_threadpool(
            guarded, lambda: page_ocr(ctx, caller.principal, document_id, page_no, format, channel="api"))
        return Response(content, media_type=media)
