"""Số, ký hiệu (NĐ 30 Phụ lục I Mục II.3): the 'Số:' line of the header's left column, OCR-tolerant."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sohoa.domain.codes import type_by_abbreviation
from sohoa.domain.ocr import OcrPage, Word
from sohoa.domain.text import fold, within_one_edit

from ._hit import Hit
from ._layout import Segment

__all__ = ["HAND_MARK", "NumberMatch", "agency_groups", "find_number", "format_so_ky_hieu", "glued_label",
           "is_number_label", "number_label", "repair_with_title", "stamp_zones"]

# "Số", and what Tesseract makes of it: "Sô", "Só", "SỐ", "S6", "5ố" …; never "Sở" (an organ name).
# 'Số:' as OCR reads it: '5ố', 'SO', or 'số:' with a small s (then with its colon: body text says 'số' too).
_PREFIX = re.compile(r"^(?:[S5]\s?[ốôóồổỗộòỏõọoỐÔÓỒỔỖỘÒỎÕỌO60]\s*[:;.,]?|s\s?[ốôóồổỗộòỏõọo]\s*[:;])\s*(?P<body>.*)$")
_SEPARATORS = re.compile(r"\s*([/\-–—])\s*")
# The number may be anything OCR made of handwriting ("#4", "'†E", "6§0"): it is then left empty and flagged.
# Handwriting may come out as up to three short pieces ("2 2 Ộ" for 220): kept, and flagged as unsure.
_BODY = re.compile(r"^(?P<num>(?:[^\s/]{1,3}\s){0,3}[^\s/]{0,11}?)(?P<sep>[/-])(?P<rest>\S+)")
# A group may hold a dot ('VPCP-V.I': Vụ I), or OCR read its hyphen as one ('SGDĐT.CTTT'): kept, for review.
_GROUP = re.compile(r"^(?:[A-ZĐ][A-Za-zĐđ0-9]*(?:\.[A-Za-zĐđ0-9]+)*|(?:19|20)\d{2})$")
_YEAR = re.compile(r"^(?:19|20)\d{2}$")
_STRAY_DIGITS = re.compile(r"^(\d{1,3})/(?=[A-ZĐ])")  # digits no sign's group is, then the sign proper
_LETTER_SIGN = re.compile(r"[A-ZĐ]{2,9}(?:-[A-ZĐ][A-Za-zĐđ0-9]{1,9}){1,2}")  # 'UBND-KTTH', 'SGDĐT-GDTrH'
# The standard's strict form (§2.2) on the whole line, to rate certainty.
_STRICT = re.compile(
    r"^Số:\s*(?:0[1-9]|[1-9]\d+)(?:/(?:19|20)\d{2})?/[A-ZĐ][A-Za-zĐđ0-9]*(?:-[A-ZĐ][A-Za-zĐđ0-9]*)*$"
)
_LOW_CONF = 0.5
_ASCII_NUMBER = re.compile(r"[0-9]{1,6}")  # NĐ 30 numbers restart each year: never more than a few digits
# The page engine's suffix when the handwriting reader (``handwriting.read_fill_ins``) judged the
# number's slot: its words are then either read by the digit model or marked unsure.
HAND_MARK = "+hand"
# Tesseract reads a capital S of a sign as "§" or "$" on poor scans ("§GDĐT" for "SGDĐT").
_SIGN_LOOKALIKES = str.maketrans({"§": "S", "$": "S"})


@dataclass(frozen=True)
class NumberMatch:
    """The number and the notation found on one 'Số:' line."""

    number: Hit
    notation: Hit
    segment: Segment
    type_abbreviation: str | None


def format_so_ky_hieu(number: str | None, notation: str | None) -> str | None:
    """The printed 'số/ký hiệu': '28' + '2021/NĐ-CP' → '28/2021/NĐ-CP'; Party: '15' + 'CV/TU' → '15-CV/TU'."""
    if not notation:
        return None
    head = notation.split("/", 1)[0]
    party = "/" in notation and not _YEAR.match(head)
    return f"{number or ''}{'-' if party else '/'}{notation}"


def stamp_zones(segments: Sequence[Segment]) -> list[tuple[float, float, float, float]]:
    """Areas of incoming 'ĐẾN' stamps: their 'Số: 1234 Ngày: …' lines are not the document's."""
    zones = []
    for seg in segments:
        words = seg.folded.replace(":", " ").split()
        if (words and words[0] == "den" and seg.text[:1].isupper()) or seg.folded.startswith("so den"):
            h = seg.height
            box = seg.bbox
            zones.append((box.x0 - 8.0 * h, box.y0 - 2.0 * h, box.x1 + 8.0 * h, box.y1 + 8.0 * h))
    return zones


def repair_with_title(match: NumberMatch, abbreviation: str) -> Hit | None:
    """A notation whose type group OCR garbled ('TTTr-SYT') repaired by the type title ('TTr').

    Only an unknown group one edit away from the title's abbreviation is replaced.
    """
    notation = match.notation.value or ""
    groups = re.split(r"([/-])", notation)
    index = 2 if _YEAR.match(groups[0]) and len(groups) > 2 else 0
    group = groups[index]
    if type_by_abbreviation(group) is not None or group == abbreviation or not within_one_edit(group, abbreviation):
        return None
    groups[index] = abbreviation
    hit = match.notation
    return Hit("".join(groups), hit.parts, hit.certainty * 0.85, "notation.repaired_by_title")


