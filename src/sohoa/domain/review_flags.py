"""Which fields of a document a reviewer should look at: a low confidence, a rule's doubt, a validation problem.

A field a person has corrected carries confidence 1.0 and is no longer flagged. The review and QC queues
filter on the two figures computed here (kept on the document row, so a queue filters in SQL)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["LOW_CONFIDENCE", "flagged_fields", "lowest_confidence"]

LOW_CONFIDENCE = 0.8  # below this a field's value is shown as needing a look (the review screen's badge)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def lowest_confidence(confidence: Mapping[str, Any] | None) -> float | None:
    """The lowest confidence of the document's read fields (None when no field was read)."""
    values = [v for v in (_number(x) for x in (confidence or {}).values()) if v is not None]
    return min(values) if values else None


def _doubted(provenance: Mapping[str, Any]) -> set[str]:
    """Fields a rule doubted (``needs_review``) or the standard's validation found wrong at ingest."""
    doubted = {name for name, p in provenance.items() if isinstance(p, Mapping) and p.get("needs_review")}
    problems = provenance.get("_validation")
    if isinstance(problems, list):
        doubted |= {str(p["field"]) for p in problems if isinstance(p, Mapping) and p.get("field")}
    return doubted


def flagged_fields(confidence: Mapping[str, Any] | None, provenance: Mapping[str, Any] | None) -> list[str]:
    """The fields to look at, sorted: read with a confidence under :data:`LOW_CONFIDENCE`, or doubted by a
    rule or the validation, unless a person has since confirmed them (confidence 1.0)."""
    scores = {name: _number(v) for name, v in (confidence or {}).items()}
    low = {name for name, v in scores.items() if v is not None and v < LOW_CONFIDENCE}
    doubted = {name for name in _doubted(provenance or {}) if (scores.get(name) or 0.0) < 1.0}
    return sorted(low | doubted)
