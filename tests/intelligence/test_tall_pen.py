"""A handwritten day written taller than the print and rising above it (the pen's digits stand up to twice as
tall as the printed line's): the blank read from the page reaches a line's height above and below the print,
so the whole digit is read; a digit the blank still cuts at its top or bottom is seen in part and not read."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from sohoa.domain.ocr import OcrPage
from sohoa.intelligence import extract_fields
from sohoa.intelligence import handwriting as hw
from sohoa.samples._hand import draw_digits

from ._date_line_page import BASE, PX, H, W, month_and_year, page_of, printed

PEN = (28, 48, 150)
DAYS = ("27", "17", "14", "21", "11", "24", "07", "12")


def _line(day: str, seed: int, tall: float) -> tuple[Image.Image, OcrPage]:
    """'Quảng Ngãi, ngày <pen day> tháng 02 năm 2025', the pen's digits ``tall`` times the print's size and
    standing on the baseline; OCR saw no word in the blank."""
    image = Image.new("RGB", (W, H), "white")
    draw = ImageDraw.Draw(image)
    words = [printed(draw, "Quảng", 1000), printed(draw, "Ngãi,", 1170), printed(draw, "ngày", 1310)]
    rng = np.random.default_rng(seed)
    height = round(PX * tall)
    right = draw_digits(draw, day, words[-1].bbox.x1 + 30, BASE, height, rng, PEN, max(3.0, height * 0.07))[2]
    month_and_year(draw, words, int(right) + 30)
    return page_of(image, words)


def test_a_pen_day_taller_than_the_print_is_read_whole() -> None:
    read = 0
    for seed, day in enumerate(DAYS):
        image, page = _line(day, seed, 1.6)
        dated = extract_fields([hw.read_fill_ins(image, page)]).values["issued_date"]
        assert dated.needs_review, (seed, day, dated)  # handwriting is always reviewed
        assert dated.value in (f"2025-02-{day}", None), (seed, day, dated)
        read += dated.value == f"2025-02-{day}"
    assert read >= 6, read


def test_a_pen_day_the_blank_cuts_is_not_read() -> None:
    """Digits three times the print's size rise past a line's height above it: seen in part, never read."""
    for seed, day in enumerate(DAYS[:4]):
        image, page = _line(day, seed, 3.2)
        dated = extract_fields([hw.read_fill_ins(image, page)]).values["issued_date"]
        assert dated.value is None or dated.value.endswith(f"-{day}"), (seed, day, dated)
        assert dated.needs_review, (seed, day, dated)


def test_a_reading_stays_in_the_printed_line() -> None:
    """The digits read from the tall blank are one word of the date line, as tall as its other words: a word
    reaching a line's height above and below would join the lines around it in the page's layout (the organ
    name above 'Số:' was read as part of the number line)."""
    for seed, day in enumerate(DAYS[:4]):
        image, page = _line(day, seed, 1.6)
        line = [w for w in page.words if 600 < w.bbox.y1 < 700]
        top, bottom = min(w.bbox.y0 for w in line), max(w.bbox.y1 for w in line)
        read = hw.read_fill_ins(image, page)
        new = [w for w in read.words if w not in page.words]
        assert new, (seed, day)
        assert all(top <= w.bbox.y0 and w.bbox.y1 <= bottom for w in new), (seed, day, new, top, bottom)
