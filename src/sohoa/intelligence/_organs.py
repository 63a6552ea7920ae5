"""Organ names in the header: which upper-case lines start a new organ, and restoring lost tone marks."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from sohoa.domain.text import fold

from ._layout import Segment

__all__ = ["ORGAN_ABBREVIATIONS", "restore_header", "split_organs"]

# Leading words that open an organ name (folded). Lines starting otherwise ("THÀNH PHỐ HÀ NỘI",
# "TỈNH QUẢNG NGÃI", "VÀ ĐÀO TẠO") continue the organ above them.
_OPENERS = tuple(
    fold(w) + " "
    for w in (
        "ỦY BAN", "UBND", "HĐND", "HỘI ĐỒNG", "SỞ", "BỘ", "PHÒNG", "CỤC", "CHI CỤC", "TỔNG CỤC", "VỤ",
        "VIỆN", "TRUNG TÂM", "BAN", "VĂN PHÒNG", "TRƯỜNG", "BỆNH VIỆN", "CÔNG AN", "ĐẢNG BỘ", "ĐẢNG ỦY",
        "ĐẢNG ĐOÀN", "BAN CÁN SỰ", "THÀNH ỦY", "TỈNH ỦY", "HUYỆN ỦY", "QUẬN ỦY", "CHI BỘ", "CHÍNH PHỦ",
        "THỦ TƯỚNG", "QUỐC HỘI", "MẶT TRẬN", "HỘI", "ĐOÀN", "CÔNG TY", "TỔNG CÔNG TY", "TẬP ĐOÀN",
        "TÒA ÁN", "VIỆN KIỂM SÁT", "KIỂM TOÁN", "THANH TRA", "BẢO HIỂM", "NGÂN HÀNG", "KHO BẠC",
        "ĐẠI HỌC", "HỌC VIỆN", "LIÊN ĐOÀN", "BCH", "BAN CHẤP HÀNH", "CỤC THUẾ", "CHI CỤC THUẾ",
    )
)
_WHOLE = {fold(w) for w in ("CHÍNH PHỦ", "QUỐC HỘI", "THỦ TƯỚNG CHÍNH PHỦ", "THÀNH ỦY", "TỈNH ỦY")}

# Header phrases whose tone marks bold capitals lose in OCR ("UY BAN NHAN DAN" → "ỦY BAN NHÂN DÂN").
# Only phrases with one plausible reading are listed, so restoring them cannot change meaning.
_PHRASES = (
    "ỦY BAN NHÂN DÂN", "HỘI ĐỒNG NHÂN DÂN", "THÀNH PHỐ", "CHÍNH PHỦ", "THỦ TƯỚNG", "VĂN PHÒNG",
    "TRUNG TÂM", "CÔNG AN", "NỘI VỤ", "TÀI CHÍNH", "GIÁO DỤC VÀ ĐÀO TẠO", "Y TẾ", "TƯ PHÁP", "XÂY DỰNG",
    "KẾ HOẠCH VÀ ĐẦU TƯ", "CÔNG THƯƠNG", "NÔNG NGHIỆP", "PHÁT TRIỂN NÔNG THÔN", "TÀI NGUYÊN VÀ MÔI TRƯỜNG",
    "LAO ĐỘNG", "THƯƠNG BINH VÀ XÃ HỘI", "VĂN HÓA", "THỂ THAO", "DU LỊCH", "GIAO THÔNG VẬN TẢI",
    "THÔNG TIN VÀ TRUYỀN THÔNG", "KHOA HỌC VÀ CÔNG NGHỆ", "QUỐC PHÒNG", "NGOẠI GIAO", "QUỐC HỘI",
    "HÀ NỘI", "HỒ CHÍ MINH", "ĐÀ NẴNG", "QUẢNG NGÃI", "THỊ XÃ", "THỊ TRẤN", "PHƯỜNG", "HUYỆN", "QUẬN",
    "TỈNH", "SỞ", "BỘ", "CỤC", "CHI CỤC", "TỔNG CỤC", "PHÒNG", "ĐẢNG ỦY", "THÀNH ỦY", "TỈNH ỦY",
    "HUYỆN ỦY", "QUẬN ỦY", "ĐẢNG BỘ", "THUẾ", "HẢI QUAN", "BAN CHỈ ĐẠO", "BAN QUẢN LÝ",
)
_PHRASE_BY_FOLD = {fold(p): p.split() for p in _PHRASES}
_LONGEST = max(len(p.split()) for p in _PHRASES)

# Agency groups of a notation that name one organ, used when the header itself is cut off.
ORGAN_ABBREVIATIONS = {
    "CP": "CHÍNH PHỦ",
    "TTg": "THỦ TƯỚNG CHÍNH PHỦ",
    "QH": "QUỐC HỘI",
    "VPCP": "VĂN PHÒNG CHÍNH PHỦ",
    "BNV": "BỘ NỘI VỤ",
    "BTC": "BỘ TÀI CHÍNH",
    "BGDĐT": "BỘ GIÁO DỤC VÀ ĐÀO TẠO",
    "BYT": "BỘ Y TẾ",
    "BTP": "BỘ TƯ PHÁP",
    "BXD": "BỘ XÂY DỰNG",
    "BCT": "BỘ CÔNG THƯƠNG",
    "BCA": "BỘ CÔNG AN",
    "BQP": "BỘ QUỐC PHÒNG",
    "BNG": "BỘ NGOẠI GIAO",
}


def _opens(text: str) -> bool:
    """A lone word ("TRƯỜNG", "BAN") is the wrapped end of the line above, not a new organ."""
    folded = fold(text) + " "
    if folded.strip() in _WHOLE:
        return True
    return len(folded.split()) > 1 and folded.startswith(_OPENERS)


def split_organs(lines: Sequence[Segment]) -> list[list[Segment]]:
    """Group header lines (top to bottom) into organ names."""
    groups: list[list[Segment]] = []
    for line in lines:
        if not groups or _opens(line.text):
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


def _marks(word: str) -> int:
    return sum(1 for ch in unicodedata.normalize("NFD", word) if unicodedata.combining(ch))


def _lost_marks(printed: str, proper: str) -> bool:
    """Whether OCR only dropped marks: same letters, fewer marks ("UY" for "ỦY", never "BỒ" for "BỘ")."""
    return printed == proper or (fold(printed) == fold(proper) and _marks(printed) < _marks(proper))


def restore_header(text: str) -> str:
    """Upper-case header text with known phrases' tone marks restored; other words are left alone."""
    words = text.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(_LONGEST, len(words) - i), 0, -1):
            chunk = words[i : i + size]
            proper = _PHRASE_BY_FOLD.get(fold(" ".join(chunk)))
            pairs = zip(chunk, proper or (), strict=False)
            if proper and all(w.isupper() and _lost_marks(w, p) for w, p in pairs):
                out.extend(proper)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)
