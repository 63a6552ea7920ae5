"""Validation of records against the standards (QĐ 20/2020, NĐ 30/2020 Phụ lục VI, TT 02/2019),
with every message in Vietnamese and English."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sohoa.domain.codes import type_by_abbreviation, type_by_name
from sohoa.domain.fields import FIELD_MAX_LENGTHS

__all__ = [
    "Problem",
    "validate_document_fields",
    "validate_file_code",
    "validate_fonds_code",
    "validate_unit_identifier",
]

# QĐ 20/2020/QĐ-TTg: at most 35 characters, '.'-separated groups of digits and capital letters.
UNIT_IDENTIFIER = re.compile(r"^(?=.{1,35}$)[0-9A-Z]+(?:\.[0-9A-Z]+)*$")
FILE_CODE = re.compile(r"^(?=.{1,30}$)[0-9A-Za-zĐđ]+(?:[.\-/][0-9A-Za-zĐđ]+)*$")
_NOTATION_GROUP = r"[A-ZĐ][A-Za-zĐđ0-9]*"
CODE_NOTATION = re.compile(rf"^(?:(?:19|20)\d{{2}}/)?{_NOTATION_GROUP}(?:-{_NOTATION_GROUP})*$")
PARTY_NOTATION = re.compile(rf"^[A-ZĐ]+/{_NOTATION_GROUP}(?:-{_NOTATION_GROUP})*$")


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


def _length_problems(values: Mapping[str, str | None]) -> list[Problem]:
    problems = []
    for name, limit in FIELD_MAX_LENGTHS.items():
        value = values.get(name)
        if value is not None and len(value) > limit:
            problems.append(Problem(name, f"Trường {name} dài quá {limit} ký tự",
                                    f"Field {name} is longer than {limit} characters"))
    return problems


def _date_problem(value: str | None) -> list[Problem]:
    if not value:
        return []
    try:
        issued = date.fromisoformat(value)
    except ValueError:
        return [Problem("issued_date", "Ngày ban hành không hợp lệ (YYYY-MM-DD)", "Invalid issue date (YYYY-MM-DD)")]
    if not 1945 <= issued.year <= date.today().year + 1:
        return [Problem("issued_date", "Năm ban hành nằm ngoài khoảng hợp lý", "Issue year out of range")]
    return []


def _sign_problems(values: Mapping[str, str | None]) -> list[Problem]:
    problems: list[Problem] = []
    number, notation = values.get("code_number"), values.get("code_notation")
    if number is not None and not re.fullmatch(r"\d{1,11}(?:-[A-ZĐ]+)?", number):
        problems.append(Problem("code_number", "Số văn bản phải là chữ số Ả Rập",
                                "The document number must be Arabic digits"))
    if notation is not None and not (CODE_NOTATION.match(notation) or PARTY_NOTATION.match(notation)):
        problems.append(Problem("code_notation", "Ký hiệu văn bản sai dạng (ví dụ KH-UBND, 2025/QĐ-UBND)",
                                "Malformed sign (e.g. KH-UBND, 2025/QĐ-UBND)"))
    type_name = values.get("type_name")
    if type_name and type_by_name(type_name) is None:
        problems.append(Problem("type_name", f"Tên loại văn bản '{type_name}' không có trong danh mục",
                                f"Document type '{type_name}' is not in the code list"))
    if notation and type_name and type_name != "Công văn":
        head = notation.split("/")[-1].split("-")[0]
        expected = type_by_name(type_name)
        found = type_by_abbreviation(head)
        if expected and found and found != expected:
            problems.append(Problem("code_notation", "Ký hiệu không khớp với tên loại văn bản",
                                    "The sign's type abbreviation does not match the document type"))
    return problems


def validate_document_fields(values: Mapping[str, str | None]) -> list[Problem]:
    """NĐ 30 Phụ lục VI checks on a document's fields (lengths, date, sign, type)."""
    return _length_problems(values) + _date_problem(values.get("issued_date")) + _sign_problems(values)
