"""Put bytes or files into the object store and record them as StoredObject rows (get-or-create)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import StoredObject
from sohoa.storage.objects import LocalObjectStore, PutResult

__all__ = ["record_object", "store_bytes", "store_file"]


def record_object(session: Session, put: PutResult, *, media_type: str, kind: str,
                  original_name: str | None = None) -> StoredObject:
    """The row for a stored object, created on first sight (same digest → same row)."""
    row = session.execute(select(StoredObject).where(StoredObject.sha256 == put.sha256)).scalar_one_or_none()
    if row is None:
        row = StoredObject(sha256=put.sha256, size=put.size, media_type=media_type, kind=kind,
                           original_name=original_name)
        session.add(row)
        session.flush()
    return row


def store_bytes(session: Session, store: LocalObjectStore, data: bytes, *, media_type: str,
                kind: str) -> StoredObject:
    return record_object(session, store.put_bytes(data), media_type=media_type, kind=kind)


def store_file(session: Session, store: LocalObjectStore, path: Path, *, media_type: str, kind: str,
               original_name: str | None = None) -> StoredObject:
    return record_object(session, store.put_file(path), media_type=media_type, kind=kind,
                         original_name=original_name)
