"""The accuracy benchmark's scoring helpers (bench/): document kinds from extract's page warnings, and the
review arithmetic (share flagged, accuracy of the unflagged values, unflagged wrong), and the headline
fields judged where printed (handwritten days and cropped headers told from the labels' notes)."""

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
    not_printed,
    page_kinds,
    printed_figures,
    printed_truth,
)
from _accuracy_metrics import FieldScore, outcome, without_values
from _accuracy_report import _verdicts
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


@pytest.mark.parametrize(
    ("notes", "expected"),
    [
        ("handwritten number and day", {"issued_date"}),
        ("100 dpi page images; handwritten number, day, month", {"issued_date"}),
        ("2-page scan; number '1595' and day '31' HANDWRITTEN; typed routing notes", {"issued_date"}),
        ("number '115' handwritten; large handwritten marginal note in the left margin", set()),
        ("'ĐẾN' incoming stamp with handwritten date 29/3/21 — do not confuse with issue date", set()),
        ("top of page cropped: issuer line is cut off; grayscale", {"organ_name"}),
        ("top cropped like above; number '155' and day '31' handwritten", {"organ_name", "issued_date"}),
        ("'ngày22' run together", set()),
        (None, set()),
    ],
)
def test_not_printed_from_label_notes(notes: str | None, expected: set[str]) -> None:
    assert not_printed({"notes": notes}) == expected


def _real(values: dict[str, str], flagged: tuple[str, ...] = ()) -> DocumentFields:
    return DocumentFields({n: FieldValue(v, 0.9, needs_review=n in flagged) for n, v in values.items()})


def test_headline_fields_where_printed_and_over_all() -> None:
    """Two items: one with a printed day read right, one with a handwritten day read wrong (flagged). Where
    printed the date is 100 % over 1 item; over all items 50 % over 2; both are in the targets line."""
    head = {"type_name": "Quyết định", "organ_name": "Bộ Tài chính"}
    items = [({"notes": "'ngày22' run together"}, {**head, "issued_date": "2025-01-02"}, "2025-01-02"),
             ({"notes": "handwritten number and day"}, {**head, "issued_date": "2025-01-03"}, "2025-01-08")]
    printed, everything = FieldScore(), FieldScore()
    hidden_counts = {"type_name": 0, "organ_name": 0, "issued_date": 0}
    for label, truth, date in items:
        found = _real({**head, "issued_date": date}, flagged=("issued_date",) if date != truth["issued_date"] else ())
        hidden = not_printed(label)
        for name in hidden:
            hidden_counts[name] += 1
        printed.score(printed_truth({**truth, "subject": "x"}, hidden), found)
        everything.score(truth, found)
    figures = printed_figures(printed, hidden_counts)
    assert figures["fields"] == {"type_name": 100.0, "organ_name": 100.0, "issued_date": 100.0}
    assert figures["values"] == {"type_name": 2, "organ_name": 2, "issued_date": 1}
    assert figures["not_printed"]["issued_date"] == 1
    real = {"overall": {"sohoa": everything.overall()}, "fields": {"sohoa": everything.as_dict()},
            "review": {"sohoa": everything.review()}, "printed": figures}
    line = _verdicts({"real": real, "conditions": {}, "seed": 1})[1]
    assert "where printed: type_name 100.0 % (2 items), organ_name 100.0 % (2 items), issued_date 100.0 % " \
           "(1 items; 1 not printed left out) — met" in line
    assert "issued_date 50.0 % (2 items)" in line  # the all-items figure is kept beside it


def test_outcome_of_one_value() -> None:
    assert outcome("code_number", "84", "84", False) == "right"
    assert outcome("code_number", "84", "84", True) == "right, flagged"
    assert outcome("code_number", "84", "44", True) == "wrong, flagged"
    assert outcome("code_number", "84", "44", False) == "WRONG, NOT FLAGGED"
    assert outcome("code_number", "84", None, True) == "empty, flagged"
    assert outcome("code_number", "84", None, False) == "empty, not flagged"
    assert outcome("subject", "Về việc A.", "Về việc A", False) == "right"  # the scorer's own equality


def test_committed_results_keep_outcomes_not_the_labels() -> None:
    """The real documents' README asks their labels to stay out of the repository: the results written
    under bench/results/ keep per-item outcomes and drop every labelled or read value, at any depth."""
    results = {"real": {"items": 1, "per_item": [{"file": "a/b.pdf", "truth": {"code_number": "84"},
                                                  "found": {"code_number": "44 [review]"},
                                                  "outcome": {"code_number": "wrong, flagged"}}]},
               "rescans": {"conditions": {"fax": {"per_item": [{"file": "a/b.pdf", "found": {"x": "y"}}]}}},
               "handwriting": [{"file": "a", "field": "code_number", "truth": "84", "read": "44"}]}
    kept = without_values(results)
    assert kept == {"real": {"items": 1, "per_item": [{"file": "a/b.pdf",
                                                       "outcome": {"code_number": "wrong, flagged"}}]},
                    "rescans": {"conditions": {"fax": {"per_item": [{"file": "a/b.pdf"}]}}},
                    "handwriting": [{"file": "a", "field": "code_number"}]}
    assert "84" not in repr(kept) and results["real"]["per_item"][0]["truth"]  # the input is left whole
