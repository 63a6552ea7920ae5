"""A second ObjectStore, in memory, for tests: proof that callers use the port and nothing of the local store."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import DigestMismatch, ObjectMissing, ObjectStore, PutResult, check_digest


class MemoryObjectStore:
    """Objects in a dict; reads count ranged reads so tests can see a range was asked for, not the whole."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.range_reads: list[tuple[str, int, int]] = []

    def put_bytes(self, data: bytes, *, expected_sha256: str | None = None) -> PutResult:
        sha256 = hashlib.sha256(data).hexdigest()
        if expected_sha256 is not None and expected_sha256 != sha256:
            raise DigestMismatch(expected_sha256, sha256)
        created = sha256 not in self.objects
        self.objects.setdefault(sha256, bytes(data))
        return PutResult(sha256, len(data), created)

    def put_stream(self, stream: BinaryIO, *, expected_sha256: str | None = None) -> PutResult:
        return self.put_bytes(stream.read(), expected_sha256=expected_sha256)

    def put_file(self, path: Path, *, expected_sha256: str | None = None) -> PutResult:
        return self.put_bytes(path.read_bytes(), expected_sha256=expected_sha256)

    def _get(self, sha256: str) -> bytes:
        try:
            return self.objects[check_digest(sha256)]
        except KeyError:
            raise ObjectMissing(sha256) from None

    def exists(self, sha256: str) -> bool:
        return check_digest(sha256) in self.objects

    def size(self, sha256: str) -> int:
        return len(self._get(sha256))

    def open(self, sha256: str) -> BinaryIO:
        return io.BytesIO(self._get(sha256))

    def read(self, sha256: str) -> bytes:
        return self._get(sha256)

    def read_range(self, sha256: str, start: int, end: int) -> bytes:
        self.range_reads.append((sha256, start, end))
        return self._get(sha256)[start:end]

    def verify(self, sha256: str) -> bool:
        return sha256 in self.objects and hashlib.sha256(self.objects[sha256]).hexdigest() == sha256

    def iter_digests(self) -> Iterator[str]:
        yield from list(self.objects)

    def open_stored(self, sha256: str) -> BinaryIO:
        return self.open(sha256)

    def is_encrypted(self, sha256: str) -> bool:
        check_digest(sha256)
        return False

    def restore_stored(self, sha256: str, stream: BinaryIO) -> PutResult:
        if self.verify(check_digest(sha256)):
            raise SohoaError("Đối tượng còn nguyên vẹn", "The object is intact: it is not replaced")
        data = stream.read()
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha256:
            raise DigestMismatch(sha256, actual)
        self.objects[sha256] = data
        return PutResult(sha256, len(data), True)


def as_port(store: MemoryObjectStore) -> ObjectStore:
    """The memory store typed as the port (mypy checks it has every method with the right signature)."""
    return store
