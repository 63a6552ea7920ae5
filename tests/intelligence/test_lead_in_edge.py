"""A pen number whose first digit runs left over the blank's edge: the lead-in of a Vietnamese '1' reaching
under the colon of 'Số:'. Seen whole a little further left, it is read (and flagged, as all handwriting); ink
that runs on far into the anchor stays a cut glyph, and the reading is refused."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.intelligence import extract_fields
from sohoa.intelligence import handwriting as hw
from sohoa.samples._hand import draw_digits

W, H = 2480, 3508
SO = BBox(300, 600, 390, 651)  # 'Số:'; the blank starts at its right edge
TOP, BASE = 590, 652


def _page(lead_from: int) -> tuple[Image.Image, OcrPage]:
    """'Số: 16/QĐ-UBND' with the '1' written as a lead-in from ``lead_from`` (x) up to a sharp peak, then
    its stem; the '6' by the sample pen."""
    image = Image.new("RGB", (W, H), "white")
    draw = ImageDraw.Draw(image)
    peak = 432
    height = BASE - TOP
    draw.line([(lead_from, TOP + 0.85 * height), (peak, TOP), (peak - 0.15 * height, TOP + 0.85 * height)],
              fill=(28, 48, 150), width=9)
    right = draw_digits(draw, "6", peak + 20, BASE, height, np.random.default_rng(3), (28, 48, 150), 6.0)[2]
    sign = BBox(int(right) + 30, 602, int(right) + 310, 650)
    words = (
        Word("ỦY", BBox(300, 400, 380, 446), 0.95, 1, 1), Word("BAN", BBox(400, 400, 500, 446), 0.95, 1, 1),
        Word("Số:", SO, 0.97, 2, 2), Word("416", BBox(lead_from, TOP, int(right) + 1, BASE), 0.9, 2, 2),
        Word("/QĐ-UBND", sign, 0.93, 2, 2),
        Word("QUYẾT", BBox(1000, 900, 1180, 950), 0.95, 4, 4), Word("ĐỊNH", BBox(1200, 900, 1340, 950), 0.95, 4, 4),
    )
    return image, OcrPage(W, H, 300, words, engine="tesseract")


def test_a_first_digit_running_a_little_past_the_edge_is_read_whole() -> None:
    image, page = _page(lead_from=382)  # 9 px left of the blank
    number = extract_fields([hw.read_fill_ins(image, page)]).values["code_number"]
    assert number.value == "16"
    assert number.needs_review


def test_ink_running_far_into_the_anchor_stays_cut_and_refused() -> None:
    image, page = _page(lead_from=320)  # further left than a printed digit's height: into 'Số'
    number = extract_fields([hw.read_fill_ins(image, page)]).values["code_number"]
    assert number.value != "16"
    assert number.needs_review