def agency_groups(notation: str) -> list[str]:
    """The groups of a notation after its type group: 'QĐ-BGDĐT' → ['BGDĐT']; '2020/NĐ-CP' → ['CP']; a
    letter's sign has no type group: 'SGDĐT-CTrTT' → ['SGDĐT', 'CTrTT']."""
    parts = re.split(r"[/-]", notation)
    start = 2 if len(parts) > 2 and _YEAR.match(parts[0]) else 1 if type_by_abbreviation(parts[0]) else 0
    return [p for p in parts[start:] if p]


def _label(text: str) -> re.Match[str] | None:
    """The 'Số:' label at the head of ``text`` (however OCR spelled it) and what follows it, or None."""
    match = _PREFIX.match(text)
    return match if match is not None and fold(text).startswith(("so", "s6", "5o")) else None


def is_number_label(seg: Segment) -> bool:
    """Whether ``seg`` starts with the 'Số:' label (however OCR spelled it), sign or not."""
    return _label(seg.text) is not None


def number_label(segments: Sequence[Segment], page: OcrPage, depth: float = 0.5) -> Segment | None:
    """The first line of the header's left column, above ``depth`` of the page, that starts with 'Số:'."""
    return next((s for s in segments if s.cy < depth * page.height and s.bbox.x0 < 0.5 * page.width
                 and is_number_label(s)), None)


def glued_label(word: Word) -> int:
    """Characters of 'Số:' in a word OCR glued to the number after it ('Số:445'); 0 when not so glued."""
    match = _label(word.text)
    body = match.group("body") if match is not None else ""
    return len(word.text) - len(body) if body and "/" not in body and len(body) <= 6 else 0


def _in_zone(seg: Segment, zones: Sequence[tuple[float, float, float, float]]) -> bool:
    return any(x0 <= seg.cx <= x1 and y0 <= seg.cy <= y1 for x0, y0, x1, y1 in zones)


def _fix_type_group(group: str) -> str:
    """'QD' → 'QĐ' when only the Đ stroke was lost and the result is a known type abbreviation."""
    if type_by_abbreviation(group) is None and "D" in group:
        fixed = group.replace("D", "Đ")
        if type_by_abbreviation(fixed) is not None:
            return fixed
    return group


def _words_of(seg: Segment, needle: str) -> tuple[Word, ...]:
    """The words of a segment whose text overlaps ``needle`` (spaces around '/' may split it)."""
    picked = tuple(
        w for w in seg.words if any(part and part in needle for part in re.split(r"[/\-]", w.text))
    )
    return picked or seg.words


# A slash beside pen ink read as 'J' ('Số: 38273 JCHQ-GSQL'): Vietnamese writes no J, so a word that starts
# with it and runs on in capitals to a separator is the sign with its slash.
_J_SLASH = re.compile(r"(?<=\s)J(?=[A-ZĐ]{2,}[a-z]{0,3}[-/])")


def _parse(seg: Segment, prefix: str = "") -> tuple[str, str, str] | None:
    match = _PREFIX.match(prefix + seg.text)
    if match is None:
        return None
    body = _SEPARATORS.sub(lambda m: "-" if m.group(1) in "–—" else m.group(1), _J_SLASH.sub("/", match.group("body")))
    body = body.translate(_SIGN_LOOKALIKES)
    found = _BODY.match(body)
    if found is None:
        return None
    num, sep, rest = found.group("num"), found.group("sep"), found.group("rest").rstrip(".,;:")
    if sep == "/" and (lost := _STRAY_DIGITS.match(rest)):
        # 'Số: 4/35 /SGDĐT-CTrTT': a handwritten digit read as a slash splits the number; the digits before the
        # sign's first capital are the number's (unreadable), not a group of the sign.
        num, rest = f"{num}/{lost.group(1)}", rest[lost.end():]
    groups = re.split(r"[/-]", rest)
    if not groups or not all(_GROUP.match(g) for g in groups) or all(_YEAR.match(g) for g in groups):
        return None
    head, _, last = num.rpartition(" ")
    if sep == "-" and "/" not in rest and type_by_abbreviation(_fix_type_group(last)):
        # 'Số: 4# QĐ-UBND': the slash lost under a handwritten number; the dash is the sign's own (a Party
        # number's dash is followed by a sign with a slash, '15-CV/TU').
        return head, "/", f"{last}-{rest}"
    return num, sep, rest


def _notation(sep: str, rest: str) -> tuple[str, str | None]:
    """Fix the type group and report it: after the year (VBQPPL), first (NĐ 30), or after '-' (Party)."""
    groups = re.split(r"([/-])", rest)
    index = 2 if _YEAR.match(groups[0]) and len(groups) > 2 else 0
    groups[index] = _fix_type_group(groups[index])
    abbreviation = groups[index] if sep == "-" or type_by_abbreviation(groups[index]) else None
    return "".join(groups), abbreviation


