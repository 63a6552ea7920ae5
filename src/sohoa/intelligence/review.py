"""Which extracted fields go to review: the calibrated confidence thresholds (one table) and the checks.

A field is flagged ``needs_review`` when a rule already doubts it (a handwritten number, a date it could not
read), when its value fails the field table's check or the sign disagrees with the type, or when its
confidence is under the field's threshold in :data:`REVIEW_BELOW`. The thresholds are chosen by
:func:`choose_threshold` on generated pages of seeds and conditions that are never used for the reported
figures (``bench/calibrate_review.py``; docs/fields.md, "Review flags"): the lowest threshold that leaves at
most :data:`CALIBRATION_TARGET` of a field's values wrong and unflagged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from sohoa.domain.fields import FIELD_NAMES, DocumentFields
from sohoa.domain.validation import field_errors

__all__ = ["CALIBRATION_TARGET", "REVIEW_BELOW", "choose_threshold", "doubtful_fields", "flag_doubtful"]

CALIBRATION_TARGET = 0.005  # share of a field's values allowed wrong and unflagged on the calibration pages

# Field → confidence (rule certainty × the words' mean OCR confidence) under which a value is flagged.
# Chosen by bench/calibrate_review.py on seeds 9001 and 9002, 5 documents in each of the 7 conditions
# (70 values per field; bench/results/accuracy-calibration.json; docs/fields.md, "Review flags"). 0.0: no
# value of the field was wrong and unflagged there, so the rules' own flags and the checks are kept alone.
REVIEW_BELOW: Mapping[str, float] = {
    "type_name": 0.0,
    "code_number": 0.0,
    "code_notation": 0.0,
    "issued_date": 0.0,
    "place": 0.0,
    "organ_name": 0.0,
    "parent_organ_name": 0.0,
    "subject": 0.77,
    "signer_position": 0.822,
    "signer_full_name": 0.809,
    "secrecy": 0.0,
    "urgency": 0.87,
}


def doubtful_fields(fields: DocumentFields, thresholds: Mapping[str, float] = REVIEW_BELOW) -> dict[str, str]:
    """Field → why it is doubtful (``check``: fails the field table's check or the sign/type agreement;
    ``confidence``: under its threshold), for the NĐ 30 fields that have a value and no rule flag yet."""
    values = {n: fields.get(n) for n in FIELD_NAMES}
    reasons = dict.fromkeys(field_errors(values), "check")
    if "code_notation" in reasons and values.get("type_name"):
        reasons["type_name"] = "check"  # a sign that disagrees with the type: either may be the wrong one
    for name in FIELD_NAMES:
        item = fields.values.get(name)
        if item is None or item.value is None or item.needs_review:
            reasons.pop(name, None)
        elif name not in reasons and item.confidence < thresholds.get(name, 0.0):
            reasons[name] = "confidence"
    return reasons


def flag_doubtful(fields: DocumentFields, thresholds: Mapping[str, float] = REVIEW_BELOW) -> DocumentFields:
    """``fields`` with every doubtful field (:func:`doubtful_fields`) flagged ``needs_review``; values and
    confidences unchanged."""
    reasons = doubtful_fields(fields, thresholds)
    if not reasons:
        return fields
    return DocumentFields({n: replace(v, needs_review=True) if n in reasons else v for n, v in fields.values.items()})


def choose_threshold(samples: Iterable[tuple[float, bool]], *, total: int | None = None,
                     target: float = CALIBRATION_TARGET) -> float:
    """The lowest confidence threshold under which flagging leaves at most ``target`` of the values wrong
    and unflagged.

    ``samples``: (confidence, right) of every value returned; ``total``: the values scored (returned or
    not; default: the samples). A value at or above the threshold stays unflagged. Rounded up to 3
    decimals, so a value exactly at a wrong value's confidence is flagged with it.
    """
    pairs = sorted(samples)
    count = len(pairs) if total is None else total
    allowed = int(target * count + 1e-9)
    wrong_above = sum(1 for _, right in pairs if not right)  # wrong values unflagged at threshold 0
    highest: float | None = None  # the highest confidence that must be flagged
    for confidence, right in pairs:
        if wrong_above <= allowed:
            break
        highest = confidence
        wrong_above -= 0 if right else 1
    return 0.0 if highest is None else _ceil3(highest + 1e-9)  # over 1: every value flagged


def _ceil3(value: float) -> float:
    scaled = value * 1000
    whole = int(scaled)
    return (whole + (1 if scaled > whole else 0)) / 1000
