"""An abbreviation in a trích yếu with one capital turned into its look-alike: mended towards the one known
abbreviation it is near (and flagged), kept and flagged when near two, left alone when known, short, a word,
or one letter from a known one by no look-alike slip (most unlisted abbreviations are)."""

from __future__ import annotations

import pytest

from sohoa.intelligence import _abbreviations as abbreviations
from sohoa.intelligence._abbreviations import mend_abbreviations

from .pages import first_page
from .test_extract import fields_of


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thực hiện 02 Chương trình MIQG: Phát triển", "thực hiện 02 Chương trình MTQG: Phát triển"),
        ("của Ủy ban MTIQ Việt Nam", "của Ủy ban MTTQ Việt Nam"),
        ("(UBNO tỉnh)", "(UBND tỉnh)"),
        ("thực hiện Nghị quyết số 66-NQ/LW,", "thực hiện Nghị quyết số 66-NQ/TW,"),  # a Party sign's issuer
        ("Kết luận số 15-KL/TX của Tỉnh ủy", "Kết luận số 15-KL/TX của Tỉnh ủy"),  # near TW, TU: kept, doubted
    ],
)
def test_a_slipped_abbreviation_is_mended_or_flagged(text: str, expected: str) -> None:
    words, doubtful = mend_abbreviations(text.split())
    assert " ".join(words) == expected and doubtful


@pytest.mark.parametrize(
    "text",
    [
        "Công ty TNHH MTV xăng dầu",  # known
        "KẾT LUẬN CỦA CHỦ TỊCH UBND TỈNH",  # words in capitals, not abbreviations
        "dự án BOT và PPP; thẻ BHYT",
        "Trường THPT Trần Quốc Tuấn; XYZW",  # an unknown group near none
        "mã QRX",  # three letters: too near too many to judge
        "đề nghị của STTTT và SGTVT",  # departments one letter from ministries (BTTTT, BGTVT)
        "chính sách thuế GTGT, thuế TNCN; Lưu: VT, KTTH",  # unlisted, one letter from ATGT, TKCN, KTXH
        "Nghị quyết số 66-NQ/TW, Chỉ thị 05-CT/TU, Thông báo 12-TB/VPTU và Quyết định 15/QĐ-UB",  # as issued
    ],
)
def test_other_capitals_are_left_alone(text: str) -> None:
    assert mend_abbreviations(text.split()) == (text.split(), False)


def test_a_slip_from_two_abbreviations_is_kept_and_flagged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(abbreviations, "SUBJECT_ABBREVIATIONS", frozenset({"ABCT", "ABCL"}))
    assert mend_abbreviations(["ABCI"]) == (["ABCI"], True)  # I from T's bar or L's foot: either
    assert mend_abbreviations(["ABCT"]) == (["ABCT"], False)


def test_a_mended_abbreviation_sends_the_trich_yeu_to_review() -> None:
    found = fields_of(first_page(subject=("Về việc triển khai Chương trình MIQG giảm nghèo bền vững",)))
    subject = found.values["subject"]
    assert subject.value == "Về việc triển khai Chương trình MTQG giảm nghèo bền vững" and subject.needs_review
