"""The blanks of a printed form that a hand may fill: the number between 'Số:' and the sign, the day between
'ngày' and 'tháng', the month between 'tháng' and 'năm' (:func:`find_slots`), each with the box to read and
a printed reference height (:mod:`.handwriting` reads them)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.domain.text import fold

from ._header import find_date
from ._layout import Segment, page_segments
from ._number import find_number, glued_label
from ._swallow import fits, pitch, reach, swallowed

__all__ = ["GLUED", "Slot", "find_slots"]

GLUED = "{}[]()|/\\!'\"`*#%&_-0123456789"  # what OCR makes of handwriting glued to 'ngày' or 'tháng'
_GLUE = "[" + re.escape(GLUED) + "]"


@dataclass(frozen=True)
class Slot:
    """The blank between two printed anchors: its words, the box to read, a printed reference height."""

    kind: str  # number, day, month
    left: Word  # the printed anchor before the blank ('Số:', 'ngày', 'tháng')
    words: tuple[Word, ...]
    box: BBox
    reference: int
    margin: int = 0  # rows above and below the printed line inside ``box`` (``rise``)
    joined: Word | None = None  # a sign word OCR joined to the number ('#4/QĐ-UBND'), cut at ``cut``
    cut: int = 0
    year: int | None = None  # a date slot: the printed year of its line
    baseline: int = 0  # a day slot whose 'ngày' OCR lost: the line's baseline in the box (printed letters inside)
    left_keep: int = 0  # characters of ``left`` that are the anchor ('ngày' of 'ngày03'); 0: all of it
    lead: int = 0  # pixels of ``left``'s box inside ``box``: a glyph there that its edge does not cut is read
    letter: float = 0.0  # with ``lead``: the line's width per letter
    touch: bool = False  # pen ink may touch the right edge: the printed word's box after it fits its letters


def rise(height: int) -> int:
    """Rows read above and below a printed line whose digits stand ``height`` high: a pen's digits stand up
    to two and a half times as tall as the print and rise above it (a digit the box cuts is not read)."""
    return height + height // 2


def _number_slot(seg: Segment) -> Slot | None:
    words = seg.words
    keep = glued_label(words[0]) if words else 0
    if len(words) < 2 or (len(fold(words[0].text).rstrip(":;., ")) > 2 and not keep):
        return None  # 'Số:' joined to a sign: leave it to the extractor's flags
    sign_index = next((i for i, w in enumerate(words[1:], 1) if "/" in w.text or w.text.startswith("-")), None)
    if sign_index is None:
        return None
    sign = words[sign_index]
    cuts = [k for k in (sign.text.find("/"), sign.text.find("-")) if k >= 0]
    cut = min(cuts)
    middle = words[1:sign_index]
    # OCR's characters are narrower than handwriting: the box reaches one more character into a joined
    # sign, and the printed glyphs it catches ('/') are dropped after reading (``_strip_sign``).
    right = sign.bbox.x0 + round(sign.bbox.width * (cut + (1 if cut > 0 else 0)) / max(1, len(sign.text)))
    h = max(sign.bbox.height, words[0].bbox.height)
    lead, letter = reach(words[0], seg.words)  # 'Số:' drawn over the pen's first digit (``_swallow``)
    start = words[0].bbox.x1 + 1 - lead
    if keep:  # 'Số:445': the blank starts where the word's letters of 'Số:' end (the colon's dots are no glyph)
        anchor = words[0].bbox
        start, lead = anchor.x0 + round(anchor.width * keep / len(words[0].text)), 0
    box = BBox(start, seg.bbox.y0 - rise(h), max(right - 1, start + 2), seg.bbox.y1 + rise(h))
    return Slot("number", words[0], middle, box, sign.bbox.height, rise(h), sign if cut > 0 else None, cut,
                left_keep=keep, lead=lead, letter=letter)


def _ngay(folded: list[str], first: int, patterns: tuple[str, ...]) -> int:
    """The 'ngày' of a date line among the words from ``first`` that look like it: before the month's
    'tháng', a word reading 'ngay' first, else the last one."""
    month = next((k for k in range(first + 1, len(folded)) if re.fullmatch(patterns[1], folded[k])), len(folded))
    looks = [k for k in range(first, month) if re.fullmatch(patterns[0], folded[k])]
    return ([k for k in looks if folded[k].startswith("ngay")] or looks)[-1]


def _date_slots(seg: Segment) -> list[Slot]:
    """The day ('ngày' … 'tháng') and the month ('tháng' … 'năm') blanks of a date line, anchors in order."""
    folded = [fold(w.text) for w in seg.words]
    year = next((w for w in seg.words if re.fullmatch(r"(?:19|20)\d\d", w.text)), None)
    if year is None:
        return []
    anchors: list[int] = []
    # OCR glues a handwritten digit to an anchor ('ngày03', '{tháng'): the anchor is found all the same.
    patterns = (rf"ng[a-z]{{1,3}}{_GLUE}{{0,3}}", rf"{_GLUE}{{0,3}}th[a-z]{{2,4}}", r"n[a-z]{1,2}m")
    for pattern in patterns:
        start = anchors[-1] + 1 if anchors else 0
        found = next((k for k in range(start, len(folded)) if re.fullmatch(pattern, folded[k])), None)
        if found is None:
            break
        if not anchors:  # a place that starts like 'ngày' ('Nghệ An', 'Ngã Năm') comes before it
            found = _ngay(folded, found, patterns)
        anchors.append(found)
    if not anchors:  # 'ngày' lost with the day: the day slot runs from the place, the month as usual
        slots = _day_without_ngay(seg, folded, year)
        month = next((k for k in range(len(folded)) if re.fullmatch(r"th[a-z]{2,4}", folded[k])), None)
        anchors = [month] if month is not None else []
        if month is not None:
            found = next((k for k in range(month + 1, len(folded)) if re.fullmatch(r"n[a-z]{1,2}m", folded[k])), None)
            anchors += [found] if found is not None else []
        kinds: tuple[str, ...] = ("month",)
    else:
        slots, kinds = [], ("day", "month")
    h = year.bbox.height
    per_letter = pitch(seg.words)
    for kind, (i, j) in zip(kinds, pairwise(anchors), strict=False):
        a, b = seg.words[i], seg.words[j]
        keep = len(re.sub(r"[^a-z]+$", "", folded[i])) if kind == "day" else len(a.text)
        cut = len(folded[j]) - len(folded[j].lstrip(GLUED)) if kind == "day" else 0
        x0 = a.bbox.x0 + round(a.bbox.width * keep / max(1, len(a.text))) + 1
        x1 = b.bbox.x0 + round(b.bbox.width * (cut + 1) / max(1, len(b.text))) if cut else b.bbox.x0 - 1
        # An anchor wider than its letters swallowed the handwriting beside it (``_swallow``): the blank
        # starts half a letter before its letters end, and the glyph the edge cuts is the anchor's.
        lead, letter = reach(a, seg.words) if keep == len(a.text) else (0, 0.0)
        x0 -= lead
        wide = swallowed(b, per_letter) if not cut else 0
        x1 = b.bbox.x0 + wide if wide else x1
        inside = seg.words[i + 1:j]  # OCR's boxes of the anchors may overlap the blank: its words widen it
        x0, x1 = min([x0, *(w.bbox.x0 for w in inside)]), max([x1, *(w.bbox.x1 for w in inside)])
        box = BBox(x0, seg.bbox.y0 - rise(h), max(x1, x0 + 1), seg.bbox.y1 + rise(h))
        # Pen ink touching 'tháng' or 'năm': read when that word's box fits its letters at the pitch of the
        # line's other words; a box that swallowed pen ink never does (where its letters start is estimated).
        touch = not wide and fits(b, cut, box.x1, pitch([w for w in seg.words if w is not b]))
        slots.append(Slot(kind, a, inside, box, h, rise(h), b if cut or wide else None, cut,
                          year=int(year.text), left_keep=keep, lead=lead, letter=letter, touch=touch))
    return slots


def _day_without_ngay(seg: Segment, folded: list[str], year: Word) -> list[Slot]:
    """'Quảng Ngãi, [ngày 03] tháng 02 năm 2025' with 'ngày' and the day lost by OCR: the day slot runs from
    the place to 'tháng' and holds the printed 'ngày' too, told apart from the digits by the baseline."""
    month = next((k for k in range(1, len(folded)) if re.fullmatch(r"th[a-z]{2,4}", folded[k])), None)
    if month is None:
        return []
    start = next((k for k in range(month - 1, -1, -1) if seg.words[k].text.endswith(",")), month - 1)
    a, b = seg.words[start], seg.words[month]
    h = year.bbox.height
    box = BBox(a.bbox.x1 + 1, seg.bbox.y0 - rise(h), max(b.bbox.x0 - 1, a.bbox.x1 + 2), seg.bbox.y1 + rise(h))
    return [Slot("day", a, seg.words[start + 1:month], box, h, rise(h), year=int(year.text),
                 baseline=year.bbox.y1 - box.y0)]


def find_slots(page: OcrPage) -> list[Slot]:
    """The number's blank (between 'Số:' and the sign) and the date line's day and month blanks."""
    segments = page_segments(page)
    found: list[Slot] = []
    number = find_number(segments, page)
    slot = _number_slot(number.segment) if number is not None else None
    if slot is not None:
        found.append(slot)
    dated = find_date(segments, page)
    if dated is not None:
        found.extend(_date_slots(dated.segment))
    return found
