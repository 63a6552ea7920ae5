"""The NĐ 30 fields of a stored document in the JSON contract's shape (CLI, API, webhooks, rebuilt PDFs)."""

from __future__ import annotations

from sohoa.db.models import Document
from sohoa.domain.fields import FIELD_NAMES

__all__ = ["document_fields"]


def document_fields(doc: Document) -> dict[str, str | None]:
    """Each field of the table by name; dates as ISO text, absent values as None."""
    values: dict[str, str | None] = {}
    for name in FIELD_NAMES:
        value = getattr(doc, name)
        values[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return values
