"""IIIF Image API 3.0 routes (/iiif/3/image/…): image information and image requests of document pages.

An image is named ``{document_id}-{page_no}`` (page number 1-based within the document). The logic is in
``sohoa.services.sharing.iiif_images``; these handlers resolve the reader, ask the service and set headers.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse, RedirectResponse

from sohoa.domain.errors import NotFound
from sohoa.http.deps import Ctx
from sohoa.http.rules import public
from sohoa.interop.iiif_access import Reader, base_url, cache_headers, image_cache, tile_store
from sohoa.services.identity.principal import Principal
from sohoa.services.sharing.iiif_images import (
    IMAGE_CONTEXT,
    PageImage,
    image_info,
    page_image_ref,
    plan_etag,
    record_info_view,
    render_image,
    request_plan,
)

__all__ = ["router"]

router = APIRouter(prefix="/iiif/3", tags=["iiif"])

_PROFILE_LINK = '<http://iiif.io/api/image/3/level2.json>;rel="profile"'
_LD_JSON = f'application/ld+json;profile="{IMAGE_CONTEXT}"'


def _ids(document_id: str, page_no: str) -> tuple[int, int]:
    if not (document_id.isdigit() and page_no.isdigit()):
        raise NotFound(f"Không có ảnh {document_id}-{page_no}", f"No image {document_id}-{page_no}")
    return int(document_id), int(page_no)


def _ref(ctx: Ctx, reader: Reader, document_id: str, page_no: str) -> PageImage:
    doc_id, page = _ids(document_id, page_no)
    with ctx.db.session() as session:
        return page_image_ref(session, reader, doc_id, page)


def service_id(request: Request, reader: Principal | None, document_id: int, page_no: int) -> str:
    """The IIIF id of a page's image service (absolute)."""
    return f"{base_url(request, reader)}/iiif/3/image/{document_id}-{page_no}"


@router.get("/image/{document_id}-{page_no}", dependencies=[public(csrf=False)])
def image_base(request: Request, document_id: str, page_no: str) -> RedirectResponse:
    """The base URI of an image service redirects to its information (reads nothing: every id alike)."""
    return RedirectResponse(f"{request.url.path}/info.json", status_code=303)


@router.get("/image/{document_id}-{page_no}/info.json")
def info(request: Request, ctx: Ctx, reader: Reader, document_id: str, page_no: str) -> JSONResponse:
    """The image information document; fetching it counts as one page view in the audit log."""
    ref = _ref(ctx, reader, document_id, page_no)
    record_info_view(ctx, reader, ref, "iiif")
    wants_ld = "application/ld+json" in request.headers.get("accept", "")
    headers = {**cache_headers(ref.public), "Link": _PROFILE_LINK}
    return JSONResponse(image_info(ref, service_id(request, reader, ref.document_id, ref.page_no)), headers=headers,
                        media_type=_LD_JSON if wants_ld else "application/json")


@router.get("/image/{document_id}-{page_no}/{region}/{size}/{rotation}/{quality_format}")
def image(request: Request, ctx: Ctx, reader: Reader, document_id: str, page_no: str, region: str, size: str,
          rotation: str, quality_format: str) -> Response:
    """One image request: a tile, a thumbnail, the whole page, turned or in grey; 304 when the ETag matches."""
    ref = _ref(ctx, reader, document_id, page_no)
    plan = request_plan(ref, region, size, rotation, quality_format)
    etag = plan_etag(ref, plan)
    headers = cache_headers(ref.public, etag)
    canonical = f"{service_id(request, reader, ref.document_id, ref.page_no)}/{plan.canonical}"
    headers["Link"] = f'{_PROFILE_LINK}, <{canonical}>;rel="canonical"'
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    rendered = render_image(ctx, image_cache(request), ref, plan, tile_store(request))
    return Response(rendered.content, media_type=rendered.media_type, headers=headers)
