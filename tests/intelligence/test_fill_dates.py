"""An unsure handwritten day proposed from the PDF's signing date (flagged), touching digits split, a day
slot whose 'ngày' OCR lost, and a handwritten number OCR read as junk never given as a value."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from PIL import Image, ImageDraw

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.intelligence import extract_fields
from sohoa.intelligence import handwriting as hw
from sohoa.intelligence._digits import load_model, split_touching
from sohoa.intelligence._fill_dates import choose_date, likelihood
from sohoa.intelligence._fill_slots import find_slots
from sohoa.samples._hand import draw_digits
from sohoa.samples._typeset import font

from .pages import first_page

W, H = 2480, 3508
Y = 600


def _probs(*rows: dict[int, float]) -> np.ndarray:
    """Glyph rows of class probabilities (11 classes), the rest spread evenly."""
    out = np.zeros((len(rows), 11))
    for i, row in enumerate(rows):
        rest = (1.0 - sum(row.values())) / (11 - len(row))
        out[i] = rest
        for k, p in row.items():
            out[i, k] = p
    return out


def test_likelihood_of_a_value_as_written_with_or_without_a_leading_zero() -> None:
    p = _probs({0: 0.9}, {5: 0.8})
    assert likelihood(p, 5) > 0.7 and likelihood(p, 6) < 0.1
    assert likelihood(None, 17) == 1.0
    assert likelihood(_probs({1: 0.9}, {7: 0.9}, {3: 0.9}), 17) < 1e-5  # three glyphs never spell a day


def test_the_day_the_glyphs_favour_is_chosen_before_the_signing_day() -> None:
    day = _probs({0: 0.7}, {5: 0.45, 6: 0.3})
    choice = choose_date([date(2025, 2, 6), date(2025, 2, 7)], 2025, 2, day, None)
    assert choice is not None and choice.value == date(2025, 2, 5)


def test_nothing_read_proposes_the_earliest_signing_day() -> None:
    choice = choose_date([date(2024, 9, 12), date(2024, 9, 11)], 2024, 9, None, None)
    assert choice is not None and choice.value == date(2024, 9, 11)


def test_a_signature_long_after_the_printed_month_proposes_nothing() -> None:
    """A scan signed at digitisation years later says nothing about the day."""
    assert choose_date([date(2025, 5, 13)], 2021, 1, None, None) is None
    assert choose_date([], 2025, 2, None, None) is None


def test_a_signing_date_before_the_printed_year_or_month_is_passed_over() -> None:
    """A stamp's year misread ('2021' for '2025') cannot hide the true signing date from the window."""
    choice = choose_date([date(2021, 2, 3), date(2025, 2, 3)], 2025, 2, None, None)
    assert choice is not None and choice.value == date(2025, 2, 3)
    assert choose_date([date(2025, 1, 30)], 2025, 2, None, None) is None  # signed before February: not its date


def test_a_handwritten_month_is_chosen_with_the_day() -> None:
    """Signed on 5 January: a December date is another year, so only early January remains."""
    choice = choose_date([date(2021, 1, 5)], 2021, None, _probs({0: 0.6}, {4: 0.5}), _probs({0: 0.5}, {1: 0.5}))
    assert choice is not None and choice.value == date(2021, 1, 4)


def _form(day: str, seed: int, *, ngay: bool = True) -> tuple[Image.Image, OcrPage]:
    """A date line whose day is written by hand in blue and read by OCR as junk (or lost with 'ngày')."""
    image = Image.new("RGB", (W, H), "white")
    draw = ImageDraw.Draw(image)
    for x, text in ((1300, "Quảng Ngãi,"), (1600, "ngày"), (1860, "tháng"), (2010, "02"), (2080, "năm"),
                    (2190, "2025"), (300, "Số:"), (620, "/QĐ-UBND")):
        draw.text((x, Y + 48), text, font=font("regular", 54), fill=(0, 0, 0), anchor="ls")
    box = draw_digits(draw, day, 1720, Y + 52, 60, np.random.default_rng(seed), (28, 48, 150), 5.0)
    ink = BBox(int(box[0]), int(box[1]), int(box[2]) + 1, int(box[3]) + 1)
    words = [Word("Số:", BBox(300, Y, 390, Y + 51), 0.97, 2, 2), Word("84", BBox(410, Y, 470, Y + 48), 0.95, 2, 2),
             Word("/QĐ-UBND", BBox(620, Y + 2, 900, Y + 50), 0.93, 2, 2),
             Word("Quảng", BBox(1300, Y, 1440, Y + 48), 0.95, 3, 3),
             Word("Ngãi,", BBox(1460, Y, 1580, Y + 48), 0.95, 3, 3)]
    if ngay:
        words += [Word("ngày", BBox(1600, Y, 1700, Y + 48), 0.95, 3, 3), Word("1]", ink, 0.9, 3, 3)]
    for x0, x1, text, block in ((1860, 1990, "tháng", 3), (2010, 2060, "02", 3), (2080, 2170, "năm", 3),
                                (2190, 2300, "2025", 3), (1000, 1180, "QUYẾT", 4), (1200, 1340, "ĐỊNH", 4)):
        y = Y if block == 3 else 900
        words.append(Word(text, BBox(x0, y, x1, y + 48), 0.95, block, block))
    return image, OcrPage(W, H, 300, tuple(words), engine="tesseract")


