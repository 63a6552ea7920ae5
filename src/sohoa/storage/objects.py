"""Content-addressed object store on the local filesystem: write-once files named by SHA-256.

The implementation of the domain's :class:`~sohoa.domain.ports.ObjectStore` port; callers hold the port
and never see a path. The layout is ``root/sha256/ab/cd/<digest>``, each file 0400 in 0700 folders.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import (
    CHUNK,
    DigestMismatch,
    ObjectMissing,
    ObjectStore,
    PutResult,
    check_digest,
    sha256_file,
)
from sohoa.storage import sealed
from sohoa.storage.keyring import KeyRing
from sohoa.storage.private import private_dir

__all__ = ["LocalObjectStore", "ObjectStore", "PutResult", "sha256_file"]


def _write_failed(exc: OSError) -> SohoaError:
    return SohoaError("Không ghi được vào kho lưu trữ (ổ đĩa đầy?)",
                      f"Could not write to the object store (disk full?): {exc}")


class LocalObjectStore:
    """Objects at ``root/sha256/ab/cd/<digest>``; files are read-only once written, and the service
    user's alone (0400 in 0700 folders) whatever the process umask.

    With a key ring, an object may be kept as an encryption envelope (:mod:`sohoa.storage.envelope`) beside its
    key record ``<digest>.key`` (:mod:`sohoa.storage.sealed`): reads decrypt it transparently, ``open_stored``
    gives the envelope's bytes."""

    def __init__(self, root: Path, keyring: KeyRing | None = None) -> None:
        self.root = root
        self.keyring = keyring
        private_dir(root / "sha256")
        private_dir(root / "tmp")

    def path(self, sha256: str) -> Path:
        """Where an object lives on disk: this store's own layout, not part of the port."""
        check_digest(sha256)
        return self.root / "sha256" / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def _commit(self, tmp: Path, sha256: str, size: int, expected: str | None) -> PutResult:
        if expected is not None and sha256 != expected:
            tmp.unlink(missing_ok=True)
            raise DigestMismatch(expected, sha256)
        target = self.path(sha256)
        if target.exists():
            tmp.unlink(missing_ok=True)
            return PutResult(sha256, size, created=False)
        private_dir(target.parent)
        os.chmod(tmp, 0o400)  # mkstemp made it 0600: only the write bit goes
        os.replace(tmp, target)  # atomic: a crash leaves either nothing or the whole object
        return PutResult(sha256, size, created=True)

    def _spool(self, stream: BinaryIO, prefix: str) -> tuple[Path, str, int]:
        """Copy a stream to a private temporary file of the store (hashed while copying, fsynced): its path,
        SHA-256 and size. A failed write removes it and says so in both languages."""
        digest = hashlib.sha256()
        fd, name = tempfile.mkstemp(dir=self.root / "tmp", prefix=prefix)
        tmp = Path(name)
        size = 0
        try:
            with os.fdopen(fd, "wb") as dst:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    dst.write(chunk)
                    size += len(chunk)
                dst.flush()
                os.fsync(dst.fileno())
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise _write_failed(exc) from exc
        return tmp, digest.hexdigest(), size

    def put_stream(self, stream: BinaryIO, *, expected_sha256: str | None = None) -> PutResult:
        """Copy a stream in (hashed while copying, fsynced) unless the same bytes are already stored."""
        tmp, sha256, size = self._spool(stream, "put-")
        return self._commit(tmp, sha256, size, expected_sha256)

    def put_file(self, path: Path, *, expected_sha256: str | None = None) -> PutResult:
        """Copy a file in (streamed, hashed while copying, fsynced) unless it is already stored."""
        with path.open("rb") as src:
            return self.put_stream(src, expected_sha256=expected_sha256)

    def put_bytes(self, data: bytes, *, expected_sha256: str | None = None) -> PutResult:
        """Store bytes unless an identical object exists."""
        sha256 = hashlib.sha256(data).hexdigest()
        if expected_sha256 is not None and sha256 != expected_sha256:
            raise DigestMismatch(expected_sha256, sha256)
        if self.exists(sha256):
            return PutResult(sha256, len(data), created=False)
        fd, name = tempfile.mkstemp(dir=self.root / "tmp", prefix="put-")
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as dst:
                dst.write(data)
                dst.flush()
                os.fsync(dst.fileno())
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise _write_failed(exc) from exc
        return self._commit(tmp, sha256, len(data), None)

    def _existing(self, sha256: str) -> Path:
        path = self.path(sha256)
        if not path.exists():
            raise ObjectMissing(sha256)
        return path

    def size(self, sha256: str) -> int:
        return sealed.object_size(self._existing(sha256))

    def open(self, sha256: str) -> BinaryIO:
        """The object's bytes (decrypted, chunk by chunk and authenticated, when it is kept encrypted)."""
        return sealed.open_object(self._existing(sha256), self.keyring)

    def read(self, sha256: str) -> bytes:
        with self.open(sha256) as handle:
            return handle.read()

    def read_range(self, sha256: str, start: int, end: int) -> bytes:
        """Bytes ``start`` up to, not including, ``end`` (clipped to the object's length)."""
        if start < 0 or end < start:
            raise SohoaError("Khoảng byte không hợp lệ", f"Invalid byte range: {start}-{end}")
        with self.open(sha256) as handle:
            handle.seek(start)
            return handle.read(end - start)

    def verify(self, sha256: str) -> bool:
        """Fixity check: the stored bytes still hash to their name (an envelope: decrypted and re-hashed when its
        key is at hand, else its bytes checked against the digest in its key record)."""
        path = self.path(sha256)
        if not path.exists():
            return False
        if sealed.file_is_envelope(path):
            return sealed.check_envelope(path, sha256, self.keyring)
        return sha256_file(path) == sha256

    def iter_digests(self) -> Iterator[str]:
        for path in (self.root / "sha256").glob("*/*/*"):
            if "." not in path.name:  # key records ``<digest>.key`` are not objects
                yield path.name

    def open_stored(self, sha256: str) -> BinaryIO:
        """The bytes exactly as kept on disk (what replicas, OCFL and backups copy)."""
        return self._existing(sha256).open("rb")

    def is_encrypted(self, sha256: str) -> bool:
        """Whether the object is kept as an encryption envelope."""
        return sealed.file_is_envelope(self._existing(sha256))

    def encrypt_object(self, sha256: str) -> sealed.SealResult:
        """Turn a plain object into an envelope under the current KEK, atomically (see :func:`sealed.seal`)."""
        if self.keyring is None:
            raise SohoaError("Chưa cấu hình thư mục khóa (SOHOA_KEYS_DIR)", "No keys folder is configured")
        return sealed.seal(self._existing(sha256), sha256, self.keyring, self.root / "tmp")

    def rewrap_object(self, sha256: str) -> sealed.KeyRecord:
        """Re-wrap an envelope's data key under the current KEK (only its key record is rewritten)."""
        if self.keyring is None:
            raise SohoaError("Chưa cấu hình thư mục khóa (SOHOA_KEYS_DIR)", "No keys folder is configured")
        return sealed.rewrap(self._existing(sha256), self.keyring, self.root / "tmp")

    def key_record(self, sha256: str) -> bytes | None:
        """An envelope's key record as kept (copy it with the envelope to another store), None for a plain one."""
        path = sealed.record_path(self.path(sha256))
        return path.read_bytes() if path.is_file() else None

    def adopt_envelope(self, sha256: str, stream: BinaryIO, key_record: bytes) -> bool:
        """Replace this store's copy of an object (plain, damaged or missing) with the envelope another store
        sealed (a replica following its primary), checked against the key record; False when it already holds
        that very envelope."""
        record = sealed.KeyRecord.decode(key_record)
        target = self.path(sha256)
        if record.plaintext_sha256 != sha256:
            raise DigestMismatch(sha256, record.plaintext_sha256)
        if target.exists() and sealed.file_is_envelope(target) and sha256_file(target) == record.stored_sha256:
            sealed.write_key_record(target, record, self.root / "tmp")
            return False
        fd, name = tempfile.mkstemp(dir=self.root / "tmp", prefix="adopt-")
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as dst:
                shutil.copyfileobj(stream, dst, CHUNK)
                dst.flush()
                os.fsync(dst.fileno())
            if not sealed.file_is_envelope(tmp) or sha256_file(tmp) != record.stored_sha256:
                raise DigestMismatch(record.stored_sha256, sha256_file(tmp))
            private_dir(target.parent)
            sealed.write_key_record(target, record, self.root / "tmp", self.keyring)
            os.chmod(tmp, 0o400)
            os.replace(tmp, target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return True

    def put_key_record(self, sha256: str, data: bytes) -> None:
        """Keep a key record taken from another copy of this envelope (replica, backup)."""
        record = sealed.KeyRecord.decode(data)
        if record.plaintext_sha256 != sha256:
            raise DigestMismatch(sha256, record.plaintext_sha256)
        private_dir(self.path(sha256).parent)
        sealed.write_key_record(self.path(sha256), record, self.root / "tmp")

    def restore_stored(self, sha256: str, stream: BinaryIO) -> PutResult:
        """Put back a missing or damaged object from a good copy's stored bytes (replica, backup).

        The bytes are written to a temporary file, fsynced and checked to hash to ``sha256`` before an
        atomic rename over the damaged file; an intact object is never replaced."""
        target = self.path(sha256)
        if self.verify(sha256):
            raise SohoaError(f"Đối tượng {sha256} còn nguyên vẹn: không ghi đè",
                             f"Object {sha256} is intact: it is not replaced")
        tmp, got, size = self._spool(stream, "restore-")
        if got != sha256 and not self._restorable_envelope(tmp, sha256, got):
            tmp.unlink(missing_ok=True)
            raise DigestMismatch(sha256, got)
        private_dir(target.parent)
        os.chmod(tmp, 0o400)
        os.replace(tmp, target)  # atomic: the damaged file is swapped for the good copy in one step
        return PutResult(sha256, size, created=True)

    def _restorable_envelope(self, tmp: Path, sha256: str, stored_sha256: str) -> bool:
        """Whether restored bytes are an envelope of ``sha256``: decrypted and checked when the key is at hand,
        else their digest matched against the object's key record."""
        if not sealed.file_is_envelope(tmp):
            return False
        record = sealed.current_record(self.path(sha256), sha256, self.keyring)
        if record is not None and record.stored_sha256 == stored_sha256:
            if sealed.read_key_record(self.path(sha256)) is None:  # a restore: the keys folder's copy goes beside
                private_dir(self.path(sha256).parent)
                sealed.write_key_record(self.path(sha256), record, self.root / "tmp")
            return True
        return sealed.check_envelope_plaintext(tmp, sha256, self.keyring)

    def export(self, sha256: str, dest: Path) -> None:
        """Copy an object out (e.g. a DIP), decrypted when it is kept encrypted; the stored copy stays untouched."""
        with self.open(sha256) as src, dest.open("wb") as out:
            shutil.copyfileobj(src, out, CHUNK)
