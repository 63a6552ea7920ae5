"""A reviewer's journey through the personal data panel in Chromium: the values found are listed and outlined on
the page image, the reviewer shows a name that is not to be masked, adds a mask for a phone number by text and
draws a region on the page; once the document is public, a citizen on the portal reads the name but not the
citizen ID number nor the phone."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from sohoa.db.models import Document, FileUnit, Page, PersonalDatum
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.domain.personal import PersonalKind, normalize_value
from sohoa.engines.ocr_formats import ocr_page_to_json
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import store_bytes
from sohoa.services.production.ingest_store import document_index_doc

from . import _helpers as helpers
from .test_axe import _violations
from .test_browser import FONT, IMAGE_SHOWN, Session, browser, server

__all__ = ["browser", "server"]  # the fixtures, imported for pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAME = "Trần Thị Mai"  # fictitious (dữ liệu giả lập)
CCCD = "001185012345"
PHONE = "0912 345 678"
LINES = [["Giao", "cho", "bà", "Trần", "Thị", "Mai,", "CCCD", "số", CCCD],
         ["Liên", "hệ:", "0912", "345", "678", "(giờ", "hành", "chính)."]]
OUTLINES = "() => { const v = document.getElementById('viewer'); return v && Number(v.dataset.personal) >= 2; }"
DRAWN = "() => document.getElementById('pd-x1').value !== ''"


def _word_box(line: int, index: int) -> BBox:
    return BBox(40 + 60 * index, 100 + 50 * line, 95 + 60 * index, 135 + 50 * line)


def _document(ctx: AppContext) -> tuple[int, dict[str, int]]:
    """A document in review in a public file: page 1 shows (and its OCR holds) a name, a CCCD and a phone;
    detection left rows for the name and the CCCD."""
    _acc, (file_id,) = helpers.accession_with_files(ctx)
    doc_id = helpers.document(ctx, file_id, pages=1, type_name="Quyết định", code_number="7",
                              code_notation="QĐ-UBND", subject="Về việc giao đất ở", access_level="public")
    words = tuple(Word(text, _word_box(n, i), 0.95, 1, n + 1) for n, line in enumerate(LINES)
                  for i, text in enumerate(line))
    ocr = OcrPage(width=600, height=800, dpi=300, words=words)
    image = Image.new("RGB", (600, 800), "white")
    draw, font = ImageDraw.Draw(image), ImageFont.truetype(FONT, 13)
    for word in words:
        draw.text((word.bbox.x0 + 1, word.bbox.y0 + 10), word.text, fill="black", font=font)
    png = io.BytesIO()
    image.save(png, "PNG", dpi=(300, 300))
    with ctx.db.session() as session:
        page = session.scalars(select(Page).where(Page.document_id == doc_id)).one()
        master = store_bytes(session, ctx.store, png.getvalue(), media_type="image/png", kind="master")
        stored = store_bytes(session, ctx.store, ocr_page_to_json(ocr).encode("utf-8"),
                             media_type="application/json", kind="ocr")
        page.master_object_id, page.ocr_object_id, page.text = master.id, stored.id, ocr.text
        file = session.get(FileUnit, file_id)
        doc = session.get(Document, doc_id)
        assert file is not None and doc is not None
        file.access_level, doc.text = "public", ocr.text
        name_box = _word_box(0, 3).union(_word_box(0, 5))
        rows = {"name": PersonalDatum(document_id=doc_id, page_no=1, kind="name", value=NAME,
                                      normalized=normalize_value(PersonalKind.NAME, NAME),
                                      boxes=[[1, *name_box.as_list()]], source="detected", status="masked"),
                "cccd": PersonalDatum(document_id=doc_id, page_no=1, kind="cccd", value=CCCD, normalized=CCCD,
                                      boxes=[[1, *_word_box(0, 8).as_list()]], source="detected", status="masked")}
        session.add_all(rows.values())
        session.flush()
        ctx.index.upsert(session, document_index_doc(doc))
        return doc_id, {k: r.id for k, r in rows.items()}


def test_reviewer_decides_what_the_public_sees(server: tuple[str, AppContext], browser: object) -> None:
    base, ctx = server
    doc_id, rows = _document(ctx)
    reviewer = Session(browser, base, "archivist")
    page = reviewer.page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))  # no script may fail on the way
    reviewer.go(f"/review/{doc_id}")
    panel = page.locator("#personal-data")
    assert panel.locator("[data-personal-id]").count() == 2
    assert NAME in panel.inner_text() and CCCD in panel.inner_text()
    page.wait_for_function(IMAGE_SHOWN)
    page.wait_for_function(OUTLINES)  # both values outlined on the page image, in their own colour
    assert page.locator(".pv-personal.masked").count() == 2
    page.click(f"[data-personal-locate='{rows['name']}']")
    assert page.locator(".pv-personal.active").count() == 1
    page.locator("#personal-data").scroll_into_view_if_needed()
    reviewer.shot("review-personal-data")  # docs/viewer.md

    # The name: the reviewer decides it stays readable.
    page.click(f"tr[data-personal-id='{rows['name']}'] .pd-decide button")
    page.wait_for_load_state("load")
    assert page.inner_text("main p.flash[role=status]") == f"Giá trị số {rows['name']} sẽ hiển thị khi công bố"
    assert page.get_attribute(f"tr[data-personal-id='{rows['name']}']", "data-personal-status") == "shown"
    page.wait_for_function(IMAGE_SHOWN)
    page.wait_for_function(OUTLINES)
    assert page.locator(".pv-personal.shown").count() == 1

    # The phone, missed by detection: masked by text (written in three words on the page).
    if not page.is_visible("#pd-text"):
        page.click("#personal-add summary")
    page.fill("#pd-text", PHONE)
    page.select_option("#pd-text-kind", "phone")
    page.fill("#pd-text-reason", "Số điện thoại của công dân")
    page.click("#pd-text-form button[type=submit]")
    page.wait_for_load_state("load")
    with ctx.db.session() as session:
        phone = session.scalars(select(PersonalDatum).where(PersonalDatum.kind == "phone")).one()
        assert phone.source == "reviewer" and phone.boxes == [
            [1, *_word_box(1, 2).union(_word_box(1, 4)).as_list()]]
    assert panel.locator("[data-personal-id]").count() == 3

    # A region drawn with the mouse on the page image fills the region form (scan pixels).
    page.wait_for_function(IMAGE_SHOWN)
    if not page.is_visible("#pd-draw"):
        page.click("#personal-add summary")
    page.click("#pd-draw")
    box = page.locator("#viewer-osd").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.45)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.55, steps=5)
    page.mouse.up()
    page.wait_for_function(DRAWN)
    x0, x1 = int(page.input_value("#pd-x0")), int(page.input_value("#pd-x1"))
    y0, y1 = int(page.input_value("#pd-y0")), int(page.input_value("#pd-y1"))
    assert 0 <= x0 < x1 <= 600 and 0 <= y0 < y1 <= 800
    assert page.evaluate("() => document.activeElement.id") == "pd-region-kind"  # the next field to fill
    page.select_option("#pd-region-kind", "name")
    page.fill("#pd-region-reason", "Chữ ký tay của công dân")
    page.click("#pd-region-form button[type=submit]")
    page.wait_for_load_state("load")
    with ctx.db.session() as session:
        region = session.scalars(select(PersonalDatum).where(PersonalDatum.source == "reviewer",
                                                             PersonalDatum.page_no == 1,
                                                             PersonalDatum.kind == "name")).one()
        assert region.boxes == [[1, x0, y0, x1, y1]]

    # From the keyboard: the draw button starts a region in the middle of the view, the arrows move it,
    # Shift+arrows resize it, Enter keeps it (and the form's next field takes the focus).
    page.wait_for_function(IMAGE_SHOWN)
    page.click("#personal-add summary")
    page.focus("#pd-draw")
    page.keyboard.press("Enter")
    page.wait_for_function(DRAWN)
    start = [int(page.input_value(f"#pd-{n}")) for n in ("x0", "y0", "x1", "y1")]
    assert start[2] > start[0] and start[3] > start[1]
    for key in ("ArrowRight", "ArrowRight", "Shift+ArrowDown"):
        page.keyboard.press(key)
    page.keyboard.press("Enter")
    assert [int(page.input_value(f"#pd-{n}")) for n in ("x0", "y0", "x1", "y1")] == [
        start[0] + 20, start[1], start[2] + 20, start[3] + 10]
    assert page.evaluate("() => document.activeElement.id") == "pd-region-kind"
    assert page.locator(".pv-drawing").count() == 1  # the region shows on the image

    # The public preview reads the name, never the CCCD or the phone.
    page.click("#pd-preview")
    page.wait_for_load_state("load")
    preview = page.inner_text("main")
    assert NAME in preview and CCCD not in preview and "0912" not in preview
    assert errors == []
    reviewer.close()

    # Approved and public: a citizen (no session) reads the portal record.
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        doc.state = "accepted"
    citizen = browser.new_page()  # type: ignore[attr-defined]
    citizen.goto(f"{base}/portal/documents/{doc_id}")
    text = citizen.inner_text("main")
    assert NAME in text
    assert CCCD not in text and "0912" not in text and "345 678" not in text
    assert "[đã che: số CCCD]" in text and "[đã che: số điện thoại]" in text
    citizen.close()


def test_the_filled_panel_and_the_preview_pass_axe(server: tuple[str, AppContext], browser: object) -> None:
    """The shared accessibility scan (test_axe.py) sees the panel empty; here it is filled, in both languages."""
    base, ctx = server
    doc_id, _rows = _document(ctx)
    context = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", "archivist")
    page.fill("#password", helpers.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    problems = []
    for lang in ("vi", "en"):
        page.goto(f"{base}/lang/{lang}")
        for url in (f"/review/{doc_id}", f"/review/{doc_id}/personal-data/preview"):
            page.goto(base + url)
            problems += [f"{url} ({lang}): {v['id']} {v['help']} {v['nodes']}" for v in _violations(page)]
    context.close()
    assert problems == []
