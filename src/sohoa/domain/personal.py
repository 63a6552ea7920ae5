"""Personal data (Luật Bảo vệ dữ liệu cá nhân, No. 91/2025/QH15): the kinds Sohoa finds, their labels,
the values the entity index compares, and how a masked span reads in text that leaves the staff.

Finding the spans is ``sohoa.intelligence.personal``; keeping, masking and searching them are services.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sohoa.domain.text import fold, nfc

__all__ = [
    "NUMERIC_KINDS",
    "PersonalKind",
    "PersonalSpan",
    "kind_label",
    "mask_spans",
    "mask_token",
    "normalize_value",
]


class PersonalKind(StrEnum):
    """What a span of personal data is."""

    CCCD = "cccd"  # căn cước công dân / căn cước: 12 digits
    CMND = "cmnd"  # chứng minh nhân dân: 9 digits (12 on the last issues)
    DOB = "dob"  # ngày sinh / năm sinh
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"  # nơi thường trú, nơi ở, địa chỉ
    BANK_ACCOUNT = "bank_account"
    PLATE = "plate"  # biển số xe
    PARCEL = "parcel"  # thửa đất số … tờ bản đồ số …
    NAME = "name"  # a person's full name


# Kinds whose value is a number: the entity index compares their digits (and letters, for plates) only.
NUMERIC_KINDS = frozenset({PersonalKind.CCCD, PersonalKind.CMND, PersonalKind.PHONE, PersonalKind.BANK_ACCOUNT,
                           PersonalKind.PLATE})

_LABELS: dict[PersonalKind, tuple[str, str]] = {
    PersonalKind.CCCD: ("số CCCD", "citizen ID number"),
    PersonalKind.CMND: ("số CMND", "identity card number"),
    PersonalKind.DOB: ("ngày sinh", "date of birth"),
    PersonalKind.PHONE: ("số điện thoại", "phone number"),
    PersonalKind.EMAIL: ("thư điện tử", "e-mail"),
    PersonalKind.ADDRESS: ("địa chỉ", "address"),
    PersonalKind.BANK_ACCOUNT: ("số tài khoản", "bank account"),
    PersonalKind.PLATE: ("biển số xe", "licence plate"),
    PersonalKind.PARCEL: ("thửa đất", "land parcel"),
    PersonalKind.NAME: ("họ tên", "personal name"),
}


def kind_label(kind: PersonalKind | str, lang: str = "vi") -> str:
    """The kind's name in Vietnamese (default) or English."""
    vi, en = _LABELS[PersonalKind(kind)]
    return en if lang == "en" else vi


@dataclass(frozen=True)
class PersonalSpan:
    """A span ``text[start:end]`` of personal data of ``kind``; ``confidence`` is 0..1."""

    kind: PersonalKind
    start: int
    end: int
    text: str
    confidence: float = 1.0

    @property
    def normalized(self) -> str:
        return normalize_value(self.kind, self.text)


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_SPACES = re.compile(r"\s+")
_EMAIL_NOISE = re.compile(r"[\s()\[\]]")


def normalize_value(kind: PersonalKind | str, text: str) -> str:
    """The value the entity index stores and compares: digits (and letters) only for numbers and plates
    ('001 085 012 345' → '001085012345', '29A-123.45' → '29a12345'); a phone's +84 written as 0; for
    names, addresses and the rest the tone-folded words ('Nguyễn  Văn An' → 'nguyen van an')."""
    kind = PersonalKind(kind)
    if kind in NUMERIC_KINDS:
        value = _NOT_ALNUM.sub("", fold(text))
        if kind is PersonalKind.PHONE and value.startswith("84") and len(value) == 11:
            value = "0" + value[2:]
        return value
    if kind is PersonalKind.EMAIL:
        return _EMAIL_NOISE.sub("", nfc(text)).lower()  # OCR's "haidd77(@gmail.com" is haidd77@gmail.com
    return _SPACES.sub(" ", _NOT_ALNUM.sub(" ", fold(text))).strip()


def mask_token(kind: PersonalKind | str) -> str:
    """What a masked span reads as in public text: '[đã che: số CCCD]'."""
    return f"[đã che: {kind_label(kind)}]"


def mask_spans(text: str, spans: Iterable[PersonalSpan]) -> str:
    """``text`` with each span replaced by its mask token (overlapping spans merged into the first)."""
    out: list[str] = []
    position = 0
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.end <= position:
            continue
        start = max(span.start, position)
        out.append(text[position:start])
        if start == span.start:
            out.append(mask_token(span.kind))
        position = span.end
    out.append(text[position:])
    return "".join(out)
