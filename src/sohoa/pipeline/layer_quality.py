"""Is a PDF's text layer worth more than reading the page ourselves? The layer's words against the lexicon.

Scans are often published with an OCR text layer made by another tool, sometimes a poor one: Vietnamese
read without its tone marks or with letters swapped ("SO GIAO DVC vA DA° TAO", "Dc 1p - Ty do - Hph phtic").
Such a layer may explain all of the scan's ink (:mod:`.hybrid`) or even come with the page drawn as text
(born-digital by triage's test) and still be worse than any reading we make. A layer read well is mostly
syllables of the shipped lexicon (above 0.9 on the real born-digital and portal pages); a poor one is not.

A layer whose share of known words is under :data:`POOR_LAYER` is doubted: the page is read by OCR, and the
OCR words replace the layer only when their share of known words is higher by :data:`OCR_MARGIN` (a page in
another language reads as badly either way, and then the layer, drawn by its author, is kept).
"""

from __future__ import annotations

from dataclasses import dataclass

from sohoa.domain.ocr import OcrPage
from sohoa.pipeline.reading_choice import score_reading

__all__ = ["MIN_WORDS", "OCR_MARGIN", "POOR_LAYER", "LayerVerdict", "known_share", "layer_is_poor", "prefer_ocr"]

POOR_LAYER = 0.75  # a layer with fewer known words than this share is doubted
OCR_MARGIN = 0.15  # how much higher the OCR's share of known words must be to replace the layer
MIN_WORDS = 20  # a layer with fewer words (a stamp, a page number) is not judged by its words


@dataclass(frozen=True)
class LayerVerdict:
    """The shares of known words of the layer and of the OCR reading, and whether the OCR is kept."""

    layer: float
    ocr: float
    use_ocr: bool

    def describe(self) -> str:
        """The page warning recording the choice (``text_layer_poor: …``)."""
        kept = "OCR kept" if self.use_ocr else "layer kept"
        return f"text_layer_poor: known words {self.layer:.2f} in the layer, {self.ocr:.2f} by OCR; {kept}"


def known_share(page: OcrPage) -> float:
    """Share of the page's words with letters that are known syllables (0.0 for a page without any)."""
    return score_reading(page).known


def layer_is_poor(layer: OcrPage) -> bool:
    """Whether a text layer of at least :data:`MIN_WORDS` words has under :data:`POOR_LAYER` known words."""
    score = score_reading(layer)
    return score.words >= MIN_WORDS and score.known < POOR_LAYER


def prefer_ocr(layer: OcrPage, ocr: OcrPage) -> LayerVerdict:
    """Whether the OCR reading of a page replaces its (poor) text layer."""
    ours, theirs = known_share(layer), known_share(ocr)
    return LayerVerdict(round(ours, 3), round(theirs, 3), theirs >= ours + OCR_MARGIN)
