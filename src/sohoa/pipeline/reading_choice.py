"""Never worse than the raw scan: preprocessing is a choice per page, not a fixed recipe (issue #12 item 3).

The page is read as prepared (:func:`~sohoa.pipeline.preprocess.prepare_for_ocr`). When that reading looks
doubtful — few of its words are confident, known Vietnamese syllables — and the preparation did more than
turn the page upright, the page is read a second time lightly prepared (grey, upright, nothing else: what
bare Tesseract gets), both readings are scored with one score and the better one is kept. Most pages read
well the first time and pay for one reading only. The choice is recorded in the page's quality warnings
with both scores: ``reading_light: …`` (the light reading was kept) or ``reading_prepared: …`` (read twice,
the prepared reading kept).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from sohoa.domain.ocr import OcrPage
from sohoa.domain.ports import OcrEngine
from sohoa.intelligence.lexicon_hits import is_known_word
from sohoa.pipeline.ocr import ocr_page
from sohoa.pipeline.preprocess import PreprocessOptions, prepare_for_ocr
from sohoa.pipeline.types import PreparedPage, QualityMetrics

__all__ = ["LIGHT", "ReadingScore", "read_page", "score_reading", "worth_second_reading"]

# The light preparation: the page in grey at its own resolution, only turned upright (a page on its side
# cannot be read at all); no cropping, scaling, background normalisation, red suppression or deskewing.
LIGHT = PreprocessOptions(deskew=False, crop_borders=False, normalise_background=False, suppress_red=False,
                          min_dpi=1, max_dpi=1_000_000)
_DOUBT = 0.80  # a first reading whose score per word is below this is doubtful: read the page again
_MISS_WEIGHT = 0.5  # an unknown word costs half what a known one earns (noise read as letters)
_MARGIN = 0.02  # per word read: how much better the light reading must be to replace the prepared one


@dataclass(frozen=True)
class ReadingScore:
    """One reading of a page: its words with letters, their mean confidence, the share of them that are
    known syllables, and the score: Σ confidence of known words − ½ Σ confidence of unknown ones."""

    words: int
    confidence: float
    known: float
    score: float

    @property
    def per_word(self) -> float:
        """The score per word with letters (1.0: every word known and fully confident)."""
        return self.score / self.words if self.words else 0.0

    def describe(self) -> str:
        return f"{self.score:.1f} ({self.words} words, conf {self.confidence:.2f}, known {self.known:.2f})"


def score_reading(page: OcrPage) -> ReadingScore:
    """Score a reading by the engine's confidence and the lexicon's hits."""
    words = hits = 0
    confidence = score = 0.0
    for word in page.words:
        known = is_known_word(word.text)
        if known is None:
            continue
        words += 1
        hits += known
        confidence += word.conf
        score += word.conf if known else -_MISS_WEIGHT * word.conf
    if not words:
        return ReadingScore(0, 0.0, 0.0, 0.0)
    return ReadingScore(words, round(confidence / words, 4), round(hits / words, 4), round(score, 3))


def worth_second_reading(prepared: PreparedPage, first: ReadingScore) -> bool:
    """The cheap test: a second reading only when the first is doubtful and the light page differs from the
    prepared one (a preparation that only turned the page upright would give the same reading)."""
    if prepared.quality.blank or not any(not step.startswith("rotate_") for step in prepared.steps):
        return False
    return first.words == 0 or first.per_word < _DOUBT


def read_page(pixels: NDArray[np.uint8], dpi: int, quality: QualityMetrics,
              engine: OcrEngine) -> tuple[OcrPage, QualityMetrics]:
    """The page's OCR words (master pixels) from the better of its prepared and, when the first reading is
    doubtful, its light reading; ``quality`` with the choice added to its warnings when read twice."""
    prepared = prepare_for_ocr(pixels, dpi, quality)
    first = ocr_page(prepared, engine)
    first_score = score_reading(first)
    if not worth_second_reading(prepared, first_score):
        return first, quality
    light = ocr_page(prepare_for_ocr(pixels, dpi, quality, options=LIGHT), engine)
    light_score = score_reading(light)
    margin = _MARGIN * max(first_score.words, light_score.words, 1)
    if light_score.score > first_score.score + margin:
        note = f"reading_light: light {light_score.describe()} > prepared {first_score.describe()}"
        return light, replace(quality, warnings=(*quality.warnings, note))
    note = f"reading_prepared: prepared {first_score.describe()}, light {light_score.describe()}"
    return first, replace(quality, warnings=(*quality.warnings, note))
