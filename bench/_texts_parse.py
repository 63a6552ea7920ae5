"""Real document texts (plain text whose line breaks come from a web page) parsed into their NĐ 30 parts,
for ``_texts_typeset`` and ``_accuracy_texts``.

The text gives the header in the order a PDF text layer gives a two-column table: organ lines, a dash line,
the motto, a dash line, 'Số: …', a công văn's 'V/v …' lines, the place and date; then the type title and
its subject lines (capitals), the body, 'Nơi nhận:' with its '- …' lines ending at '- Lưu: …', the
signature block (position lines, the name) and sometimes appendices. :func:`parse_text` finds those parts,
or says why it cannot ('no header', 'no number line', 'no place/date', 'no Nơi nhận', 'no signature').
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_DASHES = re.compile(r"^[-_=–—.\s]{3,}$")
_NUMBER = re.compile(r"^Số\b\s*:?\s*", re.IGNORECASE)
VV = re.compile(r"^V\s*/\s*v\b", re.IGNORECASE)
_DATE = re.compile(r"(?:,\s*|^)ngày\b")
_YEAR = re.compile(r"năm\s*\d{4}")
_ORGAN_HEADS = ("TỔNG CỤC", "CHI CỤC", "CỤC", "BỘ", "SỞ", "ỦY BAN", "UỶ BAN", "UBND", "HỘI ĐỒNG", "VĂN PHÒNG",
                "THỦ TƯỚNG", "BAN", "TRUNG TÂM", "THUẾ", "TRƯỜNG", "VIỆN", "KHO BẠC", "NGÂN HÀNG", "CÔNG AN")
_AUTHORITY = re.compile(r"^(?:CHỦ TỊCH|THỦ TƯỚNG|BỘ TRƯỞNG|CỤC TRƯỞNG|TỔNG CỤC TRƯỞNG|GIÁM ĐỐC|CHÁNH |TRƯỞNG BAN"
                        r"|[ỦU]Y BAN NHÂN DÂN|HỘI ĐỒNG NHÂN DÂN|CHÍNH PHỦ|BAN THƯỜNG VỤ)")
_NEW_PARAGRAPH = re.compile(r"^(?:[-+•*–]|\d+(?:\.\d+)*[.)]|[a-zđ]\)|[IVXLC]+\.|\[|Điều\s|Căn cứ|Chương\s|Mục\s"
                            r"|Phần\s|Kính gửi|Nơi nhận|Theo đề nghị|Xét\s)")
_POSITION_START = re.compile(r"^(?:T/?M\b|T\.M\b|KT\.|K/T|TL\.|T/L|Q\.|CHỦ|PHÓ|THỦ TƯỚNG|BỘ TRƯỞNG|THỨ TRƯỞNG"
                             r"|GIÁM ĐỐC|CỤC TRƯỞNG|TRƯỞNG|CHÁNH|TỔNG|BÍ THƯ|ỦY VIÊN)")
_TITLES = {"QUYẾT ĐỊNH", "NGHỊ QUYẾT", "NGHỊ ĐỊNH", "THÔNG BÁO", "CÔNG ĐIỆN", "THÔNG TƯ", "KẾT LUẬN",
           "KẾ HOẠCH", "CHỈ THỊ", "BÁO CÁO", "TỜ TRÌNH", "HƯỚNG DẪN", "QUY ĐỊNH", "QUY CHẾ", "CHƯƠNG TRÌNH"}
_POSITION_OPEN_END = re.compile(r"(?:\b(?:CỤC|BAN|ỦY|UỶ|TỔNG|CHỦ|PHÓ|NHÂN)|TM\.|KT\.|TL\.|Q\.|,)$")


@dataclass
class Parsed:
    """A document's NĐ 30 parts as the text gives them."""

    organ: list[str]  # organ units: parent(s) first, the issuing organ last (each one line, wrapped when set)
    number: str  # 'Số: …'
    vv: str | None  # a công văn's 'V/v …'
    place_date: str
    title: str | None
    subject: list[str]  # the subject lines under the title (capitals), as the text breaks them
    authority: list[str] = field(default_factory=list)  # 'THỦ TƯỚNG CHÍNH PHỦ' centred over the body
    body: list[str] = field(default_factory=list)  # paragraphs
    recipients: list[str] = field(default_factory=list)  # 'Nơi nhận:' then its items
    positions: list[str] = field(default_factory=list)
    name: str = ""
    appendix: list[str] = field(default_factory=list)

    def printed_subject(self) -> str | None:
        """The subject as printed: the V/v text of a công văn, else the subject lines joined."""
        if self.vv:
            return self.vv
        return " ".join(self.subject) if self.subject else None


