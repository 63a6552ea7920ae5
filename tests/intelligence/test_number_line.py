"""The 'Số:' line read again on its own when the page OCR kept its label but lost the sign."""

from __future__ import annotations

import numpy as np

from sohoa.intelligence import extract_fields
from sohoa.intelligence.number_line import read_number_line

from .pages import HEIGHT, WIDTH, first_page
from .test_signer_titles import BandEngine

WHITE = np.full((HEIGHT, WIDTH), 255, dtype=np.uint8)


def test_a_lost_sign_is_read_again_with_its_line() -> None:
    lost = first_page(number="Số: 445", title=None)
    assert extract_fields([lost.page()]).get("code_notation") is None
    engine = BandEngine(("Số:", "115", "/CV-PA83"))
    page = read_number_line(WHITE, 300, lost.page(), engine)
    assert len(engine.calls) == 1
    found = extract_fields([page])
    assert (found.get("code_number"), found.get("code_notation")) == ("115", "CV-PA83")
    assert found.get("type_name") == "Công văn"


def test_a_whole_number_line_is_not_read_again() -> None:
    engine = BandEngine(("Số:", "9", "/QĐ-UBND"))
    page = first_page(number="Số: 12/QĐ-UBND").page()
    assert read_number_line(WHITE, 300, page, engine) == page and not engine.calls


def test_a_second_reading_that_is_no_number_line_changes_nothing() -> None:
    page = first_page(number="Số: 445", title=None).page()
    engine = BandEngine(("Số:", "445"))
    assert read_number_line(WHITE, 300, page, engine) == page and len(engine.calls) == 1


def test_a_sign_found_alone_has_the_band_left_of_it_read_again() -> None:
    """'/CT-CS' alone: OCR lost 'Số:' with the pen number; the band from the column's start is read again."""
    alone = first_page(number="/CT-CS", title=None)
    found = extract_fields([alone.page()])
    assert found.get("code_notation") == "CT-CS" and found.get("code_number") is None
    engine = BandEngine(("Số:", "5528", "/CT-CS"))
    page = read_number_line(WHITE, 300, alone.page(), engine)
    assert len(engine.calls) == 1
    assert (extract_fields([page]).get("code_number"), extract_fields([page]).get("code_notation")) == (
        "5528", "CT-CS")
    again = BandEngine(("/CT-CS",))  # read alone again: nothing gained, nothing changed
    assert read_number_line(WHITE, 300, alone.page(), again) == alone.page() and len(again.calls) == 1
