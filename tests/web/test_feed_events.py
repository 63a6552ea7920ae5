"""Structural edits by reviewers reach the events feed (and so webhooks) as document.update."""

from __future__ import annotations

from sohoa.services.catalogue.listing import list_events
from sohoa.services.identity.principal import SYSTEM
from sohoa.services.platform.context import AppContext
from sohoa.services.production import review

from . import _helpers as helpers


def test_reorder_split_and_merge_are_updates_in_the_feed(ctx: AppContext) -> None:
    _, files = helpers.accession_with_files(ctx)
    doc_id = helpers.document(ctx, files[0], pages=3)
    other_id = helpers.document(ctx, files[0], pages=1)
    start = max([e.event_id for e in list_events(ctx, SYSTEM, after=0, limit=1000)[0]] or [0])
    with ctx.db.session() as session:
        from sohoa.db.models import Page

        pages = [p.id for p in session.query(Page).filter(Page.document_id == doc_id).order_by(Page.page_no)]
    review.reorder_pages(ctx, doc_id, list(reversed(pages)), actor="archivist")
    new_id = review.split_document(ctx, doc_id, 3, actor="archivist")
    review.merge_documents(ctx, doc_id, other_id, actor="archivist")
    items, _ = list_events(ctx, SYSTEM, after=start, limit=100)
    seen = [(e.action, e.document_id) for e in items]
    assert seen.count(("document.update", doc_id)) >= 3
    assert ("document.create", new_id) in seen
