"""The sitemap of the public records for search engines (sitemaps.org 0.9), written as it is read.

Every record the public may see is listed by its permanent link, with the day it last changed. Up to
:data:`PAGE_URLS` records the sitemap is one ``urlset``; beyond, ``/sitemap.xml`` is a sitemap index of
pages, page *n* holding the public records whose ids fall in the *n*-th block of :data:`PAGE_URLS` ids
(so a page never holds more, and a record never moves to another page). Rows are read in windows of
:data:`BATCH` ids, each in its own short transaction, and sent as they come: memory stays flat whatever the size.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from sqlalchemy import func, select

from sohoa.db.models import Document
from sohoa.services.catalogue.listing import document_clause
from sohoa.services.catalogue.permalinks import canonical_identifiers, permalink_path
from sohoa.services.identity.policy import document_scope
from sohoa.services.platform.context import AppContext

__all__ = ["BATCH", "CHUNK_CHARS", "PAGE_URLS", "SitemapEntry", "SitemapPage", "public_count", "sitemap_entries",
           "sitemap_index_xml", "sitemap_pages", "urlset_xml"]

PAGE_URLS = 50_000  # the sitemaps.org limit of URLs per file
BATCH = 1_000
CHUNK_CHARS = 64 * 1024
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass(frozen=True)
class SitemapEntry:
    """One public record: its permanent identifier and when it last changed."""

    identifier: str
    lastmod: datetime | None


@dataclass(frozen=True)
class SitemapPage:
    """One page of a large sitemap (1-based) and its newest change."""

    number: int
    lastmod: datetime | None


def _w3c(moment: datetime | None) -> str:
    if moment is None:
        return ""
    # SQLite hands back naive datetimes, stored as UTC.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return f"<lastmod>{aware.astimezone(UTC).isoformat(timespec='seconds')}</lastmod>"


def public_count(ctx: AppContext) -> int:
    """How many records the public may see."""
    with ctx.db.session() as session:
        clause = document_clause(document_scope(session, None))
        return int(session.execute(select(func.count()).select_from(Document).where(clause)).scalar_one())


def sitemap_pages(ctx: AppContext, page_urls: int = PAGE_URLS) -> list[SitemapPage]:
    """The pages that hold at least one public record (page n: ids (n-1)·page_urls+1 … n·page_urls)."""
    with ctx.db.session() as session:
        block = ((Document.id - 1) // page_urls).label("block")
        stmt = (select(block, func.max(Document.updated_at)).where(document_clause(document_scope(session, None)))
                .group_by(block).order_by(block))
        return [SitemapPage(int(number) + 1, lastmod) for number, lastmod in session.execute(stmt)]


def sitemap_entries(ctx: AppContext, *, first_id: int = 1, last_id: int | None = None) -> Iterator[SitemapEntry]:
    """The public records with ids in [first_id, last_id], in id order, read window by window."""
    with ctx.db.session() as session:
        top = int(session.execute(select(func.coalesce(func.max(Document.id), 0))).scalar_one())
    end = top if last_id is None else min(last_id, top)
    start = first_id - 1
    while start < end:
        # A window of ids, not LIMIT: the policy's OR lets SQLite read through the state index and sort, and
        # a bounded range keeps each read to its window instead of everything after it.
        stop = min(start + BATCH, end)
        with ctx.db.session() as session:
            stmt = select(Document.id, Document.doc_code, Document.updated_at).where(
                document_clause(document_scope(session, None)), Document.id > start, Document.id <= stop)
            rows = session.execute(stmt.order_by(Document.id)).all()
            identifiers = canonical_identifiers(session, [(row.id, row.doc_code) for row in rows])
        yield from (SitemapEntry(identifiers[row.id], row.updated_at) for row in rows)
        start = stop


def urlset_xml(base_url: str, entries: Iterator[SitemapEntry]) -> Iterator[str]:
    """A ``urlset`` of the entries' permanent links, in pieces of about :data:`CHUNK_CHARS` (a server sends
    each piece on its own: one per URL would cost a round trip per URL)."""
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{_NS}">\n']
    size = 0
    for entry in entries:
        part = f"<url><loc>{escape(base_url + permalink_path(entry.identifier))}</loc>{_w3c(entry.lastmod)}</url>\n"
        parts.append(part)
        size += len(part)
        if size >= CHUNK_CHARS:
            yield "".join(parts)
            parts, size = [], 0
    parts.append("</urlset>\n")
    yield "".join(parts)


def sitemap_index_xml(base_url: str, pages: list[SitemapPage], path: str) -> Iterator[str]:
    """A ``sitemapindex`` of the pages; ``path`` is the page URL's path with ``{n}`` for its number."""
    yield f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{_NS}">\n'
    for page in pages:
        loc = escape(base_url + path.format(n=page.number))
        yield f"<sitemap><loc>{loc}</loc>{_w3c(page.lastmod)}</sitemap>\n"
    yield "</sitemapindex>\n"
