"""Addresses and land parcels of people: "thường trú tại …", "địa chỉ: …", "thửa đất số … tờ bản đồ số …".

An address runs from its label to the end of its clause: comma-separated parts are kept while they read as
parts of an address (số, ngõ, phố, thôn, xã, phường, huyện, tỉnh…, or a short capitalised place name after
one), so "trú tại thôn Đông, xã Phú Minh, huyện Sóc Sơn, có số CCCD …" stops before "có số CCCD". The
address of an issuing organ ("UBND phường …, địa chỉ: …", "Trụ sở: …") is not personal data.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sohoa.domain.personal import PersonalKind, PersonalSpan

from ._gazetteer import is_place

__all__ = ["find_addresses", "find_parcels", "organ_context"]

_ADDRESS_LABEL = re.compile((
    r"(?<!\w)(?:(?:dia chi|noi) thuong tru|ho khau thuong tru|\bhktt\b|thuong tru (?:tai|o)|"
    r"(?:cu|tam|hien) tru (?:tai|o)|tru tai|dia chi(?: lien he| lien lac| cu tru| hien nay)?|"
    r"(?:noi|cho) o(?: hien nay| hien tai)?|noi cu tru|que quan|nguyen quan)(?!\w)\s*:?\s*").replace(" ", r"\s+"))
_NOT_ADDRESS_AFTER = re.compile(r"[\s_*]*(?:email|e-mail|thu dien tu|truy cap|website|trang|cong|https?\b|www\b|"
                                r"[\w-]+\.(?:gov|com|net|org|edu)\b|[\w-]+\.vn\b)")
_URL = re.compile(r"://|\bwww\.|\.gov\b|\.vn\b|\.com\b")
# Read in the text as written (lower case, with tones): folded, "Đinh Văn Phong" would read "văn phòng".
_ORGAN_BEFORE = re.compile(
    r"\b(?:ubnd|ủy ban|uỷ ban|cơ quan|công ty|trụ sở|đơn vị|văn phòng|chi cục|sở|bệnh viện|trường|ngân hàng|"
    r"kho bạc|tòa án|toà án|viện kiểm sát|công an|đường dây nóng|hotline|bộ phận một cửa|trung tâm|cục|"
    r"tổng cục|bộ|vụ|quỹ|hiệp hội|hội|tập đoàn|chi nhánh|doanh nghiệp|tổ chức|hợp tác xã|ban quản lý|"
    r"cơ sở \d|cổng|hệ thống|tthc|thủ tục)\b".replace(" ", r"\s+"))
_PERSON_BEFORE = re.compile(r"\b(?:ông|bà|anh|chị|em|cháu|cụ|họ và tên|họ tên|người|công dân|chủ hộ|độc giả|"
                            r"hộ gia đình|hộ|cá nhân|sinh|cccd|cmnd|căn cước|chứng minh|định danh)\b"
                            .replace(" ", r"\s+"))
# Reach of an organ or a person before a label: the organ is often named on the line above ("Sở Giáo\ndục và
# Đào tạo, điện thoại: …", "Kính gửi: Công ty TNHH …\n(Địa chỉ: …").
_CONTEXT_REACH = 120
_PART_START = re.compile(
    r"(?:so\s*\d|\d|nha so|ngo|ngach|hem|kiet|pho|duong|thon|xom|ap|ban|to\b|to dan pho|khu|phuong|xa\b|"
    r"thi tran|quan|huyen|thi xa|thanh pho|tinh|tp\b|tx\b|tt\b|q\.|p\.|h\.|khoi|cum|lang|buon|soc|can ho|"
    r"phong\s*\d|tang|toa|chung cu|lo\b|doi\b|xu\b|so nha)")
_ABBREVIATIONS = frozenset({"tp", "p", "q", "tx", "tt", "h", "x", "t", "tdp", "kp", "s"})
_MAX_ADDRESS = 160


# A line that starts a new field, item or clause ends an address; any other line end is a wrapped line.
# Clauses of a decision or a letter: "Điều 2.", "Khoản 1", "Chương II", "Mục 3", "a)", "II.", "Căn cứ …",
# "Nơi nhận:", "Xét …", "Theo …", "Quyết định:", "Ngày …", "Sinh …", "Kính gửi", "Trân trọng" ("X. Phú
# Minh", "Q. Ba Đình" on a wrapped line go on).
_CLAUSE = (r"(?:dieu|khoan|chuong|muc|phan|phu luc)\s+(?:\d+|[ivxlc]+\b)|(?!x[.)])[ivxlc]+[.)]\s|[a-zđ][)]\s|"
           r"(?:can cu|noi nhan|xet|theo|quyet dinh|ngay|sinh|kinh gui|tran trong|dong kinh gui|de nghi|"
           r"nay|vi vay|do do|tm|kt|tl)\b")
_NEW_FIELD = re.compile(rf"\s*(?:[-–•+]|\d+[.)]\s|{_CLAUSE}|[^\n:,;]{{1,40}}:|$)")


def _clause_end(folded: str, start: int) -> int:
    """Where the clause starting at ``start`` ends: a semicolon, parenthesis, full stop, or a line end
    before a new field ("Số điện thoại: …") or list item."""
    limit = min(len(folded), start + _MAX_ADDRESS)
    position = start
    while position < limit:
        ch = folded[position]
        if ch in ";()" or (ch == "\n" and _NEW_FIELD.match(folded, position + 1)):
            return position
        if ch == "." and (position + 1 >= len(folded) or folded[position + 1].isspace()):
            word = re.search(r"(\w+)$", folded[start:position])
            if word is None or word.group(1) not in _ABBREVIATIONS:
                return position
        position += 1
    return position


def _address_end(text: str, folded: str, start: int) -> int:
    """The end of the address that starts at ``start``: comma parts kept while they read as address parts."""
    end = _clause_end(folded, start)
    parts = [(m.start() + start, m.end() + start) for m in re.finditer(r"[^,]+", folded[start:end])]
    if not parts:
        return start
    kept = parts[0][1]
    previous_was_part = True
    for part_start, part_end in parts[1:]:
        stripped = folded[part_start:part_end].replace("\n", " ").lstrip()
        offset = part_end - part_start - len(stripped)
        original = text[part_start + offset:part_end].split()
        if _PART_START.match(stripped):
            previous_was_part = True
        elif previous_was_part and 0 < len(original) <= 4 and all(w[:1].isupper() for w in original):
            previous_was_part = False
        else:
            break
        kept = part_end
    while kept > start and not text[kept - 1].isalnum():
        kept -= 1
    return kept


def _last_end(pattern: re.Pattern[str], text: str) -> int:
    """The end of the last match in ``text`` (read in lower case), -1 if none; an organ word inside a name
    ("anh Đàm Trung Tâm", every word capitalised after a capitalised word) is no organ."""
    ends = [m.end() for m in pattern.finditer(text.lower()) if not _in_name(text, m.start(), m.end())]
    return ends[-1] if ends else -1


def _in_name(text: str, start: int, end: int) -> bool:
    """An organ word that is part of a name: "anh Đàm Trung Tâm", "phố Trường Chinh"."""
    words = text[start:end].split()
    previous = text[:start].split()[-1:]
    if previous and previous[0].lower() in _STREET_WORDS:
        return True
    return len(words) > 1 and all(w[:1].isupper() for w in words) and bool(previous) and previous[0][:1].isupper()


_STREET_WORDS = frozenset({"đường", "phố", "ngõ", "ngách", "hẻm", "p.", "đ."})


def organ_context(text: str, label_start: int) -> bool:
    """Whether what follows ``label_start`` belongs to an organ: an organ is named shortly before it
    ("UBND phường …, địa chỉ:", "Trụ sở: …; ĐT:", "Kính gửi: Công ty …\n(Địa chỉ: …") and no person is
    named nearer ("Kính gửi: Bà Lê Thị Hoa\n(Địa chỉ: …" is hers)."""
    before = text[max(0, label_start - _CONTEXT_REACH):label_start]
    organ = _last_end(_ORGAN_BEFORE, before)
    return organ >= 0 and organ > _last_end(_PERSON_BEFORE, before)


# Label words whose tone fold is also another word: "trú" (not "trữ"), "nguyên quán" (not "Nguyễn Quân").
_TONED = {"tru": ("trú", "tru"), "nguyen": ("nguyên", "nguyen"), "quan": ("quán", "quan"), "o": ("ở", "o")}


def _tone_ok(text: str, label_start: int, label: str) -> bool:
    """The label's words as written: OCR may drop a tone, but a different tone is another word."""
    for match in re.finditer(r"\w+", label):
        allowed = _TONED.get(match.group(0))
        if allowed and text[label_start + match.start():label_start + match.end()].lower() not in allowed:
            return False
    return True


