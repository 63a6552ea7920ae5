"""The preservation page in Chromium, by clicking (issue #14): an admin opens Bảo quản from the menu and sees the
archive intact; then a disk flips a bit of one stored master and loses another; the admin starts a fixity pass
from the page, reloads as a person would until it is done, and sees the red alarm naming the hồ sơ, document and
page of each damaged object; the object's history shows the mismatch check and its PREMIS event, in Vietnamese
and in English. An archivist sees the page and the alarm but no button; a scan operator has no menu entry and
is refused the address. The screenshot docs/screenshots/preservation.png is the alarm as the admin sees it."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from sohoa.app import create_app
from sohoa.services.platform.context import AppContext, open_context
from sohoa.settings import Settings
from tests.preservation._fixity_archive import DOC_CODE, FILE_CODE, Archive, build_archive, flip_bit, lose
from tests.security._audit_helpers import serve

from . import _helpers as helpers
from .test_browser import CHROMIUM_ARGS, capture

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAV = "header nav a[href='/staff/preservation']"
RUN_BUTTON = "form[action='/staff/preservation/fixity/run'] button[type=submit]"


@dataclass
class Live:
    base: str
    ctx: AppContext
    archive: Archive
    browser: Any


@pytest.fixture
def live(tmp_path: Any) -> Iterator[Live]:
    from playwright.sync_api import sync_playwright

    ctx = open_context(Settings(data=tmp_path / "data", workers=1))
    helpers.users(ctx)
    archive = build_archive(ctx)  # one hồ sơ, one document of two pages: masters, thumbnails, a PDF
    try:
        with serve(create_app(ctx, watch_hot_folders=False)) as base, sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            try:
                yield Live(base, ctx, archive, chromium)
            finally:
                chromium.close()
    finally:
        ctx.close()


def _signed_in(live: Live, username: str) -> Any:
    page = live.browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"{live.base}/login")
    page.fill("#username", username)
    page.fill("#password", helpers.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.base}/")
    return page


def _click(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.click(selector)


def _reload_until_done(page: Any, seconds: float = 45) -> None:
    """Reload the page, as a person waiting for the pass would, until it shows a finished pass and no pass running."""
    deadline = time.monotonic() + seconds
    while True:
        running = page.locator("#fixity .badge.warn").count() > 0
        ends = page.locator("#runs tbody tr td:nth-child(3)")  # "finished at" of the newest pass, if any
        if not running and ends.count() > 0 and ends.first.inner_text().strip() not in ("", "—"):
            return
        assert time.monotonic() < deadline, "the fixity pass started from the page never finished"
        page.wait_for_timeout(400)
        page.reload()


def _problem_row(page: Any, sha256: str) -> Any:
    row = page.locator(f"#problems tbody tr:has(a[href='/staff/preservation/objects/{sha256}'])")
    assert row.count() == 1, f"no open problem for {sha256}"
    return row


def test_a_flipped_bit_and_a_lost_object_are_found_from_the_page_and_named(live: Live) -> None:
    (_, flipped), (_, lost) = live.archive.masters  # the masters of page 1 and page 2
    admin = _signed_in(live, "admin")
    _click(admin, NAV)
    assert admin.url == f"{live.base}/staff/preservation"
    assert admin.locator("#fixity-alarm").count() == 0
    assert admin.inner_text("#stat-objects") == str(len(live.archive.all))
    assert admin.inner_text("#stat-problems") == "0"
    assert "Không có vấn đề nào" in admin.inner_text("#problems")

    flip_bit(live.ctx, flipped)  # what bit rot does to the stored copy (objects are 0400: the helper chmods)
    lose(live.ctx, lost)  # and a file the disk lost
    assert admin.locator(RUN_BUTTON).count() == 1
    _click(admin, RUN_BUTTON)
    assert "Đã bắt đầu một lượt kiểm tra toàn vẹn" in admin.inner_text("main")
    _reload_until_done(admin)

    alarm = admin.locator("#fixity-alarm[role=alert]")
    assert alarm.count() == 1 and "chưa được sửa" in alarm.inner_text()
    assert admin.inner_text("#stat-problems") == "2"
    for sha256, outcome, page_no in ((flipped, "Sai lệch", 1), (lost, "Bị mất", 2)):
        row = _problem_row(admin, sha256).inner_text()
        assert outcome in row and FILE_CODE in row and DOC_CODE in row and f"trang số {page_no}" in row, row
        assert "Bản gốc" in row, row
    runs = admin.inner_text("#runs tbody tr:first-child")
    assert "Trang web" in runs and "Xong" in runs, runs
    capture(admin, "preservation")

    _click(admin, f"#problems a[href='/staff/preservation/objects/{flipped}']")
    assert admin.url == f"{live.base}/staff/preservation/objects/{flipped}"
    assert flipped in admin.inner_text("#object") and "trang số 1" in admin.inner_text("#object")
    check = admin.locator("#checks tbody tr").first.inner_text()
    assert "Sai lệch" in check and "Bản chính" in check, check
    events = admin.locator("#events tbody tr:has(code:text-is('fixity check'))")
    assert events.count() >= 1 and "Thất bại" in events.first.inner_text()
    _click(admin, "header a[href^='/lang/en']")
    assert "Mismatch" in admin.inner_text("#checks") and "Failure" in admin.inner_text("#events")
    _click(admin, "main a[href='/staff/preservation']")
    assert admin.locator("#fixity-alarm").count() == 1 and "Missing" in admin.inner_text("#problems")
    _click(admin, "header a[href^='/lang/vi']")
    _click(admin, "header a[href='/']")
    assert admin.locator("#preservation-alarm").count() == 1  # the staff home raises it too
    admin.close()

    archivist = _signed_in(live, "archivist")
    assert archivist.locator("#preservation-alarm").count() == 1
    _click(archivist, NAV)
    assert archivist.locator("#fixity-alarm").count() == 1
    assert FILE_CODE in _problem_row(archivist, lost).inner_text()
    assert archivist.locator(RUN_BUTTON).count() == 0  # viewing, not running
    assert archivist.locator("form[action^='/staff/preservation/']").count() == 0
    archivist.close()

    operator = _signed_in(live, "scan_operator")
    assert operator.locator(NAV).count() == 0 and operator.locator("#preservation-alarm").count() == 0
    refused = operator.goto(f"{live.base}/staff/preservation")
    assert refused is not None and refused.status == 403
    operator.close()
