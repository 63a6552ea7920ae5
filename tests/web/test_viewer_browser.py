"""The page viewer (OpenSeadragon) in Chromium: review, QC, the staff document page and the portal record.

A two-page document goes through the real ingest (a fast OCR engine with known word boxes) and a merge; the
viewer must draw the page on its canvas, zoom, rotate, turn pages by thumbnail and keyboard, show the page's
OCR text, draw search hits where the words are and, in review, the box of the focused field; on a 390-px phone
the portal record must not scroll sideways. Screenshots go to docs/screenshots/viewer-*.png."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from sohoa.db.models import Document, Page
from sohoa.services.platform.context import AppContext
from sohoa.services.production.ingest import ingest_paths
from sohoa.services.production.review import merge_documents

from ..ingest.test_ingest_fast import WORDS, fake
from .test_browser import FONT, Session, browser, capture, server

pytestmark = [pytest.mark.browser, pytest.mark.slow]
__all__ = ["browser", "server"]  # the fixtures, imported for pytest

HIT = [w.bbox.as_list() for w in WORDS if w.text in ("hòa", "giải")]  # where the fast engine puts "hòa giải"
FIELD_BOX = [52, 292, 560, 348]  # the subject's words (the first line of page 2)

# Functions, not expressions: Playwright evaluates a bare expression in the page, which our CSP forbids.
LOADED = "() => { const v = document.getElementById('viewer'); return v && v.dataset.loaded === '1'; }"
ZOOM = "() => document.getElementById('viewer').pageViewer.osd.viewport.getZoom()"
ROTATION = "() => document.getElementById('viewer').pageViewer.osd.viewport.getRotation()"
# Share of the OpenSeadragon canvas that is near white (the page) rather than the pane's dark grey.
PAINTED = """() => {
  const c = document.querySelector('#viewer .openseadragon-canvas canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let white = 0;
  for (let i = 0; i < d.length; i += 4) { if (d[i] > 230 && d[i + 1] > 230 && d[i + 2] > 230) { white++; } }
  return white / (d.length / 4);
}"""
# Each hit overlay on screen, and where the image rectangle of its box lies on screen (per the viewer).
HIT_RECTS = """() => {
  const v = document.getElementById('viewer'), osd = v.pageViewer.osd, it = osd.world.getItemAt(0);
  const page = JSON.parse(v.dataset.config).pages[v.pageViewer.page()];
  const scale = it.source.dimensions.x / page.width, origin = osd.element.getBoundingClientRect();
  return Array.from(v.querySelectorAll('.pv-hit')).map(el => {
    const b = el.dataset.box.split(',').map(Number), r = el.getBoundingClientRect();
    const want = osd.viewport.viewportToViewerElementRectangle(it.imageToViewportRectangle(
      b[0] * scale, b[1] * scale, (b[2] - b[0]) * scale, (b[3] - b[1]) * scale));
    return {box: b, got: [r.left, r.top, r.width, r.height],
            want: [origin.left + want.x, origin.top + want.y, want.width, want.height]};
  });
}"""
# The whole page is in view, fitted to the pane (the zoom is the home zoom).
FITTED = """() => { const vp = document.getElementById('viewer').pageViewer.osd.viewport;
  return Math.abs(vp.getZoom() - vp.getHomeZoom()) < 1e-6; }"""
NO_SIDE_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _page(path: Path, lines: list[str]) -> Path:
    """A page whose first line's words sit in the boxes the fast engine reports for them."""
    image = Image.new("RGB", (1200, 1600), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 36)
    for word in WORDS:
        draw.text((word.bbox.x0, word.bbox.y0), word.text, fill="black", font=font)
    for n, line in enumerate(lines):
        draw.text((60, 300 + n * 240), line, fill="black", font=font)
    image.save(path, dpi=(300, 300))
    return path


@pytest.fixture
def two_pages(server: tuple[str, AppContext], tmp_path: Path) -> int:
    """One document of two pages (two scans merged), its subject's words on page 2, waiting for review."""
    _base, ctx = server
    report = ingest_paths(ctx, [_page(tmp_path / "p1.png", ["Điều 1. Hòa giải tranh chấp đất đai"]),
                                _page(tmp_path / "p2.png", ["Trang hai: về việc hòa giải", "Điều 2. Thi hành"])],
                          engine_factory=fake)
    first, *others = sorted({d for item in report.items for d in item.documents})
    for other in others:  # the splitter may have read the two scans as one document already
        merge_documents(ctx, first, other, actor="archivist")
    with ctx.db.session() as session:
        doc = session.get(Document, first)
        assert doc is not None
        assert doc.page_amount == 2 or len(doc.pages) == 2
        doc.state = "review"
        doc.provenance = {"subject": {"page": 2, "boxes": [FIELD_BOX]}}
        # the fast engine reads the same words on every page: give page 2 its own text for the text panel
        second_page = session.execute(select(Page).where(Page.document_id == first, Page.page_no == 2)).scalar_one()
        second_page.text = "Trang hai của quyết định"
    return first


def _publish(ctx: AppContext, doc_id: int) -> None:
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        doc.state, doc.access_level = "published", "public"


def _wait_loaded(page: Any) -> None:
    page.wait_for_function(LOADED, timeout=20_000)


def _painted(page: Any) -> float:
    page.wait_for_timeout(600)  # the open animation draws the page in
    return float(page.evaluate(PAINTED))


def _assert_hits_in_place(page: Any) -> None:
    rects = page.evaluate(HIT_RECTS)
    assert sorted(r["box"] for r in rects) == sorted(HIT), rects
    for r in rects:
        assert all(abs(g - w) <= 2 for g, w in zip(r["got"], r["want"], strict=True)), r
        assert r["got"][2] > 2 and r["got"][3] > 1, r  # visible, not collapsed


def _exercise(page: Any) -> None:
    """Zoom, home, rotation by buttons and keys; the OCR text panel."""
    before = page.evaluate(ZOOM)
    page.click("#viewer [data-act=zoom-in]")
    assert page.evaluate(ZOOM) == pytest.approx(before * 1.25, rel=0.02)
    page.click("#viewer [data-act=home]")
    page.click("#viewer [data-act=rotate-right]")
    assert page.evaluate(ROTATION) == 90
    page.focus("#viewer")
    page.keyboard.press("Shift+R")
    assert page.evaluate(ROTATION) == 0
    zoom = page.evaluate(ZOOM)
    page.keyboard.press("+")
    assert page.evaluate(ZOOM) == pytest.approx(zoom * 1.25, rel=0.02)
    page.keyboard.press("0")
    page.click("#viewer [data-act=text]")
    assert page.is_visible("#viewer-text")


def test_review_viewer(server: tuple[str, AppContext], browser: object, two_pages: int) -> None:
    base, _ctx = server
    archivist = Session(browser, base, "archivist")
    archivist.go(f"/review/{two_pages}")
    page = archivist.page
    _wait_loaded(page)
    assert page.get_attribute("#viewer", "data-source") == "iiif"  # deep zoom from the IIIF Image API
    assert _painted(page) > 0.15, "the page is drawn on the canvas"
    _exercise(page)
    assert "Quyết định về việc hòa giải" in page.inner_text("#viewer-text")
    page.click("#viewer [data-act=text]")
    # Focusing the subject shows page 2 and marks its words (the provenance box).
    page.focus("#f-subject")
    page.wait_for_function("() => document.getElementById('viewer').dataset.page === '2'")
    _wait_loaded(page)
    assert page.get_attribute("#viewer .pv-field.active", "data-box") == ",".join(map(str, FIELD_BOX))
    assert page.get_attribute(".pv-thumbs [data-page='1']", "aria-current") == "true"
    archivist.shot("viewer-review")
    # Thumbnails and the keyboard turn the pages.
    page.click(".pv-thumbs [data-page='0']")
    page.wait_for_function("() => document.getElementById('viewer').dataset.page === '1'")
    page.focus("#viewer")
    page.keyboard.press("PageDown")
    page.wait_for_function("() => document.getElementById('viewer').dataset.page === '2'")
    _wait_loaded(page)
    assert page.inner_text("#page-label") == "2/2"
    assert page.text_content("#viewer-text") == "Trang hai của quyết định"  # the text panel follows the page
    archivist.close()


def test_qc_staff_and_portal_viewers(server: tuple[str, AppContext], browser: object, two_pages: int) -> None:
    base, ctx = server
    archivist = Session(browser, base, "archivist")
    archivist.go(f"/review/{two_pages}")  # the reviewer's visit renders the pages' web-size images
    _wait_loaded(archivist.page)
    archivist.page.click(".pv-thumbs [data-page='1']")
    archivist.page.wait_for_function("() => document.getElementById('viewer').dataset.page === '2'")
    _wait_loaded(archivist.page)
    archivist.close()

    with ctx.db.session() as session:
        doc = session.get(Document, two_pages)
        assert doc is not None
        doc.state = "qc"
    inspector = Session(browser, base, "qc_inspector")
    inspector.go(f"/qc/documents/{two_pages}")
    _wait_loaded(inspector.page)
    assert _painted(inspector.page) > 0.15
    _exercise(inspector.page)
    inspector.page.focus("td[data-field=subject]")  # the inspector checks a field against the page
    inspector.page.wait_for_function("() => document.getElementById('viewer').dataset.page === '2'")
    _wait_loaded(inspector.page)
    assert inspector.page.get_attribute("#viewer .pv-field.active", "data-box") == ",".join(map(str, FIELD_BOX))
    inspector.shot("viewer-qc")
    inspector.close()

    # The staff document page, reached from the staff search: the query's words are marked on the page.
    _publish(ctx, two_pages)
    officer = Session(browser, base, "archivist")
    officer.go("/search?q=h%C3%B2a+gi%E1%BA%A3i")
    officer.page.click(f"a[href^='/documents/{two_pages}?q=']")
    _wait_loaded(officer.page)
    assert _painted(officer.page) > 0.15
    _assert_hits_in_place(officer.page)
    _exercise(officer.page)
    officer.page.click(".pv-thumbs [data-page='1']")
    officer.page.wait_for_function("() => document.getElementById('viewer').dataset.page === '2'")
    _wait_loaded(officer.page)
    assert officer.page.text_content("#viewer-text") == "Trang hai của quyết định"
    officer.shot("viewer-document")
    officer.close()

    # The portal record, as anyone: the same viewer through the public routes, hits in place.
    citizen = browser.new_page(viewport={"width": 1366, "height": 900})  # type: ignore[attr-defined]
    blocked: list[str] = []
    citizen.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    citizen.goto(f"{base}/portal?q=h%C3%B2a+gi%E1%BA%A3i")
    citizen.click("a[href^='/portal/r/']")  # the record's permanent link, with the query
    assert "q=" in citizen.url
    _wait_loaded(citizen)
    citizen.wait_for_function(FITTED)
    assert citizen.get_attribute("#viewer", "data-source") == "iiif"
    assert _painted(citizen) > 0.15
    _assert_hits_in_place(citizen)
    capture(citizen, "viewer-portal")
    citizen.close()

    phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2,  # type: ignore[attr-defined]
                             is_mobile=True, has_touch=True)
    phone.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    phone.goto(f"{base}/portal/documents/{two_pages}?q=h%C3%B2a%20gi%E1%BA%A3i")
    _wait_loaded(phone)
    assert phone.evaluate(NO_SIDE_SCROLL), "the record scrolls sideways on a phone"
    phone.wait_for_function(FITTED)  # the whole page, though the layout settled after the viewer opened
    box = phone.locator("#viewer").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert _painted(phone) > 0.05
    _assert_hits_in_place(phone)
    capture(phone, "viewer-portal-mobile")
    phone.close()
    assert blocked == []


