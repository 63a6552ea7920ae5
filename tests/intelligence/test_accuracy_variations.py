"""The accuracy benchmark's variation report (bench/): tuning and held-out variations pooled apart and
shown next to each other, each variation in its own set."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from _accuracy_front import SCANNED, FrontScores
from _accuracy_report import variations_markdown
from sohoa.domain.fields import DocumentFields, FieldValue
from sohoa.samples import HELD_OUT, TUNING


def _doc(date: str, flagged: bool = False) -> DocumentFields:
    return DocumentFields({"issued_date": FieldValue(date, 0.9, needs_review=flagged)})


def test_tuning_and_held_out_are_pooled_apart_and_shown_side_by_side() -> None:
    truth = {"issued_date": "2025-01-02"}
    tuning, held = FrontScores(), FrontScores()
    for scores, found in ((tuning, _doc("2025-01-02")), (tuning, _doc("2025-01-02")),
                          (held, _doc("2025-01-02")), (held, _doc("2025-01-03"))):  # held out: one wrong, unflagged
        scores.add(truth, found, found, SCANNED)
        scores.baseline.score(truth, DocumentFields({}))
    per = {TUNING[0]: {"group": "tuning", "condition": "clean300", "documents": 2, "pages": 2,
                       **tuning.as_dict(), "split": {"f1": 1.0}},
           HELD_OUT[0]: {"group": "held_out", "condition": "clean300", "documents": 2, "pages": 2,
                         **held.as_dict(), "split": {"f1": 1.0}}}
    results = {"variations": {"seed": 7, "documents": 2, "per_variation": per, "groups": {
        "tuning": {"variations": [TUNING[0]], **tuning.as_dict()},
        "held_out": {"variations": [HELD_OUT[0]], **held.as_dict()}}}}
    text = variations_markdown(results, "04/12/2026")
    assert "Held-out variations, fields right ≥ 97 %: 50.0 % — **not met**" in text
    assert "unflagged wrong ≤ 1 %: 50.0 % — **not met** (tuning variations: 100.0 % right, 0.0 % unflagged" in text
    assert f"| tuning | {TUNING[0]} | 2 | 0.0 / **100.0** | 0.0 | 0.0 |" in text
    assert f"| **held out** | {HELD_OUT[0]} | 2 | 0.0 / **50.0** | 0.0 | 50.0 |" in text
    assert "| issued_date | 100.0 | 50.0 | 0.0 | 50.0 |" in text
    assert f"| {HELD_OUT[0]} | held out | clean300 | 2 (2) |" in text
    assert "A small run" in text and "04/12/2026" in text


def test_a_run_of_tuning_variations_only_renders_the_held_out_set_as_not_run() -> None:
    truth = {"issued_date": "2025-01-02"}
    tuning = FrontScores()
    found = _doc("2025-01-02")
    tuning.add(truth, found, found, SCANNED)
    tuning.baseline.score(truth, DocumentFields({}))
    per = {TUNING[0]: {"group": "tuning", "condition": "clean300", "documents": 1, "pages": 1,
                       **tuning.as_dict(), "split": {"f1": 1.0}}}
    results = {"variations": {"seed": 7, "documents": 1, "per_variation": per, "groups": {
        "tuning": {"variations": [TUNING[0]], **tuning.as_dict()},
        "held_out": {"variations": [], **FrontScores().as_dict()}}}}
    text = variations_markdown(results)
    assert "Held-out variations: not run (tuning variations: 100.0 % right, 0.0 % unflagged wrong)." in text
    assert "| **held out** | – | 0 | – / **–** | – | – |" in text
    assert "| issued_date | 100.0 | – | 0.0 | – |" in text
