"""The 'Số: … /QĐ-UBND' line re-read on its own where the page OCR kept its label but lost the sign.

Tesseract sometimes reads the printed sign after a handwritten number so badly ('/CV-PA§3' at 0.3) that the
post-correction drops it as junk, or its layout analysis loses it, while the same line cut out and read
alone reads whole ('Số: 445' left, '/CV-PA83' read again). So when the upper left of a page holds a 'Số:'
line but no number line parses (:func:`._number.find_number`), the band of that line, from its label to the
page's middle, is read again by itself (the page worker does this after the correction), and so is a left
header line the page OCR read as junk (:func:`._layout.garbled_header_line`); if that reading
parses as a number line, its words replace what the page OCR made of the band. The handwritten number in
it is then judged by :func:`.handwriting.read_fill_ins` like any other.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sohoa.domain.ocr import OcrPage

from ._layout import Segment, garbled_header_line, page_segments
from ._number import find_number, number_label
from .signer_titles import _Engine, _grey, _read_band, replace_band

__all__ = ["read_number_line"]


def _band(page: OcrPage, label: Segment) -> tuple[int, int, int, int]:
    h = label.height
    return (max(0, int(label.bbox.x0 - h)), max(0, int(label.bbox.y0 - 0.4 * h)),
            int(0.55 * page.width), min(page.height, int(label.bbox.y1 + 0.4 * h)))


def read_number_line(image: Any, dpi: int, page: OcrPage, engine: _Engine) -> OcrPage:
    """``page`` with its 'Số:' line read again alone when no number line parses (``image``: the master
    page, PIL image or array, in the page's pixels)."""
    segments = page_segments(page)
    if not page.words or find_number(segments, page) is not None:
        return page
    label = number_label(segments, page) or garbled_header_line(segments, page, left=True)
    if label is None:
        return page
    grey = _grey(image)
    if grey.shape[:2] != (page.height, page.width):
        return page  # the words are not in the master's pixels: nothing to cut out
    box = _band(page, label)
    again = sorted(_read_band(grey, box, dpi, engine), key=lambda w: w.bbox.x0)
    line = Segment(tuple(again)) if again else None
    if line is None or find_number([line], replace(page, words=tuple(again))) is None:
        return page
    return replace_band(page, box, again)
