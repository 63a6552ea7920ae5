"""Role journeys in Chromium for #17 items 1, 2 and 5, each from a world like a fresh ``sohoa demo``, by clicking
only (no address typed after the first page): a new archivist publishes a reviewed record and finds it on the
portal; a reviewer's menu count matches the queue, approving says so, leaving unsaved edits asks first; a
citizen's copy request reaches the staff menu as "1 yêu cầu bản sao"; an unknown address gives an HTML page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from sohoa.app import create_app
from sohoa.services.platform.context import AppContext, open_context
from sohoa.settings import Settings
from tests.security._audit_helpers import serve

from . import _helpers as helpers
from ._role_world import RoleWorld, build_role_world
from .test_browser import CHROMIUM_ARGS, capture

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@dataclass
class Live:
    base: str
    ctx: AppContext
    world: RoleWorld
    browser: Any


def _live(tmp_path: Any, *, copy_request: bool) -> Iterator[Live]:
    from playwright.sync_api import sync_playwright

    ctx = open_context(Settings(data=tmp_path / "data", workers=1))
    world = build_role_world(ctx, copy_request=copy_request)
    try:
        with serve(create_app(ctx, watch_hot_folders=False)) as base, sync_playwright() as pw:
            chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            try:
                yield Live(base, ctx, world, chromium)
            finally:
                chromium.close()
    finally:
        ctx.close()


@pytest.fixture
def live(tmp_path: Any) -> Iterator[Live]:
    yield from _live(tmp_path, copy_request=True)


@pytest.fixture
def quiet(tmp_path: Any) -> Iterator[Live]:
    """The same world before any citizen asked for a copy."""
    yield from _live(tmp_path, copy_request=False)


@dataclass
class Walker:
    """One browser page that opens the app's first page once, then only clicks (each click counted)."""

    live: Live
    page: Any
    clicks: list[str] = field(default_factory=list)

    def click(self, selector: str) -> None:
        self.clicks.append(selector)
        with self.page.expect_navigation():
            self.page.click(selector)

    @property
    def path(self) -> str:
        return str(self.page.url).removeprefix(self.live.base)


def _walker(live: Live, username: str | None, start: str = "/") -> Walker:
    page = live.browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(live.base + start)  # the only address typed: the app's own (a sign-in page for staff)
    walker = Walker(live, page)
    if username is not None:
        page.fill("#username", username)
        page.fill("#password", helpers.PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live.base}/")
    return walker


def _menu_count(page: Any, href: str) -> int:
    """The queue size the menu shows next to ``href`` (0: no count shown)."""
    link = page.locator(f"header nav a[href='{href}']")
    assert link.count() == 1, f"no menu entry for {href}"
    found = re.search(r"(\d+)", link.locator(".count").inner_text()) if link.locator(".count").count() else None
    return int(found.group(1)) if found else 0


def test_a_new_archivist_publishes_a_reviewed_record_and_finds_it_on_the_portal(live: Live) -> None:
    """From the home page: the arrangement menu, the file, its panel's 'publish' link, the confirmation with the
    warnings and a reason, then the published record's portal link — five clicks, no address typed."""
    world = live.world
    code = world.file_code(live.ctx, world.waiting_file)
    archivist = _walker(live, "archivist")
    capture(archivist.page, "home-archivist")
    archivist.click("header nav a[href='/arrangement']")
    archivist.click(f"main a:text-is('{code}')")
    assert archivist.path == f"/arrangement/files/{world.waiting_file}"
    row = archivist.page.locator(f"#publication-documents tr[data-document='{world.docs['reviewed']}']")
    assert row.locator("[data-public-state]").get_attribute("data-public-state") == "draft"
    assert row.locator("[data-blocker]").get_attribute("data-blocker") == "file_not_public"
    archivist.click(f"#publication-documents tr[data-document='{world.docs['reviewed']}'] a.publish-file")
    confirm = archivist.page.locator("#access-confirm")
    assert confirm.count() == 1
    warnings = archivist.page.inner_text("[role=alert]")
    assert "1 văn bản đã kiểm duyệt sẽ xuất hiện trên cổng công dân" in warnings
    assert "chưa kiểm duyệt" in warnings  # the document in review stays hidden, and the page says so
    archivist.page.fill("#f-reason", "Quyết định 12/QĐ-UBND về công bố tài liệu")
    capture(archivist.page, "arrangement-publish")
    archivist.click("#access-confirm button[type=submit]")
    assert "1 văn bản nay công bố trên cổng" in archivist.page.inner_text("#access-result")
    archivist.click(f"#publication-documents tr[data-document='{world.docs['reviewed']}'] a.portal-link")
    assert archivist.path == f"/portal/documents/{world.docs['reviewed']}"
    assert "Về việc thành lập tổ công tác số hóa tài liệu" in archivist.page.inner_text("main")
    assert len(archivist.clicks) == 5, archivist.clicks
    archivist.page.close()


