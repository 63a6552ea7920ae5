"""`sohoa demo` publishes one sample file the way an archivist would: reviewed, then opened to the public."""

from __future__ import annotations

from sqlalchemy import select

from sohoa.db.models import Document, Event, FileUnit
from sohoa.services.catalogue.documents import visible_document
from sohoa.services.platform.context import AppContext
from sohoa.services.production.demo import publish_sample_file
from tests.web import _helpers as web


def test_the_demo_file_is_reviewed_and_public_and_the_other_is_not(any_ctx: AppContext) -> None:
    ctx = any_ctx
    _, (shown, kept) = web.accession_with_files(ctx, files=2)
    waiting = [web.document(ctx, shown, state="review"), web.document(ctx, shown, state="unsorted")]
    secret = web.document(ctx, shown, state="review", secrecy="Mật")
    other = web.document(ctx, kept, state="review")
    with ctx.db.session() as session:
        code = session.get(FileUnit, shown).file_code

    assert publish_sample_file(ctx, code) == 2
    with ctx.db.session() as session:
        for doc_id in waiting:  # the public (no principal) sees them, through the one policy
            assert visible_document(session, None, doc_id).state == "accepted"
        assert session.get(FileUnit, shown).access_level == "public"
        assert session.get(Document, secret).access_level != "public"  # độ mật stays out
        assert session.get(Document, other).state == "review" and session.get(FileUnit, kept).access_level != "public"
        events = list(session.execute(select(Event).where(Event.actor == "demo").order_by(Event.id)).scalars())
        actions = [e.action for e in events]
        to_public = [e.entity_id for e in events
                     if e.action == "document.publish" and (e.payload or {}).get("audience") == "public"]
    assert sorted(to_public) == sorted(waiting) and "access.change" in actions  # announced to feeds and webhooks

    assert publish_sample_file(ctx, code) == 2  # a rerun changes nothing
    with ctx.db.session() as session:
        again = list(session.execute(select(Event.action).where(Event.actor == "demo").order_by(Event.id)).scalars())
    assert again == actions
    assert publish_sample_file(ctx, "no-such-file") == 0
