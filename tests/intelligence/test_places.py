"""A province's name in a trích yếu mended where OCR slipped one letter or mark of it (after 'tỉnh' or
'thành phố' only), 'thị trấn' and a 'Cửa' inside a sentence mended (and flagged), and the 'Về việc' formula
read however OCR marked it."""

from __future__ import annotations

import pytest

from sohoa.intelligence._body import _formula
from sohoa.intelligence._places import mend_marks, mend_places
from tests.intelligence.pages import first_page
from tests.intelligence.test_extract import fields_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("trên địa bàn tỉnh Quảng Noãi", "trên địa bàn tỉnh Quảng Ngãi"),
        ("trên địa bàn tình Quang Ngãi.", "trên địa bàn tỉnh Quảng Ngãi."),
        ("tại thành phố Đà Nẳng;", "tại thành phố Đà Nẵng;"),
        ("của UBND tỉnh Hà Tinh, năm 2025", "của UBND tỉnh Hà Tĩnh, năm 2025"),
        ("tỉnh Thừa Thiên Huê", "tỉnh Thừa Thiên Huế"),
        ("(tỉnh Bắc Ninh)", "(tỉnh Bắc Ninh)"),
    ],
)
def test_a_slipped_province_name_is_mended(text: str, expected: str) -> None:
    assert " ".join(mend_places(text.split())) == expected


@pytest.mark.parametrize(
    "text",
    [
        "huyện Bình Sơn tỉnh Quảng Ngãi",  # right as printed
        "tình hình Quảng Noãi",  # no 'tỉnh' or 'thành phố' before it: not judged
        "Phó Chủ tịch Hà Tinh",  # 'Phó' is no 'thành phố'
        "tỉnh Hà Nam",  # a province itself, though one letter from none other
        "tỉnh Quảng Bình và tỉnh Quảng Ninh",  # two provinces, each as printed
        "tỉnh quảng ngãi",  # not capitalised: not a name as printed
    ],
)
def test_other_words_are_left_alone(text: str) -> None:
    assert " ".join(mend_places(text.split())) == text


@pytest.mark.parametrize("head", ["Về việc", "Vê việc", ",Vêviệc", "và việc", "Và việc"])
def test_the_formula_is_read_however_ocr_marked_it(head: str) -> None:
    assert _formula(f"{head} công bố thủ tục hành chính") == "Về việc công bố thủ tục hành chính"


def test_a_subject_that_does_not_open_with_the_formula_is_kept() -> None:
    assert _formula("và công bố thủ tục") == "và công bố thủ tục"
    assert _formula("Vì việc công bố") == "Vì việc công bố"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("trên địa bàn thị trần Châu Ổ", "trên địa bàn thị trấn Châu Ổ"),
        ("Thị tràn La Hà, huyện Tư Nghĩa", "Thị trấn La Hà, huyện Tư Nghĩa"),
        ("sự cố tràn dầu của Của hàng xăng dầu Long Sơn", "sự cố tràn dầu của Cửa hàng xăng dầu Long Sơn"),
        ("tại Của khẩu quốc tế", "tại Cửa khẩu quốc tế"),
    ],
)
def test_a_mark_the_context_allows_one_way_is_mended_and_said(text: str, expected: str) -> None:
    words, mended = mend_marks(text.split())
    assert " ".join(words) == expected and mended


@pytest.mark.parametrize(
    "text",
    [
        "thị trấn Châu Ổ; thị trường bất động sản",  # right as printed; another word after 'thị'
        "Về việc tổ chức lễ kỷ niệm. Của cải vật chất",  # 'Của' opening a sentence
        "lời kêu gọi: “Của cải",
        "trận thi tranh tài",  # 'tran' after another word than 'thị'
        "Hội thi Trần Quốc Toản",  # 'thi', not 'thị'
        "bà Nguyễn Thị Trân",  # a name
    ],
)
def test_marks_the_context_allows_are_left_alone(text: str) -> None:
    assert mend_marks(text.split()) == (text.split(), False)


def test_a_mended_mark_sends_the_trich_yeu_to_review() -> None:
    found = fields_of(first_page(subject=("Về việc phê duyệt Kế hoạch ứng phó sự cố tràn dầu",
                                          "của Của hàng xăng dầu Long Sơn")))
    subject = found.values["subject"]
    assert subject.value == "Về việc phê duyệt Kế hoạch ứng phó sự cố tràn dầu của Cửa hàng xăng dầu Long Sơn"
    assert subject.needs_review
