"""The signer's title line re-read on its own where the page OCR lost or garbled it under the authority line.

A signature block reads top-down "TM. ỦY BAN NHÂN DÂN" / "CHỦ TỊCH" / signature / name. Tesseract's page
layout analysis sometimes joins the title line to the signature strokes under it and drops it, or reads it
in overlapping pieces ("CHỦ" beside "HƯ TỊCH"), while the same line cut out and read alone reads cleanly. So
when a page has an authority line (TM./KT./Q./TL./TUQ.) in its right half and the lines between it and the
signature do not read as clean capitals, the band under the authority line is read again by itself; if that
reading is clean capitals, its words replace what the page OCR made of the band.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise
from typing import Any, Protocol

import numpy as np

from sohoa.domain.ocr import BBox, OcrPage, Word

from ._layout import Segment, is_upper_line, page_segments
from .syllables import is_valid_syllable

__all__ = ["read_signer_titles"]

_AUTHORITY = re.compile(r"^(?:TM|KT|Q|TL|TUQ)\s*\.\s*\S")
_AUTHORITY_WORD = re.compile(r"^(?:TM|KT|Q|TL|TUQ)\.$")
_CLEAN_CONF = 0.8  # a title line read at least this sure, in whole syllables, is not read again
_BAND = 2.6  # the band read again: this many line heights under the authority line (one or two title lines)


class _Engine(Protocol):
    def recognize(self, image: Any, dpi: int) -> OcrPage: ...


def _clean(words: list[Word]) -> bool:
    """Capitals in valid syllables, read surely, one piece per line (no overlapping pieces)."""
    if not words:
        return False
    seg = Segment(tuple(words))
    letters_ok = all(is_valid_syllable(w.text.strip(".,;:")) for w in words
                     if any(c.isalpha() for c in w.text) and not _AUTHORITY_WORD.match(w.text))
    ordered = sorted(words, key=lambda w: w.bbox.x0)
    overlap = any(b.bbox.x0 < a.bbox.x1 - 2 and abs(a.bbox.y0 - b.bbox.y0) < a.bbox.height
                  for a, b in pairwise(ordered))
    return is_upper_line(seg, 0.9) and letters_ok and seg.conf >= _CLEAN_CONF and not overlap


def _band(page: OcrPage, authority: Segment) -> tuple[int, int, int, int]:
    h = authority.height
    x0 = max(0, int(authority.bbox.x0 - 2 * h))
    x1 = min(page.width, int(authority.bbox.x1 + 2 * h))
    return x0, int(authority.bbox.y1 + 0.15 * h), x1, min(page.height, int(authority.bbox.y1 + _BAND * h))


def _inside(word: Word, box: tuple[int, int, int, int]) -> bool:
    cx, cy = (word.bbox.x0 + word.bbox.x1) / 2, (word.bbox.y0 + word.bbox.y1) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def _read_band(grey: np.ndarray, box: tuple[int, int, int, int], dpi: int, engine: _Engine) -> list[Word]:
    x0, y0, x1, y1 = box
    pad = max(10, dpi // 10)
    crop = np.full((y1 - y0 + 2 * pad, x1 - x0 + 2 * pad), 255, dtype=np.uint8)
    crop[pad : pad + y1 - y0, pad : pad + x1 - x0] = grey[y0:y1, x0:x1]
    read = engine.recognize(np.ascontiguousarray(crop), dpi)
    dx, dy = x0 - pad, y0 - pad
    return [replace(w, bbox=BBox(w.bbox.x0 + dx, w.bbox.y0 + dy, w.bbox.x1 + dx, w.bbox.y1 + dy))
            for w in read.words if w.text.strip()]


def replace_band(page: OcrPage, box: tuple[int, int, int, int], again: Sequence[Word]) -> OcrPage:
    """``page`` with the words inside ``box`` replaced by ``again`` (a band read again alone), as one new line."""
    block = max((w.block for w in page.words), default=0) + 1
    line = max((w.line for w in page.words), default=0) + 1
    kept = [w for w in page.words if not _inside(w, box)]
    return replace(page, words=(*kept, *(replace(w, block=block, line=line) for w in again)))


def _grey(image: Any) -> np.ndarray:
    pixels = np.asarray(image.convert("L") if hasattr(image, "convert") else image)
    if pixels.ndim == 3:
        pixels = (pixels[:, :, :3] @ np.array([0.299, 0.587, 0.114])).astype(np.uint8)
    return np.ascontiguousarray(pixels.astype(np.uint8))


def read_signer_titles(image: Any, dpi: int, page: OcrPage, engine: _Engine) -> OcrPage:
    """``page`` with the title line under each authority line of its right half read again where the page
    OCR did not read it cleanly (``image``: the master page, PIL image or array, in the page's pixels)."""
    authorities = [s for s in page_segments(page)
                   if s.bbox.x0 > 0.4 * page.width and _AUTHORITY.match(s.text) and s.conf >= 0.5]
    grey: np.ndarray | None = None
    for authority in authorities:
        box = _band(page, authority)
        present = [w for w in page.words if _inside(w, box)]
        if _clean(present):
            continue
        grey = _grey(image) if grey is None else grey
        if grey.shape[:2] != (page.height, page.width):
            return page  # the words are not in the master's pixels: nothing to cut out
        again = [w for w in _read_band(grey, box, dpi, engine) if w.conf >= 0.5]
        if not _clean(again):
            continue
        page = replace_band(page, box, again)
    return page
