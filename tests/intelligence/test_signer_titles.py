"""The signer's title line read again on its own when the page OCR lost or garbled it."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.intelligence import extract_fields
from sohoa.intelligence.signer_titles import read_signer_titles

from .pages import HEIGHT, WIDTH, PageBuilder


@dataclass
class BandEngine:
    """Reads the words it is given, placed in the crop it is handed; counts its calls."""

    words: tuple[str, ...]
    conf: float = 0.95
    calls: list[tuple[int, int]] = field(default_factory=list)

    def recognize(self, image: NDArray[np.uint8], dpi: int) -> OcrPage:
        height, width = image.shape[:2]
        self.calls.append((width, height))
        x, out = 40, []
        for text in self.words:
            out.append(Word(text, BBox(x, 40, x + 40 * len(text), 86), self.conf, 1, 1))
            x += 40 * len(text) + 20
        return OcrPage(width, height, dpi, tuple(out))


def _last_page(title: tuple[tuple[str, int], ...]) -> PageBuilder:
    pb = PageBuilder()
    pb.row(2400, "Nơi nhận:", "TM. ỦY BAN NHÂN DÂN")
    for text, x in title:
        pb.at(x, 2470, text)
    pb.at(400, 2470, "- Như Điều 3;")
    pb.right(2800, "Kiều Việt Tuấn")
    return pb


WHITE = np.full((HEIGHT, WIDTH), 255, dtype=np.uint8)


def test_a_garbled_title_line_is_read_again_and_replaced() -> None:
    garbled = _last_page((("CHỦ", 1560), ("HƯ TỊCH", 1600)))  # pieces that overlap: a garbled reading
    engine = BandEngine(("CHỦ", "TỊCH"))
    before = extract_fields([garbled.page()])
    assert before.get("signer_position") != "CHỦ TỊCH"
    page = read_signer_titles(WHITE, 300, garbled.page(), engine)
    assert len(engine.calls) == 1
    found = extract_fields([page])
    assert found.get("signer_position") == "CHỦ TỊCH"
    assert found.get("signer_block") == "TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH"


def test_a_lost_title_line_is_read_again() -> None:
    page = read_signer_titles(WHITE, 300, _last_page(()).page(), BandEngine(("CHỦ", "TỊCH")))
    assert extract_fields([page]).get("signer_position") == "CHỦ TỊCH"


def test_a_clean_title_line_is_not_read_again_and_a_poor_second_reading_changes_nothing() -> None:
    clean = _last_page((("CHỦ TỊCH", 1560),)).page()
    engine = BandEngine(("PHÓ", "CHỦ", "TỊCH"))
    assert read_signer_titles(WHITE, 300, clean, engine) == clean and not engine.calls
    lost = _last_page(()).page()
    assert read_signer_titles(WHITE, 300, lost, BandEngine(("Chủ", "tjch"), conf=0.6)) == lost
    # Words that are not in the master's pixels (another size) are left alone.
    assert read_signer_titles(np.full((100, 100), 255, np.uint8), 300, lost, BandEngine(("CHỦ", "TỊCH"))) == lost
