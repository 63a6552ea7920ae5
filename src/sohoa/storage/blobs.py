"""Blob roots: trees of named files (the OCFL storage root, packages, backups) on a disk or in a bucket.

The object store names bytes by their digest; a blob root names them by a relative path, forward
slashes, like ``objects/ab/cd/…/v1/content/a.pdf``. :class:`BlobRoot` is the protocol the
preservation services write through; :class:`LocalBlobRoot` keeps the tree in a folder (files 0400,
folders 0700, every write fsynced and atomically renamed into place) and ``sohoa.storage.s3`` keeps it
in an S3 bucket under a prefix.

Paths are checked: absolute paths, ``..``, empty segments and back-slashes are refused, so nothing a
caller names can land outside the root.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from sohoa.domain.errors import NotFound, SohoaError
from sohoa.domain.ports import CHUNK, DigestMismatch, ObjectStore
from sohoa.storage.objects import LocalObjectStore
from sohoa.storage.private import private_dir

__all__ = ["BlobMissing", "BlobRoot", "LocalBlobRoot", "check_blob_path", "stored_stream"]

_FILE_MODE = 0o400
_TMP_PREFIX = ".sohoa-tmp-"


class BlobMissing(NotFound):
    """The blob root holds no file at this path."""

    def __init__(self, path: str) -> None:
        super().__init__(f"Không có tệp {path}", f"No file at {path}")


def check_blob_path(path: str) -> str:
    """``path`` when it is a safe relative path (forward slashes, no ``..``, no empty segment), else SohoaError."""
    parts = path.split("/")
    if (not path or path.startswith("/") or "\\" in path or "\x00" in path
            or any(part in ("", ".", "..") for part in parts)):
        raise SohoaError(f"Đường dẫn không hợp lệ: {path!r}", f"Invalid path in a blob root: {path!r}")
    return path


def stored_stream(store: ObjectStore, sha256: str) -> tuple[BinaryIO, bool]:
    """An object's bytes as kept (the envelope of an encrypted one) and whether they are encrypted."""
    return store.open_stored(sha256), store.is_encrypted(sha256)


class BlobRoot(Protocol):
    """A tree of named files. Writes replace a whole file atomically; reads of an absent path raise
    :class:`BlobMissing`. Paths are relative, with forward slashes (see :func:`check_blob_path`)."""

    def write_bytes(self, path: str, data: bytes) -> None:
        """Write (or atomically replace) the file at ``path``."""
        ...

    def write_stream(self, path: str, stream: BinaryIO) -> tuple[str, int]:
        """Write what is left in ``stream`` to ``path``; its SHA-256 and size."""
        ...

    def open(self, path: str) -> BinaryIO:
        """A binary stream over the file (close it, or use ``with``)."""
        ...

    def read_bytes(self, path: str) -> bytes: ...

    def exists(self, path: str) -> bool:
        """Whether a file (not a folder) is at ``path``."""
        ...

    def list(self, prefix: str = "") -> Iterator[str]:
        """Every file under the folder ``prefix`` ("" = the whole root), as paths relative to the root, sorted."""
        ...

    def size(self, path: str) -> int: ...

    def delete(self, path: str) -> None:
        """Remove one file (no error when absent); only for cleaning what a crashed write left behind."""
        ...

    def link_or_copy_from(self, store: ObjectStore, sha256: str, path: str) -> tuple[str, int]:
        """Put an object's stored bytes at ``path``: a hard link when possible, else a streamed copy.

        Returns the SHA-256 and size of the bytes written (for an encrypted object, of its envelope).
        A plain object copied is checked against its name on the way (:class:`DigestMismatch`, nothing
        kept, when it is damaged).
        """
        ...


