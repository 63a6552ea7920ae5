"""What search engines read: ``/robots.txt`` and the sitemap of the public records (``/sitemap.xml``)."""

# No `from __future__ import annotations`: FastAPI must see the Annotated dependencies.
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import PlainTextResponse, Response, StreamingResponse

from sohoa.domain.errors import NotFound
from sohoa.http.deps import Ctx
from sohoa.http.rules import public
from sohoa.portal.templating import site_url
from sohoa.services.catalogue import sitemap
from sohoa.services.identity.principal import Principal

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Anyone = Annotated[Principal | None, public()]
XML = "application/xml; charset=utf-8"
PAGE_PATH = "/sitemaps/{n}.xml"

# The portal is open to crawlers; staff areas, the API and the harvest protocols are not theirs to index.
# A record's old address (/portal/documents/…) and its PDF stay open: the page names its permanent link as
# canonical. The copy-request tracking pages belong to the citizens who hold their codes.
DISALLOWED = ("/api/", "/staff/", "/admin", "/intake", "/arrangement", "/scanning", "/review", "/qc",
              "/progress", "/search", "/our-records", "/documents/", "/pages/", "/account", "/login", "/logout",
              "/lang/", "/portal/copies/", "/oai", "/iiif/")


@router.get("/robots.txt", response_class=PlainTextResponse)
def robots(request: Request, ctx: Ctx, _who: Anyone) -> Response:
    lines = ["User-agent: *", "Allow: /portal", "Allow: /static/", *(f"Disallow: {p}" for p in DISALLOWED), "",
             f"Sitemap: {site_url(request, ctx)}/sitemap.xml", ""]
    return PlainTextResponse("\n".join(lines))


@router.get("/sitemap.xml")
def sitemap_xml(request: Request, ctx: Ctx, _who: Anyone) -> Response:
    base = site_url(request, ctx)
    if sitemap.public_count(ctx) <= sitemap.PAGE_URLS:
        return StreamingResponse(sitemap.urlset_xml(base, sitemap.sitemap_entries(ctx)), media_type=XML)
    pages = sitemap.sitemap_pages(ctx, sitemap.PAGE_URLS)
    return StreamingResponse(sitemap.sitemap_index_xml(base, pages, PAGE_PATH), media_type=XML)


@router.get("/sitemaps/{number}.xml")
def sitemap_page(request: Request, ctx: Ctx, _who: Anyone, number: Annotated[int, Path(ge=1, le=10**9)]) -> Response:
    size = sitemap.PAGE_URLS
    if sitemap.public_count(ctx) <= size:  # one urlset at /sitemap.xml, no pages
        raise NotFound(f"Không có trang sơ đồ số {number}", f"No sitemap page {number}")
    entries = sitemap.sitemap_entries(ctx, first_id=(number - 1) * size + 1, last_id=number * size)
    return StreamingResponse(sitemap.urlset_xml(site_url(request, ctx), entries), media_type=XML)
