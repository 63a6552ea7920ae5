"""Personal data on an OCR page: spans mapped to the words and boxes of the page."""

from __future__ import annotations

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.domain.personal import PersonalKind
from sohoa.intelligence.personal import detect_page, page_text


def _page(lines: list[str]) -> OcrPage:
    words = []
    for n, line in enumerate(lines):
        x = 100
        for text in line.split():
            width = 20 * len(text)
            words.append(Word(text, BBox(x, 100 + 60 * n, x + width, 140 + 60 * n), 0.95, block=1, line=n))
            x += width + 20
    return OcrPage(2480, 3508, 300, tuple(words))


def test_page_text_joins_words_and_lines() -> None:
    assert page_text(_page(["Họ và tên: A", "Số CCCD"])) == "Họ và tên: A\nSố CCCD"


def test_spans_map_to_their_words_and_boxes() -> None:
    ocr = _page(["Giao đất cho hộ ông Nguyễn Văn", "An, CCCD: 001065012345, điện thoại 0912 345 678."])
    found = {s.span.kind: s for s in detect_page(ocr)}
    name = found[PersonalKind.NAME]
    assert [ocr.words[i].text for i in name.words] == ["Nguyễn", "Văn", "An,"]
    assert name.span.text == "Nguyễn Văn\nAn"
    comma_word = ocr.words[name.words[-1]]
    assert name.boxes[-1].x0 == comma_word.bbox.x0 and name.boxes[-1].x1 < comma_word.bbox.x1  # "An" of "An,"
    phone = found[PersonalKind.PHONE]
    assert [ocr.words[i].text for i in phone.words] == ["0912", "345", "678."]
    assert phone.boxes[0] == ocr.words[phone.words[0]].bbox
    cccd = found[PersonalKind.CCCD]
    assert [ocr.words[i].text for i in cccd.words] == ["001065012345,"]
    assert len(cccd.boxes) == len(cccd.words)


def test_a_page_without_personal_data_has_no_spans() -> None:
    assert detect_page(_page(["Kế hoạch triển khai công tác số hóa", "năm 2025"])) == []
