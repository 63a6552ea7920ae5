"""The review and QC lists as their users walk them in Chromium (#17 items 10 and 2): a reviewer opens the
built-in "low confidence" view, sorts it, saves it under a name and reopens it; a QC inspector sees that no
sampling plan is on; the dashboard's figure lands on the queue it counts. Screenshots:
docs/screenshots/review-queue-filters.png, qc-no-plan.png, review-queue.png."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sohoa.app import create_app
from sohoa.db.models import Document
from sohoa.services.platform.context import AppContext
from tests.security._audit_helpers import serve

from . import _helpers as helpers
from .test_browser import Session, browser, capture

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["browser"]  # the fixture, imported for pytest


@pytest.fixture
def site(ctx: AppContext) -> Iterator[tuple[str, dict[str, int]]]:
    """Six documents waiting for review, three read with a field under 80 %, one waiting for QC."""
    helpers.users(ctx)
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    scores = (0.42, 0.97, 0.61, 0.93, 0.75, 0.99)
    ids = [
        helpers.document(
            ctx,
            file_id,
            pages=1 + n % 3,
            type_name=("Quyết định", "Công văn")[n % 2],
            subject=f"Về việc thử số {n + 1}",
        )
        for n in range(len(scores))
    ]
    with ctx.db.session() as session:
        for doc_id, score in zip(ids, scores, strict=True):
            doc = session.get(Document, doc_id)
            assert doc is not None
            doc.confidence = {"subject": score, "type_name": 0.99}
            doc.provenance = {}
    in_qc = helpers.document(ctx, file_id, state="qc", type_name="Quyết định", subject="Về việc kiểm tra")
    with ctx.db.session() as session:
        doc = session.get(Document, in_qc)
        assert doc is not None
        doc.confidence = {"subject": 0.9}  # read well: neither low nor flagged
        doc.provenance = {}
    with serve(create_app(ctx, watch_hot_folders=False)) as base:
        yield base, {"low": ids[0], "low2": ids[2], "low3": ids[4], "qc": in_qc}


def _listed(session: Session, path: str = "/review") -> list[str]:
    return [t.lstrip("#") for t in session.page.locator(f"table.queue tbody a[href^='{path}/']").all_inner_texts()]


def test_a_reviewer_saves_and_reopens_a_low_confidence_view(site: tuple[str, dict[str, int]], browser: object) -> None:
    base, ids = site
    reviewer = Session(browser, base, "archivist")
    reviewer.go("/review")
    capture(reviewer.page, "review-queue")
    assert reviewer.page.locator("#queue-total").get_attribute("data-total") == "6"
    reviewer.page.click("nav.queue-views >> text=Độ tin cậy thấp")
    reviewer.page.wait_for_url(f"{base}/review?conf=80&sort=confidence")
    assert _listed(reviewer) == [str(ids["low"]), str(ids["low2"]), str(ids["low3"])]  # lowest first
    reviewer.page.select_option("#f-sort", "newest")
    reviewer.page.click("form.queue-filters button[type=submit]")
    reviewer.page.wait_for_url("**/review?conf=80&sort=newest")
    assert _listed(reviewer) == [str(ids["low3"]), str(ids["low2"]), str(ids["low"])]
    reviewer.page.fill("#view-name", "Cần xem trước")
    capture(reviewer.page, "review-queue-filters")
    reviewer.page.click("form.save-view button[type=submit]")
    reviewer.page.wait_for_selector("text=Đã lưu bộ lọc Cần xem trước")
    reviewer.go("/review")  # back to everything, then the saved view again
    assert len(_listed(reviewer)) == 6
    reviewer.page.click("nav.queue-views >> text=Cần xem trước")
    reviewer.page.wait_for_url("**/review?conf=80&sort=newest")
    assert _listed(reviewer) == [str(ids["low3"]), str(ids["low2"]), str(ids["low"])]
    assert reviewer.page.locator("nav.queue-views a[aria-current=page]").inner_text() == "Cần xem trước"
    reviewer.close()


def test_qc_without_a_plan_and_dashboard_figures_open_their_queue(
    site: tuple[str, dict[str, int]], browser: object
) -> None:
    base, ids = site
    inspector = Session(browser, base, "qc_inspector")
    inspector.go("/qc")
    notice = inspector.page.locator("#no-plan")
    assert "Chưa có kế hoạch lấy mẫu" in notice.inner_text()
    assert _listed(inspector, "/qc/documents") == [str(ids["qc"])]
    capture(inspector.page, "qc-no-plan")
    inspector.close()

    admin = Session(browser, base, "admin")
    admin.go("/progress")
    assert admin.page.locator("#no-plan").is_visible()
    figure = admin.page.inner_text("#stat-review")
    admin.page.click("a.stat:has(#stat-review)")
    admin.page.wait_for_url(f"{base}/review")
    assert admin.page.locator("#queue-total").get_attribute("data-total") == figure == "6"
    admin.go("/progress")
    unit_link = admin.page.locator("#unit-queues a[href^='/review?unit=']")
    count = unit_link.inner_text()
    unit_link.click()
    admin.page.wait_for_url("**/review?unit=*")
    assert admin.page.locator("#queue-total").get_attribute("data-total") == count == "6"
    admin.go("/qc")
    admin.page.click("#no-plan a[href='/qc/plans']")
    admin.page.wait_for_url(f"{base}/qc/plans")
    admin.close()