def _upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(not c.islower() for c in letters)


def _join(parts: list[str]) -> str:
    """Lines of one unit joined: with a space, except after a sign's open hyphen or slash ('QĐ-' 'UBND')."""
    out = ""
    for part in parts:
        glue = "" if not out or re.search(r"\S[-/]$", out) else " "
        out = f"{out}{glue}{part}"
    return out


def organ_units(lines: list[str]) -> list[str]:
    """The organ lines (broken anywhere) joined and cut again before each organ that opens a new unit
    ('BỘ TÀI CHÍNH' | 'CỤC THUẾ'); a head right after a bare head stays in its unit ('VĂN PHÒNG CHÍNH PHỦ')."""
    words = " ".join(lines).split()
    units: list[list[str]] = []
    index = 0
    while index < len(words):
        rest = " ".join(words[index:])
        head = next((h for h in _ORGAN_HEADS if rest == h or rest.startswith(h + " ")), None)
        bare = bool(units) and any(" ".join(units[-1]) == h for h in _ORGAN_HEADS)
        after_head = bool(units) and units[-1][-1] in ("ỦY", "UỶ", "TỔNG", "CHI", "VĂN")
        if head and units and not bare and not after_head:
            units.append([])
        if not units:
            units.append([])
        units[-1].append(words[index])
        index += 1
    return [" ".join(u) for u in units]


def paragraphs(lines: list[str]) -> list[str]:
    """The web's broken lines rejoined: a line that does not end a sentence or a clause is continued by the
    next, unless the next opens an item ('-', '1.', 'a)', 'Điều', 'Căn cứ', …)."""
    out: list[str] = []
    for line in lines:
        if out and not re.search(r"[.;:!?]$|\./\.$", out[-1]) and not _NEW_PARAGRAPH.match(line):
            out[-1] = _join([out[-1], line])
        else:
            out.append(line)
    return out


