"""The masks a reviewer added follow their pages when pages move: reordered, split off into a new document, merged
into another. Detected values are found again on the pages where they now are (``record_document_personal_data``);
a reviewer's masks (text found on the pages, a drawn region) are not detected again, so their boxes — [page_no, x0,
y0, x1, y1] in scan pixels — are rewritten to the page's new number and document, or a drawn region would end up on
the wrong page (or none) and the public would see what the reviewer masked."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, Page, PersonalDatum

__all__ = ["Places", "follow_pages", "page_places"]

# page id → (document id, page number) before the pages move
Places = dict[int, tuple[int, int]]


def page_places(*docs: Document) -> Places:
    """Where each page of ``docs`` is now: take it before moving pages, hand it to :func:`follow_pages` after."""
    return {p.id: (d.id, p.page_no) for d in docs for p in d.pages}


def follow_pages(session: Session, before: Places) -> int:
    """Rewrite the boxes of the reviewer's rows of the documents in ``before`` to where their pages are now (a
    row whose boxes now lie in two documents is copied to the second). Returns the rows changed or added."""
    if not before:
        return 0
    session.flush()
    page_at = {place: page_id for page_id, place in before.items()}
    now = {p.id: (p.document_id, p.page_no) for p in session.scalars(select(Page).where(Page.id.in_(list(before))))}
    rows = session.scalars(select(PersonalDatum).where(
        PersonalDatum.document_id.in_({doc_id for doc_id, _ in before.values()}), PersonalDatum.source == "reviewer",
        PersonalDatum.boxes.is_not(None)).order_by(PersonalDatum.id)).all()
    changed = 0
    for row in rows:
        by_doc: dict[int, list[list[int]]] = {}
        for box in row.boxes or []:
            page_id = page_at.get((row.document_id, int(box[0])))
            doc_id, page_no = now.get(page_id, (None, None)) if page_id is not None else (None, None)
            if doc_id is None or page_no is None:  # a page we know nothing of: the box stays as it is
                by_doc.setdefault(row.document_id, []).append(list(box))
            else:
                by_doc.setdefault(doc_id, []).append([page_no, *box[1:]])
        if not by_doc or by_doc == {row.document_id: row.boxes}:
            continue
        first, *others = sorted(by_doc, key=lambda d: d != row.document_id)  # the row keeps its document if it can
        row.document_id, row.boxes, row.page_no = first, by_doc[first], by_doc[first][0][0]
        changed += 1
        for doc_id in others:
            boxes = by_doc[doc_id]
            session.add(PersonalDatum(
                document_id=doc_id, page_no=boxes[0][0], kind=row.kind, value=row.value, normalized=row.normalized,
                boxes=boxes, source="reviewer", status=row.status, restricted=row.restricted,
                confidence=row.confidence, decided_by=row.decided_by, decided_at=row.decided_at))
            changed += 1
    session.flush()
    return changed
