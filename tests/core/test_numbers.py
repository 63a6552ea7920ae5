"""Numbers as typed on Vietnamese forms: decimal comma, thousands dots, the English way too, never a guess."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sohoa.domain.numbers import NumberError, format_vi, parse_count, parse_decimal


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("0,5", "0.5"),
        ("0.5", "0.5"),
        ("2", "2"),
        ("12,50", "12.50"),
        ("1.234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1 234,5", "1234.5"),
        ("1\u00a0234", "1234"),
        ("1.234.567", "1234567"),
        ("1,234,567.25", "1234567.25"),
        ("0,500", "0.500"),  # a leading 0 is never a thousands group
        (" 3,75 ", "3.75"),
    ],
)
def test_measures_as_typed(typed: str, value: str) -> None:
    assert parse_decimal(typed) == Decimal(value)


@pytest.mark.parametrize("typed", ["1.234", "1,234", "12.500"])
def test_one_mark_before_three_digits_is_ambiguous_for_a_measure(typed: str) -> None:
    with pytest.raises(NumberError) as caught:
        parse_decimal(typed)
    assert "có thể là" in caught.value.vi and "could mean" in caught.value.en


@pytest.mark.parametrize("typed", ["", "abc", "0,5m", "-1", "1,,2", "1.2,3", ",5", "5,", "1.23.4", "1,2.3,4"])
def test_what_is_not_a_number_is_refused(typed: str) -> None:
    with pytest.raises(NumberError) as caught:
        parse_decimal(typed)
    assert caught.value.vi and caught.value.en


def test_counts_read_thousands_groups_and_refuse_fractions() -> None:
    assert parse_count("12") == 12
    assert parse_count("1.234") == 1234
    assert parse_count("1,234") == 1234
    assert parse_count("1 200") == 1200
    assert parse_count("12,0") == 12
    for typed in ("0,5", "12,5", "x", "3 tờ"):
        with pytest.raises(NumberError):
            parse_count(typed)


def test_vietnamese_writing() -> None:
    assert format_vi(Decimal("0.5")) == "0,5"
    assert format_vi(Decimal("0.50")) == "0,50"
    assert format_vi(Decimal("1234.5")) == "1.234,5"
    assert format_vi(1234567) == "1.234.567"
    assert format_vi(Decimal("0.1") * 3) == "0,3"
