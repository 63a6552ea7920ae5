"""Personal data on an OCR page: the spans of the page's text mapped to its words and their boxes."""

from __future__ import annotations

from dataclasses import dataclass

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.domain.personal import PersonalSpan

__all__ = ["PageSpan", "page_text", "word_offsets"]


@dataclass(frozen=True)
class PageSpan:
    """A span of ``page_text(ocr)``, the indices of the words it touches in ``ocr.words`` and one box per
    word in the page's scan pixels (cut to the span's characters when it covers part of a word)."""

    span: PersonalSpan
    words: tuple[int, ...]
    boxes: tuple[BBox, ...]


def word_offsets(ocr: OcrPage) -> tuple[str, list[tuple[int, int]]]:
    """The page's text (words joined by spaces, lines by newlines) and each word's (start, end) in it."""
    parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    position = 0
    for n, line in enumerate(ocr.lines()):
        if n:
            parts.append("\n")
            position += 1
        for k, word in enumerate(line):
            if k:
                parts.append(" ")
                position += 1
            parts.append(word.text)
            offsets.append((position, position + len(word.text)))
            position += len(word.text)
    return "".join(parts), offsets


def page_text(ocr: OcrPage) -> str:
    """The text that page spans refer to: words joined by spaces, lines by newlines."""
    return word_offsets(ocr)[0]


def _cut(word: Word, word_start: int, start: int, end: int) -> BBox:
    """The part of the word's box under characters [start, end) (characters taken as equally wide)."""
    box, length = word.bbox, max(len(word.text), 1)
    first, last = max(start - word_start, 0), min(end - word_start, length)
    if first == 0 and last == length:
        return box
    x0 = box.x0 + box.width * first // length
    x1 = box.x0 + -(-box.width * last // length)
    return BBox(x0, box.y0, max(x1, x0 + 1), box.y1)


def map_spans(ocr: OcrPage, spans: list[PersonalSpan], offsets: list[tuple[int, int]]) -> list[PageSpan]:
    """Each span with the words it overlaps and their (cut) boxes."""
    out: list[PageSpan] = []
    for span in spans:
        indices = tuple(i for i, (s, e) in enumerate(offsets) if s < span.end and e > span.start)
        boxes = tuple(_cut(ocr.words[i], offsets[i][0], span.start, span.end) for i in indices)
        out.append(PageSpan(span, indices, boxes))
    return out
