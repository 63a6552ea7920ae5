"""Handwritten and blank numbers and dates on real scans: flagged for review, never guessed."""

from __future__ import annotations

import pytest

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.intelligence import extract_fields
from sohoa.intelligence._fill_slots import find_slots

from .pages import PageBuilder, first_page


@pytest.mark.parametrize(
    ("line", "notation"),
    [
        ("Số: #4 /QĐĐ-UBND", "QĐ-UBND"),  # handwritten 84; the doubled Đ is repaired by the title
        ("Số: '†E /QĐ-UBND", "QĐ-UBND"),
        ("Số: 6§0 /QĐ-UBND", "QĐ-UBND"),
    ],
)
def test_handwriting_read_as_junk_is_flagged_and_the_notation_kept(line: str, notation: str) -> None:
    found = extract_fields([first_page(number=line).page()])
    assert found.values["code_number"].needs_review
    assert found.get("code_notation") == notation and found.get("type_name") == "Quyết định"


def test_junk_number_of_a_cong_van_still_gives_type_and_subject() -> None:
    pb = first_page(number="Số: '†E /UBND-KTTH", title=None)
    pb.left(560, "V/v tham gia ý kiến dự thảo")
    found = extract_fields([pb.page()])
    assert found.values["code_number"].needs_review
    assert found.get("type_name") == "Công văn" and found.get("subject") == "V/v tham gia ý kiến dự thảo"


def _number_line(number_height: int, sign_height: int, number: str = "44") -> OcrPage:
    words = (
        Word("Số:", BBox(300, 600, 390, 651), 0.97, 1, 1),
        Word(number, BBox(420, 596, 500, 596 + number_height), 0.91, 1, 1),
        Word("/CT-UBND", BBox(520, 602, 800, 602 + sign_height), 0.92, 1, 1),
        Word("CHỈ", BBox(1060, 1000, 1160, 1046), 0.95, 2, 2),
        Word("THỊ", BBox(1180, 1000, 1280, 1046), 0.95, 2, 2),
    )
    return OcrPage(2480, 3508, 300, words)


def test_handwritten_digits_standing_taller_than_the_printed_sign_are_flagged() -> None:
    found = extract_fields([_number_line(55, 41)])
    assert found.get("code_number") == "44" and found.values["code_number"].needs_review
    assert found.values["code_number"].rule == "number.handwritten"


def test_typed_digits_shorter_than_the_sign_are_trusted() -> None:
    """Negative: typed digits are cap height, the slash of '/CT-UBND' is taller."""
    found = extract_fields([_number_line(38, 50, "2676")])
    assert found.get("code_number") == "2676" and not found.values["code_number"].needs_review


@pytest.mark.parametrize(
    "line",
    [
        "Quảng Ngãi, tháng 02 năm 2025",  # 'ngày' and the handwritten day lost
        "Quảng Ngãi, ngày #5 tháng 1] năm 2024",  # handwritten day and month
        "Quảng Ngãi, ngày .... tháng 02 năm 2025",  # a blank left to fill
    ],
)
def test_unreadable_date_parts_are_flagged_not_guessed(line: str) -> None:
    found = extract_fields([first_page(date_line=line).page()])
    assert found.get("issued_date") is None and found.values["issued_date"].needs_review
    assert found.get("place") == "Quảng Ngãi"


@pytest.mark.parametrize(
    ("line", "iso"),
    [("Hà Nội, ngày 24_ tháng9 năm 2025", "2025-09-24"), ("Hà Nội, ngày 05... tháng 02 năm 2025", "2025-02-05")],
)
def test_typed_dates_with_fill_in_marks_are_read(line: str, iso: str) -> None:
    found = extract_fields([first_page(date_line=line).page()])
    assert found.get("issued_date") == iso and not found.values["issued_date"].needs_review


def test_number_and_sign_split_by_the_blank_for_handwriting_are_joined() -> None:
    """'Só:565      /TB-UBND': the blank left for the number is wider than a column gap."""
    pb = first_page(number="", title="THÔNG BÁO")
    pb.at(330, 470, "Só:565")
    pb.at(330 + 143 + 150, 470, "/TB-UBND")  # a gap of 3 word heights
    found = extract_fields([pb.page()])
    assert (found.get("code_number"), found.get("code_notation")) == ("565", "TB-UBND")
    assert "/TB" not in (found.get("organ_name") or "")


