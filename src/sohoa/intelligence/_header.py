"""Header fields: place and date line (right column), organ names (left column), stamps."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from sohoa.domain.codes import Secrecy, Urgency
from sohoa.domain.ocr import OcrPage, Word
from sohoa.domain.text import canonical_text, fold

from ._hit import Hit
from ._layout import Segment, is_junk, is_upper_line
from ._organ_names import organ_name_known
from ._organs import restore_header, split_organs

__all__ = ["DateMatch", "find_date", "find_organs", "find_stamps", "is_motto"]

# On the folded (toneless, lower-case) line, so "ngảy", "thang", "nám" and lost spaces all match.
# Day and month may be blank, dotted or handwritten ("ngày #5 tháng 1]", "ngày 24_ tháng9", a handwritten
# day OCRed as up to three pieces or as one letter: "ngày ] 2 — tháng", "ngày Ở tháng"), and
# "ngày" itself may be lost with a handwritten day: the line is still found, and unreadable parts
# are flagged for review instead of guessed.
_DATE = re.compile(
    r"^(?P<place>[a-z][^\d,:;]*?)\s*[,.]?\s*(?:ng[a-z]{1,3})?\s*"
    r"(?P<d>[^\sa-z,]{1,4}?(?:\s[^\s,]{1,4}){0,2}?|[a-z][^\sa-z,]{0,3}|[^\s,]{1,3}(?=\s+th))?[\s.…_]*"
    r"th[a-z]{2,4}\s*(?P<m>[^\sa-z,]{1,4}?)?[\s.…_]*n[a-z]{1,2}m\s*(?P<y>\d{4})\b"
)
_NGAY = re.compile(r"ng[a-z]{1,3}")
_PREFIX_SO = re.compile(r"^[s5][o6]\s*[:;.,]")  # a line that starts with the number's label ('Số:', folded)
_DAY_FIRST = re.compile(r"\d{1,2}\s*th[a-z]{2,4}\b")  # a handwritten day read apart from the place and 'ngày'
_DAY_MONTH = re.compile(r"(?<=[\sy])([0-9il|o]{1,2})(?=\s*(?:th[a-z]{2,4}|n[a-z]{1,2}m)\b)")
_LOOKALIKES = str.maketrans("il|o", "1110")
_DAY = re.compile(r"[0-9]{1,2}")  # ASCII digits only: OCR of handwriting yields '²', '٣' …
_FILL = "._…"  # dot leaders and underscores of a fill-in blank around typed digits
_STRICT = re.compile(
    r"^[^\d,]+, ngày (?:0[1-9]|[12]\d|3[01]) tháng (?:0[12]|[3-9]|1[0-2]) năm \d{4}\s*$"
)
_NOT_ORGAN = re.compile(r"^(?:so\s*[:;.]|so\s*\d|v\s*/\s*v|[/-])")  # number, V/v, a sign's tail
# The number line however OCR misread its label ("S6: 463Y", "S& 5?AD /UBND-SGDDT"), and a sign anywhere on
# a line ("/UBND-SGDĐT"): no organ name holds a slash before a group of capitals and a hyphen.
_NUMBER_LINE = re.compile(r"^s\S{0,2}\s*[:;]|^s\S{0,2}\s+\S*\d|/\s*[a-z]{1,10}\s*[-–]")
_NUMBER_LABEL = re.compile(r"^s\S{0,2}[:;]$")  # "Số:" as one word, where a line runs into the number
_STAMPS: dict[str, tuple[str, str]] = {
    "mat": ("secrecy", Secrecy.MAT.value),
    "toi mat": ("secrecy", Secrecy.TOI_MAT.value),
    "tuyet mat": ("secrecy", Secrecy.TUYET_MAT.value),
    "khan": ("urgency", Urgency.KHAN.value),
    "thuong khan": ("urgency", Urgency.THUONG_KHAN.value),
    "hoa toc": ("urgency", Urgency.HOA_TOC.value),
}


@dataclass(frozen=True)
class DateMatch:
    issued: Hit
    place: Hit
    segment: Segment


def is_motto(seg: Segment) -> bool:
    """National name and motto (or the Party's 'ĐẢNG CỘNG SẢN VIỆT NAM'), which sit in the right column."""
    text = seg.folded
    return any(k in text for k in ("cong hoa xa hoi", "chu nghia viet nam", "doc lap", "hanh phuc",
                                    "dang cong san viet"))


def _place_text(seg: Segment, folded_place: str) -> str:
    text = seg.text
    if len(fold(text)) == len(text):
        raw = text[: len(folded_place)]
    else:  # folding changed the length (rare letters): count words instead
        raw = " ".join(text.split()[: len(folded_place.split())])
    return canonical_text(raw.strip(" ,.;"))


def _date_hit(seg: Segment, match: re.Match[str], certainty: float) -> Hit:
    day, month, year = (match.group(k) and match.group(k).strip(_FILL) for k in ("d", "m", "y"))
    if not day or not month or not _DAY.fullmatch(day) or not _DAY.fullmatch(month):
        return Hit(None, (seg.words,), certainty, "date.missing_part", needs_review=True)
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        return Hit(None, (seg.words,), certainty, "date.invalid", needs_review=True)
    if not 1900 <= value.year <= 2100:
        return Hit(None, (seg.words,), certainty, "date.implausible", needs_review=True)
    low = any(w.conf < 0.5 for w in seg.words if any(ch.isdigit() for ch in w.text))
    rule = "date.place_line"
    return Hit(value.isoformat(), (seg.words,), certainty * (0.6 if low else 1.0), rule, needs_review=low)


def _after_sign(seg: Segment) -> Segment | None:
    """The words after the number line's sign when OCR joined the date line to it ('Số: 36162 /CHQ-GSQL Hà
    Nội, ngày 25 tháng 11 năm 2025', or from the sign on when the blank of a handwritten number cut the label
    off: '/CHQ-GSQL Hà Nội, ngày 25 …'): the gap between the columns is narrower than the blank."""
    signs = [k for k, w in enumerate(seg.words) if "/" in w.text]
    if not signs or signs[-1] + 2 >= len(seg.words) or not (_PREFIX_SO.match(seg.folded) or seg.text[:1] == "/"):
        return None
    return Segment(seg.words[signs[-1] + 1:])


def find_date(segments: Sequence[Segment], page: OcrPage) -> DateMatch | None:
    """The topmost 'Place, ngày … tháng … năm …' line right of centre in the upper half."""
    for seg in segments:
        if seg.cy > 0.5 * page.height or seg.cx < 0.35 * page.width:
            continue
        match = _DATE.match(_digit_lookalikes(seg.folded))
        if match is None and (tail := _after_sign(seg)) is not None:
            seg, match = tail, _DATE.match(_digit_lookalikes(tail.folded))
        cut = match is None and (seg.folded.startswith(("thang", "ngay")) or _DAY_FIRST.match(seg.folded) is not None)
        if cut or (match is not None and _NGAY.fullmatch(match.group("place").strip())):
            # The line starts at "ngày" or "tháng": the place is a segment of its own, cut off by a
            # wide gap (often the blank left for a handwritten day).
            seg = _with_left_neighbour(seg, segments)
            match = _DATE.match(_digit_lookalikes(seg.folded))
        if match is None or len(match.group("place").split()) > 8 or _NGAY.fullmatch(match.group("place").strip()):
            continue
        value = _place_text(seg, match.group("place"))
        if sum(word[:1].islower() for word in value.split()) > 1:
            continue  # prose quoting a date ('Căn cứ Luật … ngày 19 tháng 6 năm 2015'), not a place name
        certainty = 0.97 if _STRICT.match(seg.text) else 0.85
        place = Hit(value, (seg.words[: max(1, len(value.split()))],), certainty, "place.date_line")
        return DateMatch(_past(_date_hit(seg, match, certainty), seg, page), place, seg)
    return None


_YEARS = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def _past(hit: Hit, seg: Segment, page: OcrPage, today: date | None = None) -> Hit:
    """A document is not dated after the day it is read: a year in the future is a slip of one digit
    ('2025' read '2035' in an italic date line). It is replaced by the year one digit away, not in the future,
    that the rest of the page prints most often (a sign's '/2025/', the bases' dates), and flagged; with no such
    year, the date is only flagged."""
    if hit.value is None:
        return hit
    issued = date.fromisoformat(hit.value)
    now = today or date.today()
    if issued <= now:
        return hit
    own = {id(w) for w in seg.words}
    counts: dict[int, int] = {}
    for word in page.words:
        if id(word) not in own:
            for found in _YEARS.findall(word.text):
                counts[int(found)] = counts.get(int(found), 0) + 1
    year = str(issued.year)
    near = [y for y in counts if y <= now.year and sum(a != b for a, b in zip(str(y), year, strict=True)) == 1]
    best = sorted(near, key=lambda y: -counts[y])
    if not best or (len(best) > 1 and counts[best[0]] == counts[best[1]]):
        return replace(hit, needs_review=True)
    try:
        mended = issued.replace(year=best[0])
    except ValueError:  # 29 February
        return replace(hit, needs_review=True)
    return replace(hit, value=mended.isoformat(), rule="date.year_from_page", needs_review=True)


def _digit_lookalikes(folded: str) -> str:
    """'tháng I0năm' → 'tháng 10năm': in a day or month of one or two characters, one of them a digit, the
    letters OCR confuses with digits (i, l, | → 1; o → 0) are digits (same length, so positions hold)."""
    def fix(m: re.Match[str]) -> str:
        group = m.group(1)
        return group.translate(_LOOKALIKES) if any(ch.isdigit() for ch in group) else group
    return _DAY_MONTH.sub(fix, folded)


def _with_left_neighbour(seg: Segment, segments: Sequence[Segment]) -> Segment:
    left = [s for s in segments if s.bbox.x1 < seg.bbox.x0 and abs(s.cy - seg.cy) < 0.7 * seg.height
            and seg.bbox.x0 - s.bbox.x1 < 10 * seg.height]
    if not left:
        return seg
    joined = Segment(max(left, key=lambda s: s.bbox.x1).words + seg.words)
    # A handwritten day read alone ('03') between the place and 'tháng': the place is one more to the left.
    return _with_left_neighbour(joined, segments) if joined.words[0].text.isdigit() else joined


def _left_of_motto(seg: Segment, page: OcrPage) -> Segment:
    """When the column gap was not wide enough to split a line, keep its words left of the centre."""
    if not is_motto(seg):
        # A word starting right of the page centre belongs to the right column ('CỘNG' of the motto).
        left = tuple(w for w in seg.words if w.bbox.x0 < 0.5 * page.width)
        return Segment(left) if left and len(left) < len(seg.words) else seg
    folded = [fold(w.text) for w in seg.words]
    start = next((i for i in range(len(folded) - 1) if folded[i] == "cong" and folded[i + 1].startswith("hoa")),
                 None)
    left = seg.words[:start] if start is not None else tuple(w for w in seg.words if w.bbox.x1 < 0.5 * page.width)
    return Segment(left) if left and not is_motto(Segment(left)) else seg


def _organ_part(seg: Segment) -> Segment | None:
    """The words of a header line that may be an organ's: without the dashes or dots of a rule in front
    ("- SỞ GIÁO DỤC"), and cut where the number's label starts ("… ĐÀO TẠO Số: 12/SGDĐT")."""
    words = list(seg.words)
    while words and not any(ch.isalnum() for ch in words[0].text):
        words.pop(0)
    cut = next((i for i, w in enumerate(words) if _NUMBER_LABEL.match(fold(w.text))), len(words))
    words = words[:cut]
    return Segment(tuple(words)) if words else None


def _organ_lines(segments: Sequence[Segment], page: OcrPage, limit_y: float) -> list[Segment]:
    lines = []
    for whole in map(lambda s: _left_of_motto(s, page), segments):
        seg = _organ_part(whole)
        if seg is None or seg.cy >= limit_y or seg.cx > 0.5 * page.width or seg.bbox.x1 > 0.65 * page.width:
            continue
        if is_junk(seg) or is_motto(seg) or not is_upper_line(seg) or _NOT_ORGAN.match(seg.folded):
            continue
        if _NUMBER_LINE.search(whole.folded):
            continue
        lines.append(seg)
    return lines


def find_organs(segments: Sequence[Segment], page: OcrPage, limit_y: float) -> tuple[Hit | None, Hit | None]:
    """(issuing organ, parent organ) from the upper-case lines of the left column above ``limit_y``.

    Lines are grouped into organs by their leading word (SỞ, BỘ, PHÒNG … open a new organ; TỈNH,
    THÀNH PHỐ … continue one); the last organ is the issuer, the one before it the parent body.
    """
    groups = split_organs(_organ_lines(segments, page, limit_y))
    if not groups:
        return None, None
    hits = [_organ_hit(canonical_text(restore_header(" ".join(s.text for s in group))).strip(" .,;:_-"),
                       tuple(s.words for s in group)) for group in groups]
    parent = hits[-2] if len(hits) > 1 else None
    if parent is not None:
        parent = replace(parent, rule=parent.rule.replace("organ.", "parent_organ.", 1))
    return hits[-1], parent


def _organ_hit(name: str, parts: tuple[tuple[Word, ...], ...]) -> Hit:
    """An organ read from the header; one whose name does not parse as a body's name (a word lost or
    garbled, a neighbouring line swallowed) is sent to review with a lower confidence."""
    if organ_name_known(name):
        return Hit(name, parts, 0.9, "organ.header_left")
    return Hit(name, parts, 0.6, "organ.unknown_name", needs_review=True)


def find_stamps(segments: Sequence[Segment], page: OcrPage) -> dict[str, Hit]:
    """Secrecy and urgency stamps: a whole upper-case line reading e.g. 'MẬT' or 'HỎA TỐC'."""
    found: dict[str, Hit] = {}
    for seg in segments:
        if seg.cy > 0.5 * page.height or len(seg.words) > 3:
            continue
        bare = re.sub(r"[^\w\s]", " ", seg.text).split()
        if not bare or not all(w.isupper() for w in bare):
            continue
        stamp = _STAMPS.get(fold(" ".join(bare)))
        if stamp is not None and stamp[0] not in found:
            found[stamp[0]] = Hit(stamp[1], (seg.words,), 0.9, f"{stamp[0]}.stamp")
    return found