class LocalBlobRoot:
    """A blob root in a local folder: files 0400, folders 0700, fsynced, renamed into place."""

    def __init__(self, directory: Path) -> None:
        self.directory = private_dir(directory)
        self._resolved = directory.resolve()

    def __repr__(self) -> str:
        return f"LocalBlobRoot({str(self.directory)!r})"

    def path(self, path: str) -> Path:
        """The file's place on disk (refuses a path that would leave the root, through a symlink too)."""
        target = self.directory / check_blob_path(path)
        resolved = target.resolve()
        if resolved != self._resolved and self._resolved not in resolved.parents:
            raise SohoaError(f"Đường dẫn ra ngoài thư mục gốc: {path!r}", f"Path escapes the blob root: {path!r}")
        return target

    def _temp_for(self, target: Path) -> Path:
        private_dir(target.parent)
        return target.with_name(f"{_TMP_PREFIX}{secrets.token_hex(8)}")

    def _commit(self, tmp: Path, target: Path) -> None:
        os.chmod(tmp, _FILE_MODE)
        os.replace(tmp, target)
        _fsync_dir(target.parent)

    def write_bytes(self, path: str, data: bytes) -> None:
        target = self.path(path)
        tmp = self._temp_for(target)
        try:
            with _open_new(tmp) as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            self._commit(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise _write_failed(path, exc) from exc

    def write_stream(self, path: str, stream: BinaryIO) -> tuple[str, int]:
        target = self.path(path)
        tmp = self._temp_for(target)
        digest, size = hashlib.sha256(), 0
        try:
            with _open_new(tmp) as out:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
                    size += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            self._commit(tmp, target)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise _write_failed(path, exc) from exc
        return digest.hexdigest(), size

    def _existing(self, path: str) -> Path:
        target = self.path(path)
        if not target.is_file():
            raise BlobMissing(path)
        return target

    def open(self, path: str) -> BinaryIO:
        return self._existing(path).open("rb")

    def read_bytes(self, path: str) -> bytes:
        return self._existing(path).read_bytes()

    def exists(self, path: str) -> bool:
        return self.path(path).is_file()

    def size(self, path: str) -> int:
        return self._existing(path).stat().st_size

    def list(self, prefix: str = "") -> Iterator[str]:
        base = self.path(prefix.rstrip("/")) if prefix.strip("/") else self.directory
        if base.is_file():
            yield base.relative_to(self.directory).as_posix()
            return
        found: list[str] = []
        for folder, dirs, files in os.walk(base):
            dirs[:] = [name for name in dirs if not Path(folder, name).is_symlink()]
            found.extend(Path(folder, name).relative_to(self.directory).as_posix()
                         for name in files if not name.startswith(_TMP_PREFIX))
        yield from sorted(found)

    def delete(self, path: str) -> None:
        """Remove one file, then the folders it leaves empty (up to the root)."""
        target = self.path(path)
        target.unlink(missing_ok=True)
        folder = target.parent
        while folder != self.directory and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent

    def clean_temp(self, prefix: str = "") -> tuple[str, ...]:
        """Remove the temporary files a killed write left under folder ``prefix`` (never listed, never read);
        their paths. Only while no write is running there (the OCFL writer holds its lease)."""
        base = self.path(prefix.rstrip("/")) if prefix.strip("/") else self.directory
        removed = tuple(Path(folder, name).relative_to(self.directory).as_posix()
                        for folder, _dirs, files in os.walk(base) for name in files if name.startswith(_TMP_PREFIX))
        for path in removed:
            self.delete(path)  # and the folders it leaves empty
        return removed

    def delete_tree(self, prefix: str) -> None:
        """Remove a whole folder (a half-written version left by a crash); local roots only."""
        target = self.path(prefix.rstrip("/"))
        if target.is_dir():
            shutil.rmtree(target)

    def link_or_copy_from(self, store: ObjectStore, sha256: str, path: str) -> tuple[str, int]:
        target = self.path(path)
        stream, encrypted = stored_stream(store, sha256)
        local = getattr(store, "primary", store)  # the primary of a replicated store (its replica is elsewhere)
        with stream:
            if isinstance(local, LocalObjectStore) and not encrypted:
                source = local.path(sha256)
                tmp = self._temp_for(target)
                try:
                    os.link(source, tmp)
                except OSError as exc:
                    if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                        raise _write_failed(path, exc) from exc
                else:
                    os.replace(tmp, target)
                    _fsync_dir(target.parent)
                    return sha256, source.stat().st_size
            digest, size = self.write_stream(path, stream)
        if not encrypted and digest != sha256:
            self.delete(path)
            raise DigestMismatch(sha256, digest)
        return digest, size


def _open_new(path: Path) -> BinaryIO:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    return os.fdopen(fd, "wb")


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # some filesystems cannot open or sync a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _write_failed(path: str, exc: OSError) -> SohoaError:
    return SohoaError(f"Không ghi được tệp {path} (ổ đĩa đầy?)", f"Could not write {path} (disk full?): {exc}")