def test_a_small_s_label_cut_from_its_sign_by_a_lost_handwritten_number_keeps_the_blank() -> None:
    """'số:      /QĐ-UBND': OCR read the label with a small s and dropped the pen number between: the label
    and the sign are still one number line, so the blank between them is the number's slot."""
    pb = first_page(number="")
    pb.at(330, 470, "số:")
    pb.at(330 + 80 + 300, 470, "/QĐ-UBND")
    page = pb.page()
    assert [slot.kind for slot in find_slots(page)][:1] == ["number"]
    found = extract_fields([page]).values
    assert found["code_notation"].value == "QĐ-UBND"
    assert found["code_number"].value is None and found["code_number"].needs_review


@pytest.mark.parametrize(("line", "number"), [("Số: J5 l7 ni JCHQ-GSQL", None), ("Số: 38273 JCHQ-GSQL", "38273")])
def test_a_slash_read_as_j_and_a_number_in_three_pieces_keep_the_sign(line: str, number: str | None) -> None:
    """Vietnamese writes no J: 'JCHQ-GSQL' after a number is the sign with its slash misread; a pen number
    read in three pieces is unreadable (empty, flagged), a printed one read cleanly stays."""
    pb = first_page(number="")
    pb.at(330, 470, line)
    found = extract_fields([pb.page()]).values
    assert found["code_notation"].value == "CHQ-GSQL" and found["code_number"].value == number
    assert found["code_number"].needs_review == (number is None)


def test_a_motto_word_right_of_centre_is_not_part_of_the_organ() -> None:
    pb = first_page(organ=("ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI"))
    organ_line = [w for w in pb.words if w.text in ("ỦY", "BAN", "NHÂN", "DÂN") and w.bbox.y0 == 200]
    pb.words.append(Word("CỘNG", BBox(1300, 200, 1420, 246), 0.9, organ_line[0].block, organ_line[0].line))
    pb.words.sort(key=lambda w: (w.block, w.line, w.bbox.x0))
    found = extract_fields([pb.page()])
    assert found.get("organ_name") == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"


def test_place_cut_off_from_its_date_line_by_a_gap_is_joined() -> None:
    pb = first_page(date_line="")
    pb.at(1300, 380, "Quốc Oai,")
    pb.at(1300 + 220 + 150, 380, "ngày 11 tháng 7 năm 2016")
    found = extract_fields([pb.page()])
    assert (found.get("place"), found.get("issued_date")) == ("Quốc Oai", "2016-07-11")


def test_blank_for_the_handwritten_day_cuts_the_date_line_and_is_flagged() -> None:
    pb = first_page(date_line="")
    pb.at(1224, 380, "Quảng Ngãi,")
    pb.at(1726, 380, "tháng 02 năm 2025")
    found = extract_fields([pb.page()])
    assert found.get("place") == "Quảng Ngãi"
    assert found.get("issued_date") is None and found.values["issued_date"].needs_review


def test_motto_segment_is_never_part_of_the_organ() -> None:
    """'ỦY BAN NHÂN DÂN' and 'CỘNG HÒA …' split into segments: the motto adds nothing to the organ."""
    pb = PageBuilder()
    pb.at(432, 330, "ỦY BAN NHÂN DÂN")
    pb.at(1074, 330, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    pb.at(432, 396, "TỈNH QUẢNG NGÃI")
    pb.at(453, 514, "Số: 11/CT-UBND")
    found = extract_fields([pb.page()])
    assert found.get("organ_name") == "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI"


@pytest.mark.parametrize("split", [True, False])
def test_a_date_line_joined_to_the_number_lines_sign_is_found(split: bool) -> None:
    """'Số: 38162 /CHQ-GSQL Hà Nội, ngày 25 tháng 11 năm 2025' as one line (the gap between the columns narrower
    than the pen number's blank), or from the sign on when the blank cut the label off."""
    pb = first_page(number="", date_line="")
    if split:
        pb.at(330, 470, "Số: 38162")
        pb.at(780, 470, "/CHQ-GSQL Hà Nội, ngày 25 tháng 11 năm 2025")
    else:
        pb.at(330, 470, "Số: 38162 /CHQ-GSQL Hà Nội, ngày 25 tháng 11 năm 2025")
    found = extract_fields([pb.page()])
    assert (found.get("code_number"), found.get("code_notation")) == ("38162", "CHQ-GSQL")
    assert (found.get("issued_date"), found.get("place")) == ("2025-11-25", "Hà Nội")
