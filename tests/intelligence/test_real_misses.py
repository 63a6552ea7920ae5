"""Printed-field misses seen on real scans (issue #12), on generated word layouts: a speck read as a letter
inside a trích yếu, the 'Về việc' formula glued or mis-marked, a sign read with a garbled glyph."""

from __future__ import annotations

from sohoa.domain.ocr import BBox, Word
from sohoa.intelligence import correct_page, extract_fields
from sohoa.intelligence._cleanup import drop_junk

from .pages import PageBuilder, first_page


def _word(text: str, x: int, height: int = 26, conf: float = 0.95) -> Word:
    return Word(text, BBox(x, 400, x + 20 * len(text), 400 + height), conf, 1, 1)


def test_a_flat_speck_read_as_a_letter_is_dropped_but_real_short_words_stay() -> None:
    line = [_word("quản", 0), _word("lý", 100), _word("của", 160), _word("c", 230, height=1, conf=0.6),
            _word("Bộ", 260), _word("ở", 320, height=14), _word("1", 360, height=20)]
    assert [w.text for w in drop_junk(line)] == ["quản", "lý", "của", "Bộ", "ở", "1"]
    assert [w.text for w in drop_junk(line[2:4])] == ["của", "c"]  # too few words to know the line's height


def test_a_speck_inside_the_subject_is_not_part_of_it() -> None:
    pb = first_page(subject=("Về việc công bố thủ tục hành chính thuộc phạm vi,",
                             "chức năng quản lý của Bộ Giáo dục và Đào tạo"))
    speck_at = next(w for w in pb.words if w.text == "Bộ").bbox
    pb.words.append(Word("c", BBox(speck_at.x0 - 30, speck_at.y1 - 2, speck_at.x0 - 25, speck_at.y1 - 1), 0.6,
                         *next((w.block, w.line) for w in pb.words if w.text == "Bộ")))
    pb.words.sort(key=lambda w: (w.block, w.line, w.bbox.x0))
    found = extract_fields([correct_page(pb.page())])
    assert found.get("subject") == ("Về việc công bố thủ tục hành chính thuộc phạm vi, chức năng quản lý "
                                    "của Bộ Giáo dục và Đào tạo")
    assert "subject" not in found.needing_review()


def test_the_subject_formula_glued_or_mis_marked_is_read_as_the_formula() -> None:
    for head in (",Vêviệc", "Vệ viêc"):
        page = first_page(subject=(f"{head} triển khai thực hiện nộp thuế điện tử",)).page()
        assert extract_fields([page]).get("subject") == "Về việc triển khai thực hiện nộp thuế điện tử"


def test_a_subject_opening_otherwise_is_left_as_read() -> None:
    page = first_page(subject=("Vê việc, triển khai thực hiện nộp thuế điện tử",)).page()
    assert extract_fields([page]).get("subject") == "Vê việc, triển khai thực hiện nộp thuế điện tử"


def _cong_van(sign: str, conf: float) -> PageBuilder:
    pb = PageBuilder(low={sign: conf})
    return first_page(organ=("UBND THÀNH PHỐ ĐÀ NẴNG", "SỞ GIÁO DỤC VÀ ĐÀO TẠO"), number=f"Số: 1906 {sign}",
                      date_line="Đà Nẵng, ngày 26 tháng 7 năm 2020", title=None, subject=(), builder=pb)


def test_a_sign_read_unsurely_with_a_garbled_glyph_goes_to_review() -> None:
    found = extract_fields([_cong_van("/§GDĐT-CTYTT", 0.32).page()])
    assert found.get("code_notation") == "SGDĐT-CTYTT"
    assert "code_notation" in found.needing_review()


def test_a_clean_or_surely_read_sign_is_not_flagged_for_it() -> None:
    for sign, conf in (("/SGDĐT-CTrTT", 0.32), ("/§GDĐT-CTrTT", 0.9)):
        found = extract_fields([_cong_van(sign, conf).page()])
        assert found.get("code_notation") == "SGDĐT-CTrTT"
        assert "code_notation" not in found.needing_review()


def test_a_vv_formula_read_unsurely_as_v_y_opens_the_cong_van_summary() -> None:
    pb = _cong_van("/SGDĐT-CTrTT", 0.9)
    pb.low["V/y"] = 0.0  # Tesseract's reading of 'V/v' on a small scan, at no confidence
    pb.left(440, "V/y khẩn trương thực hiện các biện pháp")
    pb.left(490, "phòng, chống dịch bệnh")
    found = extract_fields([correct_page(pb.page())])
    assert found.get("subject") == "V/v khẩn trương thực hiện các biện pháp phòng, chống dịch bệnh"
    assert found.get("type_name") == "Công văn" and "type_name" not in found.needing_review()


def test_a_lone_unsure_letter_pair_that_is_no_vv_is_still_junk() -> None:
    line = [_word("l/i", 0, conf=0.0), _word("khẩn", 100), _word("trương", 200)]
    assert [w.text for w in drop_junk(line)] == ["khẩn", "trương"]
