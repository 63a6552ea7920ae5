"""Declarative base, naming convention and shared column helpers."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import Enum, MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every Sohoa table."""

    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    """Timezone-aware now, the only clock the models use."""
    return datetime.now(UTC)


def state_type(states: type[StrEnum], length: int) -> Enum:
    """The column type of a workflow state (:mod:`sohoa.domain.workflow`): a VARCHAR(``length``) holding the
    enum's values, read back as members. No database enum and no CHECK constraint, so the schema stays the
    one the migrations made; a string that is not a value of the enum is refused on write."""
    return Enum(states, native_enum=False, create_constraint=False, length=length, validate_strings=True,
                values_callable=lambda members: [m.value for m in members])
