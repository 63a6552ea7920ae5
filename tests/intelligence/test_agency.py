"""The sign's organ group checked against the organ's initials (``intelligence._agency``): a photocopy
slip in 'QĐ-BGDĐT' is flagged (and mended towards the known abbreviation the organ spells); a sign that
agrees with its organ, or names a unit of it, is left alone."""

from __future__ import annotations

import pytest

from sohoa.intelligence import extract_fields
from sohoa.intelligence._agency import check_agency, initials
from sohoa.intelligence._hit import Hit

from .pages import first_page

MOET = ("BỘ GIÁO DỤC", "VÀ ĐÀO TẠO")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("BỘ GIÁO DỤC VÀ ĐÀO TẠO", "BGDĐT"),
        ("Ủy ban nhân dân tỉnh Quảng Ngãi", "UBNDTQN"),
        ("UBND TỈNH QUẢNG NGÃI", "UBNDTQN"),  # an abbreviation in the name is kept whole
        ("BỘ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI", "BLĐTBXH"),
        ("TP. HÀ NỘI", "TPHN"),
    ],
)
def test_initials_as_signs_write_them(name: str, expected: str) -> None:
    assert initials(name) == expected


def _check(notation: str, organ: str | None, parent: str | None = None) -> Hit:
    def hit(v: str | None) -> Hit | None:
        return Hit(v, (), 0.9, "organ") if v else None
    return check_agency(Hit(notation, (), 0.9, "notation.so_line"), hit(organ), hit(parent))


@pytest.mark.parametrize(
    ("read", "mended"),
    [("QĐ-BGDĐDT", "QĐ-BGDĐT"), ("QĐ-BGDIDT", "QĐ-BGDĐT"), ("QĐ-BGDDT", "QĐ-BGDĐT"),
     ("QĐ-BGDĐDT-VP", "QĐ-BGDĐT-VP")],
)
def test_a_slip_in_the_organ_group_is_flagged_and_mended(read: str, mended: str) -> None:
    found = _check(read, "BỘ GIÁO DỤC VÀ ĐÀO TẠO")
    assert found.value == mended and found.needs_review
    assert found.rule == "notation.so_line.agency_unlike_organ"


def test_a_letters_sign_is_judged_from_its_first_group() -> None:
    """A công văn's sign has no type group: 'SGDDT-CTrTT' under 'SỞ GIÁO DỤC VÀ ĐÀO TẠO' lost the Đ."""
    found = _check("SGDDT-CTrTT", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "UBND THÀNH PHỐ ĐÀ NẴNG")
    mended = "SGDĐT-CTrTT"
    assert found.value == mended and found.needs_review
    assert found.rule == "notation.so_line.agency_unlike_organ"


@pytest.mark.parametrize(
    ("notation", "organ", "parent"),
    [
        ("QĐ-BGDĐT", "BỘ GIÁO DỤC VÀ ĐÀO TẠO", None),
        ("QĐ-UBND", "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", None),
        ("QĐ-UBND", "ỦY BAN NHÂN", None),  # the organ read in part: its initials begin the group
        ("QĐ-TTg", "THỦ TƯỚNG CHÍNH PHỦ", None),  # a known abbreviation, not the initials
        ("2020/NĐ-CP", "CHÍNH PHỦ", None),
        ("CT-CS", "CỤC THUẾ", "BỘ TÀI CHÍNH"),  # the organ's group, then its unit's
        ("QĐ-KTHTĐT", "PHÒNG KINH TẾ, HẠ TẦNG VÀ ĐÔ THỊ", "UBND PHƯỜNG CẦU GIẤY"),  # 'Phòng' not written
        ("UBND-KGVX", "ỦY BAN NHÂN DÂN PHƯỜNG PHÚC ĐỒNG", None),
        ("SGDĐT-CTrTT", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "UBND THÀNH PHỐ ĐÀ NẴNG"),  # a letter's sign: no type group
        ("QĐ-XYZ", "BỘ GIÁO DỤC VÀ ĐÀO TẠO", None),  # unlike the organ, but no slip from it: not judged
        ("CV/TU", "TỈNH ỦY QUẢNG NGÃI", None),
        ("NQ-UBTVQH15", "ỦY BAN THƯỜNG VỤ QUỐC HỘI", None),
    ],
)
def test_a_sign_that_agrees_or_is_not_near_is_left_alone(notation: str, organ: str, parent: str | None) -> None:
    found = _check(notation, organ, parent)
    assert found.value == notation and not found.needs_review


def test_a_slip_towards_initials_no_sign_is_known_by_is_flagged_not_mended() -> None:
    found = _check("QĐ-SVHTTDD", "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH")  # SVHTTDL: not in the known list
    assert found.value == "QĐ-SVHTTDD" and found.needs_review


def test_without_an_organ_nothing_is_judged() -> None:
    assert not _check("QĐ-BGDĐDT", None).needs_review


def test_through_the_extractor_the_slipped_sign_goes_to_review() -> None:
    fields = extract_fields([first_page(organ=MOET, number="Số: 2827/QĐ-BGDĐDT",
                                        date_line="Hà Nội, ngày 14 tháng 10 năm 2025").page()])
    notation = fields.values["code_notation"]
    assert fields.get("organ_name") == "BỘ GIÁO DỤC VÀ ĐÀO TẠO"
    assert notation.value == "QĐ-BGDĐT" and notation.needs_review and notation.confidence <= 0.4
    clean = extract_fields([first_page(organ=MOET, number="Số: 2827/QĐ-BGDĐT",
                                       date_line="Hà Nội, ngày 14 tháng 10 năm 2025").page()])
    assert clean.get("code_notation") == "QĐ-BGDĐT" and not clean.values["code_notation"].needs_review
