"""What the name tagger proposes but is no citizen's name, decided from the span and its line: places
(provinces, regions, units of Hà Nội), bodies ("Học viện Chính trị", "Bộ Công Thương"), words that are no
Vietnamese syllable (trade names: "Huawei Device", "Samsung Smart Tag"), streets (after a house number or
"đường", "phố"), and officials named with their office ("PCT Đặng Văn Nam", "Phó Thủ tướng Lê Văn An",
"Bộ trưởng …", "ông Lê An, Trưởng phòng …", "- Lê An (để báo cáo)").
"""

from __future__ import annotations

import re

from sohoa.domain.text import fold

from ._gazetteer import is_place, organisation_words

__all__ = ["not_a_name"]

# A Vietnamese syllable, tone-folded: an initial consonant, a vowel group, a final consonant.
_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")
# Offices and their abbreviations before a name on its line ("- PCTr. Đặng Ngọc Minh", "Thủ tướng Chính phủ
# Phạm Minh Chính", "Đ/c CTr …", "Thư ký PTTgCP …"), tone-folded, lower case.
_OFFICE = (r"(?:pho\s+)?(?:chu\s+tich|thu\s+tuong|bo\s+truong|thu\s+truong|giam\s+doc|truong\s+phong|"
           r"truong\s+ban|chanh\s+van\s+phong|chanh\s+thanh\s+tra|bi\s+thu|tong\s+cuc\s+truong|cuc\s+truong|"
           r"vu\s+truong|vien\s+truong|hieu\s+truong|thu\s+ky|tro\s+ly|chu\s+nhiem|tong\s+giam\s+doc|"
           r"chanh\s+an|vien\s+truong|dai\s+su|uy\s+vien|can\s+bo|cong\s+chuc|chuyen\s+vien)")
_ABBREVIATION = r"(?:p?ct(?:rg?)?|p?ttg(?:cp)?|bt|p?tt|ttr|p?gd|p?cvp|pbt|ub|đ/c|d/c)"
_OFFICE_BEFORE = re.compile(rf"(?:(?<!\w){_OFFICE}(?:\s+[\w.]+){{0,3}}|(?<!\w){_ABBREVIATION}\.?(?:\s*[-–,]\s*)?)\s*$")
_OFFICE_AFTER = re.compile(rf"^\s*[,(–-]?\s*{_OFFICE}")
# A title or "cho" right before the name makes the person the object of an office's act, not the office
# holder: "Giám đốc Sở giao cho ông …", "Chủ tịch tiếp bà …".
_TITLE_BEFORE = re.compile(r"\b(?:ong|ba|anh|chi|em|chau|cu|co|chu|bac|cho|doc gia|cong dan)\s*[:,]?\s*$")
_REPORTED_TO = re.compile(r"^\s*\(\s*(?:để\s+)?(?:b/c|báo\s*cáo|b/cáo|bc)\b")
# A list of places under way: "thuộc các xã Phú Lạc, An Khánh và Đại Phúc", "các tỉnh: Hà Tĩnh, Quảng Trị".
_PLACE_LIST = re.compile(r"(?:các|những|\d+)\s+(?:xã|phường|tỉnh|huyện|quận|thôn|thị trấn|thành phố|địa phương)"
                         r"(?:\s+[\w/]+)?\s*:?[^.;:()\n]*(?:,|\bvà)\s*$", re.IGNORECASE)
_PLACE_WORDS = frozenset({"đường", "phố", "ngõ", "ngách", "hẻm", "thôn", "xóm", "ấp", "xã", "phường", "quận",
                          "huyện", "tỉnh", "làng", "chợ", "sông", "núi", "đền", "tòa", "toà", "dự", "mỏ", "cảng"})
_STREET_BEFORE = re.compile(r"(?:\d+[a-z]?|đường|phố|p\.|số nhà|ngõ|ngách|hẻm)\s*$", re.IGNORECASE)


def _foreign(words: list[str]) -> bool:
    return any(not _SYLLABLE.fullmatch(fold(w).lower()) for w in words)


def not_a_name(text: str, start: int, end: int) -> bool:
    """Whether the capitalised run ``text[start:end]`` is a place, a body, a street, a foreign word or an
    official in office rather than a citizen's name."""
    span = text[start:end]
    words = span.split()
    if words[0].lower() in _PLACE_WORDS:
        return True  # "Đường Kim Đồng", "Phường Hàng Bạc", "Thôn Đông"
    if is_place(span) or _foreign(words) or any(len(w) == 1 for w in words):
        return True  # no Vietnamese name has a one-letter word: "I\nThủ tục", "Dung Quất I", "A\nChuỗi"
    lower = f" {' '.join(span.lower().split())} "
    if any(f" {phrase} " in lower for phrase in organisation_words()):
        return True
    line_start = text.rfind("\n", 0, start) + 1
    before = text[max(line_start, start - 60):start]
    folded_before = fold(before).lower()
    if _STREET_BEFORE.search(before) or (_OFFICE_BEFORE.search(folded_before)
                                         and not _TITLE_BEFORE.search(folded_before)):
        return True
    if _PLACE_LIST.search(text[max(0, start - 80):start]):
        return True
    after = text[end:end + 60]
    return bool(_OFFICE_AFTER.match(fold(after).lower()) or _REPORTED_TO.match(after.lower()))
