"""Reading order: a two-column header read as one line becomes left column first, then right."""

from __future__ import annotations

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.pipeline.layout import reading_order


def _line(block: int, line: int, y: int, *parts: tuple[int, str]) -> list[Word]:
    words = []
    for x, text in parts:
        for n, token in enumerate(text.split()):
            words.append(Word(token, BBox(x + n * 90, y, x + n * 90 + 80, y + 40), 0.9, block, line))
    return words


def test_two_column_header_reads_left_then_right() -> None:
    words = [*_line(1, 1, 100, (100, "ỦY BAN"), (1300, "CỘNG HÒA")),
             *_line(1, 2, 150, (100, "Số: 12/UBND"), (1300, "Hà Nội, ngày")),
             *_line(2, 3, 300, (100, "QUYẾT ĐỊNH"))]
    page = reading_order(OcrPage(2480, 3508, 300, tuple(words)))
    assert page.text.split("\n") == ["ỦY BAN", "Số: 12/UBND", "", "CỘNG HÒA", "Hà Nội, ngày", "", "QUYẾT ĐỊNH"]


def test_single_column_text_is_unchanged() -> None:
    words = [*_line(1, 1, 100, (100, "Căn cứ Luật")), *_line(1, 2, 150, (100, "Điều 1. Ban hành"))]
    page = OcrPage(2480, 3508, 300, tuple(words))
    assert reading_order(page).text == page.text


def test_text_layer_pages_are_left_alone() -> None:
    words = _line(1, 1, 100, (100, "ỦY BAN"), (1300, "CỘNG HÒA"))
    page = OcrPage(2480, 3508, 300, tuple(words), source="pdf")
    assert reading_order(page) is page
