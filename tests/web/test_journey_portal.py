"""A citizen on a 390×844 phone (#17 item 7): browses the public records by unit → year → type without typing,
opens a record and sees where it sits (phông → hồ sơ → văn bản, reference code), asks for a certified copy
(required markers, fees and time), reads a short tracking code and looks it up as typed in lower case; no
page scrolls sideways. Screenshots for docs/portal.md (docs/screenshots/portal-mobile-*)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sohoa.app import create_app
from sohoa.services.platform.context import AppContext, open_context
from sohoa.settings import Settings
from tests.security._audit_helpers import serve
from tests.shared.test_portal_browse import NEW, _shelf
from tests.shared.test_portal_mobile import _dress

from .test_browser import CHROMIUM_ARGS, capture

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
WIDTH = "() => document.documentElement.scrollWidth"
# Links and controls a thumb must hit on the browsing and record pages (facets, breadcrumbs, pager, forms).
SMALL_TARGETS = """(selector) => Array.from(document.querySelectorAll(selector))
    .filter((el) => el.offsetParent !== null)
    .map((el) => [el.id || el.textContent.trim().slice(0, 30), el.getBoundingClientRect().height])
    .filter(([, h]) => h < 44)"""
TARGETS = "main :is(button, input:not([type=hidden]), textarea, select), .facet a, .breadcrumbs a, header .portal-nav a"


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[tuple[str, AppContext, dict[str, int]]]:
    ctx = open_context(Settings(data=tmp_path / "data", workers=1))
    shelf = _shelf(ctx)
    _dress(ctx, shelf.public["a2019qd"])  # a page image and a long OCR text for the viewer
    with serve(create_app(ctx, watch_hot_folders=False)) as base:
        yield base, ctx, shelf.public
    ctx.close()


def _fits(page: Any, name: str | None = None) -> None:
    page.wait_for_load_state("load")
    assert page.evaluate(WIDTH) <= PHONE["width"], (page.url, page.evaluate(WIDTH))
    assert page.evaluate(SMALL_TARGETS, TARGETS) == [], page.url
    assert page.locator("header .portal-nav").is_visible() and page.locator("a[href^='/login']").count() == 0
    if name:
        capture(page, f"portal-mobile-{name}")


def _listed(page: Any) -> int:
    return int(page.locator("#browse-results > li").count())


def test_citizen_browses_requests_a_copy_and_tracks_it(portal: tuple[str, AppContext, dict[str, int]]) -> None:
    from playwright.sync_api import sync_playwright

    base, _ctx, public = portal
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
        page = context.new_page()
        blocked: list[str] = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)

        # Browse without typing: unit (the new ward, its merged wards listed under it) → year → type.
        page.goto(f"{base}/portal")
        assert _listed(page) == len(public)
        assert page.locator("#facet-unit .predecessors a").count() == 2
        _fits(page, "browse")
        page.click(f"#facet-unit a[data-unit='{NEW}']")
        page.wait_for_selector("#chosen-filters")
        assert _listed(page) == 5
        _fits(page)
        page.click("#facet-year a[data-year='2019']")
        page.wait_for_url(re.compile(r".*year=2019.*"))
        assert _listed(page) == 2
        _fits(page)
        page.click("#facet-type a[data-type='Quyết định']")
        page.wait_for_url(re.compile(r".*type=.*"))
        assert _listed(page) == 1 and page.inner_text("#browse-results .date") == "04/03/2019"
        _fits(page)

        # The record: where it sits in the archive, its reference code, its dates as dd/mm/yyyy.
        page.click("#browse-results a")
        page.wait_for_selector("nav.breadcrumbs")
        crumbs = page.inner_text("nav.breadcrumbs")
        assert "UBND phường Hàng Bạc" in crumbs and "P.HB.2019.01.VP" in crumbs
        assert page.inner_text("#reference-code") == "P.HB.2019.01.VP.007"
        _fits(page, "record")

        # The copy request: required markers with their legend, the fees and the time, then a short code.
        page.locator("form.copy-form").scroll_into_view_if_needed()
        assert page.is_visible("#required-legend") and page.get_attribute("#name", "aria-required") == "true"
        assert "*" in page.inner_text("label[for=name]") and "*" not in page.inner_text("label[for=email]")
        assert "biểu phí" in page.inner_text("#copy-fees") and "5 ngày làm việc" in page.inner_text("#copy-days")
        page.fill("#name", "Lê Thị Hoà")
        page.fill("#id_number", "001190054321")
        page.fill("#purpose", "Bổ sung hồ sơ hòa giải")
        page.locator("#copy-terms").scroll_into_view_if_needed()
        assert page.evaluate(WIDTH) <= PHONE["width"]
        capture(page, "portal-mobile-copy-form")
        page.click("#request-copy")
        page.wait_for_selector("#copy-state[data-state=pending]")
        code = page.inner_text("#copy-code")
        assert re.fullmatch(r"[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", code), code
        assert re.fullmatch(r"\d{2}/\d{2}/\d{4}", page.inner_text("#copy-requested"))
        assert re.search(r"\d{2}/\d{2}/\d{4}$", page.inner_text("#copy-due"))
        _fits(page, "copy-status")

        # Later: the portal's menu leads to the lookup; the code typed in lower case, without the dash.
        page.click("header .portal-nav a[href='/portal/copies']")
        page.wait_for_selector("#copy-lookup")
        _fits(page, "copy-lookup")
        page.fill("#code", code.lower().replace("-", ""))
        page.click("#copy-lookup button[type=submit]")
        page.wait_for_selector("#copy-state[data-state=pending]")
        assert page.inner_text("#copy-code") == code

        # A mistyped address stays on the portal (its menu, its search), never the staff login.
        page.goto(f"{base}/portal/khong-co-trang-nay")
        assert page.inner_text("#error-title") == "Không tìm thấy"
        _fits(page)
        page.click("a.brand")
        page.wait_for_selector("#browse-results")
        assert blocked == []
        browser.close()
