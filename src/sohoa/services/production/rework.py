"""Rework: documents QC sent back to scanning, with the defects that sent them, and their redo — a rescan that
replaces the document (:mod:`sohoa.services.production.scanning`, ``replaces``) or, when no defect is the
scan's, the way back to review."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import select

from sohoa.db.models import Document, FileUnit, QcInspection
from sohoa.domain.errors import ValidationFailed
from sohoa.domain.workflow import DocumentState, transition
from sohoa.services.catalogue.documents import lock_visible
from sohoa.services.catalogue.listing import document_clause
from sohoa.services.identity.policy import document_scope
from sohoa.services.identity.principal import SYSTEM, Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.production.qc import DEFECT_CODES

__all__ = ["ReworkItem", "redo_in_review", "rework_documents"]


class ReworkItem(NamedTuple):
    """A document QC sent back to scanning, with the inspection that did: its defect codes (code, vi, en),
    comment, inspector and day; ``action`` is what redoing it means: "rescan" when a defect is the scan's
    (D01–D05), else "review" (the pages are fine: blank page, order, fields, split are fixed in review)."""

    id: int
    file_code: str | None
    source_name: str
    comment: str | None
    title: str
    defects: list[tuple[str, str, str]]
    inspector: str | None
    decided_on: date | None
    action: str


def _rework_action(codes: list[str]) -> str:
    return "rescan" if not codes or any(DEFECT_CODES.get(c, ("", "", "scanning"))[2] == "scanning" for c in codes) \
        else "review"


def rework_documents(ctx: AppContext, principal: Principal | None = SYSTEM) -> list[ReworkItem]:
    """Documents QC sent back to scanning that ``principal`` may see (never độ mật on the network), oldest
    first, each with its last inspection."""
    with ctx.db.session() as session:
        rows = session.execute(
            select(Document, FileUnit.file_code)
            .outerjoin(FileUnit, Document.file_id == FileUnit.id)
            .where(Document.state == DocumentState.REWORK_SCAN, document_clause(document_scope(session, principal)))
            .order_by(Document.id)
        ).all()
        result: list[ReworkItem] = []
        for doc, code in rows:
            inspection = session.execute(
                select(QcInspection)
                .where(QcInspection.document_id == doc.id)
                .order_by(QcInspection.id.desc())
                .limit(1)
            ).scalar()
            codes = list(inspection.defects or []) if inspection else []
            defects = [(c, *DEFECT_CODES.get(c, (c, c, ""))[:2]) for c in codes]
            title = " ".join(p for p in (doc.type_name, doc.subject) if p) or doc.source_name
            result.append(ReworkItem(doc.id, code, doc.source_name, inspection.comment if inspection else None,
                                     title, defects, inspection.inspector if inspection else None,
                                     inspection.decided_on if inspection else None, _rework_action(codes)))
        return result


def redo_in_review(ctx: AppContext, doc_id: int, *, principal: Principal | None, actor: str) -> None:
    """Redo a rework document whose defects are not the scan's: back to the review queue (rework first)."""
    with ctx.db.session() as session:
        (doc,) = lock_visible(session, principal, doc_id)
        if doc.state != DocumentState.REWORK_SCAN:
            raise ValidationFailed("Văn bản này không chờ quét lại", "This document is not waiting for a rescan")
        codes = session.execute(select(QcInspection.defects).where(QcInspection.document_id == doc.id)
                                .order_by(QcInspection.id.desc()).limit(1)).scalar() or []
        if _rework_action(list(codes)) != "review":
            raise ValidationFailed("Lỗi của văn bản này cần quét lại", "This document's defects need a rescan")
        doc.state = transition(doc.state, DocumentState.REWORK_REVIEW)
        record_event(session, actor, "qc.redo", "document", doc.id,
                     {"action": "review", "defects": list(codes), "next": doc.state})
