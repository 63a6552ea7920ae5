"""The NĐ 30 field table (one definition per field) and extracted fields with confidence and provenance.

:data:`FIELDS` is the single source of every field's name (NĐ 30/2020 Phụ lục VI tags in snake_case),
labels, length, check, normaliser, XMP property, search-index role, export column and QC requirement.
Extraction, ingest validation, the review form, exports, the PDF/A XMP and the search index all read
it; docs/fields.md describes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from sohoa.domain import field_rules as rules
from sohoa.domain.codes import type_by_name
from sohoa.domain.ocr import BBox
from sohoa.domain.text import canonical_text

__all__ = [
    "FIELDS",
    "FIELD_BY_NAME",
    "FIELD_MAX_LENGTHS",
    "FIELD_NAMES",
    "DocumentFields",
    "FieldKind",
    "FieldSpec",
    "FieldValue",
    "IndexRole",
    "RecordHeading",
    "check_field",
]


class FieldKind(StrEnum):
    """What a field holds; the kind chooses the check and the normaliser."""

    TYPE = "type"
    NUMBER = "number"
    NOTATION = "notation"
    DATE = "date"
    PLACE = "place"
    ISSUER = "issuer"
    SUBJECT = "subject"
    SIGNER = "signer"
    SECRECY = "secrecy"
    URGENCY = "urgency"


class IndexRole(StrEnum):
    """Where the search index puts a field: the text columns (BM25 weight 4 exact tones, 1 folded), the
    sign column (weight 8: 'số/ký hiệu' matches rank first), or nowhere (filters cover it)."""

    TEXT = "text"
    SIGN = "sign"
    NONE = "none"


_CHECKS: dict[FieldKind, rules.Check] = {
    FieldKind.TYPE: rules.check_type_name,
    FieldKind.NUMBER: rules.check_number,
    FieldKind.NOTATION: rules.check_notation,
    FieldKind.DATE: rules.check_date,
    FieldKind.PLACE: rules.check_text,
    FieldKind.ISSUER: rules.check_text,
    FieldKind.SUBJECT: rules.check_text,
    FieldKind.SIGNER: rules.check_text,
    FieldKind.SECRECY: rules.check_secrecy,
    FieldKind.URGENCY: rules.check_urgency,
}


@dataclass(frozen=True)
class FieldSpec:
    """One NĐ 30 field: everything every user of the field needs to know about it."""

    name: str                   # the stored column, the JSON key and the form input's name
    label_vi: str               # the label people read (also the English translation's key)
    label_en: str
    kind: FieldKind
    max_length: int | None      # NĐ 30 Phụ lục VI / TT 02/2019 length; None: bounded by its code list
    xmp_key: str                # the ``sohoa:`` XMP property of the PDF/A
    index: IndexRole
    export_label: str | None    # the search export's column header; None: not exported
    export_width: int = 0       # the column's width in the PDF export (points)
    required: bool = False      # QC checks that review filled it in
    multiline: bool = False     # a text area on the review form

    def normalise(self, raw: str) -> str:
        """The stored form of a typed or extracted value: NFC, look-alikes fixed, canonical tone
        placement, trimmed; dates in ISO form; code-list values in the list's own spelling."""
        value = canonical_text(raw).strip()
        if self.kind is FieldKind.DATE:
            return rules.iso_date(value)
        if self.kind is FieldKind.TYPE:
            found = type_by_name(value)
            return found.name if found is not None else value
        if self.kind is FieldKind.SECRECY:
            return rules.canonical_choice(value, rules.SECRECY_CHOICES)
        if self.kind is FieldKind.URGENCY:
            return rules.canonical_choice(value, rules.URGENCY_CHOICES)
        return value

    def check(self, value: str) -> rules.Message | None:
        """None when the normalised, non-empty ``value`` is valid, else a (vi, en) message."""
        if self.max_length is not None and len(value) > self.max_length:
            return f"Dài quá {self.max_length} ký tự", f"Longer than {self.max_length} characters"
        return _CHECKS[self.kind](value)

    def display(self, value: object) -> str:
        """The value as the review form shows it (dates dd/mm/yyyy, nothing for None)."""
        if self.kind is FieldKind.DATE and isinstance(value, date | str):
            return rules.display_date(value)
        return "" if value is None else str(value)

    def column_value(self, value: str | None) -> object:
        """The database column's value for a normalised value (a ``date`` for the issue date)."""
        if not value:
            return None
        if self.kind is FieldKind.DATE:
            try:
                return date.fromisoformat(value)
            except ValueError:
                return None
        return value


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("type_name", "Tên loại văn bản", "Document type", FieldKind.TYPE, 100, "type_name",
              IndexRole.TEXT, "Loại", 70, required=True),
    FieldSpec("code_number", "Số văn bản", "Number", FieldKind.NUMBER, 11, "code_number",
              IndexRole.SIGN, "Số", 35),
    FieldSpec("code_notation", "Ký hiệu văn bản", "Sign", FieldKind.NOTATION, 30, "code_notation",
              IndexRole.SIGN, "Ký hiệu", 60),
    FieldSpec("issued_date", "Ngày ban hành", "Date issued", FieldKind.DATE, 10, "issued_date",
              IndexRole.NONE, "Ngày", 55, required=True),
    FieldSpec("place", "Địa danh", "Place", FieldKind.PLACE, None, "place", IndexRole.TEXT, None),
    FieldSpec("organ_name", "Cơ quan ban hành", "Issuing body", FieldKind.ISSUER, 200, "organ_name",
              IndexRole.TEXT, "Cơ quan ban hành", 140, required=True),
    FieldSpec("parent_organ_name", "Cơ quan chủ quản", "Parent body", FieldKind.ISSUER, 200,
              "parent_organ_name", IndexRole.TEXT, None),
    FieldSpec("subject", "Trích yếu nội dung", "Subject", FieldKind.SUBJECT, 500, "subject",
              IndexRole.TEXT, "Trích yếu", 330, required=True, multiline=True),
    FieldSpec("signer_position", "Chức vụ người ký", "Signer's position", FieldKind.SIGNER, 100,
              "signer_position", IndexRole.TEXT, None),
    FieldSpec("signer_full_name", "Người ký", "Signer", FieldKind.SIGNER, 50, "signer_full_name",
              IndexRole.TEXT, None),
    FieldSpec("secrecy", "Độ mật", "Secrecy", FieldKind.SECRECY, None, "secrecy", IndexRole.NONE, None),
    FieldSpec("urgency", "Độ khẩn", "Urgency", FieldKind.URGENCY, None, "urgency", IndexRole.NONE, None),
)

