"""Red secrecy/urgency stamps: found by shape and colour, read on their own, added once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.engines.tesseract import TesseractEngine
from sohoa.intelligence import extract_fields
from sohoa.intelligence.stamps import find_stamp_boxes, read_stamps

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"
RED = (200, 30, 35)


def _page(stamp: str | None = "HỎA TỐC", seal: bool = True) -> np.ndarray:
    """An A4 page at 300 dpi: a black header line, a red framed stamp under it, a round red seal."""
    image = Image.new("RGB", (2480, 3508), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 54)
    draw.text((300, 300), "Số: 15/QĐ-UBND", font=font, fill=(0, 0, 0))
    draw.rectangle((1200, 300, 1700, 400), outline=(0, 0, 0), width=3)  # a black frame is no stamp
    if stamp:
        draw.rectangle((330, 420, 780, 515), outline=RED, width=4)
        draw.text((555, 468), stamp, font=font, fill=RED, anchor="mm")
    if seal:
        draw.ellipse((1500, 2600, 1900, 3000), outline=RED, width=8)
        draw.text((1700, 2800), "ỦY BAN", font=font, fill=RED, anchor="mm")
    return np.asarray(image)


@dataclass
class FakeEngine:
    """Returns fixed words (in the crop's pixels) and records the crops it was given."""

    words: tuple[tuple[str, float], ...] = (("HỎA", 0.92), ("TỐC", 0.9))
    seen: list[tuple[int, int]] = field(default_factory=list)
    name: str = "fake"

    def recognize(self, image: Any, dpi: int) -> OcrPage:
        height, width = np.asarray(image).shape[:2]
        self.seen.append((width, height))
        out = tuple(Word(t, BBox(40 + 150 * i, 30, 170 + 150 * i, 80), c, 1, 1) for i, (t, c) in enumerate(self.words))
        return OcrPage(width, height, dpi, out)


def _header_page() -> OcrPage:
    words = (
        Word("Số:", BBox(300, 300, 400, 360), 0.95, 1, 1),
        Word("15/QĐ-UBND", BBox(410, 300, 800, 360), 0.95, 1, 1),
        Word("QUYẾT", BBox(1000, 700, 1200, 760), 0.95, 2, 2),
        Word("ĐỊNH", BBox(1210, 700, 1400, 760), 0.95, 2, 2),
    )
    return OcrPage(2480, 3508, 300, words)


def test_only_red_frames_of_stamp_shape_are_found() -> None:
    boxes = find_stamp_boxes(_page(), 300)
    assert len(boxes) == 1
    x0, y0, x1, y1 = boxes[0]
    assert abs(x0 - 330) < 12 and abs(y0 - 420) < 12 and abs(x1 - 780) < 12 and abs(y1 - 515) < 12
    # Negatives: a round seal alone, a grey page, a page without red.
    assert find_stamp_boxes(_page(stamp=None), 300) == []
    assert find_stamp_boxes(np.asarray(Image.fromarray(_page()).convert("L")), 300) == []


def test_stamp_words_join_the_page_in_master_pixels_before_the_lines_below() -> None:
    engine = FakeEngine()
    page = read_stamps(_page(), 300, _header_page(), engine)
    assert page.text.split("\n") == ["Số: 15/QĐ-UBND", "", "HỎA TỐC", "", "QUYẾT ĐỊNH"]
    stamp = [w for w in page.words if w.text in ("HỎA", "TỐC")]
    assert all(w.bbox.x0 >= 330 and w.bbox.x1 <= 780 and 420 <= w.bbox.y0 <= 515 for w in stamp)
    assert extract_fields([page]).get("urgency") == "Hỏa tốc"
    assert len(engine.seen) == 1  # the frame only, not the seal


def test_stamps_already_read_or_unsure_are_not_added() -> None:
    already = OcrPage(2480, 3508, 300, (*_header_page().words, Word("KHẨN", BBox(450, 440, 650, 500), 0.9, 3, 3)))
    assert read_stamps(_page(), 300, already, FakeEngine()) == already
    unsure = read_stamps(_page(), 300, _header_page(), FakeEngine(words=(("~~", 0.2),)))
    assert unsure == _header_page()
    grey = np.asarray(Image.fromarray(_page()).convert("L"))
    assert read_stamps(grey, 300, _header_page(), FakeEngine()) == _header_page()


@pytest.mark.tesseract
def test_tesseract_reads_the_red_stamp() -> None:
    page = read_stamps(_page(stamp="TUYỆT MẬT"), 300, _header_page(), TesseractEngine())
    assert "TUYỆT MẬT" in page.text.split("\n")
