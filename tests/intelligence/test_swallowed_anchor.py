"""A handwritten day whose first digit OCR's box of 'ngày' swallowed (the box drawn over the pen's first
digit): the excess of the box over the line's letter width is read with the blank, never lost ('15' is
not '05'), and a box that fits its letters gives none of them to the day."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.intelligence import extract_fields
from sohoa.intelligence import handwriting as hw
from sohoa.samples._hand import draw_digits

from ._date_line_page import BASE, H, W, month_and_year, page_of, printed


def _line(day: str, seed: int, swallow: bool) -> tuple[Image.Image, OcrPage]:
    image = Image.new("RGB", (W, H), "white")
    draw = ImageDraw.Draw(image)
    words = [printed(draw, "Quảng", 1000), printed(draw, "Ngãi,", 1170), printed(draw, "ngày", 1310)]
    rng = np.random.default_rng(seed)
    x = words[-1].bbox.x1 + int(rng.integers(4, 10))  # the pen starts right after the last letter
    first = draw_digits(draw, day[0], x, BASE + 4, 62, rng, (28, 48, 150), 4.0)
    rest = draw_digits(draw, day[1:], first[2] + 6, BASE + 4, 62, rng, (28, 48, 150), 4.0) if day[1:] else None
    ngay = words[-1]
    if swallow:  # OCR's box of 'ngày' reaches over the first handwritten digit
        words[-1] = Word(ngay.text, BBox(ngay.bbox.x0, ngay.bbox.y0, int(first[2]) + 1, ngay.bbox.y1), 0.9, 3, 3)
    if rest is not None:
        words.append(Word(day[1:] if swallow else day, BBox(int(rest[0] if swallow else first[0]), int(rest[1]),
                                                            int(rest[2]) + 1, int(rest[3]) + 1), 0.6, 3, 3))
    month_and_year(draw, words, int((rest or first)[2]) + 60)
    return page_of(image, words)


def test_a_digit_inside_the_box_of_ngay_is_read_with_the_day() -> None:
    read = 0
    for seed, day in enumerate(("15", "12", "17", "14", "19", "13", "16", "18", "23", "5", "28")):
        image, page = _line(day, seed, swallow=True)
        dated = extract_fields([hw.read_fill_ins(image, page)]).values["issued_date"]
        assert dated.needs_review, (seed, day, dated)  # handwriting is always reviewed
        want = f"2025-02-{int(day):02d}"
        assert dated.value in (want, None), (seed, day, dated)  # never the day without its first digit
        read += dated.value == want
    assert read >= 8, read


def test_a_box_that_fits_its_letters_keeps_them_out_of_the_day() -> None:
    """'ngày' drawn to its letters: its 'y' is never read as a digit of the day after it."""
    for seed, day in enumerate(("5", "15", "23", "8")):
        image, page = _line(day, seed, swallow=False)
        dated = extract_fields([hw.read_fill_ins(image, page)]).values["issued_date"]
        assert dated.needs_review and dated.value in (f"2025-02-{int(day):02d}", None), (seed, day, dated)
