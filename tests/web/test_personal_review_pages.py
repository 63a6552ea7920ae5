"""The masks a reviewer adds follow their pages: reorder, split and merge rewrite the boxes' page numbers and
documents, so a drawn region stays on the page it covers (and the public never sees what it hid)."""

from __future__ import annotations

from sqlalchemy import select

from sohoa.db.models import PersonalDatum
from sohoa.services.platform.context import AppContext
from sohoa.services.production import page_editor, personal_review, review

from . import _helpers as helpers


def _masks(ctx: AppContext) -> dict[int, tuple[int, int | None, list[list[int]]]]:
    """Reviewer row id → (document, page_no, boxes)."""
    with ctx.db.session() as session:
        rows = session.scalars(select(PersonalDatum).where(PersonalDatum.source == "reviewer")
                               .order_by(PersonalDatum.id))
        return {r.id: (r.document_id, r.page_no, r.boxes or []) for r in rows}


def _region(ctx: AppContext, doc_id: int, page_no: int, x0: int) -> int:
    return personal_review.add_region_mask(ctx, doc_id, page_no, (x0, 100, x0 + 50, 150), "name",
                                           actor="archivist", reason="Chữ ký tay").id


def test_masks_follow_reordered_pages(ctx: AppContext) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    doc = helpers.document(ctx, file_id, pages=3)
    second, third = _region(ctx, doc, 2, 10), _region(ctx, doc, 3, 20)
    page_editor.reorder_by_positions(ctx, doc, [3, 1, 2], actor="archivist")
    masks = _masks(ctx)
    assert masks[second] == (doc, 3, [[3, 10, 100, 60, 150]])
    assert masks[third] == (doc, 1, [[1, 20, 100, 70, 150]])


def test_masks_follow_split_and_merged_pages(ctx: AppContext) -> None:
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    doc = helpers.document(ctx, file_id, pages=3)
    first, last = _region(ctx, doc, 1, 10), _region(ctx, doc, 3, 30)
    new = review.split_document(ctx, doc, 2, actor="archivist")  # pages 2 and 3 become the new document's 1, 2
    masks = _masks(ctx)
    assert masks[first] == (doc, 1, [[1, 10, 100, 60, 150]])
    assert masks[last] == (new, 2, [[2, 30, 100, 80, 150]])
    review.merge_documents(ctx, doc, new, actor="archivist")  # back after page 1: pages 2 and 3 again
    assert _masks(ctx)[last] == (doc, 3, [[3, 30, 100, 80, 150]])
    other = helpers.document(ctx, file_id, pages=1)
    review.merge_documents(ctx, doc, other, actor="archivist", before=True)  # one page in front: all move on
    masks = _masks(ctx)
    assert masks[first] == (doc, 2, [[2, 10, 100, 60, 150]]) and masks[last] == (doc, 4, [[4, 30, 100, 80, 150]])


def test_a_mask_over_pages_that_part_is_copied(ctx: AppContext) -> None:
    """A mask added by text boxes every occurrence: split between its pages, each document keeps its own."""
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    doc = helpers.document(ctx, file_id, pages=2)
    with ctx.db.session() as session:
        row = PersonalDatum(document_id=doc, page_no=1, kind="phone", value="0912 345 678",
                            normalized="0912345678", boxes=[[1, 5, 5, 60, 20], [2, 7, 7, 70, 30]],
                            source="reviewer", status="masked", decided_by="archivist")
        session.add(row)
        session.flush()
        row_id = row.id
    new = review.split_document(ctx, doc, 2, actor="archivist")
    masks = _masks(ctx)
    assert masks[row_id] == (doc, 1, [[1, 5, 5, 60, 20]])
    assert [m for i, m in masks.items() if i != row_id] == [(new, 1, [[1, 7, 7, 70, 30]])]
