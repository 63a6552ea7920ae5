"""Browser journeys with Playwright on Debian's Chromium, and a screenshot of each main screen."""

from __future__ import annotations

import io
import os
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from openpyxl import Workbook
from PIL import Image, ImageDraw, ImageFont

from sohoa.app import create_app
from sohoa.services.identity import accounts
from sohoa.services.platform.context import AppContext, open_context
from sohoa.settings import Settings

from . import _helpers as helpers
from .test_intake import GOOD, HEADER, with_errors

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The docs' screenshots are refreshed on purpose (`make screenshots`); a plain test run writes them to a
# scratch folder, so `make test` leaves the checkout as it found it.
SHOTS = Path(os.environ.get("SOHOA_SCREENSHOTS") or Path(tempfile.gettempdir()) / "sohoa-screenshots")


def capture(page: Any, name: str, attempts: int = 3) -> None:
    """Save a screenshot of the screen for the docs. Headless Chromium now and then answers
    'Unable to capture screenshot' while it composites; the picture is documentation, so try again."""
    from playwright.sync_api import Error

    SHOTS.mkdir(parents=True, exist_ok=True)
    for attempt in range(attempts):
        try:
            page.wait_for_load_state("load")
            page.screenshot(path=str(SHOTS / f"{name}.png"))
            return
        except Error:
            if attempt == attempts - 1:
                raise
            page.wait_for_timeout(500)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, AppContext]]:
    ctx = open_context(Settings(data=tmp_path / "data", workers=1))
    helpers.users(ctx)
    port = _free_port()
    config = uvicorn.Config(create_app(ctx, watch_hot_folders=False), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="on")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not uv.started and time.time() < deadline:
        time.sleep(0.05)
    assert uv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", ctx
    uv.should_exit = True
    thread.join(10)
    ctx.close()


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# A function, not an expression: Playwright evals a bare expression in the page, which our CSP forbids.
# The page viewer (OpenSeadragon) opened the page and drew all of it (viewer.js sets data-loaded).
IMAGE_SHOWN = "() => { const v = document.getElementById('viewer'); return !!v && v.dataset.loaded === '1'; }"


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def _scan(path: Path) -> Path:
    image = Image.new("RGB", (2480, 3508), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 56)
    lines = ["ỦY BAN NHÂN DÂN", "PHƯỜNG THỬ", "Số: 15/QĐ-UBND", "Hà Nội, ngày 05 tháng 6 năm 2020", "",
             "QUYẾT ĐỊNH", "Về việc thành lập tổ công tác số hóa tài liệu", "",
             "Điều 1. Thành lập tổ công tác số hóa tài liệu lưu trữ của phường."]
    for n, line in enumerate(lines):
        draw.text((220, 260 + n * 110), line, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(300, 300))
    path.write_bytes(out.getvalue())
    return path