def _reads_as_address(text: str, folded: str, start: int, end: int) -> bool:
    """Whether the value after an address label is where somebody lives: not a web address, not running
    text ("địa chỉ của thửa đất", "nơi cư trú, nơi đặt trụ sở …"), not a bare province or country ("cư trú
    tại Việt Nam")."""
    value = text[start:end]
    if _URL.search(value) or is_place(value.strip()):
        return False
    words = value.split()[:3]
    if not _PART_START.match(folded[start:end]) and not value[:1].isupper():
        return False
    return any(w[:1].isupper() or any(ch.isdigit() for ch in w) for w in words[1:] or words)


def find_addresses(text: str, folded: str) -> Iterator[PersonalSpan]:
    """Addresses after an address label."""
    for match in _ADDRESS_LABEL.finditer(folded):
        start = match.end()
        if _NOT_ADDRESS_AFTER.match(folded, start) or organ_context(text, match.start()):
            continue
        if not _tone_ok(text, match.start(), match.group(0)):
            continue
        end = _address_end(text, folded, start)
        if end - start >= 3 and _reads_as_address(text, folded, start, end):
            yield PersonalSpan(PersonalKind.ADDRESS, start, end, text[start:end], 0.9)


_NUMBER = r"(\d{1,5}[a-z]?)(?![\w/])"
_PARCEL_WORD = r"thua(?: dat)?(?: so)?"
_SHEET_WORD = r"to(?: ban do)?(?: dia chinh)?(?: so)?"
_PARCEL_SHEET = re.compile(rf"(?<!\w){_PARCEL_WORD}\s*:?\s*{_NUMBER}\s*[,;]?\s*(?:thuoc\s+|va\s+)?"
                           rf"{_SHEET_WORD}\s*:?\s*{_NUMBER}")
