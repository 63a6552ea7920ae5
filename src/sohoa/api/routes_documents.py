"""API v1: search (with export), documents, their PDF, page images, page OCR and highlight boxes."""

# No `from __future__ import annotations`: FastAPI reads the Annotated dependencies at import.
from datetime import date
from typing import Annotated, Literal

from fastapi import Path, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from sohoa.api.deps import Anyone, api_router
from sohoa.api.http import CACHED, Cursor, Id, decode_cursor, encode_cursor, etag_json
from sohoa.api.schemas import DocumentOut, DocumentPage, PageBoxesList, SearchOut
from sohoa.domain.search import MAX_QUERY_CHARS
from sohoa.http.deps import Ctx
from sohoa.http.objects import ObjectResponse
from sohoa.services.catalogue.documents import (
    OCR_FORMATS,
    PAGE_KINDS,
    document_pdf,
    highlight_boxes,
    page_image,
    page_ocr,
    view_document,
)
from sohoa.services.catalogue.listing import list_documents
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.catalogue.search_export import EXPORT_FORMATS, export_search

__all__ = ["router"]

router = api_router()

Level = Literal["public", "conditional", "internal"]
Sort = Literal["relevance", "date_desc", "date_asc", "newest"]
# The transport ceiling only: the search service answers a query over SOHOA_MAX_QUERY_CHARS with a clear 400.
Q = Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="Từ khóa hoặc số/ký hiệu")]
PageNo = Annotated[int, Path(ge=1, le=100_000)]
Limit = Annotated[int, Query(ge=1, le=200)]
Signed = Annotated[bool | None, Query(description="Có chữ ký số / the master PDF is digitally signed (true) or not")]


def _content(media_types: tuple[str, ...]) -> dict[str, dict[str, object]]:
    bare = sorted({m.split(";")[0].strip() for m in media_types})
    return {m: {"schema": {"type": "object"} if m == "application/json" else {"type": "string", "format": "binary"}}
            for m in bare}


def _binary(*media_types: str) -> dict[int | str, dict[str, object]]:
    """A 200 answer in one of ``media_types`` (their parameters dropped): bytes, or a JSON object."""
    return {200: {"description": "The file", "content": _content(media_types)}}


def _download(*media_types: str) -> dict[int | str, dict[str, object]]:
    """A stored object (``sohoa.http.objects.ObjectResponse``): whole, a byte range of it, or 416."""
    etag = {"ETag": {"schema": {"type": "string"}, "description": "The object's SHA-256"}}
    return {200: {"description": "The file", "content": _content(media_types), "headers": etag},
            206: {"description": "The byte range asked for with `Range`", "content": _content(media_types),
                  "headers": {**etag, "Content-Range": {"schema": {"type": "string"}}}},
            416: {"description": "The range lies outside the file", "content": {"text/plain": {}},
                  "headers": {"Content-Range": {"schema": {"type": "string"}}}}}


def _request(q: str, unit: str | None, year: int | None, date_from: date | None, date_to: date | None,
             type: str | None, access_level: str | None, bloc: str | None, retention: str | None,
             sort: str, limit: int, offset: int, facets: bool, signed: bool | None = None) -> SearchRequest:
    return SearchRequest(query=q, unit=unit, year=year, date_from=date_from, date_to=date_to, type_name=type,
                         access_level=access_level, bloc=bloc, retention=retention, signed=signed, sort=sort,
                         limit=limit, offset=offset, facets=facets)


@router.get("/search", response_model=SearchOut, responses=CACHED, summary="Tìm kiếm văn bản / search documents")
def api_search(request: Request, ctx: Ctx, caller: Anyone, q: Q, unit: str | None = None,
               year: Annotated[int | None, Query(ge=1000, le=9999)] = None, date_from: date | None = None,
               date_to: date | None = None, type: str | None = None, access_level: Level | None = None,
               bloc: str | None = None, retention: str | None = None, sort: Sort = "relevance",
               limit: Limit = 20, cursor: Cursor = None, facets: bool = False, signed: Signed = None) -> Response:
    offset = decode_cursor(cursor)
    wanted = _request(q, unit, year, date_from, date_to, type, access_level, bloc, retention, sort, limit,
                      offset, facets, signed)
    page = search(ctx, caller.principal, wanted, channel="api")
    more = offset + limit < page.total
    return etag_json(request, SearchOut.model_validate(
        {"total": page.total, "total_exact": page.total_exact, "results": page.results, "facets": page.facets,
         "suggestion": page.suggestion, "partial": page.partial,
         "next_cursor": encode_cursor(offset + limit) if more else None}))


