"""Every portal page on a 390×844 phone in Chromium: no sideways scroll, touch-size controls, readable text,
the citation's copy button; a screenshot of each page for docs/portal.md (docs/screenshots/portal-mobile-*)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from PIL import Image, ImageDraw, ImageFont

from sohoa.app import create_app
from sohoa.db.models import Document, Page
from sohoa.index import make_index
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.objects import store_bytes
from sohoa.services.production.ingest_store import document_index_doc
from sohoa.settings import Settings
from tests.security._audit_helpers import serve
from tests.web.test_browser import SHOTS, capture

from .test_portal_browser import CHROMIUM_ARGS
from .test_portal_links import CODE, build_archive

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
# An OCR text as the engine leaves it: long lines (the monospace <pre> made the page 761 px wide), a long
# unbroken token, Vietnamese letters with two marks.
OCR = ("ỦY BAN NHÂN DÂN                                    CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
       "PHƯỜNG THỬ                                                   Độc lập - Tự do - Hạnh phúc\n\n"
       "Số: 15/QĐ-UBND                                    Hà Nội, ngày 05 tháng 6 năm 2020\n\n"
       "QUYẾT ĐỊNH\nVề việc thành lập tổ hòa giải ở cơ sở\n\n"
       "Điều 1. Thành lập tổ hòa giải gồm các ông (bà) có tên sau đây, theo đề nghị của Ban công tác Mặt trận "
       "khu dân cư số 3 và các đoàn thể: Nguyễn Văn Khuyến, Trần Thị Hường, Lê Quang Nghĩa.\n"
       "Điều 2. Tài liệu đính kèm: http://luutru.example.vn/tai-lieu/quyet-dinh-thanh-lap-to-hoa-giai-o-co-so-"
       "phuong-thu-nam-2020-ban-chinh-thuc.pdf\n\n"
       "Nơi nhận:                                                      CHỦ TỊCH\n- Như Điều 1;\n- Lưu: VT.")


def _page_image() -> bytes:
    image = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 40)
    for n, line in enumerate(OCR.splitlines()[:12]):
        draw.text((110, 140 + n * 70), line.strip()[:60], fill="black", font=font)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def _dress(ctx: AppContext, document_id: int) -> None:
    """Give the coded record the long OCR text, a page image and a place in the search index."""
    with ctx.db.session() as session:
        doc = session.get(Document, document_id)
        assert doc is not None
        doc.text = OCR
        jpeg = store_bytes(session, ctx.store, _page_image(), media_type="image/jpeg", kind="image")
        session.add(Page(document_id=doc.id, master_object_id=jpeg.id, source_index=0, page_no=1, width=1240,
                         height=1754, dpi=150, text=OCR, image_object_id=jpeg.id, thumbnail_object_id=jpeg.id))
        session.flush()
        make_index(ctx.db.engine).upsert(session, document_index_doc(doc))


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[tuple[str, AppContext]]:
    ctx = open_context(Settings(data=tmp_path / "data", workers=1))
    archive = build_archive(ctx)
    _dress(ctx, archive.coded)
    with serve(create_app(ctx, watch_hot_folders=False)) as base:
        yield base, ctx
    ctx.close()


# Functions, not bare expressions: Playwright evals a bare expression in the page, which our CSP forbids.
WIDTH = "() => document.documentElement.scrollWidth"
SMALL_TARGETS = """(selector) => Array.from(document.querySelectorAll(selector))
    .filter((el) => el.offsetParent !== null)
    .map((el) => [el.id || el.name || el.textContent.trim().slice(0, 20), el.getBoundingClientRect().height])
    .filter(([, h]) => h < 44)"""
TEXT_STYLE = """() => { const p = document.querySelector('.ocr-text p'); const s = getComputedStyle(p);
    return [s.fontFamily, s.whiteSpace, s.wordBreak, p.getBoundingClientRect().right]; }"""
CLIPBOARD = "() => navigator.clipboard.readText()"
# Words (up to 20 letters: a long address may wrap) laid out on more than one line: a word cut letter by letter
# (its marks stacked over the next line) would show here.
BROKEN_WORDS = """(selector) => {
  const broken = [];
  for (const el of document.querySelectorAll(selector)) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.data.matchAll(/(?<=^|\\s)[^\\s]{1,20}(?=\\s|$)/gu)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        if (range.getClientRects().length > 1) { broken.push(match[0]); }
      }
    }
  }
  return broken;
}"""


def _fits(page: Any, name: str) -> None:
    """The page fits the phone's width, its form controls are touch-sized; a screenshot for the docs."""
    page.wait_for_load_state("load")
    assert page.evaluate(WIDTH) <= PHONE["width"], (name, page.evaluate(WIDTH))
    # The page viewer's toolbar and thumbnails included.
    controls = "main :is(button, input:not([type=hidden]), textarea, select)"
    small = page.evaluate(SMALL_TARGETS, controls)
    assert small == [], (name, small)
    capture(page, f"portal-mobile-{name}")


def test_every_portal_page_fits_a_phone(portal: tuple[str, AppContext]) -> None:
    from playwright.sync_api import sync_playwright

    base, _ctx = portal
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        page = context.new_page()
        blocked: list[str] = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)

        page.goto(f"{base}/portal")
        _fits(page, "search")
        page.fill("#q", "hoa giai co so")
        page.click("form[role=search] button[type=submit]")
        page.wait_for_selector("#result-count")
        assert page.inner_text("#result-count").startswith("1 ")
        _fits(page, "results")

        page.click("ol.results a")
        page.wait_for_url(f"{base}/portal/r/{quote(CODE, safe='')}?q=*")
        assert page.get_attribute("link[rel=canonical]", "href") == f"{base}/portal/r/{CODE}"
        font, white_space, word_break, right = page.evaluate(TEXT_STYLE)
        assert "mono" not in font.lower() and white_space == "pre-line" and word_break == "normal", font
        assert right <= PHONE["width"]
        assert page.evaluate(BROKEN_WORDS, ".ocr-text p, #citation, dl.fields dd, h1, .lead") == []
        _fits(page, "record")

        page.click("#copy-citation")
        page.wait_for_function("() => document.getElementById('copy-citation-status').textContent !== ''")
        assert page.inner_text("#copy-citation-status") == "Đã sao chép trích dẫn"
        assert page.evaluate(CLIPBOARD) == page.inner_text("#citation").strip()
        page.evaluate("() => document.getElementById('cite-title').scrollIntoView()")
        page.screenshot(path=str(SHOTS / "portal-mobile-citation.png"))

        page.locator("form.copy-form").scroll_into_view_if_needed()
        page.fill("#name", "Lê Thị Hoà")
        page.fill("#id_number", "001190054321")
        page.fill("#purpose", "Bổ sung hồ sơ hòa giải")
        assert page.evaluate(WIDTH) <= PHONE["width"]
        page.screenshot(path=str(SHOTS / "portal-mobile-copy-form.png"))
        page.click("#request-copy")
        page.wait_for_selector("#copy-state[data-state=pending]")
        assert page.get_attribute("#copy-record", "href") == f"/portal/r/{quote(CODE, safe='')}"
        _fits(page, "copy-status")

        page.goto(f"{base}/portal/r/SOHOA.9999999")
        assert page.inner_text("#error-title") == "Không tìm thấy tài liệu"
        _fits(page, "404")
        assert blocked == []
        browser.close()
