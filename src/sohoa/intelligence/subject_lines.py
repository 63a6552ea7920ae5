"""The trích yếu's lines re-read on their own where the page OCR lost a word of them.

The trích yếu is centred under the type title. On a photocopy or a faint scan Tesseract sometimes drops a
word of it ('… công tác phát [triển] Đảng', '… tỉnh Quảng [Ngãi]'), splitting the line in two or leaving it
off the title's centre; the extraction then cannot tell it from a body line and loses the whole trích yếu.
The same line cut out and read alone usually reads whole. So each of the first lines under the title that
is off the title's centre, or holds a gap a word wide, is read again in a band made symmetric about the
title's centre (the part OCR lost lies where the line would balance); if that reading holds more letters
and reads the words the page OCR had no less surely, its words (post-corrected) replace what the page OCR
made of the band.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise
from typing import Any

from sohoa.domain.ocr import OcrPage, Word

from ._body import find_title
from ._layout import Segment, is_upper_line, page_segments
from .correct import correct_words
from .signer_titles import _Engine, _grey, _inside, _read_band, replace_band
from .syllables import is_valid_syllable

__all__ = ["read_subject_lines"]

_OFF_CENTRE = 0.015  # of the page width: a centred line's box is centred closer than this
_GAP = 2.5  # line heights between two pieces of one line: a word lost there
_JOIN = 6.0  # line heights: pieces farther from the line's centre piece are something else (a stamp, a note)
_ROWS = 4  # lines under the title looked at
_SURE = 0.05  # the new reading may be this much less sure on average, no more
_JUNK_CONF = 0.5  # a word read less surely than this that is no syllable and no number is noise


def _chain(row: list[Segment], title: Segment) -> list[Segment]:
    """The pieces of one line that make the trích yếu's line: the piece across the title's centre column and
    its neighbours a few words away, left to right (empty when no piece crosses the centre)."""
    row = sorted(row, key=lambda s: s.bbox.x0)
    middle = next((i for i, s in enumerate(row) if s.bbox.x0 <= title.cx <= s.bbox.x1), None)
    if middle is None:
        return []
    lo = hi = middle
    while lo > 0 and row[lo].bbox.x0 - row[lo - 1].bbox.x1 <= _JOIN * row[lo].height:
        lo -= 1
    while hi < len(row) - 1 and row[hi + 1].bbox.x0 - row[hi].bbox.x1 <= _JOIN * row[hi].height:
        hi += 1
    return row[lo:hi + 1]


def _rows(segments: list[Segment], title: Segment) -> list[list[Segment]]:
    """The lines under the title, each as its chain of pieces (:func:`_chain`), while they are within a
    line's gap of the one above and cross the title's centre column."""
    below = sorted((s for s in segments if s.cy > title.bbox.y1), key=lambda s: s.cy)
    rows: list[list[Segment]] = []
    for seg in below:
        if rows and abs(seg.cy - rows[-1][0].cy) < 0.5 * max(seg.height, rows[-1][0].height):
            rows[-1].append(seg)
            continue
        if len(rows) == _ROWS:
            break
        rows.append([seg])
    kept: list[list[Segment]] = []
    last = title
    for row in rows:
        chain = _chain(row, title)
        if not chain or min(s.bbox.y0 for s in chain) - last.bbox.y1 > 2.2 * title.height:
            break
        if any(s.folded.startswith(("can cu", "kinh gui")) for s in chain) or is_upper_line(chain[0]):
            break
        kept.append(chain)
        last = chain[0]
    return kept


def _suspect(row: list[Segment], title: Segment, page: OcrPage) -> bool:
    x0, x1 = row[0].bbox.x0, max(s.bbox.x1 for s in row)
    gaps = any(b.bbox.x0 - a.bbox.x1 > _GAP * a.height for a, b in pairwise(row))
    return gaps or abs((x0 + x1) / 2 - title.cx) > _OFF_CENTRE * page.width


def _band(row: list[Segment], title: Segment, page: OcrPage) -> tuple[int, int, int, int]:
    h = max(s.height for s in row)
    x0, x1 = row[0].bbox.x0, max(s.bbox.x1 for s in row)
    half = max(title.cx - x0, x1 - title.cx) + h
    return (max(0, int(title.cx - half)), max(0, int(min(s.bbox.y0 for s in row) - 0.3 * h)),
            min(page.width, int(title.cx + half)), min(page.height, int(max(s.bbox.y1 for s in row) + 0.3 * h)))


def _junk(words: list[Word]) -> int:
    """Words read unsurely that are no syllable and no number ('[Me', '1N', '*1011260214.|Quy'), or read at
    almost no confidence: a stamp's or a seal's marks read as text."""
    def noise(w: Word) -> bool:
        core = w.text.strip(".,;:()\"“”'")
        plain = core.isdigit() or is_valid_syllable(core)
        return w.conf < 0.2 or (w.conf < _JUNK_CONF and not plain)
    return sum(noise(w) for w in words)


def _overlap(a: Word, b: Word) -> bool:
    return a.bbox.x0 < b.bbox.x1 and b.bbox.x0 < a.bbox.x1 and a.bbox.y0 < b.bbox.y1 and b.bbox.y0 < a.bbox.y1


def _letters(words: list[Word]) -> int:
    return sum(ch.isalpha() for w in words for ch in w.text)


def _mean(words: list[Word]) -> float:
    return sum(w.conf for w in words) / len(words) if words else 0.0


def read_subject_lines(image: Any, dpi: int, page: OcrPage, engine: _Engine) -> OcrPage:
    """``page`` with each trích yếu line that lost a word read again alone (``image``: the master page, PIL
    image or array, in the page's pixels)."""
    segments = page_segments(page)
    found = find_title(segments, page, 0.0) if page.words else None
    if found is None:
        return page
    title = found[1]
    grey = None
    for row in _rows(segments, title):
        if not _suspect(row, title, page):
            continue
        grey = _grey(image) if grey is None else grey
        if grey.shape[:2] != (page.height, page.width):
            return page  # the words are not in the master's pixels: nothing to cut out
        box = _band(row, title, page)
        present = [w for w in page.words if _inside(w, box)]
        read = sorted(_read_band(grey, box, dpi, engine), key=lambda w: w.bbox.x0)
        again = correct_words([replace(w, text=w.text.strip("_")) for w in read if w.text.strip("_")])
        # The words read again where the page OCR had words must be read as surely; the words it adds, where
        # it had none, may be less sure (a faint word is why OCR lost it) and are judged with the trích yếu.
        where = [w for w in again if any(_overlap(w, p) for p in present)]
        if _letters(again) <= _letters(present) or _mean(where) < _mean(present) - _SURE \
                or _junk(again) > _junk(present):
            continue
        page = replace_band(page, box, again)
    return page
