"""A province's name in a trích yếu mended where OCR slipped one letter or mark of it (after 'tỉnh' or
'thành phố' only), and the 'Về việc' formula read however OCR marked it."""

from __future__ import annotations

import pytest

from sohoa.intelligence._body import _formula
from sohoa.intelligence._places import mend_places


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
