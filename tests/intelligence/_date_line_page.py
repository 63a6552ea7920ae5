"""A rendered date line 'Quảng Ngãi, ngày … tháng 02 năm 2025' on an A4 page at 300 dpi, for the tests of pen days."""

from __future__ import annotations

from PIL import Image, ImageDraw

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.samples._typeset import font

W, H = 2480, 3508
BASE = 648  # the date line's baseline
PX = 54


def printed(draw: ImageDraw.ImageDraw, text: str, x: int) -> Word:
    """``text`` printed in italics on the date line from ``x``, with OCR's box of its ink."""
    draw.text((x, BASE), text, font=font("italic", PX), fill=(0, 0, 0), anchor="ls")
    x0, y0, x1, y1 = draw.textbbox((x, BASE), text, font=font("italic", PX), anchor="ls")
    return Word(text, BBox(int(x0), int(y0), int(x1) + 1, int(y1) + 1), 0.95, 3, 3)


def month_and_year(draw: ImageDraw.ImageDraw, words: list[Word], x: int) -> None:
    """'tháng 02 năm 2025' printed from ``x`` after the day, appended to ``words``."""
    for text in ("tháng", "02", "năm", "2025"):
        words.append(printed(draw, text, x))
        x = words[-1].bbox.x1 + 22


def page_of(image: Image.Image, line: list[Word]) -> tuple[Image.Image, OcrPage]:
    """The page OCR would give: a header, the date line's words and a title."""
    header = [Word("ỦY", BBox(300, 400, 380, 446), 0.95, 1, 1), Word("BAN", BBox(400, 400, 500, 446), 0.95, 1, 1)]
    title = [Word("QUYẾT", BBox(1000, 900, 1180, 950), 0.95, 4, 4),
             Word("ĐỊNH", BBox(1200, 900, 1340, 950), 0.95, 4, 4)]
    return image, OcrPage(W, H, 300, (*header, *line, *title), engine="tesseract")
