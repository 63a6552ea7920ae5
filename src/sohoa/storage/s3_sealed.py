"""Encrypted objects in an S3 bucket: the envelopes of :mod:`sohoa.storage.envelope` and their key records.

The same format and rules as on disk (:mod:`sohoa.storage.sealed`): the envelope is kept under the object's
key, its key record (UTF-8 JSON: stored digest and size, the data key wrapped by the KEK in use now) at
``<key>.key``, and a copy of each record in the keys folder. A KEK rotation rewrites only the record.

Sealing a plain object downloads it to a private temporary file (checked against its name), seals that file
with :func:`sealed.seal` (decrypted and checked before anything is sent), writes the key record, then replaces
the object with the envelope, checked on the way up; the temporary files are removed whatever happens. In a
bucket with versioning the plain version left behind is deleted by its version id (Object Lock may refuse:
then it is logged, and the bucket's retention decides; see docs/preservation.md).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import CHUNK, DigestMismatch, ObjectMissing, PutResult
from sohoa.storage import sealed
from sohoa.storage.envelope import EnvelopeHeader, Wrap, decrypting_stream
from sohoa.storage.keyring import KeyRing
from sohoa.storage.s3_io import MISSING_CODES, b64_sha256, error_code, read_full, s3_failed
from sohoa.storage.sealed import KeyRecord, SealResult

__all__ = ["S3Sealing"]

log = logging.getLogger(__name__)


class _Store(Protocol):
    client: Any
    bucket: str
    keyring: KeyRing | None
    spool_dir: Path | None
    part_size: int

    def key(self, sha256: str) -> str: ...
    def header(self, sha256: str) -> tuple[int, EnvelopeHeader | None]: ...
    def stored_digest(self, sha256: str) -> str | None: ...
    def open_stored(self, sha256: str) -> BinaryIO: ...
    def upload(self, key_sha256: str, expected: str, first: bytes, rest: BinaryIO, *,
               if_absent: bool) -> PutResult: ...


def _no_keys() -> SohoaError:
    return SohoaError("Đối tượng được mã hóa nhưng chưa cấu hình thư mục khóa (SOHOA_KEYS_DIR)",
                      "The object is encrypted but no keys folder is configured (SOHOA_KEYS_DIR)")


class S3Sealing:
    """Envelopes and key records of one S3 object store."""

    def __init__(self, store: _Store) -> None:
        self.store = store

    # ------------------------------------------------------------ key records

    def record_key(self, sha256: str) -> str:
        return self.store.key(sha256) + ".key"

    def record_bytes(self, sha256: str) -> bytes | None:
        """The key record kept beside the envelope in the bucket, None when there is none."""
        try:
            body = self.store.client.get_object(Bucket=self.store.bucket, Key=self.record_key(sha256))["Body"]
        except Exception as exc:
            if error_code(exc) in MISSING_CODES:
                return None
            raise s3_failed(self.store.bucket, exc) from exc
        with body:
            data: bytes = body.read()
        return data

    def current_record(self, sha256: str) -> KeyRecord | None:
        """The record beside the envelope, else its copy in the keys folder, else None."""
        data = self.record_bytes(sha256)
        if data is None and self.store.keyring is not None:
            data = self.store.keyring.stored_record(sha256)
        return KeyRecord.decode(data) if data is not None else None

    def write_record(self, record: KeyRecord, *, keep: bool = False) -> None:
        """Write (or replace) the key record beside the envelope; ``keep``: also its copy in the keys folder."""
        data = record.encode()
        if keep and self.store.keyring is not None:
            self.store.keyring.keep_record(record.plaintext_sha256, data)
        try:
            self.store.client.put_object(Bucket=self.store.bucket, Key=self.record_key(record.plaintext_sha256),
                                         Body=data, ChecksumSHA256=b64_sha256(data))
        except Exception as exc:
            raise s3_failed(self.store.bucket, exc) from exc

    def put_record(self, sha256: str, data: bytes) -> None:
        record = KeyRecord.decode(data)
        if record.plaintext_sha256 != sha256:
            raise DigestMismatch(sha256, record.plaintext_sha256)
        self.write_record(record)

    def _wrap(self, sha256: str, header: EnvelopeHeader) -> tuple[KeyRecord | None, Wrap]:
        record = self.current_record(sha256)
        return record, (record.wrap if record is not None else header.wrap)

    # ------------------------------------------------------------ reading and checking

    def decrypting(self, sha256: str, stored: BinaryIO, header: EnvelopeHeader) -> BinaryIO:
        """The plaintext of the envelope open in ``stored`` (a seekable stream; closed with the result)."""
        keyring = self.store.keyring
        if keyring is None:
            raise _no_keys()
        _record, wrap = self._wrap(sha256, header)
        return decrypting_stream(stored, header, keyring.unwrap(wrap))

    def check(self, sha256: str, total: int, header: EnvelopeHeader) -> bool:
        """Fixity of an envelope: decrypted and re-hashed when its KEK is at hand, else its stored bytes
        checked against the digest in its key record."""
        try:
            if header.plaintext_sha256 != sha256 or header.stored_size != total:
                return False
            record, wrap = self._wrap(sha256, header)
            keyring = self.store.keyring
            if keyring is not None and keyring.has(wrap.key_id):
                digest = hashlib.sha256()
                with decrypting_stream(self.store.open_stored(sha256), header, keyring.unwrap(wrap)) as plain:
                    while chunk := plain.read(CHUNK):
                        digest.update(chunk)
                return digest.hexdigest() == sha256
            return record is not None and self.store.stored_digest(sha256) == record.stored_sha256
        except (SohoaError, OSError):
            return False

    # ------------------------------------------------------------ writing

    def _spool(self, stream: BinaryIO) -> tuple[Path, str]:
        """Copy a stream to a private temporary file; its path and SHA-256 (the caller removes the file)."""
        fd, name = tempfile.mkstemp(dir=self.store.spool_dir, prefix="sohoa-s3-")
        path, digest = Path(name), hashlib.sha256()
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path, digest.hexdigest()

    def _upload_file(self, sha256: str, expected: str, path: Path) -> PutResult:
        with path.open("rb") as handle:
            return self.store.upload(sha256, expected, read_full(handle, self.store.part_size), handle,
                                     if_absent=False)

    def restore(self, sha256: str, stream: BinaryIO) -> PutResult:
        """Replace a damaged or missing object with checked stored bytes (plain, or an envelope of it)."""
        path, digest = self._spool(stream)
        try:
            if digest != sha256:
                if not sealed.file_is_envelope(path):
                    raise DigestMismatch(sha256, digest)
                record = self.current_record(sha256)
                if record is not None and record.stored_sha256 == digest:
                    if self.record_bytes(sha256) is None:  # a restore: the keys folder's copy goes beside
                        self.write_record(record)
                elif not sealed.check_envelope_plaintext(path, sha256, self.store.keyring):
                    raise DigestMismatch(sha256, digest)
            result = self._upload_file(sha256, digest, path)
        finally:
            path.unlink(missing_ok=True)
        return PutResult(sha256, result.size, created=True)

    def encrypt(self, sha256: str) -> SealResult:
        """Turn a plain object into an envelope under the current KEK; an envelope already is one."""
        keyring = self.store.keyring
        if keyring is None:
            raise SohoaError("Chưa cấu hình thư mục khóa (SOHOA_KEYS_DIR)", "No keys folder is configured")
        total, header = self.store.header(sha256)
        if header is not None:
            record, wrap = self._wrap(sha256, header)
            stored = record.stored_sha256 if record is not None else (self.store.stored_digest(sha256) or "")
            return SealResult(stored, total, wrap.key_id, False)
        version = self._version_id(sha256)
        with self.store.open_stored(sha256) as plain:
            path, digest = self._spool(plain)
        record_file = sealed.record_path(path)
        try:
            if digest != sha256:
                raise DigestMismatch(sha256, digest)  # a damaged object is repaired first, never sealed
            result = sealed.seal(path, sha256, keyring, Path(self.store.spool_dir or tempfile.gettempdir()))
            self.write_record(KeyRecord.decode(record_file.read_bytes()))  # the record first, as on disk
            self._upload_file(sha256, result.stored_sha256, path)
        finally:
            path.unlink(missing_ok=True)
            record_file.unlink(missing_ok=True)
        self._forget_version(sha256, version)
        return result

    def rewrap(self, sha256: str) -> KeyRecord:
        """Re-wrap the envelope's data key under the current KEK: only the key record is rewritten."""
        keyring = self.store.keyring
        if keyring is None:
            raise SohoaError("Chưa cấu hình thư mục khóa (SOHOA_KEYS_DIR)", "No keys folder is configured")
        total, header = self.store.header(sha256)
        if header is None:
            raise SohoaError(f"Đối tượng {sha256} không được mã hóa", f"Object {sha256} is not encrypted")
        record, wrap = self._wrap(sha256, header)
        if record is not None and wrap.key_id == keyring.current_id():
            if keyring.stored_record(sha256) is None:
                keyring.keep_record(sha256, record.encode())
            if self.record_bytes(sha256) is None:
                self.write_record(record)
            return record
        stored = record.stored_sha256 if record is not None else self.store.stored_digest(sha256)
        if stored is None:
            raise ObjectMissing(sha256)
        new = KeyRecord(sha256, stored, total, keyring.wrap(keyring.unwrap(wrap)))
        self.write_record(new, keep=True)
        return new

    def adopt(self, sha256: str, stream: BinaryIO, key_record: bytes) -> bool:
        """Take another store's envelope of this object (and its record) in place of this copy."""
        record = KeyRecord.decode(key_record)
        if record.plaintext_sha256 != sha256:
            raise DigestMismatch(sha256, record.plaintext_sha256)
        try:
            header = self.store.header(sha256)[1]
        except ObjectMissing:
            header = None
        if header is not None and self.store.stored_digest(sha256) == record.stored_sha256:
            self.write_record(record)
            return False
        path, digest = self._spool(stream)
        try:
            if not sealed.file_is_envelope(path) or digest != record.stored_sha256:
                raise DigestMismatch(record.stored_sha256, digest)
            self.write_record(record, keep=True)
            self._upload_file(sha256, digest, path)
        finally:
            path.unlink(missing_ok=True)
        return True

    # ------------------------------------------------------------ versioned buckets

    def _version_id(self, sha256: str) -> str | None:
        try:
            head = self.store.client.head_object(Bucket=self.store.bucket, Key=self.store.key(sha256))
        except Exception as exc:
            raise s3_failed(self.store.bucket, exc) from exc
        version = head.get("VersionId")
        return str(version) if version and version != "null" else None

    def _forget_version(self, sha256: str, version: str | None) -> None:
        """Delete the plain version an envelope replaced, in a bucket with versioning."""
        if version is None:
            return
        try:
            self.store.client.delete_object(Bucket=self.store.bucket, Key=self.store.key(sha256), VersionId=version)
        except Exception as exc:
            log.warning("Không xóa được phiên bản rõ cũ / could not delete the plain version %s of %s: %s",
                        version, sha256, exc)
