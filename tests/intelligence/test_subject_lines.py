"""The trích yếu's lines read again on their own where the page OCR lost a word of them (a gap inside the
line, or the line left off the title's centre), as the page worker does after the correction."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.intelligence import extract_fields
from sohoa.intelligence.subject_lines import read_subject_lines

from .pages import HEIGHT, WIDTH, PageBuilder, _width, first_page
from .test_signer_titles import BandEngine

WHITE = np.full((HEIGHT, WIDTH), 255, dtype=np.uint8)
LINE = "Về việc phê duyệt Tài liệu hướng dẫn tổ chức công tác phát triển Đảng"
Y = 200 + 2 * 60 + 220 + 60  # first_page's first trích yếu line


class SpreadEngine(BandEngine):
    """Reads the words it is given spread evenly over the crop it is handed; counts its calls."""

    def recognize(self, image: NDArray[np.uint8], dpi: int) -> OcrPage:
        height, width = image.shape[:2]
        self.calls.append((width, height))
        pad = dpi // 10
        step = (width - 2 * pad) / len(self.words)
        out = [Word(t, BBox(int(pad + i * step), pad, int(pad + (i + 1) * step - 10), height - pad), self.conf, 1, 1)
               for i, t in enumerate(self.words)]
        return OcrPage(width, height, dpi, tuple(out))


def _lost_word(lost: str = "triển") -> PageBuilder:
    """The first trích yếu line with ``lost`` missing: two pieces, a gap a word wide between them."""
    pb = first_page(subject=(), body=())
    start = WIDTH * 0.55 - _width(LINE) / 2
    head, tail = LINE.split(f" {lost} ")
    pb.at(start, Y, head)
    pb.at(start + _width(f"{head} {lost} "), Y, tail)
    pb.centre(Y + 60, "cho học sinh, sinh viên")
    pb.body(Y + 260, "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;")
    return pb


def test_a_line_that_lost_a_word_is_read_again_and_the_trich_yeu_is_whole() -> None:
    page = _lost_word().page()
    before = extract_fields([page]).values["subject"]
    assert before.value != f"{LINE} cho học sinh, sinh viên" and before.needs_review  # a piece split off
    engine = SpreadEngine(tuple(LINE.split()))
    again = read_subject_lines(WHITE, 300, page, engine)
    assert len(engine.calls) == 1
    found = extract_fields([again])
    assert found.get("subject") == f"{LINE} cho học sinh, sinh viên"
    assert not found.values["subject"].needs_review


def test_a_whole_centred_trich_yeu_is_not_read_again() -> None:
    page = first_page(subject=(LINE, "cho học sinh, sinh viên")).page()
    engine = SpreadEngine(("x",))
    assert read_subject_lines(WHITE, 300, page, engine) == page and not engine.calls


def test_a_second_reading_with_fewer_letters_changes_nothing() -> None:
    page = _lost_word().page()
    engine = SpreadEngine(("Về", "việc", "phê"))
    assert read_subject_lines(WHITE, 300, page, engine) == page and len(engine.calls) == 1


def test_a_second_reading_less_sure_of_the_words_read_before_changes_nothing() -> None:
    page = _lost_word().page()
    engine = SpreadEngine(tuple(LINE.split()), conf=0.7)
    assert read_subject_lines(WHITE, 300, page, engine) == page


def test_a_page_without_a_title_or_with_other_pixels_is_left_as_it_is() -> None:
    no_title = first_page(title=None).page()
    engine = SpreadEngine(tuple(LINE.split()))
    assert read_subject_lines(WHITE, 300, no_title, engine) == no_title
    small = np.full((100, 100), 255, dtype=np.uint8)
    page = _lost_word().page()
    assert read_subject_lines(small, 300, page, engine) == page and not engine.calls



NOISE = {"[Me": 0.07, "1N": 0.41, "Ô,": 0.32}


class NoisyEngine(SpreadEngine):
    """A SpreadEngine that reads a stamp's marks (:data:`NOISE`) unsurely."""

    def recognize(self, image: NDArray[np.uint8], dpi: int) -> OcrPage:
        read = super().recognize(image, dpi)
        return OcrPage(read.width, read.height, dpi,
                       tuple(Word(w.text, w.bbox, NOISE.get(w.text, w.conf), 1, 1) for w in read.words))


def test_a_second_reading_that_adds_noise_changes_nothing() -> None:
    """A stamp beside the line read with it ('[Me', '1N' at low confidence): more letters, but noise."""
    page = _lost_word().page()
    noisy = NoisyEngine((*NOISE, *LINE.split()))
    assert read_subject_lines(WHITE, 300, page, noisy) == page and len(noisy.calls) == 1
    clean = SpreadEngine(tuple(LINE.split()))
    assert read_subject_lines(WHITE, 300, page, clean) != page  # the same line read without the noise