_SHEET_PARCEL = re.compile(rf"(?<!\w)to ban do(?: dia chinh)?(?: so)?\s*:?\s*{_NUMBER}\s*[,;]?\s*(?:va\s+)?"
                           rf"{_PARCEL_WORD}\s*:?\s*{_NUMBER}")
_PARCEL_ALONE = re.compile(rf"(?<!\w)(?:thua dat so|thua dat|thua so|to ban do so|to ban do)\s*:?\s*{_NUMBER}")


def _list_item(text: str, word_start: int, start: int, end: int) -> bool:
    """A heading "Tách thửa hoặc hợp thửa đất" followed by the list item "1." on the next line."""
    return "\n" in text[word_start:start] and text[end:end + 1] in (".", ")")


def find_parcels(text: str, folded: str) -> Iterator[PersonalSpan]:
    """Land parcels: one span from the parcel number to the map-sheet number, or a lone number."""
    for pattern, confidence in ((_PARCEL_SHEET, 0.99), (_SHEET_PARCEL, 0.99), (_PARCEL_ALONE, 0.95)):
        for match in pattern.finditer(folded):
            start, end = match.start(1), match.end(match.lastindex or 1)
            if pattern is _PARCEL_ALONE and _list_item(text, match.start(), start, end):
                continue
            yield PersonalSpan(PersonalKind.PARCEL, start, end, text[start:end], confidence)
