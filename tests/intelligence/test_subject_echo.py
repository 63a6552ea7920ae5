"""A trích yếu read against its echo elsewhere on the page (``sohoa.intelligence._echo``): the body often
repeats the summary in another font, and where OCR slipped a mark on one copy the other tells."""

from __future__ import annotations

from sohoa.intelligence import extract_fields
from sohoa.intelligence._echo import echo_readings

from .pages import first_page

_FIELD = ["Về", "việc", "gia", "cố", "dê", "bao", "chống", "sạt", "lở"]


def _lines(*texts: str) -> list[list[str]]:
    return [t.split() for t in texts]


def test_a_reading_the_page_gives_more_often_between_the_same_neighbours_replaces_the_fields() -> None:
    context = _lines("Giao Ban quản lý gia cố đê bao trước mùa mưa,", "tiếp tục gia cố", "đê bao ven sông.")
    words, doubtful = echo_readings(_FIELD, context)  # the second echo runs over a line end
    assert " ".join(words) == "Về việc gia cố đê bao chống sạt lở"
    assert doubtful == []


def test_a_reading_the_page_gives_only_as_often_leaves_the_word_doubtful_and_unchanged() -> None:
    words, doubtful = echo_readings(_FIELD, _lines("Giao Ban quản lý gia cố đê bao trước mùa mưa."))
    assert words == _FIELD
    assert [words[i] for i in doubtful] == ["dê"]


def test_a_reading_the_page_gives_less_often_than_the_fields_own_is_noise_of_the_other_copy() -> None:
    context = _lines("gia cố dê bao ven sông", "gia cố dê bao,", "gia cố đê bao")  # OCR slipped the same way twice
    words, doubtful = echo_readings(_FIELD, context)
    assert words == _FIELD
    assert doubtful == []


def test_other_neighbours_other_letters_or_a_break_are_no_evidence() -> None:
    context = _lines("nuôi đê bao nhiêu", "gia cố đê, bao", "gia cố dò bao", "gia cố đê bao")
    words, doubtful = echo_readings(_FIELD, context)
    # only the last line is the same phrase: once, as often as the field's own reading
    assert words == _FIELD
    assert [words[i] for i in doubtful] == ["dê"]


def test_noise_in_the_other_copy_does_not_put_a_likely_reading_in_doubt() -> None:
    field = ["Về", "việc", "công", "bố", "thủ", "tục", "hành", "chính"]
    words, doubtful = echo_readings(field, _lines("công bô thủ tục", "công bô thủ tục"))
    assert words == field  # 'bô' after 'công' is far less likely than the field's 'bố'
    assert doubtful == []


def test_capitals_keep_their_case_when_respelt() -> None:
    field = ["GIA", "CỐ", "DÊ", "BAO"]
    words, _ = echo_readings(field, _lines("gia cố đê bao", "gia cố đê bao"))
    assert words == ["GIA", "CỐ", "ĐÊ", "BAO"]


def test_extract_reads_the_subject_against_the_body() -> None:
    subject = ("Về việc gia cố dê bao chống sạt lở",)
    body = ("Căn cứ Luật Đê điều ngày 29 tháng 11 năm 2006;", "Điều 1. Gia cố đê bao chống sạt lở tại các xã ven sông,",
            "trong đó ưu tiên gia cố đê bao ở các đoạn xung yếu.")
    found = extract_fields([first_page(subject=subject, body=body).page()])
    assert found.get("subject") == "Về việc gia cố đê bao chống sạt lở"
    assert "subject" not in found.needing_review()
    once = extract_fields([first_page(subject=subject, body=body[:2]).page()])
    assert once.get("subject") == "Về việc gia cố dê bao chống sạt lở"
    assert "subject" in once.needing_review()


def test_a_trich_yeu_whose_brackets_do_not_pair_up_is_doubted() -> None:
    """'… địa phương 02 cấp (đợt': OCR dropped '2)', the line's last word; the summary reads whole otherwise."""
    cut = extract_fields([first_page(subject=("Về việc xây dựng mô hình chính quyền 02 cấp (đợt",)).page()])
    assert cut.values["subject"].needs_review
    whole = extract_fields([first_page(subject=("Về việc xây dựng mô hình chính quyền 02 cấp (đợt 2)",)).page()])
    assert whole.get("subject") == "Về việc xây dựng mô hình chính quyền 02 cấp (đợt 2)"
    assert not whole.values["subject"].needs_review
