"""Put bytes, files or streams into the object store and record them as StoredObject rows (get-or-create);
read objects back as a download (streamed, by byte range) or as a private local copy for a program that
needs a file (Poppler, the image decoder)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from sohoa.db.models import StoredObject
from sohoa.domain.ports import CHUNK, ObjectStore, PutResult

__all__ = ["ObjectDownload", "download_of", "local_copy", "record_object", "store_bytes", "store_file"]


@dataclass(frozen=True)
class ObjectDownload:
    """A stored object on its way to a client: where to read it, its length, type and download name."""

    store: ObjectStore
    sha256: str
    size: int
    media_type: str
    filename: str | None = None

    def read(self) -> bytes:
        return self.store.read(self.sha256)

    def read_range(self, start: int, end: int) -> bytes:
        """Bytes ``start`` up to, not including, ``end``."""
        return self.store.read_range(self.sha256, start, end)

    def open(self) -> BinaryIO:
        return self.store.open(self.sha256)


def download_of(store: ObjectStore, stored: StoredObject, *, media_type: str | None = None,
                filename: str | None = None) -> ObjectDownload:
    """The download of a recorded object (its recorded size; the store is not asked)."""
    return ObjectDownload(store, stored.sha256, stored.size, media_type or stored.media_type, filename)


@contextlib.contextmanager
def local_copy(store: ObjectStore, sha256: str, folder: Path | None = None) -> Iterator[Path]:
    """A private temporary file holding the object, removed on exit: for programs that only read files."""
    fd, name = tempfile.mkstemp(dir=folder, prefix="object-")  # 0600
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out, store.open(sha256) as src:
            while chunk := src.read(CHUNK):
                out.write(chunk)
        yield path
    finally:
        path.unlink(missing_ok=True)


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


def store_bytes(session: Session, store: ObjectStore, data: bytes, *, media_type: str,
                kind: str) -> StoredObject:
    """Put bytes into the store and record them."""
    return record_object(session, store.put_bytes(data), media_type=media_type, kind=kind)


def store_file(session: Session, store: ObjectStore, path: Path, *, media_type: str, kind: str,
               original_name: str | None = None, expected_sha256: str | None = None) -> StoredObject:
    """Put a copy of a file into the store (checked against ``expected_sha256`` when given) and record it."""
    return record_object(session, store.put_file(path, expected_sha256=expected_sha256), media_type=media_type,
                         kind=kind, original_name=original_name)

