"""IIIF Presentation API 3.0 and Content Search 2.0 routes (/iiif/3/documents, /files, /fonds).

Manifests per document, Collections per hồ sơ and per phông, the OCR of a page as annotations and search
within a document; the logic is in ``sohoa.services.sharing.iiif`` and ``iiif_text``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from sohoa.http.deps import Ctx
from sohoa.interop.iiif_access import Reader, base_url, cache_headers, staff_session
from sohoa.services.identity.principal import Principal
from sohoa.services.sharing.iiif import (
    PRESENTATION_CONTEXT,
    IiifUrls,
    Published,
    document_manifest,
    file_collection,
    fonds_collection,
    is_public,
)
from sohoa.services.sharing.iiif_text import SEARCH_CONTEXT, page_annotations, search_within

__all__ = ["router"]

router = APIRouter(prefix="/iiif/3", tags=["iiif"])


def _urls(request: Request, reader: Principal | None) -> IiifUrls:
    return IiifUrls(base_url(request, reader), staff_session(request, reader))


def _answer(request: Request, body: dict[str, Any], public: bool, context: str) -> JSONResponse:
    wants_ld = "application/ld+json" in request.headers.get("accept", "")
    media_type = f'application/ld+json;profile="{context}"' if wants_ld else "application/json"
    return JSONResponse(body, headers=cache_headers(public), media_type=media_type)


def _published(request: Request, published: Published) -> JSONResponse:
    return _answer(request, published.body, published.public, PRESENTATION_CONTEXT)


@router.get("/documents/{document_id}/manifest.json")
def manifest(request: Request, ctx: Ctx, reader: Reader, document_id: int) -> JSONResponse:
    """The manifest of a document (one canvas per page); counts as one view of the document."""
    return _published(request, document_manifest(ctx, reader, document_id, _urls(request, reader)))


@router.get("/documents/{document_id}/pages/{page_no}/annotations.json")
def page_annotations_json(request: Request, ctx: Ctx, reader: Reader, document_id: int, page_no: int) -> JSONResponse:
    """The OCR lines and words of one page as an AnnotationPage."""
    body = page_annotations(ctx, reader, document_id, page_no, _urls(request, reader))
    return _answer(request, body, is_public(ctx, document_id), PRESENTATION_CONTEXT)


@router.get("/documents/{document_id}/search")
def search(request: Request, ctx: Ctx, reader: Reader, document_id: int,
           q: str = Query("", max_length=500)) -> JSONResponse:
    """IIIF Content Search 2.0 within one document: the matching words' boxes on their canvases."""
    body = search_within(ctx, reader, document_id, q, _urls(request, reader))
    return _answer(request, body, is_public(ctx, document_id), SEARCH_CONTEXT)


@router.get("/files/{file_id}/collection.json")
def file_collection_json(request: Request, ctx: Ctx, reader: Reader, file_id: int) -> JSONResponse:
    """A hồ sơ as a Collection of the manifests the caller may see."""
    return _published(request, file_collection(ctx, reader, file_id, _urls(request, reader)))


@router.get("/fonds/{fonds_id}/collection.json")
def fonds_collection_json(request: Request, ctx: Ctx, reader: Reader, fonds_id: int) -> JSONResponse:
    """A phông as a Collection of its hồ sơ holding documents the caller may see."""
    return _published(request, fonds_collection(ctx, reader, fonds_id, _urls(request, reader)))
