"""OCR results as immutable values: words with boxes and confidences, grouped into lines and blocks."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

__all__ = ["BBox", "OcrPage", "Word"]


@dataclass(frozen=True, slots=True)
class BBox:
    """A box in page pixels: left, top, right, bottom (exclusive)."""

    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    def union(self, other: BBox) -> BBox:
        return BBox(min(self.x0, other.x0), min(self.y0, other.y0), max(self.x1, other.x1),
                    max(self.y1, other.y1))

    def as_list(self) -> list[int]:
        return [self.x0, self.y0, self.x1, self.y1]


@dataclass(frozen=True, slots=True)
class Word:
    """One recognised word. ``conf`` is 0..1; ``block``/``line`` number the layout (page-unique)."""

    text: str
    bbox: BBox
    conf: float
    block: int = 0
    line: int = 0


@dataclass(frozen=True)
class OcrPage:
    """The text of one page with its words. ``source`` is 'ocr' (engine ran) or 'pdf' (text layer)."""

    width: int
    height: int
    dpi: int
    words: tuple[Word, ...] = ()
    source: str = "ocr"
    engine: str = ""
    text_override: str | None = field(default=None, compare=False)

    def lines(self) -> Iterator[tuple[Word, ...]]:
        """Words grouped by (block, line), in reading order."""
        current: list[Word] = []
        key: tuple[int, int] | None = None
        for word in self.words:
            if key is not None and (word.block, word.line) != key:
                yield tuple(current)
                current = []
            key = (word.block, word.line)
            current.append(word)
        if current:
            yield tuple(current)

    @property
    def text(self) -> str:
        """Plain text: words joined by spaces, lines by newlines, blocks by a blank line."""
        if self.text_override is not None:
            return self.text_override
        parts: list[str] = []
        last_block: int | None = None
        for line in self.lines():
            if last_block is not None and line[0].block != last_block:
                parts.append("")
            parts.append(" ".join(w.text for w in line))
            last_block = line[0].block
        return "\n".join(parts)

    @property
    def mean_confidence(self) -> float:
        """Mean word confidence (0 for a page without words)."""
        return sum(w.conf for w in self.words) / len(self.words) if self.words else 0.0

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        """Pickle as flat columns: pages cross process boundaries (page jobs and their results), and
        the default pickling of hundreds of small frozen objects per page is ~10× slower."""
        words = self.words
        numbers = [n for w in words for n in (w.bbox.x0, w.bbox.y0, w.bbox.x1, w.bbox.y1, w.block, w.line)]
        return _unpickle_page, (self.width, self.height, self.dpi, self.source, self.engine, self.text_override,
                                [w.text for w in words], [w.conf for w in words], numbers)


def _unpickle_page(width: int, height: int, dpi: int, source: str, engine: str, text_override: str | None,
                   texts: list[str], confs: list[float], numbers: list[int]) -> OcrPage:
    values = iter(numbers)
    words = tuple(Word(text, BBox(next(values), next(values), next(values), next(values)), conf,
                       next(values), next(values)) for text, conf in zip(texts, confs, strict=True))
    return OcrPage(width, height, dpi, words, source, engine, text_override)
