"""The portal search and the copy-request approval flow walked in Chromium (Playwright)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from sohoa.app import create_app
from sohoa.services.catalogue.permalinks import derived_identifier
from sohoa.services.platform.context import AppContext, open_context
from sohoa.settings import Settings

from ._portal_helpers import PASSWORD, attach_pdf, staff
from .world import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, AppContext, World]]:
    ctx = open_context(Settings(data=tmp_path / "data", workers=1))
    world = build_world(ctx)
    staff(ctx)
    attach_pdf(ctx, world.docs[("own", "public")])
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(ctx, watch_hot_folders=False), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", ctx, world
    server.should_exit = True
    thread.join(10)
    ctx.close()


def test_portal_search_and_copy_approval(site: tuple[str, AppContext, World]) -> None:
    from playwright.sync_api import sync_playwright

    base, _ctx, world = site
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        citizen = browser.new_page()
        citizen.goto(f"{base}/portal")
        citizen.fill("#q", "hoa giai")
        citizen.click("button[type=submit]")
        assert citizen.inner_text("#result-count").startswith("4 ")  # public documents only, tone-insensitive
        # Results link to the permanent link ('?': not SOHOA.00000012 for SOHOA.0000001).
        citizen.click(f"a[href^='/portal/r/{derived_identifier(world.docs[('own', 'public')])}?']")
        assert "Quyết định" in citizen.inner_text("#doc-title")
        citizen.fill("#name", "Lê Thị Hoà")
        citizen.fill("#id_number", "001190054321")
        citizen.fill("#purpose", "Giải quyết tranh chấp")
        citizen.click("#request-copy")
        citizen.wait_for_selector("#copy-state[data-state=pending]")
        status_url = citizen.url

        officer = browser.new_page()
        officer.goto(f"{base}/login")
        officer.fill("#username", "s_archivist")
        officer.fill("#password", PASSWORD)
        officer.click("button[type=submit]")
        officer.wait_for_url(f"{base}/")
        officer.goto(f"{base}/staff/copies")
        assert "Lê Thị Hoà" in officer.inner_text("table.copies")
        officer.click("button.approve")
        officer.wait_for_selector("#no-requests")

        citizen.goto(status_url)
        citizen.wait_for_selector("#copy-state[data-state=approved]")
        href = citizen.get_attribute("#copy-download", "href")
        assert href is not None
        pdf = citizen.request.get(base + href)
        assert pdf.status == 200 and pdf.body().startswith(b"%PDF") and b"/ETSI.CAdES.detached" in pdf.body()
        browser.close()
