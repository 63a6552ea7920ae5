"""The page content stream: the scan painted full-page, then the OCR words as invisible text on top.

Each visual line shares one font size (the line's height) and one baseline, so text extractors
group it into a single line; each word is placed at its box's left edge and stretched with ``Tz``
to the box width. An explicit space, stretched over the gap, separates words so every viewer's
copy-paste yields spaces (the approach of OCRmyPDF's hOCR renderer).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sohoa.domain.ocr import OcrPage, Word
from sohoa.domain.text import nfc
from sohoa.engines.pdfa_font import DESCENT, GLYPH_WIDTH, encode_text

__all__ = ["FONT_RESOURCE", "IMAGE_RESOURCE", "has_text", "page_content"]

FONT_RESOURCE = "/F1"
IMAGE_RESOURCE = "/Im0"
_MIN_SPACE = 0.01  # points: a space must exist even between touching boxes
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class _Scale:
    """OCR pixels → PDF points (y flipped: PDF's origin is the bottom-left corner)."""

    sx: float
    sy: float
    page_height: float

    def x(self, px: float) -> float:
        return px * self.sx

    def y(self, px: float) -> float:
        return self.page_height - px * self.sy


def page_content(page_size: tuple[float, float], ocr: OcrPage | None, image_size: tuple[int, int]) -> bytes:
    """Content stream bytes: the image XObject scaled to the page, plus the invisible text layer."""
    width, height = page_size
    ops = [f"q {width:.4f} 0 0 {height:.4f} 0 0 cm {IMAGE_RESOURCE} Do Q"]
    if ocr is not None and ocr.words:
        # OCR may have run on a resampled copy: map its pixel grid onto the embedded image's page.
        ocr_w = ocr.width or image_size[0]
        ocr_h = ocr.height or image_size[1]
        scale = _Scale(width / ocr_w, height / ocr_h, height)
        lines = [_line_ops(line, scale) for line in _visual_lines(ocr)]
        if lines:
            ops.append("BT 3 Tr")
            ops.extend(op for line in lines for op in line)
            ops.append("ET")
    return "\n".join(ops).encode("ascii")


def has_text(ocr: OcrPage | None) -> bool:
    """Whether the page will carry an invisible text layer (and so needs the font resource)."""
    return ocr is not None and any(True for _ in _visual_lines(ocr))


def _clean(word: Word) -> str:
    return _WHITESPACE.sub(" ", nfc(word.text)).strip()


def _visual_lines(ocr: OcrPage) -> Iterator[list[Word]]:
    """OCR lines, split further where words do not sit on one row (engines without line numbers)."""
    for line in ocr.lines():
        group: list[Word] = []
        top = bottom = 0
        for word in line:
            box = word.bbox
            if not _clean(word) or box.width <= 0 or box.height <= 0:
                continue
            centre = (box.y0 + box.y1) / 2
            if group and (not top <= centre <= bottom or box.x0 < group[-1].bbox.x0):
                yield group
                group = []
            top, bottom = (min(top, box.y0), max(bottom, box.y1)) if group else (box.y0, box.y1)
            group.append(word)
        if group:
            yield group


def _show(text: str, x: float, baseline: float, width: float, size: float) -> str:
    natural = len(text) * GLYPH_WIDTH / 1000 * size
    stretch = 100 * width / natural
    return f"1 0 0 1 {x:.2f} {baseline:.2f} Tm {stretch:.3f} Tz <{encode_text(text)}> Tj"


def _line_ops(words: Sequence[Word], scale: _Scale) -> list[str]:
    top = min(w.bbox.y0 for w in words)
    bottom = max(w.bbox.y1 for w in words)
    size = (bottom - top) * scale.sy
    # The font's descent (0.2 em) sits below the baseline: raising it so the glyph box spans exactly
    # the line box makes viewers highlight the printed words when the invisible text is selected.
    baseline = scale.y(bottom) - DESCENT / 1000 * size
    ops = [f"{FONT_RESOURCE} {size:.2f} Tf"]
    for index, word in enumerate(words):
        x0, x1 = scale.x(word.bbox.x0), scale.x(word.bbox.x1)
        ops.append(_show(_clean(word), x0, baseline, x1 - x0, size))
        if index + 1 < len(words):
            gap = scale.x(words[index + 1].bbox.x0) - x1
            ops.append(_show(" ", x1, baseline, max(gap, _MIN_SPACE), size))
    return ops
