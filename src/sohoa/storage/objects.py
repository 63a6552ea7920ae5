"""Content-addressed object store on the local filesystem: write-once files named by SHA-256."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from sohoa.domain.errors import SohoaError
from sohoa.storage.private import private_dir

__all__ = ["LocalObjectStore", "ObjectStore", "PutResult", "sha256_file"]

_CHUNK = 1024 * 1024


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, streamed."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class PutResult:
    """Where an object lives, its digest and size, and whether this call created it."""

    sha256: str
    size: int
    created: bool


class ObjectStore(Protocol):
    """Immutable blobs addressed by SHA-256 (local files now, S3-compatible later)."""

    def put_file(self, path: Path) -> PutResult: ...
    def put_bytes(self, data: bytes) -> PutResult: ...
    def open(self, sha256: str) -> BinaryIO: ...
    def path(self, sha256: str) -> Path: ...
    def exists(self, sha256: str) -> bool: ...
    def verify(self, sha256: str) -> bool: ...
    def iter_digests(self) -> Iterator[str]: ...


class LocalObjectStore:
    """Objects at ``root/sha256/ab/cd/<digest>``; files are read-only once written, and the service
    user's alone (0400 in 0700 folders) whatever the process umask."""

    def __init__(self, root: Path) -> None:
        self.root = root
        private_dir(root / "sha256")
        private_dir(root / "tmp")

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise SohoaError("Mã băm không hợp lệ", f"Invalid digest: {sha256!r}")
        return self.root / "sha256" / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def _commit(self, tmp: Path, sha256: str, size: int) -> PutResult:
        target = self.path(sha256)
        if target.exists():
            tmp.unlink(missing_ok=True)
            return PutResult(sha256, size, created=False)
        private_dir(target.parent)
        os.chmod(tmp, 0o400)  # mkstemp made it 0600: only the write bit goes
        os.replace(tmp, target)  # atomic: a crash leaves either nothing or the whole object
        return PutResult(sha256, size, created=True)

    def _tmp(self) -> tuple[int, Path]:
        fd, name = tempfile.mkstemp(dir=self.root / "tmp", prefix="put-")
        return fd, Path(name)

    def put_file(self, path: Path) -> PutResult:
        """Copy a file in (streamed, hashed while copying, fsynced) unless it is already stored."""
        digest = hashlib.sha256()
        fd, tmp = self._tmp()
        size = 0
        try:
            with path.open("rb") as src, os.fdopen(fd, "wb") as dst:
                while chunk := src.read(_CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
                    size += len(chunk)
                dst.flush()
                os.fsync(dst.fileno())
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise SohoaError("Không ghi được vào kho lưu trữ (ổ đĩa đầy?)",
                             f"Could not write to the object store (disk full?): {exc}") from exc
        return self._commit(tmp, digest.hexdigest(), size)

    def put_bytes(self, data: bytes) -> PutResult:
        """Store bytes unless an identical object exists."""
        sha256 = hashlib.sha256(data).hexdigest()
        if self.exists(sha256):
            return PutResult(sha256, len(data), created=False)
        fd, tmp = self._tmp()
        try:
            with os.fdopen(fd, "wb") as dst:
                dst.write(data)
                dst.flush()
                os.fsync(dst.fileno())
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise SohoaError("Không ghi được vào kho lưu trữ (ổ đĩa đầy?)",
                             f"Could not write to the object store (disk full?): {exc}") from exc
        return self._commit(tmp, sha256, len(data))

    def open(self, sha256: str) -> BinaryIO:
        return self.path(sha256).open("rb")

    def verify(self, sha256: str) -> bool:
        """Fixity check: the stored bytes still hash to their name."""
        path = self.path(sha256)
        return path.exists() and sha256_file(path) == sha256

    def iter_digests(self) -> Iterator[str]:
        for path in (self.root / "sha256").glob("*/*/*"):
            yield path.name

    def export(self, sha256: str, dest: Path) -> None:
        """Copy an object out (e.g. a DIP); the stored copy stays untouched."""
        shutil.copyfile(self.path(sha256), dest)
