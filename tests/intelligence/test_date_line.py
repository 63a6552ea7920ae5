"""The date line read again on its own when the page OCR lost its 'ngày … tháng' (a handwritten day)."""

from __future__ import annotations

import numpy as np

from sohoa.domain.ocr import BBox, Word
from sohoa.intelligence import extract_fields
from sohoa.intelligence.date_line import read_date_line, split_glued_anchors
from sohoa.intelligence.number_line import read_number_line

from .pages import HEIGHT, WIDTH, PageBuilder, first_page
from .test_signer_titles import BandEngine

WHITE = np.full((HEIGHT, WIDTH), 255, dtype=np.uint8)


def _lost_ngay_thang() -> PageBuilder:
    """'Quảng Ngãi,' and '01 năm 2025' kept, the words between dropped as junk by the correction."""
    pb = first_page(date_line="Quảng Ngãi, ngày 20 tháng 01 năm 2025")
    pb.words = [w for w in pb.words if w.text not in ("ngày", "20", "tháng")]
    return pb


def test_a_date_line_without_its_anchors_is_read_again_and_flagged_until_its_day_is_read() -> None:
    page = _lost_ngay_thang().page()
    found = extract_fields([page])
    assert found.get("issued_date") is None and "issued_date" in found.needing_review()
    engine = BandEngine(("Quảng", "Ngãi,", "ngàytháng", "01", "năm", "2025"), conf=0.9)
    again = read_date_line(WHITE, 300, page, engine)
    assert len(engine.calls) == 1
    texts = [w.text for w in again.words]
    assert texts[-7:] == ["Quảng", "Ngãi,", "ngày", "tháng", "01", "năm", "2025"]  # glued anchors cut apart
    assert texts.count("2025") == 1  # the band's old words were replaced, not doubled
    found = extract_fields([again])
    assert found.get("issued_date") is None and "issued_date" in found.needing_review()  # the day unread


def test_a_date_line_read_again_whole_gives_its_date() -> None:
    engine = BandEngine(("Quảng", "Ngãi,", "ngày", "20", "tháng", "01", "năm", "2025"))
    found = extract_fields([read_date_line(WHITE, 300, _lost_ngay_thang().page(), engine)])
    assert found.get("issued_date") == "2025-01-20"


def test_a_parsing_date_line_is_not_read_again() -> None:
    engine = BandEngine(("Quảng", "Ngãi,", "ngày", "21", "tháng", "01", "năm", "2025"))
    page = first_page().page()
    assert read_date_line(WHITE, 300, page, engine) == page and not engine.calls


def test_a_second_reading_that_is_no_date_line_changes_nothing() -> None:
    page = _lost_ngay_thang().page()
    engine = BandEngine(("Quảng", "Ngãi,", "01", "năm", "2025"))
    assert read_date_line(WHITE, 300, page, engine) == page and len(engine.calls) == 1


def test_glued_anchors_are_cut_at_the_line_pitch_leaving_the_blank_between() -> None:
    words = [Word("Quảng", BBox(0, 0, 150, 50), 0.9, 1, 1), Word("ngàytháng", BBox(200, 0, 500, 50), 0.0, 1, 1),
             Word("năm", BBox(520, 0, 610, 50), 0.9, 1, 1)]
    cut = split_glued_anchors(words)
    assert [w.text for w in cut] == ["Quảng", "ngày", "tháng", "năm"]
    ngay, thang = cut[1].bbox, cut[2].bbox
    assert ngay.x0 == 200 and thang.x1 == 500 and ngay.x1 < thang.x0  # a blank is left for the day
    assert split_glued_anchors(words[:1]) == words[:1]


def test_a_body_line_ending_in_a_year_is_not_read_again() -> None:
    pb = PageBuilder()
    pb.body(400, "Căn cứ Luật Tổ chức chính quyền địa phương được sửa đổi bổ sung năm 2025")
    engine = BandEngine(("Quảng", "Ngãi,", "ngày", "20", "tháng", "01", "năm", "2025"))
    page = pb.page()
    assert read_date_line(WHITE, 300, page, engine) == page and not engine.calls


def test_a_pen_garble_glued_to_thang_is_dropped_and_printed_digits_kept() -> None:
    line = [Word("Quảng", BBox(0, 0, 150, 50), 0.9, 1, 1), Word("ngày", BBox(170, 0, 290, 50), 0.9, 1, 1),
            Word("4ÿtháng", BBox(300, 0, 500, 50), 0.06, 1, 1), Word("năm", BBox(520, 0, 610, 50), 0.9, 1, 1)]
    cut = split_glued_anchors(line)
    assert [w.text for w in cut] == ["Quảng", "ngày", "tháng", "năm"]
    assert cut[2].bbox.x1 == 500 and cut[2].bbox.x0 > 360  # the pen's part of the box is left blank
    printed = split_glued_anchors([*line[:2], Word("26tháng", BBox(300, 0, 500, 50), 0.7, 1, 1), line[3]])
    assert [w.text for w in printed] == ["Quảng", "ngày", "26", "tháng", "năm"]
    assert printed[2].bbox.x1 == printed[3].bbox.x0


def test_a_header_line_read_as_junk_is_read_again_for_its_number_and_date() -> None:
    """'Số: 38273 /CHQ-GSQL  Hà Nội, ngày 25 tháng 11 năm 2025' with the number and day by hand, read by the
    page OCR as 'SH 20013 (CHUCGOL  HONGI ngài 29 Lang 1? non 207P' (Tesseract misjudged the whole line): no
    label and no 'năm <year>' to start from, but a header line of junk on each side is read again alone."""
    junk = ("SH 20013 (CHUCGOL", "HONGI ngài 29 Lang 1? non 207P")
    pb = first_page(number=junk[0], date_line=junk[1],
                    builder=PageBuilder(low=dict.fromkeys(" ".join(junk).split(), 0.3)))
    page = pb.page()
    found = extract_fields([page])
    assert found.get("issued_date") is None and found.get("code_notation") is None
    page = read_number_line(WHITE, 300, page, BandEngine(("Số:", "38273", "/CHQ-GSQL"), conf=0.9))
    page = read_date_line(WHITE, 300, page, BandEngine(("Hà", "Nội,", "ngày", "25", "tháng", "11", "năm", "2025")))
    found = extract_fields([page])
    assert (found.get("code_notation"), found.get("issued_date"), found.get("place")) == (
        "CHQ-GSQL", "2025-11-25", "Hà Nội")


def test_header_lines_read_cleanly_are_not_read_again() -> None:
    page = first_page(number="Số: 38273/CHQ-GSQL", date_line="Hà Nội, ngày 25 tháng 11 năm 2025").page()
    engine = BandEngine(("Số:", "1/CHQ-GSQL"))
    assert read_number_line(WHITE, 300, page, engine) == page and read_date_line(WHITE, 300, page, engine) == page
    assert not engine.calls
