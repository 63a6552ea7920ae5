"""The 'Số: … /QĐ-UBND' line re-read on its own where the page OCR kept its label but lost the sign.

Tesseract sometimes reads the printed sign after a handwritten number so badly ('/CV-PA§3' at 0.3) that the
post-correction drops it as junk, or its layout analysis loses it, while the same line cut out and read
alone reads whole ('Số: 445' left, '/CV-PA83' read again). So when the upper left of a page holds a 'Số:'
line but no number line parses (:func:`._number.find_number`), the band of that line, from its label to the
page's middle, is read again by itself (the page worker does this after the correction), and so is a left
header line the page OCR read as junk (:func:`._layout.garbled_header_line`), and the band left of a sign
found alone ('/CT-CS': the label and the pen number lost with it); if that reading
parses as a number line, its words replace what the page OCR made of the band. The handwritten number in
it is then judged by :func:`.handwriting.read_fill_ins` like any other.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sohoa.domain.ocr import OcrPage

from ._layout import Segment, garbled_header_line, page_segments
from ._number import NumberMatch, find_number, number_label
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
    found = find_number(segments, page) if page.words else None
    if not page.words or (found is not None and not _bare(found)):
        return page
    if found is not None:  # the sign alone ('/CT-CS'): 'Số:' and the pen number lost, left of it
        h = found.segment.height
        box: tuple[int, int, int, int] | None = (
            max(0, int(found.segment.bbox.x0 - 12 * h)), max(0, int(found.segment.bbox.y0 - 0.6 * h)),
            min(page.width, int(found.segment.bbox.x1 + h)), min(page.height, int(found.segment.bbox.y1 + 0.6 * h)))
    else:
        label = number_label(segments, page) or garbled_header_line(segments, page, left=True)
        box = _band(page, label) if label is not None else None
    grey = _grey(image)
    if box is None or grey.shape[:2] != (page.height, page.width):
        return page  # no line to read again, or the words are not in the master's pixels
    again = sorted(_read_band(grey, box, dpi, engine), key=lambda w: w.bbox.x0)
    line = Segment(tuple(again)) if again else None
    read = find_number([line], replace(page, words=tuple(again))) if line is not None else None
    if read is None or _bare(read):
        return page
    return replace_band(page, box, again)


def _bare(found: NumberMatch) -> bool:
    """A sign found alone, without its 'Số:' (``_number._bare_sign``)."""
    return found.segment.text.startswith("/")
