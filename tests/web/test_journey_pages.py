"""A reviewer's journey through the page editor in Chromium: reorder pages by drag and drop and from the
keyboard, turn one, split at a thumbnail and merge with the document before it — never typing an id."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from sohoa.db.models import Document, Page
from sohoa.services.platform.context import AppContext

from . import _helpers as helpers
from .test_browser import Session, browser, server

__all__ = ["browser", "server"]  # the fixtures, imported for pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Functions, not expressions: Playwright evals a bare expression in the page, which our CSP forbids.
VIEWER_TURNED = "() => document.getElementById('viewer').dataset.rotation === '90'"
ORDER = "() => document.querySelector('#pe-order input[name=positions]').value"
TURNED = (
    "() => { const img = document.querySelector('.pe-page img'); "
    "return img.complete && img.naturalWidth > img.naturalHeight; }"
)


def _pages(ctx: AppContext, doc_id: int) -> list[int]:
    with ctx.db.session() as session:
        return list(session.execute(select(Page.id).where(Page.document_id == doc_id).order_by(Page.page_no)).scalars())


def _status(reviewer: Session) -> str:
    return reviewer.page.inner_text("main p.flash[role=status]")


def test_reviewer_edits_pages_from_thumbnails(server: tuple[str, AppContext], browser: object) -> None:
    base, ctx = server
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    before = helpers.document(ctx, file_id, pages=1, type_name="Quyết định", code_number="5", code_notation="QĐ-UBND")
    doc = helpers.document(ctx, file_id, pages=3, type_name="Kế hoạch")
    head, (a, b, c) = _pages(ctx, before), _pages(ctx, doc)
    reviewer = Session(browser, base, "archivist")
    page = reviewer.page
    dialogs: list[str] = []

    def answer(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", answer)
    reviewer.go(f"/review/{doc}")
    assert page.locator("input[type=number]").count() == 0  # no id box anywhere on the screen
    items = page.locator(".pe-page")
    assert items.count() == 3

    # Drag page 3 onto the left half of page 1: it goes first; the order is unsaved, so leaving asks.
    items.nth(2).drag_to(items.nth(0), target_position={"x": 8, "y": 40})
    assert page.evaluate(ORDER) == "3,1,2"
    assert "Trang 3 nay ở vị trí 1/3" in page.inner_text("#pe-status")
    assert page.locator(".pe-tools [data-immediate]:not([disabled])").count() == 0  # save the order first
    page.click("nav a[href='/review']")
    page.wait_for_url(f"{base}/review")
    assert dialogs == ["beforeunload"] and _pages(ctx, doc) == [a, b, c]  # nothing saved

    # Again, then a keyboard move: Enter on page 3's → button takes it back to second place.
    reviewer.go(f"/review/{doc}")
    items.nth(2).drag_to(items.nth(0), target_position={"x": 8, "y": 40})
    page.focus(".pe-page[data-position='3'] [data-move='1']")
    page.keyboard.press("Enter")
    assert page.evaluate(ORDER) == "1,3,2"
    page.click("#pe-save")
    page.wait_for_load_state("load")
    assert _status(reviewer) == "Đã sắp xếp lại thứ tự trang"
    assert dialogs == ["beforeunload"]  # saving is not leaving
    assert _pages(ctx, doc) == [a, c, b]

    # Turn the first page: its thumbnail comes back landscape, the master stays as scanned.
    page.click(".pe-page[data-position='1'] button[form='pe-rotate-90']")
    page.wait_for_load_state("load")
    assert _status(reviewer) == "Đã xoay trang 1 thêm 90° (nay 90° so với bản quét)"
    page.wait_for_function(TURNED)
    page.wait_for_function(VIEWER_TURNED)  # the page viewer shows the first page turned as well

    # Split from the third page, then merge the document before it back in front.
    page.click(".pe-page[data-position='3'] .pe-split")
    page.wait_for_load_state("load")
    assert _status(reviewer).startswith("Đã tách từ trang 3 thành văn bản mới #")
    assert _pages(ctx, doc) == [a, c]
    page.click(".pe-neighbours button:has-text('Gộp vào đầu văn bản này')")
    page.wait_for_load_state("load")
    assert _status(reviewer) == f"Đã gộp các trang của văn bản #{before} vào đầu văn bản #{doc}"
    assert _pages(ctx, doc) == [*head, a, c]
    with ctx.db.session() as session:
        merged = session.get(Document, before)
        assert merged is not None and merged.state == "merged"
    page.locator("#page-editor").scroll_into_view_if_needed()
    reviewer.shot("review-page-editor")
    reviewer.close()