def _taller_than_sign(words: Sequence[Word], seg: Segment) -> bool:
    """A number written by hand into the blank before the printed '/QĐ-UBND' stands taller than it
    (typed digits are cap height, shorter than the slash); only a number standing alone is judged."""
    if not words or not all(w.text.isdigit() for w in words):
        return False
    sign = [w for w in seg.words if w.text.startswith("/") and w not in words]
    return bool(sign) and max(w.bbox.height for w in words) > max(w.bbox.height for w in sign)


def _number_hit(num: str, seg: Segment, certainty: float, judged: bool = False) -> Hit:
    digits = num.strip(".…'‘’`\"")
    if not digits:
        # Handwritten or blank number: say so instead of guessing.
        return Hit(None, (seg.words[:1],), certainty, "number.missing", needs_review=True)
    words = _words_of(seg, digits)
    low = any(w.conf < _LOW_CONF for w in words)
    if not _ASCII_NUMBER.fullmatch(digits):
        # OCR of handwriting ('#4', '†E', 'S4'): never a value, only a flag on the words it came from.
        return Hit(None, (words,), certainty * 0.5, "number.unreadable", needs_review=True)
    if low:
        return Hit(digits, (words,), certainty * 0.5, "number.unsure", needs_review=True)
    if not judged and _taller_than_sign(words, seg):
        return Hit(digits, (words,), certainty * 0.5, "number.handwritten", needs_review=True)
    return Hit(digits, (words,), certainty, "number.so_line")


def _match(seg: Segment, judged: bool = False, prefix: str = "") -> NumberMatch | None:
    parsed = _parse(seg, prefix)
    if parsed is None:
        return None
    num, sep, rest = parsed
    certainty = 0.6 if prefix else 0.97 if _STRICT.match(seg.text) else 0.85
    notation, abbreviation = _notation(sep, rest)
    rule = "notation.party" if sep == "-" else "notation.so_line"
    note = Hit(notation, (_words_of(seg, rest),), certainty, rule, needs_review=len(notation) > 30 or "." in notation)
    return NumberMatch(_number_hit(num, seg, certainty, judged), note, seg, abbreviation)


def find_number(segments: Sequence[Segment], page: OcrPage) -> NumberMatch | None:
    """The topmost 'Số:' line in the upper half, left of centre, outside incoming stamps."""
    zones = stamp_zones(segments)
    judged = page.engine.endswith(HAND_MARK)
    for seg in segments:
        if seg.cy > 0.5 * page.height or seg.bbox.x0 > 0.5 * page.width or _in_zone(seg, zones):
            continue
        seg = _without_specks(seg)
        found = _match(seg, judged) or _match_across_blank(seg, segments, judged)
        if found is not None:
            return found
    return _bare_sign(segments, page, zones)


def _without_specks(seg: Segment) -> Segment:
    """The segment without the marks OCR read in front of it from specks of the scan ('. Số: 28/2021/NĐ-CP'):
    leading words that hold no letter or digit."""
    keep = next((i for i, w in enumerate(seg.words) if any(ch.isalnum() for ch in w.text)), 0)
    return Segment(seg.words[keep:]) if keep else seg


def _bare_sign(segments: Sequence[Segment], page: OcrPage,
               zones: Sequence[tuple[float, float, float, float]]) -> NumberMatch | None:
    """'/2020/NĐ-CP' alone at the top of the left column: OCR lost 'Số:' with the handwritten number. The
    notation is kept when its type group is a known type (or it is a decree's 'year/…'); a letter's sign
    ('/UBND-KTTH': the organ's and the drafting unit's groups, no type) is kept too, flagged. The number is
    empty and flagged."""
    for seg in segments:
        if seg.cy > 0.25 * page.height or seg.bbox.x0 > 0.5 * page.width or _in_zone(seg, zones):
            continue
        seg = _without_specks(seg)
        if not seg.text.startswith("/"):
            continue
        found = _match(Segment(seg.words), False, prefix="Số: ")
        if found is None:
            continue
        if found.type_abbreviation or _YEAR.match(found.notation.value or ""):
            return found
        if _LETTER_SIGN.fullmatch(found.notation.value or ""):
            return replace(found, notation=replace(found.notation, needs_review=True))
    return None


def _match_across_blank(seg: Segment, segments: Sequence[Segment], judged: bool) -> NumberMatch | None:
    """'Số:' and its '/TB-UBND' cut into two segments by the wide blank left for a handwritten number."""
    if _PREFIX.match(seg.text) is None:
        return None
    following = [s for s in segments if s.bbox.x0 > seg.bbox.x1 and abs(s.cy - seg.cy) < 0.7 * seg.height
                 and s.bbox.x0 - seg.bbox.x1 < 10 * seg.height and s.text[:1] in "/-"]
    if not following:
        return None
    return _match(Segment(seg.words + min(following, key=lambda s: s.bbox.x0).words), judged)
