"""What waits for a person: the counts the staff menu shows next to its queues ("12 chờ kiểm duyệt").

Each count is one ``COUNT`` query scoped by the single access policy (``document_scope``): a person is
told only of documents they may open, and only of the queues their role works on. A count is the size
of the queue page it links to (the same states, the same scope).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from sohoa.db.models import CopyRequest, Document
from sohoa.domain.workflow import REVIEW_STATES, CopyRequestState, DocumentState
from sohoa.services.catalogue.listing import document_clause
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.policy import document_scope
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext

__all__ = ["WORKLISTS", "Worklist", "worklist_counts"]


@dataclass(frozen=True)
class Worklist:
    """A queue people work through: its key, the page that lists it, the permission that opens it, and its
    label for the menu in Vietnamese (the English is in the interface translations)."""

    key: str
    href: str
    permission: Permission
    label: str


WORKLISTS: tuple[Worklist, ...] = (
    Worklist("review", "/review", Permission.REVIEW, "chờ kiểm duyệt"),
    Worklist("copies", "/staff/copies", Permission.REVIEW, "yêu cầu bản sao"),
    Worklist("qc", "/qc", Permission.QC, "chờ kiểm tra"),
    Worklist("rework", "/scanning#rework", Permission.SCAN, "cần quét lại"),
)


def _documents(session: Session, visible: ColumnElement[bool], *states: DocumentState) -> int:
    stmt = select(func.count(Document.id)).where(Document.state.in_(states), visible)
    return int(session.execute(stmt).scalar_one())


def _copies(session: Session, visible: ColumnElement[bool]) -> int:
    stmt = (
        select(func.count(CopyRequest.id))
        .join(Document, Document.id == CopyRequest.document_id)
        .where(CopyRequest.state == CopyRequestState.PENDING, visible)
    )
    return int(session.execute(stmt).scalar_one())


def worklist_counts(ctx: AppContext, principal: Principal | None) -> dict[str, int]:
    """The size of every queue ``principal``'s role works on, by ``Worklist.key`` (none for anonymous)."""
    if principal is None:
        return {}
    wanted = {w.key for w in WORKLISTS if principal.can(w.permission)}
    if not wanted:
        return {}
    counts: dict[str, int] = {}
    with ctx.db.session() as session:
        visible = document_clause(document_scope(session, principal))  # one scope for every count
        if "review" in wanted:
            counts["review"] = _documents(session, visible, *REVIEW_STATES)
        if "copies" in wanted:
            counts["copies"] = _copies(session, visible)
        if "qc" in wanted:
            counts["qc"] = _documents(session, visible, DocumentState.QC)
        if "rework" in wanted:
            counts["rework"] = _documents(session, visible, DocumentState.REWORK_SCAN)
    return counts
