"""Rows to JSON and back, column by column, by each column's type: how sohoa.json's records become rows
again (dates and times from ISO 8601, JSON as is) and how the round trip compares two archives.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, inspect
from sqlalchemy import Enum as EnumType
from sqlalchemy.orm import DeclarativeBase

__all__ = ["column_names", "row_values", "values_for"]


def column_names(model: type[DeclarativeBase]) -> list[str]:
    """The mapped attribute names of a model's columns, in table order."""
    return [attr.key for attr in inspect(model).column_attrs]


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def row_values(row: DeclarativeBase, *, skip: Iterable[str] = ()) -> dict[str, Any]:
    """A row as JSON-ready values (times in UTC, microseconds; dates ISO; enums by value)."""
    left_out = set(skip)
    return {name: _plain(getattr(row, name)) for name in column_names(type(row)) if name not in left_out}


def _parse(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(kind, EnumType) and kind.enum_class is not None:
        return kind.enum_class(value)
    if isinstance(kind, DateTime):
        if isinstance(value, datetime):
            return value
        moment = datetime.fromisoformat(str(value))  # in UTC: SQLite keeps a time's digits, not its offset
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    if isinstance(kind, Date):
        return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    if isinstance(kind, Boolean):
        return bool(value)
    if isinstance(kind, Integer):
        return int(value)
    if isinstance(kind, Float):
        return float(value)
    return value


def values_for(model: type[DeclarativeBase], data: Mapping[str, Any], *, skip: Iterable[str] = ()) -> dict[str, Any]:
    """The column values of ``model`` found in ``data`` (a record of sohoa.json), parsed by column type;
    keys that are not columns, and ``skip`` (ids, foreign keys mapped elsewhere), are left out."""
    left_out = set(skip)
    mapper = inspect(model)
    out: dict[str, Any] = {}
    for attr in mapper.column_attrs:
        if attr.key in left_out or attr.key not in data:
            continue
        out[attr.key] = _parse(attr.columns[0].type, data[attr.key])
    return out
