"""Handwritten fill-ins: a number or day written by hand into a printed form is read by the digit model
or left empty, and flagged for review either way; printed digits are left alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.intelligence import extract_fields
from sohoa.intelligence import handwriting as hw
from sohoa.intelligence._digits import load_model
from sohoa.samples import generate_corpus
from sohoa.samples._hand import draw_digits
from sohoa.samples._typeset import font

W, H = 2480, 3508
SIGN = BBox(620, 602, 900, 650)  # '/QĐ-UBND', 48 px: the printed line's height
DATE_Y = 600


def _page(number_words: list[Word], day_words: list[Word]) -> OcrPage:
    words = [
        Word("ỦY", BBox(300, 400, 380, 446), 0.95, 1, 1), Word("BAN", BBox(400, 400, 500, 446), 0.95, 1, 1),
        Word("Số:", BBox(300, 600, 390, 651), 0.97, 2, 2), *number_words,
        Word("/QĐ-UBND", SIGN, 0.93, 2, 2),
        Word("Quảng", BBox(1300, DATE_Y, 1440, 648), 0.95, 3, 3),
        Word("Ngãi,", BBox(1460, DATE_Y, 1580, 648), 0.95, 3, 3),
        Word("ngày", BBox(1600, DATE_Y, 1700, 648), 0.95, 3, 3), *day_words,
        Word("tháng", BBox(1860, DATE_Y, 1990, 648), 0.95, 3, 3),
        Word("02", BBox(2010, DATE_Y, 2060, 648), 0.95, 3, 3),
        Word("năm", BBox(2080, DATE_Y, 2170, 648), 0.95, 3, 3), Word("2025", BBox(2190, DATE_Y, 2300, 648), 0.95, 3, 3),
        Word("QUYẾT", BBox(1000, 900, 1180, 950), 0.95, 4, 4), Word("ĐỊNH", BBox(1200, 900, 1340, 950), 0.95, 4, 4),
    ]
    return OcrPage(W, H, 300, tuple(words), engine="tesseract")


def _hand(draw: ImageDraw.ImageDraw, text: str, x: int, seed: int) -> BBox:
    rng = np.random.default_rng(seed)
    box = draw_digits(draw, text, x, 652, 60, rng, (28, 48, 150), 5.0)
    return BBox(int(box[0]), int(box[1]), int(box[2]) + 1, int(box[3]) + 1)


def _handwritten(number: str, day: str, seed: int,
                 read_as: tuple[str, str] = ("#4", "1]")) -> tuple[Image.Image, OcrPage]:
    image = Image.new("RGB", (W, H), "white")
    draw = ImageDraw.Draw(image)
    draw.text((2010, 648), "02", font=font("regular", 54), fill=(0, 0, 0), anchor="ls")  # the printed month
    nbox = _hand(draw, number, 410, seed)
    dbox = _hand(draw, day, 1720, seed + 1)
    page = _page([Word(read_as[0], nbox, 0.91, 2, 2)], [Word(read_as[1], dbox, 0.9, 3, 3)])
    return image, page


def _cases() -> Iterator[tuple[int, str, str]]:
    rng = np.random.default_rng(12)
    for seed in range(40):
        yield seed, str(int(rng.integers(1, 420))), str(int(rng.integers(1, 29)))


def test_handwritten_number_and_day_are_read_or_flagged_never_wrong_unflagged() -> None:
    assert load_model() is not None, "the shipped digit model is missing (scripts/train_digits.py)"
    read = 0
    for seed, number, day in _cases():
        image, page = _handwritten(number, day, seed)
        fields = extract_fields([hw.read_fill_ins(image, page)])
        got, got_date = fields.values.get("code_number"), fields.values["issued_date"]
        assert got is not None
        assert got.needs_review and got_date.needs_review, (seed, number, got, got_date)  # handwriting: reviewed
        read += got.value == number
    assert read >= 20  # the model reads most of them


def test_a_confident_tesseract_reading_of_handwriting_is_replaced_or_flagged() -> None:
    """OCR saw plain digits, tall and blue: the model decides; a disagreement is never kept unflagged."""
    for seed, number, day in _cases():
        image, page = _handwritten(number, day, seed, read_as=("99", "30"))
        fields = extract_fields([hw.read_fill_ins(image, page)])
        got = fields.values["code_number"]
        assert (got.value == number) or got.needs_review, (seed, number, got)
        dated = fields.values["issued_date"]
        assert dated.value == f"2025-02-{int(day):02d}" or dated.needs_review, (seed, day, dated)


def test_without_a_model_handwriting_is_only_flagged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hw, "load_model", lambda: None)
    image, page = _handwritten("84", "3", 1, read_as=("84", "3"))
    fields = extract_fields([hw.read_fill_ins(image, page)])
    assert fields.values["code_number"].needs_review and fields.values["issued_date"].needs_review


def _printed_form(*texts: tuple[int, str]) -> Image.Image:
    """A printed form: the day '03' and month '02' of its date line, and ``texts`` (x, text) on the number's."""
    image = Image.new("L", (W, H), 255)
    draw = ImageDraw.Draw(image)
    for x, text in (*texts, (1720, "03"), (2010, "02")):
        draw.text((x, 648), text, font=font("regular", 54), fill=0, anchor="ls")
    return image


