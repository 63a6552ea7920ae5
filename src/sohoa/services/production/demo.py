"""The demo archive's published records: `sohoa demo` reviews one sample file and opens it to the public,
so that the portal, OAI-PMH, IIIF and the sitemap show something out of the box."""

from __future__ import annotations

from sqlalchemy import func, select

from sohoa.db.models import Document, FileUnit
from sohoa.domain.codes import AccessLevel
from sohoa.domain.workflow import REVIEW_STATES
from sohoa.services.catalogue.listing import document_clause
from sohoa.services.identity.access_changes import change_file_access
from sohoa.services.identity.policy import document_scope
from sohoa.services.platform.context import AppContext
from sohoa.services.production.review import update_fields

__all__ = ["DEMO_REASON", "publish_sample_file"]

DEMO_REASON = "Dữ liệu mẫu (sohoa demo) / sample data of the demo"


def publish_sample_file(ctx: AppContext, file_code: str, *, actor: str = "demo") -> int:
    """Accept the file's documents waiting for review (as a reviewer would, without corrections) and make
    the file public through the same access change an archivist makes (audited, announced to feeds);
    returns how many of its documents the public sees. Safe to rerun: what is done stays done."""
    with ctx.db.session() as session:
        file = session.execute(select(FileUnit).where(FileUnit.file_code == file_code)).scalar_one_or_none()
        if file is None:
            return 0
        file_id, level = file.id, file.access_level
        waiting = list(session.execute(select(Document.id).where(
            Document.file_id == file_id, Document.state.in_(REVIEW_STATES)).order_by(Document.id)).scalars())
    for doc_id in waiting:
        update_fields(ctx, doc_id, {}, actor=actor, mark_reviewed=True)
    if level != AccessLevel.PUBLIC:
        change_file_access(ctx, file_id, AccessLevel.PUBLIC, actor, DEMO_REASON, role="admin")
    with ctx.db.session() as session:
        public = select(func.count()).select_from(Document).where(
            Document.file_id == file_id, document_clause(document_scope(session, None)))
        return int(session.execute(public).scalar_one())