def test_an_unsure_handwritten_day_is_proposed_from_the_signature_and_flagged() -> None:
    assert load_model() is not None
    asked: list[int] = []

    def signed() -> list[date]:
        asked.append(1)
        return [date(2025, 2, 6)]

    proposed = 0
    for seed, day in enumerate(("05", "06", "04", "03", "05", "06")):
        image, page = _form(day, seed)
        plain = extract_fields([hw.read_fill_ins(image, page)]).values["issued_date"]
        found = extract_fields([hw.read_fill_ins(image, page, signed)]).values["issued_date"]
        assert plain.needs_review  # handwriting is always reviewed
        if plain.value == f"2025-02-{day}":  # the model alone read it: unchanged
            assert found.value == plain.value and found.needs_review
            continue
        assert found.needs_review and found.value is not None and "2025-02-01" <= found.value <= "2025-02-06"
        proposed += 1
        assert found.value == f"2025-02-{day}", (seed, day, found.value)
    assert asked or proposed == 0


def test_a_day_whose_ngay_ocr_lost_is_read_past_the_printed_letters() -> None:
    image, page = _form("05", 1, ngay=False)
    slots = [s for s in find_slots(page) if s.kind == "day"]
    assert len(slots) == 1 and slots[0].baseline > 0
    read = hw._read(slots[0], image)
    assert read is not None and read.probs is not None and len(read.probs) == 2  # the two digits, not 'ngày'
    found = extract_fields([hw.read_fill_ins(image, page, lambda: [date(2025, 2, 5)])]).values["issued_date"]
    assert found.value == "2025-02-05" and found.needs_review


def test_two_touching_digits_are_cut_apart() -> None:
    model = load_model()
    assert model is not None
    image = Image.new("L", (400, 200), 255)
    draw = ImageDraw.Draw(image)
    draw.text((40, 150), "5", font=font("bold", 110), fill=0, anchor="ls")
    draw.text((98, 150), "7", font=font("bold", 110), fill=0, anchor="ls")
    draw.line((84, 82, 106, 82), fill=0, width=8)  # the pen ran on from the 5's bar to the 7's
    grey = np.asarray(image)
    glyphs, boxes = hw._glyphs(grey, 80, 0)
    assert len(boxes) == 1 and boxes[0].width > 1.1 * boxes[0].height  # one wide blob
    cut, cut_boxes = split_touching(glyphs, boxes, model)
    assert len(cut_boxes) == 2 and [k for k, _ in model.read(cut)] == [5, 7]


def test_junk_ocr_of_a_handwritten_number_is_never_the_value() -> None:
    found = extract_fields([first_page(number="Số: #4 /QĐ-UBND").page()])
    assert found.get("code_number") is None and found.values["code_number"].needs_review
    assert found.get("code_notation") == "QĐ-UBND"


def test_a_sign_whose_so_ocr_lost_keeps_its_notation_and_flags_the_number() -> None:
    pb = first_page(number="")
    pb.at(393, 300, "/2020/NĐ-CP")
    found = extract_fields([pb.page()])
    assert found.get("code_notation") == "2020/NĐ-CP"
    assert found.get("code_number") is None and found.values["code_number"].needs_review


def test_a_slash_line_in_the_body_is_no_sign() -> None:
    pb = first_page(number="")
    pb.at(393, 2400, "/2020/NĐ-CP")
    assert extract_fields([pb.page()]).get("code_notation") is None


def test_a_month_ocr_read_with_a_letter_for_a_digit_is_read() -> None:
    found = extract_fields([first_page(date_line="Hà Nội, ngày 03 tháng I0năm 2025").page()])
    assert found.get("issued_date") == "2025-10-03"


