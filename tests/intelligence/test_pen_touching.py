"""A handwritten day whose pen touches the first letter of the printed word after the blank ('04' run into
the 't' of 'tháng'): when that word's box fits its letters at the line's letter pitch, the ink at the blank's
edge is the pen meeting the word, so the day is read (flagged); a box wider than its letters may hide part
of the pen, and the touching value stays unread. Printed letters are never read as digits."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.intelligence import extract_fields
from sohoa.intelligence import handwriting as hw
from sohoa.intelligence._fill_slots import find_slots
from sohoa.intelligence._swallow import fits
from sohoa.samples._hand import draw_digits
from sohoa.samples._typeset import font

from ._date_line_page import BASE, PX, H, W, page_of, printed

PEN = (28, 48, 150)


def _ink_left(text: str) -> int:
    """The first column of ``text``'s ink drawn from x = 0 (italic letters lean past their box)."""
    scratch = Image.new("L", (600, 200), 255)
    ImageDraw.Draw(scratch).text((100, 150), text, font=font("italic", PX), fill=0, anchor="ls")
    return int(np.flatnonzero((np.asarray(scratch) < 128).any(axis=0)).min()) - 100


def _line(day: str, seed: int, wider: int = 0) -> tuple[Image.Image, OcrPage]:
    """'Quảng Ngãi, ngày <pen day> tháng 02 năm 2025' with the pen's last stroke touching the 't'; OCR saw
    no word in the blank, and drew 'tháng' ``wider`` pixels wider to the left than its ink."""
    image = Image.new("RGB", (W, H), "white")
    draw = ImageDraw.Draw(image)
    words = [printed(draw, "Quảng", 1000), printed(draw, "Ngãi,", 1170), printed(draw, "ngày", 1310)]
    rng = np.random.default_rng(seed)
    draw_digits(draw, day, words[-1].bbox.x1 + 24, BASE + 4, 62, rng, PEN, 4.0)
    rows = np.asarray(image)[BASE - 80:BASE + 20]
    pen = np.flatnonzero(((rows[..., 2].astype(int) - rows[..., 0]) > 40).any(axis=0))
    ink = int(pen.max()) - 1  # the 't' drawn over the pen's last column; OCR's box starts at its ink
    thang = printed(draw, "tháng", ink - _ink_left("tháng"))
    b = thang.bbox
    words.append(Word("tháng", BBox(ink - wider, b.y0, b.x1, b.y1), 0.95, 3, 3))
    x = thang.bbox.x1 + 22
    for text in ("02", "năm", "2025"):
        words.append(printed(draw, text, x))
        x = words[-1].bbox.x1 + 22
    return page_of(image, words)


DAYS = ("04", "15", "27", "23", "08", "12", "26", "30", "09", "18")


def test_a_pen_day_touching_thang_is_read() -> None:
    read = 0
    for seed, day in enumerate(DAYS):
        image, page = _line(day, seed)
        dated = extract_fields([hw.read_fill_ins(image, page)]).values["issued_date"]
        assert dated.needs_review, (seed, day, dated)  # handwriting is always reviewed
        want = f"2025-02-{day}"
        assert dated.value in (want, None), (seed, day, dated)  # never the 't' read as a digit
        read += dated.value == want
    assert read >= 7, read


def test_a_box_of_thang_wider_than_its_letters_leaves_the_touching_day_unread() -> None:
    """A 'tháng' box wider than its ink (by more than a letter, or swallowing more of the pen) may hold pen ink:
    ink at the blank's edge is then not read, as before."""
    for seed, day in enumerate(DAYS[:4]):
        for wider in (40, 60):
            _, page = _line(day, seed, wider=wider)
            slot = next(s for s in find_slots(page) if s.kind == "day")
            assert not slot.touch, (seed, day, wider, slot)
        _, page = _line(day, seed)
        assert next(s for s in find_slots(page) if s.kind == "day").touch, (seed, day)


def test_a_word_fits_its_letters_from_the_blank_edge() -> None:
    word = Word("tháng", BBox(1000, 0, 1150, 50), 0.9, 1, 1)  # 5 letters at 30 px
    assert fits(word, 0, 999, 30.0)
    assert fits(word, 0, 1024, 30.0)  # anchor letters run narrow: 126 px for 150 still fits
    assert not fits(word, 0, 980, 30.0)  # 170 px: two thirds of a letter the pen may hide in
    assert not fits(word, 0, 1040, 30.0)  # the edge inside the letters
    assert fits(Word("{tháng", BBox(960, 0, 1150, 50), 0.9, 1, 1), 1, 1000, 30.0)  # the glued '{' not counted
    assert not fits(word, 0, 999, 0.0)  # no pitch: nothing known
