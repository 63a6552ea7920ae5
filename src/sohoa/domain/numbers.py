"""Numbers as people type them on Vietnamese forms and spreadsheets: "0,5", "1.234,5", "1,234.5", "1 234".

Vietnamese writes a decimal comma and groups thousands with dots ("1.234,5"); English-language spreadsheets
do the opposite ("1,234.5"). Both are read, never guessed: when both marks appear, the last one is the decimal
mark and the other must group digits by three. A single mark followed by exactly three digits ("1.234",
"1,234") reads as a thousands group in Vietnamese and as a decimal in English: for a measure it is refused
as ambiguous (the form asks again) instead of silently taking one meaning; for a count, where a fraction
is impossible, it is the thousands group. Every refusal is a ``NumberError`` with a message in both
languages, so that a form shows the field's error instead of storing a different value.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

__all__ = ["NumberError", "format_vi", "parse_count", "parse_decimal"]

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_PLAIN = re.compile(r"^\d+$")


class NumberError(ValueError):
    """A number that cannot be read (or read only one way by guessing); ``vi``/``en`` say why."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


def _refuse(text: str) -> NumberError:
    return NumberError(f"«{text}» không phải là số (ví dụ 0,5 hoặc 12)", f"«{text}» is not a number (e.g. 0,5 or 12)")


def _ambiguous(text: str) -> NumberError:
    whole, _, part = text.replace(",", ".").partition(".")
    return NumberError(
        f"«{text}» có thể là {whole}{part} hoặc {whole},{part}: hãy viết rõ (ví dụ {whole},{part} hoặc {whole}{part})",
        f"«{text}» could mean {whole}{part} or {whole}.{part}: please write it unambiguously "
        f"(e.g. {whole},{part} or {whole}{part})",
    )


def _grouped(digits: str, sep: str) -> bool:
    return re.fullmatch(r"\d{1,3}(?:" + re.escape(sep) + r"\d{3})+", digits) is not None


def _canonical(text: str, *, count: bool) -> str:
    """``text`` as a plain "1234.5" string; raises NumberError."""
    value = _SPACES.sub("", text)
    if not value or not re.fullmatch(r"[\d.,]+", value) or not value[0].isdigit() or not value[-1].isdigit():
        raise _refuse(text)
    dots, commas = value.count("."), value.count(",")
    if dots and commas:  # both marks: the last one is the decimal mark, the other groups thousands
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        whole, _, fraction = value.rpartition(decimal_mark)
        if decimal_mark in whole or not _grouped(whole, group_mark):
            raise _refuse(text)
        return whole.replace(group_mark, "") + "." + fraction
    mark = "." if dots else "," if commas else ""
    if not mark:
        return value
    if value.count(mark) > 1:  # "1.234.567": only thousands groups
        if not _grouped(value, mark):
            raise _refuse(text)
        return value.replace(mark, "")
    whole, _, fraction = value.partition(mark)
    if len(fraction) == 3 and whole != "0" and _grouped(value, mark):
        if count:
            return whole + fraction
        raise _ambiguous(text)
    return whole + "." + fraction


def parse_decimal(text: str) -> Decimal:
    """A non-negative measure as typed ("0,5", "1.234,5", "1,234.5", "2") → Decimal; NumberError otherwise."""
    try:
        return Decimal(_canonical(text.strip(), count=False))
    except InvalidOperation as exc:  # pragma: no cover - _canonical lets only digits and one point through
        raise _refuse(text) from exc


def parse_count(text: str) -> int:
    """A whole, non-negative count as typed ("12", "1.234", "1 234") → int; NumberError otherwise."""
    value = Decimal(_canonical(text.strip(), count=True))
    if value != value.to_integral_value():
        raise NumberError(f"«{text}» phải là số nguyên (ví dụ 12)", f"«{text}» must be a whole number (e.g. 12)")
    return int(value)


def format_vi(value: Decimal | int) -> str:
    """A number written the Vietnamese way: decimal comma, dots between thousands ("1.234,5"); the digits
    after the comma are kept as given (Decimal("0.50") → "0,50")."""
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(Decimal(value)):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return sign + grouped + ("," + fraction if fraction else "")
