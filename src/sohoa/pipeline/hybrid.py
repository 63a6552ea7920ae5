"""Hybrid PDF pages: a scan that also carries a text layer. Whose text is the page's?

Agencies publish scans with text over them of three kinds: an OCR layer made by another tool (invisible words
over every line of the scan), a portal's or signer's stamp ("Ký bởi: …", "Thời gian ký: … +07:00", the
publishing office's e-mail) in a corner, and, now and then, words typed over the scan (a number, a day).
Taking the layer as the page's text turns a decision into its signature stamp; ignoring it loses typed words.

The layer is the page's text when its words explain most of the scan's ink (:data:`COVERED`). Otherwise the
scan is read by OCR, and the layer's words are sorted: blocks that look like a signature stamp or a portal
banner are provenance (kept beside the page, never in its text); other words that no OCR word overlaps are
typed over the scan and join the page's text as blocks of their own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.domain.text import fold, within_one_edit
from sohoa.engines import imaging

__all__ = ["COVERED", "LayerSplit", "layer_coverage", "merge_typed", "split_layer", "without_stamps"]

COVERED = 0.6  # share of the scan's ink inside the layer's word boxes from which the layer is the page's text
_ANALYSIS_DPI = 100
_PAD = 2  # pixels at the analysis resolution around each word box (accents, loose boxes)
_STAMP = re.compile(
    r"(?i)\b(ký\s+bởi|người\s+ký|thời\s+gian\s+ký|cơ\s+quan\s*:|signed\s+by|signature\s+valid|ngày\s+ký)"
    r"|[+]\s?07[:.]?00\b|[\w.-]+@[\w-]+(\.[\w-]+)+|\d{1,2}[./]\d{1,2}[./]\d{4}\s+\d{1,2}:\d{2}")


@dataclass(frozen=True)
class LayerSplit:
    """A partial text layer sorted: words typed over the scan, and the text of stamps and banners."""

    typed: tuple[Word, ...]
    stamp_text: str
    stamps: tuple[Word, ...] = ()  # the stamps' and banners' words, where the layer puts them


def layer_coverage(pixels: NDArray[np.uint8], dpi: int, layer: OcrPage) -> float:
    """Share of the scan's ink (``pixels``: the page image, as the layer's boxes are measured) that lies
    inside the layer's word boxes; 1.0 for a page without ink."""
    factor = _ANALYSIS_DPI / max(dpi, 1)
    small = imaging.resize(pixels, factor)
    grey = imaging.luminance(small) if small.ndim == 3 else small
    ink = imaging.ink_mask(imaging.normalise_background(grey, _ANALYSIS_DPI))
    total = int(ink.sum())
    if total == 0:
        return 1.0
    height, width = ink.shape
    sx, sy = width / max(layer.width, 1), height / max(layer.height, 1)
    boxes = np.zeros_like(ink)
    for word in layer.words:
        box = word.bbox
        top, bottom = max(0, int(box.y0 * sy) - _PAD), min(height, int(box.y1 * sy) + _PAD + 1)
        left, right = max(0, int(box.x0 * sx) - _PAD), min(width, int(box.x1 * sx) + _PAD + 1)
        boxes[top:bottom, left:right] = True
    return int((ink & boxes).sum()) / total


def split_layer(layer: OcrPage) -> LayerSplit:
    """The layer's blocks that read like a signature stamp or a portal banner (provenance), and the rest."""
    blocks: dict[int, list[Word]] = {}
    for word in layer.words:
        blocks.setdefault(word.block, []).append(word)
    typed: list[Word] = []
    stamps: list[str] = []
    stamp_words: list[Word] = []
    for words in blocks.values():
        text = OcrPage(layer.width, layer.height, layer.dpi, tuple(words), layer.source, layer.engine).text
        if _STAMP.search(text):
            stamps.append(text)
            stamp_words.extend(words)
        else:
            typed.extend(words)
    return LayerSplit(tuple(typed), "\n\n".join(stamps), tuple(stamp_words))


def _reads_as(ocr: str, stamp: str) -> bool:
    """An OCR word (folded) read from a stamp's word: the same, or one edit away when both are long enough
    for one edit not to make another word ('hoa' is one edit from 'hoc')."""
    return ocr == stamp or (min(len(ocr), len(stamp)) >= 5 and within_one_edit(ocr, stamp))


def without_stamps(ocr: OcrPage, stamps: Sequence[Word]) -> OcrPage:
    """The OCR page without its reading of the stamps the layer holds: a signing tool that writes its stamp
    into the page (not as a signature widget) leaves it in the pixels, and OCR reads it with the document.
    An OCR word goes when its centre lies inside a stamp block's box and it reads as one of that block's
    words (marks ignored; :func:`_reads_as`): the document's own words under a widget stay."""
    if not stamps or ocr.text_override is not None:
        return ocr
    blocks: dict[int, list[Word]] = {}
    for word in stamps:
        blocks.setdefault(word.block, []).append(word)
    zones = []  # per stamp block: its box grown by a line's height, and its words
    for ws in blocks.values():
        pad = max(w.bbox.height for w in ws) // 2
        zones.append((min(w.bbox.x0 for w in ws) - pad, min(w.bbox.y0 for w in ws) - pad,
                      max(w.bbox.x1 for w in ws) + pad, max(w.bbox.y1 for w in ws) + pad, {fold(w.text) for w in ws}))

    def echo(word: Word) -> bool:
        cx, cy = (word.bbox.x0 + word.bbox.x1) / 2, (word.bbox.y0 + word.bbox.y1) / 2
        text = fold(word.text)
        return any(x0 <= cx <= x1 and y0 <= cy <= y1 and any(_reads_as(text, t) for t in texts)
                   for x0, y0, x1, y1, texts in zones)

    kept = tuple(w for w in ocr.words if not echo(w))
    return ocr if len(kept) == len(ocr.words) else replace(ocr, words=kept)


def _overlaps(box: BBox, others: Sequence[BBox]) -> bool:
    """Whether ``box`` shares half of its area with any of ``others``."""
    area = max(1, box.width * box.height)
    for other in others:
        w = min(box.x1, other.x1) - max(box.x0, other.x0)
        h = min(box.y1, other.y1) - max(box.y0, other.y0)
        if w > 0 and h > 0 and w * h * 2 >= area:
            return True
    return False


def merge_typed(ocr: OcrPage, typed: Sequence[Word]) -> OcrPage:
    """The OCR page with the typed words that no OCR word covers, each layer block a block of its own
    after the OCR's blocks (confidence as the layer gives it: the PDF states them)."""
    boxes = [w.bbox for w in ocr.words]
    extra = [w for w in typed if not _overlaps(w.bbox, boxes)]
    if not extra:
        return ocr
    first_block = max((w.block for w in ocr.words), default=0) + 1
    first_line = max((w.line for w in ocr.words), default=0) + 1
    numbering = {key: n for n, key in enumerate(dict.fromkeys((w.block, w.line) for w in extra))}
    blocks = {block: n for n, block in enumerate(dict.fromkeys(w.block for w in extra))}
    added = tuple(replace(w, block=first_block + blocks[w.block], line=first_line + numbering[(w.block, w.line)])
                  for w in extra)
    override = ocr.text_override
    if override is not None:  # a page whose text was given: the typed words follow it
        override = f"{override}\n\n{replace(ocr, words=added, text_override=None).text}"
    return replace(ocr, words=ocr.words + added, text_override=override)
