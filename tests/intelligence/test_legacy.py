"""Legacy TCVN3 (ABC) and VNI-Windows text → Unicode NFC."""

from __future__ import annotations

import unicodedata

import pytest

from sohoa.intelligence import decode_legacy, detect_legacy_encoding

CASES = [
    ("tcvn3", "Hµ Néi, ngµy 05 th¸ng 6 n¨m 2025", "Hà Nội, ngày 05 tháng 6 năm 2025"),
    ("tcvn3", "Uû ban nh©n d©n thµnh phè Hµ Néi", "Uỷ ban nhân dân thành phố Hà Nội"),
    ("tcvn3", "§éc lËp - Tù do - H¹nh phóc", "Độc lập - Tự do - Hạnh phúc"),
    (
        "tcvn3",
        "M\xadêng Kh\xad¬ng, ®¬n vÞ, quyÕt ®Þnh, ViÖt Nam",
        "Mường Khương, đơn vị, quyết định, Việt Nam",
    ),
    ("vni", "Haø Noäi, ngaøy 05 thaùng 6 naêm 2025", "Hà Nội, ngày 05 tháng 6 năm 2025"),
    ("vni", "UÛY BAN NHAÂN DAÂN THAØNH PHOÁ", "ỦY BAN NHÂN DÂN THÀNH PHỐ"),
    ("vni", "Ñoäc laäp - Töï do - Haïnh phuùc", "Độc lập - Tự do - Hạnh phúc"),
    (
        "vni",
        "Söï nghieäp, thöôøng xuyeân, quyeát ñònh, kyõ thuaät, chæ thò, ñöôïc",
        "Sự nghiệp, thường xuyên, quyết định, kỹ thuật, chỉ thị, được",
    ),
    ("vni", "Ñaëc bieät, aên, Taân, laép ñaët", "Đặc biệt, ăn, Tân, lắp đặt"),
]


@pytest.mark.parametrize(("encoding", "legacy", "unicode"), CASES)
def test_decode_and_detect(encoding: str, legacy: str, unicode: str) -> None:
    decoded = decode_legacy(legacy, encoding)
    assert decoded == unicode
    assert unicodedata.is_normalized("NFC", decoded)
    assert detect_legacy_encoding(legacy) == encoding


@pytest.mark.parametrize(
    "text",
    [
        "Hà Nội, ngày 05 tháng 6 năm 2025",
        "Le café est très bon à Paris, où je suis né.",
        "Số: 12/QĐ-UBND",
        "",
    ],
)
def test_unicode_and_foreign_text_are_not_legacy(text: str) -> None:
    assert detect_legacy_encoding(text) is None


def test_unknown_encoding_is_refused() -> None:
    with pytest.raises(ValueError):
        decode_legacy("abc", "viscii")
