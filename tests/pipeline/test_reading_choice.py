"""Never worse than the raw scan (issue #12 item 3): a doubtful prepared reading is compared with a light
reading of the same page and the better one is kept; a page read well pays for one reading only."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.intelligence.lexicon_hits import is_known_word
from sohoa.pipeline.preprocess import measure_quality, pixel_array
from sohoa.pipeline.reading_choice import read_page, score_reading

from ..ingest._helpers import text_page

TEXT = ["Quyết", "định", "về", "việc", "hòa", "giải"]
GARBLED = ["Qnyél", "đjnh", "vẻê", "vỉệc", "hòq", "gíảỉ"]


def words(texts: list[str], conf: float) -> tuple[Word, ...]:
    return tuple(Word(t, BBox(40 + 120 * i, 40, 150 + 120 * i, 80), conf, 1, 1) for i, t in enumerate(texts))


@dataclass
class ByDpiEngine:
    """Reads the page it is given by its resolution: the prepared 200-dpi page is enlarged to 300 dpi, the
    light one is not, so the two readings differ. Counts its calls."""

    readings: dict[int, tuple[Word, ...]]
    calls: list[int] = field(default_factory=list)
    name: str = "by-dpi"

    def recognize(self, image: NDArray[np.uint8] | Image.Image, dpi: int) -> OcrPage:
        self.calls.append(dpi)
        width, height = image.size if isinstance(image, Image.Image) else (image.shape[1], image.shape[0])
        return OcrPage(width, height, dpi, self.readings.get(dpi, ()), source="ocr", engine=self.name)


def _read(path: Path, engine: ByDpiEngine) -> tuple[OcrPage, tuple[str, ...]]:
    image = Image.open(path)
    pixels, depth = pixel_array(image)
    dpi = round(image.info["dpi"][0])
    page, quality = read_page(pixels, dpi, measure_quality(pixels, dpi, depth=depth), engine)
    return page, quality.warnings


def test_the_light_reading_is_kept_when_the_prepared_one_reads_worse(tmp_path: Path) -> None:
    engine = ByDpiEngine({300: words(GARBLED, 0.6), 200: words(TEXT, 0.95)})
    page, warnings = _read(text_page(tmp_path / "p.png", [" ".join(TEXT)], dpi=200), engine)
    assert engine.calls == [300, 200]
    assert [w.text for w in page.words] == TEXT
    (note,) = [w for w in warnings if w.startswith("reading_")]
    assert note.startswith("reading_light: light 5.7 (6 words, conf 0.95, known 1.00) > prepared -1.8")
    assert all(w.bbox.x1 <= 1200 and w.bbox.y1 <= 600 for w in page.words)  # mapped back to the master


def test_the_prepared_reading_is_kept_when_it_reads_better(tmp_path: Path) -> None:
    engine = ByDpiEngine({300: words(TEXT, 0.7), 200: words(GARBLED, 0.9)})
    page, warnings = _read(text_page(tmp_path / "p.png", [" ".join(TEXT)], dpi=200), engine)
    assert engine.calls == [300, 200]  # doubtful (confidence 0.7): read twice
    assert [w.text for w in page.words] == TEXT
    assert all(w.bbox.x1 <= 1200 and w.bbox.y1 <= 600 for w in page.words)
    assert [w.split(":")[0] for w in warnings if w.startswith("reading_")] == ["reading_prepared"]


def test_a_page_read_well_is_read_once(tmp_path: Path) -> None:
    engine = ByDpiEngine({300: words(TEXT, 0.95), 200: words(GARBLED, 0.9)})
    page, warnings = _read(text_page(tmp_path / "p.png", [" ".join(TEXT)], dpi=200), engine)
    assert engine.calls == [300] and [w.text for w in page.words] == TEXT
    assert not [w for w in warnings if w.startswith("reading_")]


def test_a_clean_page_prepared_as_is_is_read_once_even_when_doubtful(tmp_path: Path) -> None:
    """A clean 300-dpi page needs no preparation: a light reading would read the same pixels."""
    engine = ByDpiEngine({300: words(GARBLED, 0.5)})
    page, warnings = _read(text_page(tmp_path / "p.png", [" ".join(TEXT)], dpi=300), engine)
    assert engine.calls == [300] and [w.text for w in page.words] == GARBLED
    assert not [w for w in warnings if w.startswith("reading_")]


def test_score_counts_confident_known_words_and_charges_unknown_ones() -> None:
    page = OcrPage(100, 100, 300, (*words(TEXT[:2], 0.9), *words(["Qnyél", "12/2025/QĐ-UBND", "—", "l"], 0.8)))
    score = score_reading(page)
    assert (score.words, score.known) == (4, 0.5)  # the number and the dash are not words
    assert score.score == 0.9 * 2 - 0.5 * 0.8 * 2
    assert score_reading(OcrPage(100, 100, 300, ())).per_word == 0.0


def test_known_words_are_syllables_of_the_lexicon() -> None:
    assert is_known_word("Quyết,") and is_known_word("ĐỊNH") and is_known_word("hoà")  # any tone placement
    assert is_known_word("Qnyél") is False and is_known_word("l") is False
    assert is_known_word("12/2025") is None and is_known_word("...") is None