def _positions(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if out and (_POSITION_OPEN_END.search(out[-1]) or not _POSITION_START.match(line)):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def _clean(text: str) -> list[str]:
    lines = [re.sub(r"^#+\s*", "", unicodedata.normalize("NFC", raw).strip()) for raw in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if out and out[-1] in ("Nơi", "Kính") and line.startswith(("nhận", "gửi")):  # 'Nơi' / 'nhận:'
            out[-1] = f"{out[-1]} {line}"
        elif line:
            out.append(line)
    return out


def _title(lines: list[str], at: int) -> tuple[str | None, int]:
    """The type title at ``at`` ('QUYẾT ĐỊNH'; a title cut by the web, 'QUYẾT' / 'ĐỊNH BÃI BỎ …', mended)."""
    line = lines[at] if at < len(lines) else ""
    if not _upper(line) or len(line.split()) > 4 or VV.match(line):
        return None, at
    words = lines[at + 1].split() if at + 1 < len(lines) else []
    if words and f"{line} {words[0]}" in _TITLES:
        lines[at + 1] = " ".join(words[1:])
        return f"{line} {words[0]}", at + 1 if lines[at + 1] else at + 2
    return line, at + 1


def parse_text(text: str) -> Parsed | str:
    """The parts of one document, or why it cannot be parsed ('no header', 'no number line', …)."""
    lines = _clean(text)
    motto_end = next((i for i, line in enumerate(lines[:20]) if line.startswith("Độc lập")), None)
    if motto_end is None:
        return "no header"
    motto_start = next((i for i in range(motto_end, -1, -1) if lines[i].startswith("CỘNG")), None)
    organ = [line for line in lines[:motto_start or 0] if not _DASHES.match(line)]
    if motto_start is None or not organ:
        return "no header"
    at = motto_end + 1
    while at < len(lines) and _DASHES.match(lines[at]):
        at += 1
    if at >= len(lines) or not _NUMBER.match(lines[at]):
        return "no number line"
    date_at = next((i for i in range(at + 1, min(at + 12, len(lines))) if _DATE.search(lines[i])), None)
    if date_at is None:
        return "no place/date"
    date_end = next((i for i in range(date_at, min(date_at + 3, len(lines)))
                     if _YEAR.search(" ".join(lines[date_at:i + 1]))), None)
    if date_end is None:
        return "no place/date"
    if lines[date_at][0].islower() and date_at - 1 > at and not VV.match(lines[date_at - 1]):
        date_at -= 1  # 'Thành' / 'phố Hồ Chí Minh, ngày …'
    vv_at = next((i for i in range(at + 1, date_at) if VV.match(lines[i])), date_at)
    number = _join([_NUMBER.sub("", lines[at]).strip(), *lines[at + 1:vv_at]]).strip()
    place = ""
    while " " in number and not re.search(r"[\d/]", number.rsplit(" ", 1)[1]):  # 'Số: 2581/QĐ-TTg Hà' / 'Nội, …'
        number, word = number.rsplit(" ", 1)
        place = f"{word} {place}"
    vv = _join(lines[vv_at:date_at]) if vv_at < date_at else None
    place_date = place + _join(lines[date_at:date_end + 1])
    title, at = _title(lines, date_end + 1)
    subject: list[str] = []
    authority: list[str] = []
    if title:
        while at < len(lines) and (_upper(lines[at]) or _DASHES.match(lines[at])):
            if not _DASHES.match(lines[at]):
                if authority or (subject and _AUTHORITY.match(lines[at])):
                    authority.append(lines[at])
                else:
                    subject.append(lines[at])
            at += 1
    receive = next((i for i in range(at, len(lines)) if lines[i].startswith("Nơi nhận")), None)
    if receive is None:  # no 'Nơi nhận': the signature right under the body's last sentence ('… này./.')
        receive = next((i for i in range(at + 1, len(lines)) if _upper(lines[i]) and lines[i - 1].endswith("/.")
                        and _POSITION_START.match(lines[i])), None)
        if receive is None:
            return "no Nơi nhận"
        end = receive
    else:
        end = receive + 1
        while end < len(lines) and (lines[end].startswith(("-", "+")) or not _upper(lines[end])
                                    or re.search(r"[\d_]", lines[end])):
            end += 1
            if re.match(r"^[-+]\s*Lưu\b", lines[end - 1]):
                break
        while end < len(lines) and _upper(lines[end]) and re.search(r"[\d_]", lines[end]):
            end += 1  # the 'Lưu' line's tail ('TĐ_QĐCB/2025')
    sign = end
    while sign < len(lines) and _upper(lines[sign]) and not _DASHES.match(lines[sign]):
        sign += 1
    name_end = sign
    while (name_end < len(lines) and not _upper(lines[name_end]) and len(lines[name_end].split()) <= 5
           and re.fullmatch(r"(?:[^\W\d_][^\W\d_]*\s?)+", lines[name_end])
           and all(w[0].isupper() for w in lines[name_end].split())
           and len(" ".join(lines[sign:name_end + 1]).split()) <= 5):
        name_end += 1
    if sign == end or name_end == sign:
        return "no signature"
    body = [line for line in lines[at:receive] if not _DASHES.match(line)]
    return Parsed(organ=organ_units(organ), number=f"Số: {number}", vv=vv, place_date=place_date, title=title,
                  subject=subject, authority=[_join(authority)] if authority else [], body=paragraphs(body),
                  recipients=paragraphs(lines[receive:end]), positions=_positions(lines[end:sign]),
                  name=" ".join(lines[sign:name_end]),
                  appendix=paragraphs([line for line in lines[name_end:] if not _DASHES.match(line)]))
