"""Review flags: the calibrated confidence thresholds, the field checks, and the threshold calibration."""

from __future__ import annotations

import pytest

from sohoa.domain.fields import DocumentFields, FieldValue
from sohoa.intelligence import RuleFieldExtractor
from sohoa.intelligence.review import REVIEW_BELOW, choose_threshold, doubtful_fields, flag_doubtful

from .pages import first_page

ALL = dict.fromkeys(REVIEW_BELOW, 0.5)


def _fields(**values: tuple[str | None, float] | tuple[str | None, float, bool]) -> DocumentFields:
    return DocumentFields({n: FieldValue(v[0], v[1], needs_review=bool(v[2]) if len(v) > 2 else False)
                           for n, v in values.items()})


def test_a_value_under_its_threshold_is_flagged_and_kept() -> None:
    fields = _fields(subject=("Về việc A", 0.49), issued_date=("2025-06-05", 0.5))
    assert doubtful_fields(fields, ALL) == {"subject": "confidence"}
    flagged = flag_doubtful(fields, ALL)
    assert flagged.values["subject"].needs_review and flagged.get("subject") == "Về việc A"
    assert flagged.values["subject"].confidence == 0.49
    assert not flagged.values["issued_date"].needs_review  # at the threshold: kept


def test_a_value_failing_its_check_is_flagged_whatever_its_confidence() -> None:
    fields = _fields(code_number=("12a", 0.99), issued_date=("2999-01-01", 0.99))
    assert doubtful_fields(fields, {}) == {"code_number": "check", "issued_date": "check"}


def test_a_sign_that_disagrees_with_the_type_flags_both() -> None:
    fields = _fields(type_name=("Quyết định", 0.99), code_number=("5", 0.99), code_notation=("KH-UBND", 0.99))
    assert doubtful_fields(fields, {}) == {"code_notation": "check", "type_name": "check"}
    agreeing = _fields(type_name=("Kế hoạch", 0.99), code_notation=("KH-UBND", 0.99))
    assert doubtful_fields(agreeing, {}) == {}


def test_empty_values_and_rule_flags_are_left_as_they_are() -> None:
    fields = _fields(code_number=(None, 0.2, True), issued_date=("2025-06-05", 0.3, True), subject=(None, 0.0))
    assert doubtful_fields(fields, ALL) == {}
    assert flag_doubtful(fields, ALL) is fields


@pytest.mark.parametrize("conf", [0.95, 0.6, 0.3])
def test_the_extractor_flags_exactly_the_values_under_their_thresholds(conf: float) -> None:
    page = first_page()
    page.conf = conf
    raw = RuleFieldExtractor().read([page.page()])
    found = RuleFieldExtractor().extract([page.page()])
    assert found.as_fields() == raw.as_fields()  # flags only; the values are the rules'
    for name, item in raw.values.items():
        expected = item.needs_review or (name in REVIEW_BELOW and item.value is not None
                                         and item.confidence < REVIEW_BELOW[name])
        assert found.values[name].needs_review == expected, name


@pytest.mark.parametrize(
    ("samples", "total", "target", "expected"),
    [
        ([(0.9, True), (0.8, True)], None, 0.0, 0.0),  # nothing wrong: nothing flagged
        ([(0.9, True), (0.5, False), (0.7, True)], None, 0.0, 0.501),  # just above the wrong one
        ([(0.9, True), (0.5, False), (0.95, False)], None, 0.0, 0.951),  # a confident wrong value: all flagged
        ([(0.9, True), (0.5, False)], 100, 0.01, 0.0),  # one wrong in 100 values is within 1 %
        ([(0.9, True), (0.5, False), (0.6, False)], 100, 0.01, 0.501),  # two are not: flag the lower one
        ([(0.6, True), (0.6, False), (0.9, True)], None, 0.0, 0.601),  # a tie is flagged with the wrong one
        ([], 10, 0.0, 0.0),
    ],
)
def test_choose_threshold(samples: list[tuple[float, bool]], total: int | None, target: float,
                          expected: float) -> None:
    assert choose_threshold(samples, total=total, target=target) == expected


def test_choose_threshold_leaves_at_most_the_target_wrong() -> None:
    samples = [(i / 100, i % 7 != 0) for i in range(100)]
    threshold = choose_threshold(samples, target=0.03)
    left = sum(1 for c, right in samples if not right and c >= threshold)
    assert left <= 3 and sum(1 for c, right in samples if not right and c >= threshold - 0.01) > 3