class Session:
    """One signed-in browser page at 1366×768."""

    def __init__(self, browser: object, base: str, username: str) -> None:
        self.page = browser.new_page(viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
        self.base = base
        self.blocked: list[str] = []  # what the Content-Security-Policy refused: the UI must need none of it
        self.page.on("console", lambda m: self.blocked.append(m.text) if "Content Security Policy" in m.text else None)
        self.page.goto(f"{base}/login")
        self.page.fill("#username", username)
        self.page.fill("#password", helpers.PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(f"{base}/")

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def shot(self, name: str) -> None:
        capture(self.page, name)

    def close(self) -> None:
        self.page.close()
        assert self.blocked == []


def _stat(session: Session, key: str) -> int:
    session.go("/progress")
    return int(session.page.inner_text(f"#stat-{key}"))


@pytest.mark.tesseract
def test_main_journeys(server: tuple[str, AppContext], browser: object, tmp_path: Path) -> None:
    base, ctx = server
    unit_id = helpers.unit(ctx)
    coordinator = Session(browser, base, "coordinator")
    before = (_stat(coordinator, "review"), _stat(coordinator, "rework"))

    # A clerk uploads an inventory with errors, reads the report, fixes it and uploads again.
    clerk = Session(browser, base, "unit_clerk")
    clerk.go("/intake")
    clerk.page.select_option("#f-unit", str(unit_id))
    clerk.page.fill("#f-title", "Tài liệu hành chính 2018-2020")
    clerk.page.fill("#f-planned_pages", "120")
    clerk.page.click("form[action='/intake/accessions'] button[type=submit]")
    clerk.page.set_input_files("#f-inventory", str(_xlsx(tmp_path / "muc-luc.xlsx", with_errors())))
    clerk.page.click("button[value=import]")
    assert "4 dòng lỗi" in clerk.page.inner_text("#report")
    assert "Trùng số, ký hiệu hồ sơ với dòng" in clerk.page.inner_text("table.report")
    clerk.shot("intake-report-errors")
    clerk.page.set_input_files("#f-inventory", str(_xlsx(tmp_path / "muc-luc.xlsx", GOOD)))
    clerk.page.click("button[value=import]")
    assert "Hợp lệ" in clerk.page.inner_text("#report")
    clerk.shot("intake-accession")
    clerk.go("/intake")
    clerk.shot("intake")

    # An operator uploads a scan for file 01.VP and watches it go through the pipeline.
    operator = Session(browser, base, "scan_operator")
    operator.go("/scanning")
    operator.page.locator("#scan-file").type("01.VP")  # picked by its code (type-ahead), not from a select
    operator.page.wait_for_selector("#scan-file-list li[role=option]")
    operator.page.locator("#scan-file-list li[role=option]", has_text="01.VP").first.click()
    assert "01.VP — " in operator.page.input_value("#scan-file")
    operator.page.set_input_files("#scan-input", str(_scan(tmp_path / "quyet-dinh.png")))
    operator.page.wait_for_selector("#uploads td.state[data-state=done]", timeout=180_000)
    assert operator.page.inner_text("#uploads td.docs").strip().startswith("#")  # a link to its one document
    operator.shot("scanning")

    # The inspector sets a sampling plan (every document) before review.
    inspector = Session(browser, base, "qc_inspector")
    inspector.go("/qc/plans")
    inspector.page.fill("#f-name", "Kiểm tra toàn bộ")
    inspector.page.fill("#f-rate_percent", "100")
    inspector.page.click("button:has-text('Thêm')")
    inspector.shot("qc-plans")

    # An archivist corrects a field and approves the document.
    archivist = Session(browser, base, "archivist")
    archivist.go("/review")
    archivist.shot("review-queue")
    archivist.page.click("tbody a")
    archivist.page.wait_for_function(IMAGE_SHOWN)
    archivist.page.fill("#f-issued_date", "31/02/2020")
    archivist.page.click("button[value=save]")
    assert "Ngày không hợp lệ" in archivist.page.inner_text("#fields-form")
    archivist.page.fill("#f-issued_date", "05/06/2020")
    archivist.page.fill("#f-subject", "Về việc thành lập tổ công tác số hóa tài liệu")
    archivist.page.fill("#f-type_name", "Quyết định")
    archivist.page.focus("#f-subject")
    archivist.page.wait_for_function(IMAGE_SHOWN)
    archivist.shot("review-document")
    archivist.page.click("button[value=save]")
    review_path = archivist.page.url.removeprefix(base)
    archivist.go(f"/lang/en?next={review_path}")
    assert "Approve and continue" in archivist.page.inner_text("#fields-form")
    assert "Shortcuts" in archivist.page.inner_text("main")
    archivist.page.wait_for_function(IMAGE_SHOWN)
    archivist.shot("review-document-en")
    archivist.go(f"/lang/vi?next={review_path}")
    archivist.page.keyboard.press("Alt+a")  # accesskey: approve
    archivist.page.wait_for_url(f"{base}/review")

    # The inspector rejects it; it goes back to scanning for rework.
    inspector.go("/qc")
    inspector.page.click("tbody a")
    inspector.page.check("input[value=D01]")
    inspector.page.fill("#f-comment", "Ảnh mờ ở lề phải")
    inspector.page.wait_for_function(IMAGE_SHOWN)
    inspector.shot("qc-document")
    inspector.page.click("button[value=reject]")
    inspector.page.wait_for_url(f"{base}/qc")
    inspector.shot("qc")
    operator.go("/scanning")
    assert "Ảnh mờ ở lề phải" in operator.page.inner_text("main")

    # The coordinator's dashboard moved: one more document in rework, none left in review.
    after = (_stat(coordinator, "review"), _stat(coordinator, "rework"))
    assert after == (before[0], before[1] + 1)
    assert int(coordinator.page.inner_text("#stat-pages")) == 1
    coordinator.shot("progress")

    # A unit officer finds the document among the unit's records and opens it (its PDF/A was rebuilt).
    officer = Session(browser, base, "unit_officer")
    officer.page.click("nav a[href='/our-records']")
    assert "tổ công tác số hóa" in officer.page.inner_text("#documents")
    officer.page.fill("#q", "to cong tac so hoa")
    officer.page.click("form[role=search] button[type=submit]")
    assert officer.page.inner_text("#result-count").startswith("1 ")
    officer.shot("our-records")
    officer.page.click("#documents tbody a")
    assert "Quyết định" in officer.page.inner_text("h1")
    pdf = officer.page.request.get(officer.page.url + "/pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF-")

    admin = Session(browser, base, "admin")
    admin.go("/admin")
    admin.shot("admin")
    admin.go("/arrangement")
    admin.shot("arrangement")
    admin.go("/lang/en?next=/progress")
    assert "Progress" in admin.page.inner_text("h1")
    admin.shot("progress-en")
    for session in (clerk, operator, inspector, archivist, coordinator, officer, admin):
        session.close()


def test_login_page_and_lockout(server: tuple[str, AppContext], browser: object) -> None:
    base, _ctx = server
    page = browser.new_page(viewport={"width": 1366, "height": 768})  # type: ignore[attr-defined]
    page.goto(f"{base}/review")
    assert page.url.startswith(f"{base}/login")
    capture(page, "login")
    for _ in range(accounts.MAX_FAILURES + 1):
        page.fill("#username", "archivist")
        page.fill("#password", "sai-mat-khau")
        page.click("button[type=submit]")
    assert "tạm khóa" in page.inner_text("[role=alert]")
    page.close()


def test_review_warns_before_losing_edits_and_confirms_an_approval(
    server: tuple[str, AppContext], browser: object
) -> None:
    """Edited and unsaved fields ask before leaving (beforeunload); a save does not; approving says which
    document was approved and where it moved the reviewer."""
    base, ctx = server
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    first = helpers.document(ctx, file_id, type_name="Quyết định", code_number="15", code_notation="QĐ-UBND")
    second = helpers.document(ctx, file_id, type_name="Công văn")
    archivist = Session(browser, base, "archivist")
    dialogs: list[str] = []

    def answer(dialog: Any) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    archivist.page.on("dialog", answer)
    archivist.go(f"/review/{first}")
    archivist.page.click("nav a[href='/review']")  # nothing edited: no question
    archivist.page.wait_for_url(f"{base}/review")
    assert dialogs == []
    archivist.go(f"/review/{first}")
    archivist.page.click("#f-place")
    archivist.page.keyboard.type("Hà Nội")
    archivist.page.click("nav a[href='/review']")  # edited, not saved: the browser asks first
    archivist.page.wait_for_url(f"{base}/review")
    assert dialogs == ["beforeunload"]
    archivist.go(f"/review/{first}")
    archivist.page.click("#f-place")
    archivist.page.keyboard.type("Hà Nội")
    archivist.page.click("button[value=save]")
    archivist.page.wait_for_load_state("load")
    assert "Đã lưu" in archivist.page.inner_text("[role=status]")
    archivist.page.click("nav a[href='/review']")  # saved: leaves without asking
    archivist.page.wait_for_url(f"{base}/review")
    assert dialogs == ["beforeunload"]

    archivist.go(f"/review/{first}")
    archivist.page.click("#f-subject")
    archivist.page.keyboard.type("Về việc thử")
    archivist.page.click("button[value=approve]")  # a submit of the form itself: no question
    archivist.page.wait_for_url(f"{base}/review/{second}")
    status = archivist.page.inner_text("main [role=status]")
    assert f"Đã duyệt văn bản #{first} Quyết định 15/QĐ-UBND" in status and f"#{second}" in status
    assert dialogs == ["beforeunload"]
    archivist.page.wait_for_function(IMAGE_SHOWN)
    archivist.shot("review-approved")
    archivist.go("/")
    assert archivist.page.locator("main [role=status]").count() == 0  # shown once
    assert "1 chờ kiểm duyệt" in archivist.page.inner_text("main")
    archivist.shot("home-archivist")
    archivist.close()