def test_printed_digits_are_left_to_ocr() -> None:
    image = _printed_form((410, "84"))
    page = _page([Word("84", BBox(410, 610, 470, 648), 0.95, 2, 2)],
                 [Word("03", BBox(1720, 610, 1780, 648), 0.95, 3, 3)])
    read = hw.read_fill_ins(image, page)
    assert read.words == page.words and read.engine == "tesseract" + hw.HAND_MARK
    fields = extract_fields([read])
    assert fields.get("code_number") == "84" and not fields.values["code_number"].needs_review
    assert fields.get("issued_date") == "2025-02-03" and not fields.values["issued_date"].needs_review


def _printed_number(number: str, read_as: str) -> OcrPage:
    image = _printed_form((410, number))
    page = _page([Word(read_as, BBox(410, 610, 410 + 28 * len(number), 648), 0.95, 2, 2)],
                 [Word("03", BBox(1720, 610, 1780, 648), 0.95, 3, 3)])
    return hw.read_fill_ins(image, page)


@pytest.mark.parametrize(("number", "read_as"), [("115", "445"), ("2652", "3652"), ("15", "16")])
def test_plain_digits_that_the_digit_model_reads_otherwise_are_flagged_and_read_by_it(number: str,
                                                                                      read_as: str) -> None:
    """OCR took the number for print ('115' read '445', as a small neat hand or a photocopy gives): the digit
    model's second reading contradicts it, so the number is flagged; sure of each glyph, one per OCR digit,
    the model's digits replace OCR's."""
    fields = extract_fields([_printed_number(number, read_as)])
    got = fields.values["code_number"]
    assert got.value == number and got.needs_review


@pytest.mark.parametrize(("number", "read_as"), [("115", "45"), ("2652", "652")])
def test_a_contradicted_number_the_model_reads_with_other_glyphs_keeps_ocr_digits(number: str, read_as: str) -> None:
    """The model contradicts OCR but reads another count of glyphs than OCR read digits: nothing is guessed,
    OCR's digits stay, flagged."""
    got = extract_fields([_printed_number(number, read_as)]).values["code_number"]
    assert got.value == read_as and got.needs_review


@pytest.mark.parametrize("number", ["84", "115", "2652", "1906", "7", "390"])
def test_printed_digits_the_digit_model_agrees_with_stay_unflagged(number: str) -> None:
    fields = extract_fields([_printed_number(number, number)])
    assert fields.get("code_number") == number and not fields.values["code_number"].needs_review


def test_a_blank_form_is_flagged() -> None:
    image = Image.new("L", (W, H), 255)
    fields = extract_fields([hw.read_fill_ins(image, _page([], []))])
    assert fields.get("code_number") is None and fields.values["code_number"].needs_review
    assert fields.get("issued_date") is None and fields.values["issued_date"].needs_review


def test_the_generator_writes_number_and_day_by_hand(tmp_path: Path) -> None:
    typed = generate_corpus(tmp_path / "typed", documents=1, seed=3, multipage=False)
    hand = generate_corpus(tmp_path / "hand", documents=1, seed=3, multipage=False, handwritten=True)
    assert hand.documents[0].fields == typed.documents[0].fields
    before = np.asarray(Image.open(typed.pages[0]).convert("L"), dtype=np.int16)
    after = np.asarray(Image.open(hand.pages[0]).convert("L"), dtype=np.int16)
    header, rest = slice(0, before.shape[0] // 3), slice(before.shape[0] // 3, None)
    assert int((abs(after[header] - before[header]) > 80).sum()) > 500  # written in the header
    assert int((abs(after[rest] - before[rest]) > 80).sum()) == 0  # nothing else changed


@pytest.mark.tesseract
@pytest.mark.slow
def test_generated_handwritten_pages_through_extract(tmp_path: Path) -> None:
    from sohoa.services.production.extract import extract_file
    from sohoa.settings import Settings

    corpus = generate_corpus(tmp_path, documents=3, seed=77, multipage=False, handwritten=True)
    for doc, path in zip(corpus.documents, corpus.pages, strict=True):
        found = extract_file(Settings(), path).documents[0]
        for name in ("code_number", "issued_date"):
            assert found.fields[name] == doc.fields[name] or name in found.needs_review, (path, name, found.fields)


def test_a_number_ocr_glued_to_so_is_read_again_too() -> None:
    """'Số:445' in one word (no gap after the colon): the digits part of the word is the blank read again."""
    image = _printed_form((300, "Số:"), (392, "115"))
    page = _page([], [Word("03", BBox(1720, 610, 1780, 648), 0.95, 3, 3)])
    words = [Word("Số:445", BBox(300, 600, 474, 651), 0.6, 2, 2) if w.text == "Số:" else w for w in page.words]
    read = hw.read_fill_ins(image, OcrPage(W, H, 300, tuple(words), engine="tesseract"))
    got = extract_fields([read]).values["code_number"]
    assert got.value == "115" and got.needs_review  # the model reads the printed '115' OCR took for '445'
    assert [w.text for w in read.words if w.block == 2][:2] == ["Số:", "115"]
