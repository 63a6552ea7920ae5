"""One language and one time zone per user, as an administrator sets them in Chromium (#17 item 9): from the
name in the header to the account page, English and UTC chosen from the lists, saved with a confirmation; the
audit log then reads in UTC, and a later sign-in on another browser is in English from the first page.
Screenshot: docs/screenshots/account-preferences-en.png."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from sohoa.app import create_app
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from tests.security._audit_helpers import serve

from . import _helpers as helpers
from .test_browser import Session, browser, capture

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["browser"]  # the fixture, imported for pytest


@pytest.fixture
def site(ctx: AppContext) -> Iterator[str]:
    helpers.users(ctx)
    with ctx.db.session() as session:
        record_event(session, "archivist", "document.update", "document", 7, {"subject": "Về việc hòa giải"})
    with serve(create_app(ctx, watch_hot_folders=False)) as base:
        yield base


def test_admin_chooses_english_and_utc_and_keeps_them(site: str, browser: object) -> None:
    admin = Session(browser, site, "admin")
    page = admin.page
    page.click("header a.who")
    page.wait_for_selector("#preferences")
    page.select_option("#language", "en")
    page.select_option("#time_zone", "UTC")
    page.click("#preferences button[type=submit]")
    page.wait_for_selector("html[lang=en]")
    assert "Preferences saved" in page.locator("main").inner_text()
    assert page.locator("#time_zone").input_value() == "UTC" and page.locator("#language").input_value() == "en"
    capture(page, "account-preferences-en")

    admin.go("/admin/audit")
    assert "UTC" in page.locator("#audit-zones").inner_text()
    first = page.locator("table.audit tbody time").first
    stored = datetime.fromisoformat(first.get_attribute("datetime") or "")
    stored = stored if stored.tzinfo else stored.replace(tzinfo=UTC)
    assert first.inner_text() == stored.astimezone(UTC).strftime("%d/%m/%Y %H:%M:%S")
    admin.page.click("form[action='/logout'] button")
    admin.close()

    again = Session(browser, site, "admin")  # a fresh browser: Vietnamese until the account's language applies
    assert again.page.locator("html").get_attribute("lang") == "en"
    assert "Sign out" in again.page.locator("header").inner_text()
    again.close()
