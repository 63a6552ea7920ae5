"""Put bytes, files or streams into the object store and record them as StoredObject rows (get-or-create);
read objects back as a download (streamed, by byte range) or as a private local copy for a program that
needs a file (Poppler, the image decoder)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from sohoa.db.models import StoredObject
from sohoa.domain.ports import CHUNK, ObjectStore, PutResult

__all__ = ["ObjectBatch", "ObjectDownload", "download_of", "local_copy", "record_object", "store_bytes", "store_file"]


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


def _insert_unless_stored(session: Session, values: dict[str, object] | list[dict[str, object]]) -> Executable:
    """INSERT … ON CONFLICT (sha256) DO NOTHING of one row or several, in the database's dialect (both have it)."""
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


# Object writes wait mostly on fsync: a few threads let those waits overlap (and the caller go on).
_WRITERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="sohoa-store")


class ObjectBatch:
    """Many objects recorded in a few statements (what :func:`store_bytes` does one by one): the bytes are
    written on writer threads, and :meth:`wait` returns only when every write is durable — call it before
    the commit, so a committed row never names an object that is not stored."""

    _CHUNK = 150  # rows per statement: within SQLite's limit on bound parameters

    def __init__(self, session: Session, store: ObjectStore) -> None:
        self.session, self.store = session, store
        self.pending: list[Future[PutResult]] = []

    def store_all(self, blobs: Sequence[tuple[bytes, str, str]]) -> list[int]:
        """Store (data, media type, kind) blobs; their object ids, in order (same bytes → same row)."""
        digests: list[str] = []
        rows: dict[str, dict[str, object]] = {}
        for data, media_type, kind in blobs:
            sha256 = hashlib.sha256(data).hexdigest()
            digests.append(sha256)
            if sha256 not in rows:
                rows[sha256] = {"sha256": sha256, "size": len(data), "media_type": media_type, "kind": kind,
                                "original_name": None}
                self.pending.append(_WRITERS.submit(self.store.put_bytes, data, expected_sha256=sha256))
        ids = self._ids(list(rows))
        missing = [rows[sha256] for sha256 in rows if sha256 not in ids]
        for start in range(0, len(missing), self._CHUNK):  # rows another process stores meanwhile are kept
            self.session.execute(_insert_unless_stored(self.session, missing[start:start + self._CHUNK]))
        if missing:
            ids.update(self._ids([str(row["sha256"]) for row in missing]))
        return [ids[sha256] for sha256 in digests]

    def _ids(self, digests: list[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for start in range(0, len(digests), self._CHUNK * 5):
            query = select(StoredObject.sha256, StoredObject.id).where(
                StoredObject.sha256.in_(digests[start:start + self._CHUNK * 5]))
            found.update({sha256: row_id for sha256, row_id in self.session.execute(query).all()})
        return found

    def wait(self) -> None:
        """Raise the first write error (the transaction then rolls back) once all writes are over."""
        errors = [f.exception() for f in self.pending]
        self.pending = []
        first = next((e for e in errors if e is not None), None)
        if first is not None:
            raise first


def store_file(session: Session, store: ObjectStore, path: Path, *, media_type: str, kind: str,
               original_name: str | None = None, expected_sha256: str | None = None) -> StoredObject:
    """Put a copy of a file into the store (checked against ``expected_sha256`` when given) and record it."""
    return record_object(session, store.put_file(path, expected_sha256=expected_sha256), media_type=media_type,
                         kind=kind, original_name=original_name)

