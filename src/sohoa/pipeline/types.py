"""Value types shared by the pipeline stages: source pages, triage results, quality, prepared pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from sohoa.domain.ocr import BBox, OcrPage

__all__ = [
    "PageTransform",
    "PendingTextLayer",
    "PreparedPage",
    "QualityMetrics",
    "QuarantineReason",
    "SourcePage",
    "TriageResult",
]


class QuarantineReason(StrEnum):
    """Why an input was set aside instead of processed."""

    EMPTY = "empty"
    TRUNCATED = "truncated"
    CORRUPT = "corrupt"
    ENCRYPTED = "encrypted"
    UNSUPPORTED = "unsupported"
    TOO_LARGE = "too_large"
    TOO_MANY_PAGES = "too_many_pages"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class PendingTextLayer:
    """A PDF page's text layer as pdftotext wrote it (one page of ``-bbox-layout`` markup), parsed into
    words by whoever processes the page (:func:`sohoa.pipeline.triage.page_text_layer`), in the pixels of
    a ``width_px`` × ``height_px`` image of the page."""

    markup: str = field(repr=False)
    width_px: int
    height_px: int


@dataclass(frozen=True)
class SourcePage:
    """One page of an input file: an image frame or a PDF page (``page_index`` is 0-based)."""

    source_path: str
    page_index: int
    kind: str  # "image" | "pdf"
    dpi: int | None
    text_layer: OcrPage | None = None  # or, not parsed yet, ``pending_layer``
    # A PDF page drawn with text and no page-filling scan: its words come from the text layer, its
    # PDF/A is a copy of the page where the PDF allows it, nothing is measured on pixels.
    born_digital: bool = False
    pending_layer: PendingTextLayer | None = None


@dataclass(frozen=True)
class TriageResult:
    """An input file that can be processed, with its checksum and its pages."""

    path: str
    sha256: str
    size: int
    media_type: str
    pages: tuple[SourcePage, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class QualityMetrics:
    """Measurements of a master image, as scanned (nothing here changes the master)."""

    dpi: int
    width: int
    height: int
    colour_mode: str  # "color" | "gray" | "bw", or "digital" for a born-digital page (nothing scanned)
    bit_depth: int
    blur: float  # variance of the Laplacian at ~150 dpi; lower is blurrier
    skew_degrees: float  # counter-clockwise skew of the text lines, after orientation
    orientation: int  # 0/90/180/270: clockwise rotation that makes the page upright
    blank: bool
    contrast: float  # 0..1, spread between paper and ink
    ink_ratio: float  # share of ink pixels
    red_ratio: float  # share of red-ink pixels (seals, stamps)
    yellowness: float  # paper b* in CIELAB (0 = neutral white, > 15 = clearly yellowed)
    warnings: tuple[str, ...] = ()


Matrix = tuple[float, float, float, float, float, float]


@dataclass(frozen=True)
class PageTransform:
    """How OCR-image pixels map back to master pixels: an affine matrix plus the steps' parameters."""

    to_master: Matrix  # (a, b, c, d, e, f): x' = a·x + b·y + c, y' = d·x + e·y + f
    master_width: int
    master_height: int
    rotation: int = 0  # clockwise quarter-turn applied for orientation (0/90/180/270)
    deskew_degrees: float = 0.0  # counter-clockwise rotation applied to straighten lines
    scale: float = 1.0  # OCR pixels per master pixel
    crop: tuple[int, int, int, int] = (0, 0, 0, 0)  # master box kept: x0, y0, x1, y1

    def map_point(self, x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = self.to_master
        return a * x + b * y + c, d * x + e * y + f

    def map_box(self, box: BBox) -> BBox:
        """The master-pixel box enclosing an OCR-pixel box, clipped to the master image."""
        corners = [self.map_point(x, y) for x in (box.x0, box.x1) for y in (box.y0, box.y1)]
        xs = [p[0] for p in corners]
        ys = [p[1] for p in corners]
        x0 = min(max(round(min(xs)), 0), self.master_width)
        y0 = min(max(round(min(ys)), 0), self.master_height)
        x1 = min(max(round(max(xs)), x0), self.master_width)
        y1 = min(max(round(max(ys)), y0), self.master_height)
        return BBox(x0, y0, x1, y1)


@dataclass(frozen=True)
class PreparedPage:
    """The OCR input derived from a master (grey uint8 array), with the way back to master pixels."""

    quality: QualityMetrics
    ocr_image: NDArray[np.uint8] = field(repr=False)
    ocr_dpi: int
    transform: PageTransform
    steps: tuple[str, ...] = ()
