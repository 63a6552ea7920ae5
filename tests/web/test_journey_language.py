"""The staff app in English, as an administrator and an archivist walk it in Chromium (#17 item 9): the audit
log on the local clock with named actions and readable Vietnamese, codes named, English counts, the NĐ 30
lists as selects. Screenshot: docs/screenshots/admin-audit-en.png."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from sohoa.app import create_app
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from tests.security._audit_helpers import serve

from . import _helpers as helpers
from .test_browser import Session, browser, capture

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["browser"]  # the fixture, imported for pytest

LOCAL_TIME = re.compile(r"^\d\d/\d\d/\d{4} \d\d:\d\d:\d\d$")


@pytest.fixture
def site(ctx: AppContext) -> Iterator[tuple[str, dict[str, int]]]:
    helpers.users(ctx)
    acc, (file_id,) = helpers.accession_with_files(ctx)
    doc = helpers.document(ctx, file_id, type_name="Quyết định", subject="Về việc hòa giải")
    with ctx.db.session() as session:
        record_event(session, "archivist", "document.update", "document", doc, {"subject": "Về việc hòa giải"})
    with serve(create_app(ctx, watch_hot_folders=False)) as base:
        yield base, {"acc": acc, "file": file_id, "doc": doc}


def _english(session: Session) -> None:
    session.page.click("a[href^='/lang/en']")
    session.page.wait_for_selector("html[lang=en]")


def test_admin_reads_the_audit_log_in_english(site: tuple[str, dict[str, int]], browser: object) -> None:
    base, _ids = site
    admin = Session(browser, base, "admin")
    admin.page.goto(f"{base}/admin/audit")
    _english(admin)
    page = admin.page
    assert page.locator("h1").inner_text() == "Access log"
    times = page.locator("table.audit tbody time").all_inner_texts()
    assert times and all(LOCAL_TIME.match(t) for t in times), times
    body = page.locator("table.audit").inner_text()
    assert "Document changed" in body and "Signed in" in body and "Account created" in body
    assert "Về việc hòa giải" in body and "\\u" not in body
    assert "None" not in page.locator("main").inner_text()
    capture(page, "admin-audit-en")
    assert admin.blocked == []


def test_archivist_sees_codes_named_and_counts_in_english(site: tuple[str, dict[str, int]], browser: object) -> None:
    base, ids = site
    archivist = Session(browser, base, "archivist")
    _english(archivist)
    page = archivist.page
    page.goto(f"{base}/arrangement")
    row = page.locator("#files-form tbody tr").first.inner_text()
    assert "Internal" in row and "internal" not in row and "None" not in row
    page.goto(f"{base}/intake/accessions/{ids['acc']}")
    assert "1 file · 0 boxes" in page.locator("main").inner_text()
    page.goto(f"{base}/review/{ids['doc']}")
    options = page.locator("#f-secrecy option").all_inner_texts()
    assert options == ["— not set —", "Confidential", "Secret", "Top secret"]
    page.select_option("#f-urgency", "Hỏa tốc")
    page.click("button[value=save]")
    page.wait_for_load_state("load")
    assert page.locator("#f-urgency option:checked").inner_text() == "Flash"
    assert archivist.blocked == []
