"""Moving a document into a file (out of the unsorted intake, or from another file) without lowering its protection."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileUnit
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.workflow import DocumentState, transition
from sohoa.services.catalogue.documents import lock_visible
from sohoa.services.identity.principal import SYSTEM, Principal
from sohoa.services.identity.protection import Protection, protection_of, raise_protection, strictest
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext

__all__ = ["move_document", "supersede_rework"]


def move_document(ctx: AppContext, doc_id: int, file_id: int, *, actor: str,
                  principal: Principal | None = SYSTEM) -> dict[str, object]:
    """Put the document in ``file_id``: it takes the stricter of its own protection and the file's level (never
    lower: a độ mật document stays secret in a public file). Returns the audit payload's protection."""
    with ctx.db.session() as session:
        (doc,), file = lock_visible(session, principal, doc_id), session.get(FileUnit, file_id)
        if file is None:
            raise NotFound(f"Không có hồ sơ số {file_id}", f"No file {file_id}")
        if doc.state == DocumentState.MERGED:
            raise ValidationFailed("Văn bản đã được gộp", "The document was merged into another")
        before = doc.file_id
        if before == file.id:
            raise ValidationFailed("Văn bản đã ở trong hồ sơ này", "The document is already in this file")
        protection = raise_protection(doc, Protection(None, file.access_level), [doc.id])
        protection["file"] = file.id
        ordinal = session.execute(select(func.count()).select_from(Document).where(Document.file_id == file.id)
                                  ).scalar_one()
        doc.file_id, doc.doc_ordinal = file.id, int(ordinal) + 1
        doc.unit_id = doc.unit_id or file.unit_id  # the unit that made it stays its unit
        if doc.state == DocumentState.UNSORTED:
            # Filed now: reviewed in its file before anyone outside sees it.
            doc.state = transition(doc.state, DocumentState.REVIEW)
        record_event(session, actor, "document.update", "document", doc.id,
                     {"operation": "move", "from_file": before, "to_file": file.id, "protection": protection,
                      "state": doc.state})
        return protection


def supersede_rework(session: Session, file_id: int, created: list[int], actor: str) -> None:
    """A rescan of a file replaces its documents sent back to scanning: they become 'superseded', and the
    documents the rescan made take their strictest protection (a độ mật set in review is not lost)."""
    replaced = list(session.execute(select(Document).where(Document.file_id == file_id,
                                                           Document.state == DocumentState.REWORK_SCAN)).scalars())
    for doc in replaced:
        doc.state = transition(doc.state, DocumentState.SUPERSEDED)
    if not replaced:
        return
    floor = strictest(*(protection_of(d) for d in replaced))
    for doc_id in created:
        new = session.get(Document, doc_id)
        if new is None:
            continue
        protection = raise_protection(new, floor, [d.id for d in replaced])
        if protection["raised"]:
            record_event(session, actor, "document.update", "document", new.id,
                         {"operation": "rescan", "protection": protection})
