"""Vietnamese text rules: NFC, folding, tone placement, dates."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from sohoa.domain.text import canonical_text, fold, format_vn_date, nfc, normalize_tone_placement


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("hoà", "hòa"), ("Thuỷ", "Thủy"), ("hoá đơn", "hóa đơn"), ("khoẻ", "khỏe"), ("quốc", "quốc"),
     ("giữa", "giữa"), ("người", "người"), ("khoái", "khoái"), ("tuyển", "tuyển"), ("Hoàn Kiếm", "Hoàn Kiếm")],
)
def test_tone_placement_is_traditional(raw: str, expected: str) -> None:
    assert normalize_tone_placement(raw) == expected


def test_fold_removes_tones_and_d_stroke() -> None:
    assert fold("Ủy ban nhân dân Đồng Xuân") == "uy ban nhan dan dong xuan"
    assert fold("\u00d0ống Đa") == "dong da"  # OCR look-alike Ð


def test_nfc_from_decomposed_input() -> None:
    decomposed = unicodedata.normalize("NFD", "Quyết định")
    assert nfc(decomposed) == "Quyết định"
    assert canonical_text(unicodedata.normalize("NFD", "hoà giải")) == "hòa giải"


def test_vietnamese_date_line() -> None:
    assert format_vn_date(date(2025, 6, 5), "Hà Nội") == "Hà Nội, ngày 05 tháng 6 năm 2025"
    assert format_vn_date(date(2020, 1, 15)) == "ngày 15 tháng 01 năm 2020"


def test_edit_distance_and_cer() -> None:
    from sohoa.domain.metrics import cer, edit_distance

    assert edit_distance("Hà Nội", "Ha Noi") == 2
    assert edit_distance("", "abc") == 3 and edit_distance(["a", "b"], ["b"]) == 1
    assert edit_distance("kitten", "sitting") == 3
    decomposed = unicodedata.normalize("NFD", "Quyết  định")
    assert cer("Quyết định", decomposed) == 0.0
    assert cer("abcd", "abxd") == 0.25