@router.get("/search/export", summary="Xuất kết quả / export results (xlsx, pdf)", response_class=Response,
            responses=_binary(*EXPORT_FORMATS.values()))
def api_export(ctx: Ctx, caller: Anyone, q: Q, format: Literal["xlsx", "pdf"] = "xlsx", unit: str | None = None,
               year: Annotated[int | None, Query(ge=1000, le=9999)] = None, type: str | None = None,
               sort: Sort = "relevance") -> Response:
    wanted = _request(q, unit, year, None, None, type, None, None, None, sort, 200, 0, False)
    content, media, name = export_search(ctx, caller.principal, wanted, format, channel="api")
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/documents", response_model=DocumentPage, responses=CACHED,
            summary="Danh sách văn bản / list documents")
def api_documents(request: Request, ctx: Ctx, caller: Anyone, cursor: Cursor = None, limit: Limit = 50) -> Response:
    items, last = list_documents(ctx, caller.principal, after=decode_cursor(cursor), limit=limit)
    return etag_json(request, DocumentPage.model_validate({"items": items, "next_cursor": encode_cursor(last)}))


@router.get("/documents/{document_id}", response_model=DocumentOut, responses=CACHED,
            summary="Một văn bản / one document")
def api_document(request: Request, ctx: Ctx, caller: Anyone, document_id: Id,
                 q: Annotated[str, Query(max_length=500)] = "") -> Response:
    data = view_document(ctx, caller.principal, document_id, query=q, channel="api")
    return etag_json(request, DocumentOut.model_validate(data))


@router.get("/documents/{document_id}/highlights", response_model=PageBoxesList, responses=CACHED,
            summary="Ô đánh dấu trên ảnh / highlight boxes")
def api_highlights(request: Request, ctx: Ctx, caller: Anyone, document_id: Id, q: Q) -> Response:
    boxes = highlight_boxes(ctx, caller.principal, document_id, q)
    return etag_json(request, PageBoxesList.model_validate(boxes))


@router.get("/documents/{document_id}/pdf", summary="Tệp PDF/A / the PDF/A file", response_class=Response,
            responses=_download("application/pdf"))
async def api_pdf(ctx: Ctx, caller: Anyone, document_id: Id) -> Response:
    download = await run_in_threadpool(lambda: document_pdf(ctx, caller.principal, document_id, channel="api"))
    return ObjectResponse(download)


@router.get("/documents/{document_id}/pages/{page_no}/image", summary="Ảnh trang / page image",
            response_class=Response, responses=_download(*sorted({m for _c, m in PAGE_KINDS.values()})))
async def api_page_image(ctx: Ctx, caller: Anyone, document_id: Id, page_no: PageNo,
                         kind: Literal["thumbnail", "image"] = "thumbnail") -> Response:
    download = await run_in_threadpool(page_image, ctx, caller.principal, document_id, page_no, kind,
                                       channel="api")
    return ObjectResponse(download)


@router.get("/documents/{document_id}/pages/{page_no}/ocr", summary="Kết quả OCR của trang / page OCR",
            response_class=Response, responses=_binary(*OCR_FORMATS.values()))
async def api_page_ocr(ctx: Ctx, caller: Anyone, document_id: Id, page_no: PageNo,
                       format: Literal["json", "hocr", "alto"] = "json") -> Response:
    content, media = await run_in_threadpool(page_ocr, ctx, caller.principal, document_id, page_no, format,
                                             channel="api")
    return Response(content, media_type=media)