def test_portal_viewer_shows_only_what_the_public_may_see(server: tuple[str, AppContext], browser: object,
                                                          two_pages: int) -> None:
    """An internal document has no portal record, and none of its page images answer the public."""
    base, _ctx = server
    citizen = browser.new_page()  # type: ignore[attr-defined]
    response = citizen.goto(f"{base}/portal/documents/{two_pages}")
    assert response is not None and response.status == 404
    assert citizen.locator("#viewer").count() == 0
    for url in (f"/api/v1/documents/{two_pages}/pages/1/image?kind=thumbnail", f"/documents/{two_pages}/pages/1/image"):
        answer = citizen.request.get(base + url, max_redirects=0)
        assert answer.status in (303, 401, 404), (url, answer.status)
    citizen.close()



def test_viewer_falls_back_when_the_image_service_fails(server: tuple[str, AppContext], browser: object,
                                                        two_pages: int) -> None:
    """Without an IIIF answer the page opens from its image; without that too, from its thumbnail."""
    base, _ctx = server
    archivist = Session(browser, base, "archivist")
    page = archivist.page
    page.route("**/info.json", lambda route: route.fulfill(status=404, body="{}"))
    archivist.go(f"/review/{two_pages}")
    _wait_loaded(page)
    assert page.get_attribute("#viewer", "data-source") == "image"
    assert _painted(page) > 0.15
    page.route("**/pages/*/image", lambda route: route.fulfill(status=404, body=""))
    archivist.go(f"/review/{two_pages}")
    _wait_loaded(page)
    assert page.get_attribute("#viewer", "data-source") == "thumbnail"
    assert _painted(page) > 0.15
    # (the review screen's thumbnails come by page id, /pages/{id}/thumbnail, the others' by page number)
    page.route(re.compile(r"image\?kind=thumbnail|/thumbnail\?r="), lambda route: route.fulfill(status=404, body=""))
    archivist.go(f"/review/{two_pages}")
    page.wait_for_function("() => document.getElementById('viewer').dataset.source === 'none'")
    assert page.is_visible("#viewer-status")  # says the page has no image, rather than a blank pane
    archivist.close()
