"""Page geometry: Tesseract lines cut into column segments by the horizontal gaps between word boxes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from statistics import median

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.domain.text import fold, nfc

__all__ = [
    "Segment",
    "below",
    "is_junk",
    "is_upper_line",
    "letters",
    "mean_conf",
    "page_segments",
    "union_box",
]

# A gap wider than this many word heights separates two columns sharing one Tesseract line
# ("Số: 162/UBND-VP      Phúc Đồng, ngày …"); ordinary spaces are about 0.3-0.5 heights.
_COLUMN_GAP = 1.8
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@dataclass(frozen=True)
class Segment:
    """Consecutive words of one line that belong to one column; text is NFC with look-alikes fixed."""

    words: tuple[Word, ...]

    @cached_property
    def text(self) -> str:
        return nfc(" ".join(w.text for w in self.words)).strip()

    @cached_property
    def folded(self) -> str:
        return fold(self.text)

    @cached_property
    def bbox(self) -> BBox:
        return union_box(w.bbox for w in self.words)

    @property
    def conf(self) -> float:
        return mean_conf(self.words)

    @property
    def height(self) -> int:
        return max(1, int(median(w.bbox.height for w in self.words)))

    @property
    def cx(self) -> float:
        return (self.bbox.x0 + self.bbox.x1) / 2

    @property
    def cy(self) -> float:
        return (self.bbox.y0 + self.bbox.y1) / 2


def union_box(boxes: Iterable[BBox]) -> BBox:
    """The smallest box holding all boxes (at least one is required)."""
    items = list(boxes)
    if len(items) == 1:
        return items[0]
    return BBox(min(b.x0 for b in items), min(b.y0 for b in items), max(b.x1 for b in items),
                max(b.y1 for b in items))


def mean_conf(words: Sequence[Word]) -> float:
    return sum(w.conf for w in words) / len(words) if words else 0.0


def _split_line(line: Sequence[Word]) -> list[tuple[Word, ...]]:
    ordered = sorted(line, key=lambda w: w.bbox.x0)
    height = max(1.0, median(w.bbox.height for w in ordered))
    parts: list[list[Word]] = [[ordered[0]]]
    for word in ordered[1:]:
        gap = word.bbox.x0 - parts[-1][-1].bbox.x1
        if gap > _COLUMN_GAP * height:
            parts.append([word])
        else:
            parts[-1].append(word)
    return [tuple(p) for p in parts]


def page_segments(page: OcrPage) -> list[Segment]:
    """All segments of a page, top to bottom then left to right; empty words are dropped."""
    segments: list[Segment] = []
    for line in page.lines():
        words = [w for w in line if w.text.strip()]
        if words:
            segments.extend(Segment(part) for part in _split_line(words))
    segments.sort(key=lambda s: (s.cy, s.bbox.x0))
    return segments


def letters(text: str) -> list[str]:
    return _LETTER.findall(text)


def is_upper_line(segment: Segment, share: float = 0.8) -> bool:
    """True when most letters are capitals (organ names, type titles, signer positions)."""
    found = letters(segment.text)
    return len(found) >= 2 and sum(ch.isupper() for ch in found) >= share * len(found)


def is_junk(segment: Segment) -> bool:
    """Underlines, rules, signature scribbles: few letters or very low confidence."""
    useful = sum(ch.isalnum() for ch in segment.text)
    return useful < max(2, len(segment.text.replace(" ", "")) // 2) or segment.conf < 0.25


def below(segments: Sequence[Segment], anchor: Segment) -> list[Segment]:
    """Segments whose top lies below the middle of the anchor."""
    return [s for s in segments if s.bbox.y0 > anchor.cy and s is not anchor]


def garbled_header_line(segments: Sequence[Segment], page: OcrPage, *, left: bool) -> Segment | None:
    """The first line of the header (above 40 % of the page) that the page OCR read as junk: three words or
    more at a mean confidence under 0.5, starting in the left column (``left``) or reaching into the right
    one. A line holding a handwritten number or day next to printed words can make Tesseract's layout analysis
    misjudge the whole line ('Số: 38273 /CHQ-GSQL Hà Nội, ngày 25 tháng …' read 'SH 20013 (CHUCGOL HONGI
    ngài 29 Lang'), while the same band read alone reads right."""
    for seg in segments:
        if seg.cy > 0.4 * page.height or len(seg.words) < 3 or seg.conf >= 0.5:
            continue
        if (seg.bbox.x0 < 0.3 * page.width) if left else (seg.bbox.x1 > 0.6 * page.width):
            return seg
    return None