def test_a_reviewer_sees_the_queue_count_approves_and_is_warned_before_losing_edits(live: Live) -> None:
    reviewer = _walker(live, "archivist")
    waiting = _menu_count(reviewer.page, "/review")
    assert waiting >= 1 and f"{waiting} chờ kiểm duyệt" in reviewer.page.inner_text("main")  # the home tiles too
    reviewer.click("header nav a[href='/review']")
    queue = reviewer.page.locator("table.queue tbody a[href^='/review/']")
    assert queue.count() == waiting
    reviewer.click(f"table.queue tbody a[href='/review/{live.world.docs['review']}']")

    dialogs: list[str] = []

    def refuse(dialog: Any) -> None:  # the person chooses to stay
        dialogs.append(dialog.type)
        dialog.dismiss()

    reviewer.page.on("dialog", refuse)
    reviewer.page.fill("#f-place", "Hà Nội")
    reviewer.page.click("header nav a[href='/search']")
    assert dialogs == ["beforeunload"]
    assert reviewer.path == f"/review/{live.world.docs['review']}" and reviewer.page.input_value("#f-place") == "Hà Nội"
    reviewer.click("button[value=approve]")  # submitting the form itself never asks
    assert dialogs == ["beforeunload"]
    status = reviewer.page.inner_text("main [role=status]")
    assert f"Đã duyệt văn bản #{live.world.docs['review']}" in status
    assert _menu_count(reviewer.page, "/review") == waiting - 1
    reviewer.page.close()


def test_a_citizen_copy_request_reaches_the_staff_menu(quiet: Live) -> None:
    citizen = _walker(quiet, None, start="/portal")
    citizen.page.fill("#q", "công nhận tổ dân phố")
    with citizen.page.expect_navigation():
        citizen.page.press("#q", "Enter")
    citizen.click("main ol.results li:has-text('công nhận tổ dân phố') a >> nth=0")
    assert citizen.path.startswith("/portal/")
    citizen.page.fill("#name", "Trần Thị Cúc")
    citizen.page.fill("#id_number", "001190054321")
    citizen.page.fill("#purpose", "Bổ sung hồ sơ hộ tịch")
    citizen.click("#request-copy")
    assert "Mã theo dõi" in citizen.page.inner_text("main")
    citizen.page.close()

    staff = _walker(quiet, "archivist")
    assert _menu_count(staff.page, "/staff/copies") == 1
    assert "1 yêu cầu bản sao" in staff.page.inner_text("header nav")
    staff.click("header nav a[href='/staff/copies']")
    assert "Trần Thị Cúc" in staff.page.inner_text("main")
    staff.page.close()


def test_an_unknown_address_gives_a_page_people_can_leave(live: Live) -> None:
    staff = _walker(live, "archivist")
    answer = staff.page.goto(f"{live.base}/khong-co-trang-nay")
    assert answer is not None and answer.status == 404 and "text/html" in answer.headers["content-type"]
    staff.click("main a[href='/']")
    assert staff.path == "/"
    staff.page.close()
    citizen = _walker(live, None, start="/portal/khong-co-trang-nay")
    assert citizen.page.locator("main").count() == 1
    citizen.click("main a[href='/portal']")
    assert citizen.path == "/portal"
    citizen.page.close()
