"""An object store kept in step with a second one (the replica, on independent storage).

:class:`ReplicatedObjectStore` is the primary store as far as any caller can tell: every read, check and
listing goes to the primary. After each put it copies the object's stored bytes (an envelope stays an
envelope) to the replica. A replica that fails (unwritable, unreachable, full) never fails the primary
write: the object stays pending and the catch-up pass (``sohoa replica sync``) copies it later and records
it; that pass, not this wrapper, is what the database believes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import ObjectStore, PutResult

__all__ = ["ReplicatedObjectStore", "mirror_object"]

log = logging.getLogger(__name__)


def mirror_object(primary: ObjectStore, replica: ObjectStore, sha256: str) -> bool:
    """Copy one object's stored bytes to the replica unless the replica already holds a good copy.

    The replica checks the bytes are that object before keeping them, so a damaged primary copy is never
    replicated (DigestMismatch). True when the replica's copy was written by this call."""
    if replica.verify(sha256):
        return False
    with primary.open_stored(sha256) as source:
        replica.restore_stored(sha256, source)
    return True


class ReplicatedObjectStore:
    """The primary store, plus a best-effort copy of every new object to the replica."""

    def __init__(self, primary: ObjectStore, replica: ObjectStore) -> None:
        self.primary = primary
        self.replica = replica
        self.failures = 0  # copies that failed since start (pending until the catch-up pass)

    def __getattr__(self, name: str) -> Any:
        """What the primary store offers beyond the port (its own maintenance methods) stays reachable."""
        if name in ("primary", "replica") or name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.primary, name)

    def _mirror(self, result: PutResult) -> PutResult:
        try:
            if not self.replica.exists(result.sha256):
                mirror_object(self.primary, self.replica, result.sha256)
        except (SohoaError, OSError) as exc:
            self.failures += 1
            log.warning("replica: %s not copied, pending until `sohoa replica sync` (%s)", result.sha256, exc)
        return result

    def put_bytes(self, data: bytes, *, expected_sha256: str | None = None) -> PutResult:
        return self._mirror(self.primary.put_bytes(data, expected_sha256=expected_sha256))

    def put_stream(self, stream: BinaryIO, *, expected_sha256: str | None = None) -> PutResult:
        return self._mirror(self.primary.put_stream(stream, expected_sha256=expected_sha256))

    def put_file(self, path: Path, *, expected_sha256: str | None = None) -> PutResult:
        return self._mirror(self.primary.put_file(path, expected_sha256=expected_sha256))

    def exists(self, sha256: str) -> bool:
        return self.primary.exists(sha256)

    def size(self, sha256: str) -> int:
        return self.primary.size(sha256)

    def open(self, sha256: str) -> BinaryIO:
        return self.primary.open(sha256)

    def read(self, sha256: str) -> bytes:
        return self.primary.read(sha256)

    def read_range(self, sha256: str, start: int, end: int) -> bytes:
        return self.primary.read_range(sha256, start, end)

    def verify(self, sha256: str) -> bool:
        return self.primary.verify(sha256)

    def iter_digests(self) -> Iterator[str]:
        return self.primary.iter_digests()

    def open_stored(self, sha256: str) -> BinaryIO:
        return self.primary.open_stored(sha256)

    def is_encrypted(self, sha256: str) -> bool:
        return self.primary.is_encrypted(sha256)

    def restore_stored(self, sha256: str, stream: BinaryIO) -> PutResult:
        return self.primary.restore_stored(sha256, stream)


def _typed(store: ReplicatedObjectStore) -> ObjectStore:
    return store  # mypy checks the wrapper has every method of the port
