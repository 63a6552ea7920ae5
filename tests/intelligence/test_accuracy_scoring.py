"""The accuracy benchmark's scoring helpers (bench/): document kinds from extract's page warnings, and the
review arithmetic (share flagged, accuracy of the unflagged values, unflagged wrong)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from _accuracy_front import (
    BORN_DIGITAL,
    HYBRID,
    LAYERED,
    MIXED,
    SCANNED,
    document_kind,
    page_kinds,
)
from _accuracy_metrics import FieldScore
from sohoa.domain.fields import DocumentFields, FieldValue


def test_page_kinds_from_extract_warnings() -> None:
    warnings = ["page 1: text_layer_partial", "page 1: red_ink", "page 2: born_digital", "page 3: low_dpi",
                "page 12: born_digital", "a file warning: no page"]
    assert page_kinds(warnings, 4, layered={2}) == [HYBRID, BORN_DIGITAL, LAYERED, SCANNED]


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ([BORN_DIGITAL, BORN_DIGITAL], BORN_DIGITAL),
        ([HYBRID, SCANNED, SCANNED], HYBRID),
        ([SCANNED], SCANNED),
        ([LAYERED, SCANNED], LAYERED),
        ([BORN_DIGITAL, HYBRID], MIXED),
    ],
)
def test_document_kind(kinds: list[str], expected: str) -> None:
    assert document_kind(kinds) == expected


def _doc(**values: tuple[str | None, bool]) -> DocumentFields:
    return DocumentFields({n: FieldValue(v, 0.9, needs_review=flag) for n, (v, flag) in values.items()})


def test_review_arithmetic() -> None:
    score = FieldScore()
    truth = {"issued_date": "2025-01-02"}
    score.score(truth, _doc(issued_date=("2025-01-02", False)))  # right, unflagged
    score.score(truth, _doc(issued_date=("2025-01-02", True)))  # right, flagged
    score.score(truth, _doc(issued_date=("2025-01-03", False)))  # wrong, unflagged: the harmful kind
    score.score(truth, _doc(issued_date=("2025-01-03", True)))  # wrong, flagged
    score.score(truth, _doc())  # empty, unflagged
    score.score({"issued_date": None}, _doc(issued_date=("2025-01-02", False)))  # a date where none is printed
    review = score.review()["issued_date"]
    assert review == {"values": 6, "flagged_pct": 33.3, "unflagged_right_pct": 25.0,
                      "unflagged_wrong_pct": 33.3, "unflagged_wrong": 2}
    assert score.misses()["issued_date"] == {"flagged": 1, "empty": 1, "unflagged": 2}
    assert score.overall() == {"right_pct": 33.3, **review}


def test_overall_pools_the_fields_named() -> None:
    score = FieldScore()
    score.score({"type_name": "Quyết định", "subject": "A"},
                _doc(type_name=("Quyết định", False), subject=("B", False)))
    assert score.overall(["type_name"])["right_pct"] == 100.0
    assert score.overall()["unflagged_wrong_pct"] == 50.0
    assert FieldScore().overall() == {"values": 0}
