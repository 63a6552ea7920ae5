"""Put bytes or files into the object store and record them as StoredObject rows (get-or-create)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from sohoa.db.models import StoredObject
from sohoa.storage.objects import LocalObjectStore, PutResult

__all__ = ["record_object", "store_bytes", "store_file"]


def _insert_unless_stored(session: Session, values: dict[str, object]) -> Executable:
    """INSERT … ON CONFLICT (sha256) DO NOTHING, in the database's dialect (both have it)."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(StoredObject).values(values).on_conflict_do_nothing(index_elements=["sha256"])
    return sqlite.insert(StoredObject).values(values).on_conflict_do_nothing(index_elements=["sha256"])


def record_object(session: Session, put: PutResult, *, media_type: str, kind: str,
                  original_name: str | None = None) -> StoredObject:
    """The row for a stored object, created on first sight (same digest → same row)."""
    found = select(StoredObject).where(StoredObject.sha256 == put.sha256)
    row = session.execute(found).scalar_one_or_none()
    if row is None:
        # Another process may store the same bytes (a blank page's thumbnail, say) at this moment: the row
        # is inserted unless it exists by then, never a unique-key error.
        values = {"sha256": put.sha256, "size": put.size, "media_type": media_type, "kind": kind,
                  "original_name": original_name}
        session.execute(_insert_unless_stored(session, values))
        row = session.execute(found).scalar_one()
    return row


def store_bytes(session: Session, store: LocalObjectStore, data: bytes, *, media_type: str,
                kind: str) -> StoredObject:
    return record_object(session, store.put_bytes(data), media_type=media_type, kind=kind)


def store_file(session: Session, store: LocalObjectStore, path: Path, *, media_type: str, kind: str,
               original_name: str | None = None) -> StoredObject:
    return record_object(session, store.put_file(path), media_type=media_type, kind=kind,
                         original_name=original_name)