FIELD_BY_NAME: Mapping[str, FieldSpec] = {spec.name: spec for spec in FIELDS}
FIELD_NAMES: tuple[str, ...] = tuple(FIELD_BY_NAME)
FIELD_MAX_LENGTHS: Mapping[str, int] = {s.name: s.max_length for s in FIELDS if s.max_length is not None}


def check_field(name: str, raw: str) -> rules.Message | None:
    """The verdict on one typed or extracted value of field ``name``: None when valid or empty."""
    spec = FIELD_BY_NAME[name]
    value = spec.normalise(raw)
    return spec.check(value) if value else None


@dataclass(frozen=True)
class FieldValue:
    """One field's value and where it came from: page (1-based), word boxes, rule/model, confidence."""

    value: str | None
    confidence: float = 0.0
    page: int | None = None
    boxes: tuple[BBox, ...] = ()
    rule: str = ""
    needs_review: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "confidence": round(self.confidence, 3),
            "page": self.page,
            "boxes": [b.as_list() for b in self.boxes],
            "rule": self.rule,
            "needs_review": self.needs_review,
        }


@dataclass(frozen=True)
class DocumentFields:
    """All fields of one document; missing fields are absent or have value None."""

    values: Mapping[str, FieldValue] = field(default_factory=dict)

    def get(self, name: str) -> str | None:
        item = self.values.get(name)
        return item.value if item else None

    def as_fields(self) -> dict[str, str | None]:
        """The JSON contract's ``fields`` object: every NĐ 30 name, null when not found."""
        return {name: self.get(name) for name in FIELD_NAMES}

    def as_confidence(self) -> dict[str, float]:
        """The JSON contract's ``confidence`` object, for fields that have a value."""
        return {n: round(v.confidence, 3) for n, v in self.values.items() if v.value is not None}

    def provenance(self) -> dict[str, dict[str, Any]]:
        """Per-field provenance (page, boxes, rule, confidence, review flag)."""
        return {n: v.as_dict() for n, v in self.values.items()}

    def needing_review(self) -> list[str]:
        return [n for n, v in self.values.items() if v.needs_review]


@dataclass(frozen=True)
class RecordHeading:
    """The descriptive core of one stored document (NĐ 30 Phụ lục VI): what every published description of
    it (portal, OAI-PMH, catalogue exports) starts from. Each describing service extends it."""

    document_id: int
    type_name: str | None
    code_number: str | None
    code_notation: str | None
    issued_date: date | None
    place: str | None
    organ_name: str | None
    parent_organ_name: str | None
    subject: str | None

    @property
    def sign(self) -> str | None:
        """Số và ký hiệu: ``15/QĐ-UBND`` (either part alone when the other is missing)."""
        if self.code_number and self.code_notation:
            return f"{self.code_number}/{self.code_notation}"
        return self.code_number or self.code_notation