def test_letters_without_a_digit_are_not_made_a_day() -> None:
    found = extract_fields([first_page(date_line="Hà Nội, ngày lo tháng 2 năm 2025").page()])
    assert found.get("issued_date") is None


def test_printed_digits_glued_to_ngay_are_left_to_ocr() -> None:
    """'ngày22' typed: the glued day is printed (plain digits, line height), not handwriting to re-read."""
    image = Image.new("L", (W, H), 255)
    draw = ImageDraw.Draw(image)
    draw.text((1600, Y + 48), "ngày22", font=font("regular", 54), fill=0, anchor="ls")
    words = [Word("Hà", BBox(1380, Y, 1440, Y + 48), 0.95, 3, 3), Word("Nội,", BBox(1460, Y, 1580, Y + 48), 0.95, 3, 3),
             Word("ngày22", BBox(1600, Y, 1760, Y + 60), 0.95, 3, 3)]
    for x0, x1, text in ((1860, 1990, "tháng"), (2010, 2040, "9"), (2080, 2170, "năm"), (2190, 2300, "2025")):
        words.append(Word(text, BBox(x0, Y, x1, Y + 48), 0.95, 3, 3))
        draw.text((x0, Y + 48), text, font=font("regular", 54), fill=0, anchor="ls")
    page = OcrPage(W, H, 300, tuple(words), engine="tesseract")
    read = hw.read_fill_ins(image, page)
    assert read.words == page.words
    found = extract_fields([read]).values["issued_date"]
    assert found.value == "2025-09-22" and not found.needs_review


def test_a_pen_day_ocr_read_as_a_letter_and_a_symbol_still_leaves_a_day_slot() -> None:
    """'ngày A‡ tháng 12 năm 2021': the day written by hand read as a letter and a mark (a rescanned page)."""
    texts = ("Quảng", "Ngãi,", "ngày", "A‡", "tháng", "12", "năm", "2021")
    words = tuple(Word(t, BBox(1300 + 150 * i, Y, 1420 + 150 * i, Y + 48), 0.9, 3, 3) for i, t in enumerate(texts))
    page = OcrPage(W, H, 300, words, engine="tesseract")
    days = [slot for slot in find_slots(page) if slot.kind == "day"]
    assert [[w.text for w in slot.words] for slot in days] == [["A‡"]] and days[0].year == 2021
    found = extract_fields([page]).values["issued_date"]
    assert found.value is None and found.needs_review  # no day is guessed from the mark


@pytest.mark.parametrize("day", ["lễ", "2Š"])
def test_a_pen_day_ocr_read_as_a_short_word_still_leaves_a_day_slot(day: str) -> None:
    """'ngày lễ tháng 11', 'ngày 2Š tháng 11': a pen '18', '28' read as a short word of letters, or a digit and a
    letter (200-dpi hybrid scans)."""
    texts = ("Phú", "Thọ,", "ngày", day, "tháng", "11", "năm", "2025")
    words = tuple(Word(t, BBox(1300 + 150 * i, Y, 1420 + 150 * i, Y + 48), 0.9, 3, 3) for i, t in enumerate(texts))
    page = OcrPage(W, H, 300, words, engine="tesseract")
    days = [slot for slot in find_slots(page) if slot.kind == "day"]
    assert [[w.text for w in slot.words] for slot in days] == [[day]]
    found = extract_fields([page]).values["issued_date"]
    assert found.value is None and found.needs_review


def test_a_place_that_starts_like_ngay_is_not_the_days_anchor() -> None:
    """'Nghệ An, ngày 20 tháng 11': the day's blank lies after 'ngày', not after 'Nghệ' (its words were once
    read as the blank and replaced by what the pen model made of them, and the date was lost)."""
    texts = ("Nghệ", "An,", "ngày", "20", "tháng", "11", "năm", "2025")
    words = tuple(Word(t, BBox(1300 + 150 * i, Y, 1420 + 150 * i, Y + 48), 0.95, 3, 3) for i, t in enumerate(texts))
    page = OcrPage(W, H, 300, words, engine="tesseract")
    days = [slot for slot in find_slots(page) if slot.kind == "day"]
    assert [slot.left.text for slot in days] == ["ngày"] and [[w.text for w in s.words] for s in days] == [["20"]]
    assert extract_fields([page]).get("issued_date") == "2025-11-20"
