"""Validation of records against the standards (QĐ 20/2020, NĐ 30/2020 Phụ lục VI, TT 02/2019),
with every message in Vietnamese and English."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sohoa.domain.codes import type_by_abbreviation, type_by_name
from sohoa.domain.field_rules import Message
from sohoa.domain.fields import FIELDS

__all__ = [
    "Problem",
    "field_errors",
    "validate_document_fields",
    "validate_file_code",
    "validate_fonds_code",
    "validate_unit_identifier",
]

# QĐ 20/2020/QĐ-TTg: at most 35 characters, '.'-separated groups of digits and capital letters.
UNIT_IDENTIFIER = re.compile(r"^(?=.{1,35}$)[0-9A-Z]+(?:\.[0-9A-Z]+)*$")
FILE_CODE = re.compile(r"^(?=.{1,30}$)[0-9A-Za-zĐđ]+(?:[.\-/][0-9A-Za-zĐđ]+)*$")


@dataclass(frozen=True)
class Problem:
    """One validation problem on one field."""

    field: str
    vi: str
    en: str


def validate_unit_identifier(identifier: str) -> list[Problem]:
    """Mã định danh of a unit: ≤ 35 characters, groups of [0-9A-Z] separated by dots."""
    if UNIT_IDENTIFIER.match(identifier):
        return []
    return [Problem("identifier",
                    "Mã định danh phải dài tối đa 35 ký tự, gồm các nhóm chữ số và chữ in hoa cách nhau bởi dấu chấm",
                    "The identifier must be at most 35 characters: groups of digits and capital letters "
                    "separated by dots")]


def validate_fonds_code(code: str) -> list[Problem]:
    """Mã phông: at most 13 characters (TT 02/2019 OrganId)."""
    if 0 < len(code) <= 13:
        return []
    return [Problem("code", "Mã phông tối đa 13 ký tự", "A fonds code has at most 13 characters")]


def validate_file_code(code: str) -> list[Problem]:
    """Mã hồ sơ: at most 30 characters (OrganId + year + số và ký hiệu hồ sơ)."""
    if FILE_CODE.match(code):
        return []
    return [Problem("file_code", "Mã hồ sơ tối đa 30 ký tự, gồm chữ, số và dấu . - /",
                    "A file code has at most 30 characters: letters, digits and . - /")]


def _field_checks(values: Mapping[str, str | None]) -> list[tuple[str, Message]]:
    """(field, message) for every invalid value: each field's own check from the table, then whether the
    sign's type abbreviation agrees with the document type. Empty values are not checked here."""
    found: list[tuple[str, Message]] = []
    normalised: dict[str, str] = {}
    for spec in FIELDS:
        raw = values.get(spec.name)
        value = spec.normalise(raw) if raw is not None else ""
        if not value:
            continue
        normalised[spec.name] = value
        message = spec.check(value)
        if message is not None:
            found.append((spec.name, message))
    failed = {name for name, _ in found}
    notation, type_name = normalised.get("code_notation"), normalised.get("type_name")
    if notation and type_name and type_name != "Công văn" and not failed & {"code_notation", "type_name"}:
        head = notation.split("/")[-1].split("-")[0]
        expected, sign_type = type_by_name(type_name), type_by_abbreviation(head)
        if expected and sign_type and sign_type != expected:
            found.append(("code_notation", ("Ký hiệu không khớp với tên loại văn bản",
                                            "The sign's type abbreviation does not match the document type")))
    return found


def validate_document_fields(values: Mapping[str, str | None]) -> list[Problem]:
    """NĐ 30 Phụ lục VI checks on a document's fields, from the field table (lengths, number, sign, date,
    type, secrecy, urgency) and the sign/type agreement; each message names the field."""
    return [Problem(name, f"Trường {name}: {vi}", f"Field {name}: {en}") for name, (vi, en) in _field_checks(values)]


def field_errors(values: Mapping[str, str | None]) -> dict[str, Message]:
    """Field name → (vi, en) message of its first problem: the same verdicts as
    :func:`validate_document_fields`, shaped for a form that shows each message beside its field."""
    errors: dict[str, Message] = {}
    for name, message in _field_checks(values):
        errors.setdefault(name, message)
    return errors
