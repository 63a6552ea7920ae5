"""Masking text, fields and OCR words: known values wherever they occur, the rules as a safety net, the
reviewer's 'shown' values left alone, and a fingerprint that follows every decision."""

from __future__ import annotations

from sohoa.db.models import PersonalDatum
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.domain.personal import PersonalKind, mask_token
from sohoa.intelligence.personal import page_text
from sohoa.services.catalogue.personal_masking import KnownValue, Masking, masking_of_rows

EVERY = frozenset(PersonalKind)
CCCD = mask_token("cccd")
NAME = mask_token("name")


def _row(kind: str, value: str, normalized: str, *, status: str = "masked", restricted: bool = False,
         boxes: list[list[int]] | None = None) -> PersonalDatum:
    return PersonalDatum(document_id=1, kind=kind, value=value, normalized=normalized, status=status,
                         restricted=restricted, source="detected", boxes=boxes)


def test_known_values_are_masked_in_any_spelling() -> None:
    masking = Masking([KnownValue(PersonalKind.NAME, "nguyen van binh"),
                       KnownValue(PersonalKind.CCCD, "001190034567")])
    text = "Cấp cho ông NGUYỄN VĂN BÌNH, CCCD 001 190 034 567; bà Nguyễn Văn Bìnhh không liên quan."
    masked = masking.text(text)
    assert masked == f"Cấp cho ông {NAME}, CCCD {CCCD}; bà Nguyễn Văn Bìnhh không liên quan."
    assert masking.text("nguyen van binh") == NAME  # tone-less spelling too
    assert masking.text("số 1001190034567") == "số 1001190034567"  # never inside a longer number


def test_the_rules_are_a_safety_net_unless_a_reviewer_showed_the_value() -> None:
    text = "Liên hệ số điện thoại 0912 345 678, CCCD số 001185067890."
    net = Masking([], safety_kinds=EVERY)
    assert "0912" not in net.text(text) and "001185067890" not in net.text(text)
    shown = Masking([], safety_kinds=EVERY, shown=[("phone", "0912345678")])
    assert "0912 345 678" in shown.text(text) and "001185067890" not in shown.text(text)
    only_cccd = Masking([], safety_kinds={PersonalKind.CCCD})
    assert "0912 345 678" in only_cccd.text(text) and "001185067890" not in only_cccd.text(text)


def test_rows_follow_policy_status_and_restriction() -> None:
    rows = [_row("name", "Trần Thị Hoa", "tran thi hoa"),
            _row("phone", "0987 654 321", "0987654321", status="shown"),
            _row("cccd", "001185067890", "001185067890", restricted=True, boxes=[[2, 5, 6, 50, 20]])]
    text = "Bà Trần Thị Hoa, điện thoại 0987 654 321, CCCD 001185067890"
    public = masking_of_rows(rows, EVERY, restricted_only=False)
    assert public.text(text) == f"Bà {NAME}, điện thoại 0987 654 321, CCCD {CCCD}"
    names_free = masking_of_rows(rows, frozenset({PersonalKind.PHONE}), restricted_only=False)
    assert names_free.text(text) == f"Bà Trần Thị Hoa, điện thoại 0987 654 321, CCCD {CCCD}"  # restricted: always
    staff = masking_of_rows(rows, EVERY, restricted_only=True)
    assert staff.text(text) == f"Bà Trần Thị Hoa, điện thoại 0987 654 321, CCCD {CCCD}"
    assert staff.page_boxes(2) == [BBox(5, 6, 50, 20)] and staff.page_boxes(1) == []


def test_fingerprint_changes_with_each_decision() -> None:
    name = _row("name", "Trần Thị Hoa", "tran thi hoa")
    before = masking_of_rows([name], EVERY, restricted_only=False).fingerprint
    assert masking_of_rows([name], EVERY, restricted_only=False).fingerprint == before
    name.status = "shown"
    assert masking_of_rows([name], EVERY, restricted_only=False).fingerprint != before
    name.status = "masked"
    assert masking_of_rows([name], frozenset({PersonalKind.CCCD}), restricted_only=False).fingerprint != before


def test_fields_mask_strings_only() -> None:
    masking = Masking([KnownValue(PersonalKind.NAME, "le minh tuan")])
    fields = {"subject": "Về việc giao đất cho ông Lê Minh Tuấn", "page_amount": 2, "signer_full_name": None}
    assert masking.fields(fields) == {"subject": f"Về việc giao đất cho ông {NAME}", "page_amount": 2,
                                      "signer_full_name": None}


def _word(text: str, x: int, line: int) -> Word:
    return Word(text, BBox(x, 100 * line, x + 80, 100 * line + 30), 0.9, 0, line)


def test_ocr_words_of_a_masked_value_become_one_token_per_line() -> None:
    words = ("Cấp", "cho", "ông", "Lê", "Minh", "Tuấn", "CCCD", "001190034567")
    line_1 = [_word(w, 100 * i, 1) for i, w in enumerate(words)]
    page = OcrPage(1000, 1000, 200, (*line_1, _word("Tuấn", 0, 2), _word("ký", 100, 2)))
    assert page_text(page) == "Cấp cho ông Lê Minh Tuấn CCCD 001190034567\nTuấn ký"
    masking = Masking([KnownValue(PersonalKind.NAME, "le minh tuan")], safety_kinds=EVERY)
    masked = masking.ocr(page)
    assert [w.text for w in masked.words] == ["Cấp", "cho", "ông", NAME, "CCCD", CCCD, "Tuấn", "ký"]
    assert masked.words[3].bbox == BBox(300, 100, 580, 130)  # the union of 'Lê Minh Tuấn'
    assert Masking([]).ocr(page) == page


def test_a_page_text_given_apart_from_its_words_is_masked_with_them() -> None:
    page = OcrPage(1000, 1000, 200, (_word("CCCD", 0, 1), _word("001190034567", 100, 1)),
                   text_override="CCCD 001190034567")
    masked = Masking([], safety_kinds=EVERY).ocr(page)
    assert masked.text == f"CCCD {CCCD}" and [w.text for w in masked.words] == ["CCCD", CCCD]
    assert Masking([], safety_kinds=EVERY).ocr(OcrPage(10, 10, 200, (), text_override="số 0912 345 678")).text \
        == "số [đã che: số điện thoại]"


def test_a_given_name_alone_is_masked_where_a_title_calls_it_not_everywhere() -> None:
    masking = Masking([KnownValue(PersonalKind.NAME, "nam"), KnownValue(PersonalKind.NAME, "an")])
    token = mask_token(PersonalKind.NAME)
    text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nÔng Nam và anh An đến; phía nam giáp đường, ông\nNam ký."
    assert masking.text(text) == (f"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nÔng {token} và anh {token} đến; phía nam "
                                  f"giáp đường, ông\n{token} ký.")
