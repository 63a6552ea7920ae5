"""#17 "done when", tried as a new archivist would from ``make run``: the real ``sohoa demo`` (Tesseract on the
generated sample box, demo accounts in the data directory), then, in Chromium, by clicking only from the app's
first page: review and approve a document of the file that waits for review, make that file public from its
page (warnings, reason, audit), and open the record on the citizen portal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sohoa.app import create_app
from sohoa.services.platform.context import open_context
from sohoa.settings import Settings
from tests.security._audit_helpers import serve

from .test_browser import CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.tesseract, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SOHOA = Path(sys.executable).with_name("sohoa")  # the launcher `make run` calls
WAITING_FILE = "H26.00070.2025.02.VP"  # DEMO_FILES[1] of sohoa.cli.server: the sample file left for review


def _demo(data: Path) -> dict[str, str]:
    """Run ``sohoa demo`` as ``make run`` does (a small box); the demo accounts: role → (username, password)."""
    env = {**os.environ, "SOHOA_DATA": str(data), "OMP_THREAD_LIMIT": "1", "SOHOA_WORKERS": "1",
           "SOHOA_CLI_RESIDENT": "false"}
    for args in (["init"], ["demo", "--documents", "2"]):
        done = subprocess.run([str(SOHOA), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    rows = [line.split("\t") for line in (data / "demo-users.txt").read_text(encoding="utf-8").splitlines()]
    return {role: f"{username}\t{password}" for username, password, role in rows}


def test_a_new_archivist_from_make_run_publishes_a_reviewed_record_and_finds_it_on_the_portal(
    tmp_path: Path,
) -> None:
    from playwright.sync_api import sync_playwright

    data = tmp_path / "data"
    username, password = _demo(data)["archivist"].split("\t")
    ctx = open_context(Settings(data=data, workers=1))
    clicks: list[str] = []
    try:
        with serve(create_app(ctx, watch_hot_folders=False)) as base, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page: Any = browser.new_page(viewport={"width": 1366, "height": 768})

            def click(selector: str) -> None:
                clicks.append(selector)
                with page.expect_navigation():
                    page.click(selector)

            page.goto(base + "/")  # the only address typed: the app's own
            page.fill("#username", username)
            page.fill("#password", password)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            # the review queue from the menu, the waiting file's first document, approve
            click("header nav a[href='/review']")
            row = page.locator("main table tbody tr", has_text=WAITING_FILE).first
            doc_id = int(row.locator("a[href^='/review/']").first.inner_text().lstrip("#"))
            click(f"main a[href='/review/{doc_id}']")
            click("button[name=action][value=approve]")
            assert page.locator("[role=status]").count() >= 1  # the flash says it was approved
            # the file's page from the arrangement menu, its publication panel, publish with a reason
            click("header nav a[href='/arrangement']")
            click(f"main a:text-is('{WAITING_FILE}')")
            approved = page.locator(f"#publication-documents tr[data-document='{doc_id}']")
            assert approved.locator("[data-public-state]").get_attribute("data-public-state") == "draft"
            click(f"#publication-documents tr[data-document='{doc_id}'] a.publish-file")
            assert "sẽ xuất hiện trên cổng công dân" in page.inner_text("[role=alert]")
            page.fill("#f-reason", "Công bố hồ sơ mẫu")
            click("#access-confirm button[type=submit]")
            assert "nay công bố trên cổng" in page.inner_text("#access-result")
            click(f"#publication-documents tr[data-document='{doc_id}'] a.portal-link")
            assert page.url == f"{base}/portal/documents/{doc_id}"
            assert page.locator("main h1").count() == 1
            # and a citizen (no session) finds it by browsing the portal
            citizen = browser.new_context().new_page()
            citizen.goto(base + f"/portal/documents/{doc_id}")
            assert citizen.url.endswith(f"/portal/documents/{doc_id}") and "/login" not in citizen.url
            browser.close()
    finally:
        ctx.close()
    assert len(clicks) == 8, clicks  # menu, document, approve, menu, file, publish, confirm, portal link
