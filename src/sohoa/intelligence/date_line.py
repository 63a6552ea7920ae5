"""The 'Place, ngày … tháng … năm …' line re-read on its own where the page OCR lost its 'ngày … tháng'.

A day written by hand against 'ngày' ('ngày20 tháng 01 năm 2025') can make Tesseract read the pen and the
printed words around it as one junk word of confidence 0, which the post-correction drops: the page keeps
'Quảng Ngãi,' and '01 năm 2025' with a gap between, and no date line parses (:func:`._header.find_date`). So
when the upper right of a page holds a line ending in 'năm <year>' (or a line the page OCR read as junk,
:func:`._layout.garbled_header_line`) but no date line parses, the band of that line is read again by itself
(the page worker does this after the correction). If the reading parses as a date line, its words replace what
the page OCR made of the band; a word holding both anchors glued ('ngàytháng', the pen between them unread) is
cut into 'ngày' and 'tháng' at the line's letter pitch, so the blank between them is judged by
:func:`.handwriting.read_fill_ins` like any other. A day that stays unread leaves the date empty and flagged
(``date.missing_part``), never guessed.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.domain.text import fold

from ._header import find_date
from ._layout import Segment, garbled_header_line, page_segments
from ._swallow import pitch
from .signer_titles import _Engine, _grey, _inside, _read_band

__all__ = ["read_date_line", "split_glued_anchors"]

_YEAR_END = re.compile(r"n[a-z]{1,2}m\s*(?:19|20)\d\d\W*$")  # the line ends 'năm 2025' (folded)
_GLUED = re.compile(r"(ng[a-z]{1,3}?)\W{0,3}(th[a-z]{2,4})")  # 'ngàytháng': both anchors in one word
_PEN = re.compile(r"([^\sa-z]\S{0,2}?)(th[a-z]{2,4})")  # '4ÿtháng', '26tháng': a day glued to 'tháng'
_DIGITS = re.compile(r"[0-9]{1,2}")
# An anchor's letters ('n', 'g', 'y', 't') run narrower than the median letter of the line's long words: each
# cut box is this share of its letters at that pitch, so the pen between them is not cut into an anchor.
_NARROW = 0.9


def split_glued_anchors(words: list[Word]) -> list[Word]:
    """Words with the pen glued to the anchors cut apart, each anchor's box as wide as its letters at the
    line's pitch from its own end of the glued box: 'ngàytháng' → 'ngày', 'tháng'; '4ÿtháng' → 'tháng' (the
    garble of the pen dropped: the blank is read from the image); printed digits stay a word ('26tháng' →
    '26', 'tháng')."""
    per_letter = pitch(words)
    out: list[Word] = []
    for w in words:
        folded, b = fold(w.text).lower(), w.bbox
        both = _GLUED.fullmatch(folded)
        found = both or _PEN.fullmatch(folded)
        if not per_letter or found is None:
            out.append(w)
            continue
        tail = len(found.group(2))
        right_w = min(round(per_letter * _NARROW * tail), b.width // 2 if both else b.width - 1)
        month = replace(w, text=w.text[len(w.text) - tail:], bbox=BBox(b.x1 - right_w, b.y0, b.x1, b.y1))
        if both is not None:
            cut = len(both.group(1))
            left_w = min(round(per_letter * _NARROW * cut), b.width - right_w)
            out.append(replace(w, text=w.text[:cut], bbox=BBox(b.x0, b.y0, b.x0 + left_w, b.y1)))
        elif _DIGITS.fullmatch(w.text[: len(w.text) - tail]):
            out.append(replace(w, text=w.text[: len(w.text) - tail], bbox=BBox(b.x0, b.y0, b.x1 - right_w, b.y1)))
        out.append(month)
    return out


def _line_band(page: OcrPage, segments: list[Segment]) -> tuple[int, int, int, int] | None:
    """The band of an upper-right line ending in 'năm <year>', from the leftmost piece level with it."""
    for seg in segments:
        if seg.cy > 0.4 * page.height or seg.bbox.x0 < 0.35 * page.width or not _YEAR_END.search(seg.folded):
            continue  # a right-column line only (a body line ending 'năm 2020' starts at the margin)
        h = seg.height
        level = [s for s in segments if abs(s.cy - seg.cy) < 0.7 * h and s.bbox.x1 <= seg.bbox.x1
                 and s.bbox.x0 > 0.35 * page.width]
        x0 = min(s.bbox.x0 for s in level)
        return (max(0, int(x0 - h)), max(0, int(seg.bbox.y0 - 0.4 * h)),
                min(page.width, int(seg.bbox.x1 + h)), min(page.height, int(seg.bbox.y1 + 0.4 * h)))
    junk = garbled_header_line(segments, page, left=False)  # no 'năm <year>' read: a line read as junk
    if junk is None:
        return None
    h = junk.height
    right = [w for s in segments if abs(s.cy - junk.cy) < 0.7 * h for w in s.words  # the line's right half
             if w.bbox.x0 + w.bbox.x1 > 0.9 * page.width]
    if not right:
        return None
    return (max(0, int(min(w.bbox.x0 for w in right) - h)), max(0, int(junk.bbox.y0 - 0.4 * h)),
            min(page.width, int(junk.bbox.x1 + h)), min(page.height, int(junk.bbox.y1 + 0.4 * h)))


def read_date_line(image: Any, dpi: int, page: OcrPage, engine: _Engine) -> OcrPage:
    """``page`` with its date line read again alone when no date line parses (``image``: the master page,
    PIL image or array, in the page's pixels)."""
    segments = page_segments(page)
    if not page.words or find_date(segments, page) is not None:
        return page
    box = _line_band(page, segments)
    if box is None:
        return page
    grey = _grey(image)
    if grey.shape[:2] != (page.height, page.width):
        return page  # the words are not in the master's pixels: nothing to cut out
    again = split_glued_anchors(sorted(_read_band(grey, box, dpi, engine), key=lambda w: w.bbox.x0))
    if not again or find_date([Segment(tuple(again))], replace(page, words=tuple(again))) is None:
        return page
    block = max((w.block for w in page.words), default=0) + 1
    number = max((w.line for w in page.words), default=0) + 1
    kept: list[Word] = [w for w in page.words if not _inside(w, box)]
    return replace(page, words=(*kept, *(replace(w, block=block, line=number) for w in again)))
