"""Extracted document fields (NĐ 30/2020 Phụ lục VI tags in snake_case) with confidence and provenance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sohoa.domain.ocr import BBox

__all__ = ["FIELD_NAMES", "DocumentFields", "FieldValue"]

FIELD_NAMES: tuple[str, ...] = (
    "type_name",
    "code_number",
    "code_notation",
    "issued_date",
    "place",
    "organ_name",
    "parent_organ_name",
    "subject",
    "signer_position",
    "signer_full_name",
    "secrecy",
    "urgency",
)

# NĐ 30 Phụ lục VI lengths for validation of stored values.
FIELD_MAX_LENGTHS = {
    "type_name": 100,
    "code_number": 11,
    "code_notation": 30,
    "issued_date": 10,
    "organ_name": 200,
    "parent_organ_name": 200,
    "subject": 500,
    "signer_position": 100,
    "signer_full_name": 50,
}


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
