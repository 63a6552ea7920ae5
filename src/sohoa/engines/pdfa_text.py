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
from typing import NamedTuple

from sohoa.domain.ocr import BBox, OcrPage
from sohoa.domain.text import nfc
from sohoa.engines.pdfa_font import DESCENT, GLYPH_WIDTH, encode_text

__all__ = ["FONT_RESOURCE", "IMAGE_RESOURCE", "PageContent", "page_content"]

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


class PageContent(NamedTuple):
    """The content stream, and whether it shows text (the page then needs the font resource)."""

    stream: bytes
    has_text: bool


def page_content(page_size: tuple[float, float], ocr: OcrPage | None,
                 image_size: tuple[int, int]) -> PageContent:
    """Content stream bytes: the image XObject scaled to the page, plus the invisible text layer."""
    width, height = page_size
    ops = [f"q {width:.4f} 0 0 {height:.4f} 0 0 cm {IMAGE_RESOURCE} Do Q"]
    lines = list(_visual_lines(ocr)) if ocr is not None else []
    if ocr is not None and lines:
        # OCR may have run on a resampled copy: map its pixel grid onto the embedded image's page.
        scale = _Scale(width / (ocr.width or image_size[0]), height / (ocr.height or image_size[1]), height)
        ops.append("BT 3 Tr")
        for line in lines:
            ops.extend(_line_ops(line, scale))
        ops.append("ET")
    return PageContent("\n".join(ops).encode("ascii"), bool(lines))


def _visual_lines(ocr: OcrPage) -> Iterator[list[tuple[str, BBox]]]:
    """OCR lines as (NFC text, box) pairs, split further where words do not sit on one row
    (engines that number no lines); empty words and boxes are dropped."""
    for line in ocr.lines():
        group: list[tuple[str, BBox]] = []
        top = bottom = 0
        for word in line:
            text, box = _WHITESPACE.sub(" ", nfc(word.text)).strip(), word.bbox
            if not text or box.width <= 0 or box.height <= 0:
                continue
            centre = (box.y0 + box.y1) / 2
            if group and (not top <= centre <= bottom or box.x0 < group[-1][1].x0):
                yield group
                group = []
            top, bottom = (min(top, box.y0), max(bottom, box.y1)) if group else (box.y0, box.y1)
            group.append((text, box))
        if group:
            yield group


def _show(text: str, x: float, baseline: float, width: float, size: float) -> str:
    natural = len(text) * GLYPH_WIDTH / 1000 * size
    stretch = 100 * width / natural
    return f"1 0 0 1 {x:.2f} {baseline:.2f} Tm {stretch:.3f} Tz <{encode_text(text)}> Tj"


def _line_ops(words: Sequence[tuple[str, BBox]], scale: _Scale) -> list[str]:
    top = min(box.y0 for _, box in words)
    bottom = max(box.y1 for _, box in words)
    size = (bottom - top) * scale.sy
    # The font's descent (0.2 em) sits below the baseline: raising it so the glyph box spans exactly
    # the line box makes viewers highlight the printed words when the invisible text is selected.
    baseline = scale.y(bottom) - DESCENT / 1000 * size
    ops = [f"{FONT_RESOURCE} {size:.2f} Tf"]
    for index, (text, box) in enumerate(words):
        x0, x1 = scale.x(box.x0), scale.x(box.x1)
        ops.append(_show(text, x0, baseline, x1 - x0, size))
        if index + 1 < len(words):
            gap = scale.x(words[index + 1][1].x0) - x1
            ops.append(_show(" ", x1, baseline, max(gap, _MIN_SPACE), size))
    return ops
