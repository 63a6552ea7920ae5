"""Is an organ name as read one that Vietnamese bodies bear? A check of its structure and words.

State bodies are named by a small grammar (NĐ 30/2020, Phụ lục I; the organisation laws): a whole name
("CHÍNH PHỦ", "QUỐC HỘI"); a territorial body followed by its unit ("ỦY BAN NHÂN DÂN" + "TỈNH QUẢNG NGÃI",
"CÔNG AN" + "TP ĐÀ NẴNG"); a specialised body followed by its field ("SỞ" + "GIÁO DỤC VÀ ĐÀO TẠO", "PHÒNG" +
"TÀI CHÍNH - KẾ HOẠCH", "BỘ" + "Y TẾ"), perhaps followed by its unit; or a body with a proper name ("TRƯỜNG",
"CÔNG TY", "BỆNH VIỆN" + any name). A name read with a word lost, a neighbouring line swallowed ("… S6: 463Y
SGDDT"), a tone mark wrong or garbled letters does not parse, and the organ is sent to review instead of being
reported with the confidence of a clean reading. Names are compared upper case with their tone marks.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sohoa.domain.text import canonical_text

from .personal._gazetteer import is_place
from .syllables import is_valid_syllable

__all__ = ["organ_name_known"]


def _upper(phrases: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(canonical_text(p).upper().split()) for p in phrases.split(",") if p.strip())


_WHOLE = _upper(
    "chính phủ, quốc hội, thủ tướng chính phủ, chủ tịch nước, văn phòng chính phủ, văn phòng quốc hội, "
    "văn phòng chủ tịch nước, ủy ban thường vụ quốc hội, tòa án nhân dân tối cao, viện kiểm sát nhân dân tối cao, "
    "kiểm toán nhà nước, ngân hàng nhà nước việt nam, bảo hiểm xã hội việt nam, kho bạc nhà nước, "
    "thanh tra chính phủ, ban chấp hành trung ương, bộ chính trị, ban bí thư, thành ủy, tỉnh ủy, huyện ủy, "
    "quận ủy, thị ủy, đảng ủy"
)
# Bodies of a territory: the unit follows ("ỦY BAN NHÂN DÂN" / "THÀNH PHỐ ĐÀ NẴNG").
_TERRITORIAL = _upper(
    "ủy ban nhân dân, ubnd, hội đồng nhân dân, hđnd, công an, tòa án nhân dân, viện kiểm sát nhân dân, "
    "thành ủy, tỉnh ủy, huyện ủy, quận ủy, thị ủy, đảng ủy, đảng bộ, ban chỉ huy quân sự, bộ chỉ huy quân sự, "
    "ủy ban mặt trận tổ quốc việt nam, đoàn đại biểu quốc hội, kho bạc nhà nước, cục thuế, chi cục thuế, "
    "bảo hiểm xã hội, thanh tra, liên đoàn lao động, hội liên hiệp phụ nữ, hội nông dân, hội cựu chiến binh, "
    "văn phòng ủy ban nhân dân, văn phòng ubnd, văn phòng hội đồng nhân dân, văn phòng hđnd"
)
# Specialised bodies: one or more fields follow, then perhaps the unit ("CỤC THUẾ" is territorial above).
_SPECIALISED = _upper(
    "sở, bộ, phòng, cục, tổng cục, chi cục, vụ, ban, văn phòng, thanh tra, ủy ban, trung tâm, ban quản lý"
)
# Bodies with a proper name: any well-formed words follow.
_NAMED = _upper(
    "trường, bệnh viện, công ty, tổng công ty, tập đoàn, hội, hiệp hội, liên hiệp, đại học, học viện, viện, "
    "trung tâm, ban quản lý, ban chỉ đạo, chi bộ, đoàn, ngân hàng, quỹ, nhà xuất bản, báo, đài, hợp tác xã"
)
# Fields of specialised bodies (ministries, departments, offices, police and party units).
_FIELDS = _upper(
    "giáo dục, đào tạo, giáo dục đào tạo, gd&đt, y tế, tài chính, nội vụ, tư pháp, xây dựng, kế hoạch, đầu tư, "
    "công thương, nông nghiệp, phát triển nông thôn, tài nguyên, môi trường, lao động, thương binh, xã hội, "
    "văn hóa, thể thao, du lịch, giao thông, vận tải, giao thông vận tải, thông tin, truyền thông, khoa học, "
    "công nghệ, quốc phòng, ngoại giao, ngoại vụ, công an, dân tộc, tôn giáo, thanh tra, kinh tế, hạ tầng, "
    "đô thị, quản lý đô thị, an ninh, chính trị, nội bộ, an ninh chính trị nội bộ, tổ chức, cán bộ, "
    "tổ chức cán bộ, hành chính, tổng hợp, pháp chế, kiểm tra, giám sát, tuyên giáo, dân vận, tiếp công dân, "
    "cảnh sát, điều tra, quản lý, trật tự, an toàn, thuế, hải quan, kho bạc, ngân sách, thống kê, bảo hiểm, "
    "nhà nước, hđnd, ubnd, hội đồng nhân dân, ủy ban nhân dân, đoàn đại biểu quốc hội, chính phủ, quốc hội, "
    "giáo dục nghề nghiệp, giáo dục thường xuyên, giáo dục trung học, giáo dục tiểu học, giáo dục mầm non, "
    "chính trị tư tưởng, công tác học sinh sinh viên, khảo thí, kiểm định chất lượng, quản lý chất lượng, "
    "hợp tác quốc tế, quan hệ quốc tế, thi đua, khen thưởng, thi đua khen thưởng, văn thư, lưu trữ, "
    "phòng cháy, chữa cháy, cứu nạn, cứu hộ, xuất nhập cảnh, quản lý hành chính, đất đai, xây dựng cơ bản, "
    "kiểm lâm, thủy lợi, thủy sản, chăn nuôi, thú y, trồng trọt, bảo vệ thực vật, quy hoạch, kiến trúc, "
    "phát triển, công tác, đảng, quản lý thị trường, dân số, kế hoạch hóa gia đình, an toàn thực phẩm, "
    "người có công, trẻ em, bình đẳng giới, gia đình, việc làm, tiền lương, học sinh, sinh viên"
)
_UNITS = _upper("tỉnh, thành phố, tp, huyện, quận, thị xã, tx, xã, phường, thị trấn, đặc khu")
_CONNECTORS = {"VÀ", "-", "–", ","}
_ABBREVIATION = re.compile(r"^[A-ZĐ][A-ZĐ&.]{1,7}$")


def _words(name: str) -> list[str]:
    spaced = re.sub(r"\s*([,–-])\s*", r" \1 ", canonical_text(name).upper())
    return [w.strip(".;:") or w for w in spaced.split() if w.strip(".;:")]


def _starts(words: list[str], at: int, phrases: tuple[tuple[str, ...], ...]) -> list[int]:
    """Ends of the phrases that start at ``at``, longest first."""
    ends = [at + len(p) for p in phrases if tuple(words[at : at + len(p)]) == p]
    return sorted(ends, reverse=True)


def _place(words: list[str], unit: tuple[str, ...]) -> bool:
    """A place name after its unit: well-formed capitalised syllables; a province must be a known one."""
    if not 1 <= len(words) <= 4 or not all(is_valid_syllable(w) for w in words):
        return False
    return unit != ("TỈNH",) or is_place(" ".join(words))


def _units(words: list[str], at: int) -> bool:
    """From ``at`` to the end: one or more units with their places ('HUYỆN BÌNH SƠN TỈNH QUẢNG NGÃI')."""
    if at == len(words):
        return False
    for end in _starts(words, at, _UNITS):
        unit = tuple(words[at:end])
        for stop in range(len(words), end, -1):
            if _place(words[end:stop], unit) and (stop == len(words) or _units(words, stop)):
                return True
    return False


@lru_cache(maxsize=4096)
def _fields_then_units(key: str) -> bool:
    words = key.split()
    return _fields(words, 0, connector_ok=False)


def _fields(words: list[str], at: int, *, connector_ok: bool) -> bool:
    """One or more fields joined by connectors, then nothing or the unit."""
    if at == len(words):
        return connector_ok  # the name may not end on a connector
    if connector_ok and words[at] in _CONNECTORS:
        return _fields(words, at + 1, connector_ok=False)
    for end in _starts(words, at, _FIELDS):
        if end == len(words) or _fields(words, end, connector_ok=True) or _units(words, end):
            return True
    return False


def _named(words: list[str]) -> bool:
    return bool(words) and all(is_valid_syllable(w) or _ABBREVIATION.match(w) or w in _CONNECTORS for w in words)


def organ_name_known(name: str) -> bool:
    """Whether ``name`` (an organ line or lines joined, any case) parses as a Vietnamese body's name."""
    words = _words(name)
    if tuple(words) in _WHOLE:
        return True
    for end in _starts(words, 0, _TERRITORIAL):
        if _units(words, end) or (tuple(words[:end]) in _WHOLE and end == len(words)):
            return True
    for end in _starts(words, 0, _SPECIALISED):
        if end < len(words) and _fields_then_units(" ".join(words[end:])):
            return True
    return any(_named(words[end:]) for end in _starts(words, 0, _NAMED) if end < len(words))
