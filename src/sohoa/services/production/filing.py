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

__all__ = ["move_document", "supersede_rescanned", "supersede_rework"]


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
    for new_id, protection in _replace(session, replaced, created).items():
        if protection["raised"]:
            record_event(session, actor, "document.update", "document", new_id,
                         {"operation": "rescan", "protection": protection})


def supersede_rescanned(session: Session, doc_id: int, created: list[int], actor: str) -> bool:
    """A rescan of one document sent back to scanning (the operator's "redo"): that document alone becomes
    'superseded' — its masters stay as they are — and the audit links it and the documents the rescan made,
    which take its protection. False (nothing changed) when it is no longer waiting for a rescan."""
    old = session.get(Document, doc_id)
    if old is None or old.state != DocumentState.REWORK_SCAN or not created:
        return False
    changed = _replace(session, [old], created)
    record_event(session, actor, "document.update", "document", old.id,
                 {"operation": "rescan", "state": old.state, "replaced_by": created})
    for new_id, protection in changed.items():
        record_event(session, actor, "document.update", "document", new_id,
                     {"operation": "rescan", "replaces": old.id, "protection": protection})
    return True


def _replace(session: Session, replaced: list[Document], created: list[int]) -> dict[int, dict[str, object]]:
    """Mark ``replaced`` superseded; the created documents (id → protection change) take their strictest level."""
    for doc in replaced:
        doc.state = transition(doc.state, DocumentState.SUPERSEDED)
    if not replaced:
        return {}
    floor = strictest(*(protection_of(d) for d in replaced))
    changes: dict[int, dict[str, object]] = {}
    for doc_id in created:
        new = session.get(Document, doc_id)
        if new is not None:
            changes[doc_id] = raise_protection(new, floor, [d.id for d in replaced])
    return changes
