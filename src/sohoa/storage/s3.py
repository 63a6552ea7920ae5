"""Content-addressed objects in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, SeaweedFS, Garage …).

The second implementation of the :class:`~sohoa.domain.ports.ObjectStore` port, beside the local disk: the
key of an object is ``<prefix>sha256/ab/cd/<digest>``, the same layout as on disk, so a bucket can be
mirrored to a folder (``aws s3 sync``, ``rclone``) and read by the local store, and back.

- **Write-once**: a new object is written with ``If-None-Match: *`` (a server without conditional writes
  gets a look-up first), and no key is ever overwritten except by :meth:`S3ObjectStore.restore_stored` of
  an object that no longer verifies.
- **Checked on the way in**: the bytes are hashed while they are sent; each PUT or part carries its
  SHA-256 (``x-amz-checksum-sha256``) for servers that check it; a multipart upload whose bytes do not
  hash to the digest is aborted before it is completed (nothing visible, :class:`DigestMismatch`).
- **Streaming**: objects of at least 16 MiB go up in 16 MiB parts; a stream of unknown digest is spooled
  to a temporary file (its digest names the key) rather than held in memory; reads are ranged GETs.

:class:`S3BlobRoot` (trees of named files: the OCFL root, packages, backups) lives in
``sohoa.storage.s3_blobs`` and is re-exported here.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import struct
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import CHUNK, DigestMismatch, ObjectMissing, PutResult, check_digest, sha256_file
from sohoa.storage.envelope import MAGIC, EnvelopeHeader, is_envelope, read_header
from sohoa.storage.keyring import KeyRing
from sohoa.storage.s3_blobs import S3BlobRoot
from sohoa.storage.s3_io import MISSING_CODES, PART_SIZE, Upload, error_code, open_reader, read_full, s3_failed
from sohoa.storage.s3_sealed import S3Sealing
from sohoa.storage.sealed import KeyRecord, SealResult

__all__ = ["S3BlobRoot", "S3ObjectStore", "normalise_prefix"]

_DIGEST = re.compile(r"[0-9a-f]{64}")
_PEEK = 4096  # the first bytes read to tell an envelope from a plain object (an envelope's header is ~0.5 KiB)
_MAX_PEEK = 64 * 1024 + 64  # an envelope's header is at most 64 KiB


def normalise_prefix(prefix: str) -> str:
    """``a/b`` → ``a/b/``; "" stays "" (keys are then at the bucket's top)."""
    cleaned = prefix.strip("/")
    if "\\" in cleaned or any(part in ("", ".", "..") for part in cleaned.split("/") if cleaned):
        raise SohoaError(f"Tiền tố S3 không hợp lệ: {prefix!r}", f"Invalid S3 prefix: {prefix!r}")
    return f"{cleaned}/" if cleaned else ""


class S3ObjectStore:
    """Objects at ``s3://bucket/<prefix>sha256/ab/cd/<digest>``, written once and checked on the way in.

    With a key ring (``keyring``, set by the application context as for the local store), an object may be kept
    as an encryption envelope (:mod:`sohoa.storage.envelope`) with its key record at ``<key>.key``: reads
    decrypt it, ``open_stored`` gives the envelope's bytes (see :mod:`sohoa.storage.s3_sealed`)."""

    def __init__(self, client: Any, bucket: str, prefix: str = "", *, part_size: int = PART_SIZE,
                 spool_dir: Path | None = None, keyring: KeyRing | None = None) -> None:
        self.client, self.bucket, self.prefix = client, bucket, normalise_prefix(prefix)
        self.part_size = part_size
        self.spool_dir = spool_dir
        self.keyring = keyring
        self._sealing = S3Sealing(self)

    def __repr__(self) -> str:
        return f"S3ObjectStore('s3://{self.bucket}/{self.prefix}')"

    def key(self, sha256: str) -> str:
        """The object's key in the bucket: this store's own layout, not part of the port."""
        check_digest(sha256)
        return f"{self.prefix}sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"

    # ------------------------------------------------------------ looking up

    def _head(self, sha256: str) -> dict[str, Any] | None:
        try:
            answer: dict[str, Any] = self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except Exception as exc:
            if error_code(exc) in MISSING_CODES:
                return None
            raise s3_failed(self.bucket, exc) from exc
        return answer

    def exists(self, sha256: str) -> bool:
        return self._head(sha256) is not None

    def stored_size(self, sha256: str) -> int:
        """The length of the bytes as kept (an envelope's, for an encrypted object)."""
        head = self._head(sha256)
        if head is None:
            raise ObjectMissing(sha256)
        return int(head["ContentLength"])

    def peek(self, sha256: str, length: int = _PEEK) -> tuple[int, bytes]:
        """The stored length and the first ``length`` bytes (an envelope's header, usually), in one ranged GET."""
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256), Range=f"bytes=0-{length - 1}")
        except Exception as exc:
            code = error_code(exc)
            if code in MISSING_CODES:
                raise ObjectMissing(sha256) from None
            if code in {"InvalidRange", "416"}:
                return self.stored_size(sha256), b""  # an empty object
            raise s3_failed(self.bucket, exc) from exc
        with answer["Body"] as body:
            prefix = read_full(body, length)
        content_range = str(answer.get("ContentRange") or "")
        total = int(content_range.rsplit("/", 1)[1]) if "/" in content_range else int(answer["ContentLength"])
        return total, prefix

    def header(self, sha256: str) -> tuple[int, EnvelopeHeader | None]:
        """The stored length, and the envelope header of an encrypted object (None for a plain one)."""
        total, prefix = self.peek(sha256)
        if not is_envelope(prefix):
            return total, None
        if len(prefix) >= len(MAGIC) + 4:
            needed = len(MAGIC) + 4 + struct.unpack(">I", prefix[len(MAGIC):len(MAGIC) + 4])[0]
            if len(prefix) < min(needed, total) <= _MAX_PEEK:  # a header longer than the first look: read it all
                total, prefix = self.peek(sha256, needed)
        return total, read_header(io.BytesIO(prefix))

    def size(self, sha256: str) -> int:
        """The object's length (the plaintext's, for an encrypted object)."""
        total, header = self.header(sha256)
        return header.plaintext_size if header is not None else total

    # ------------------------------------------------------------ writing

    def upload(self, key_sha256: str, expected: str, first: bytes, rest: BinaryIO, *,
               if_absent: bool) -> PutResult:
        """Upload bytes hashing to ``expected`` under the object key of ``key_sha256`` (the same digest for a
        plain object; an envelope's own digest differs from its name)."""
        try:
            digest, size, written = Upload(self.client, self.bucket, self.key(key_sha256),
                                           part_size=self.part_size).put(first, rest, expected=expected,
                                                                         if_absent=if_absent)
        except SohoaError:
            raise
        except Exception as exc:
            raise s3_failed(self.bucket, exc) from exc
        return PutResult(digest, size, created=written)

    def _upload(self, sha256: str, first: bytes, rest: BinaryIO, *, if_absent: bool) -> PutResult:
        return self.upload(sha256, sha256, first, rest, if_absent=if_absent)

    def put_bytes(self, data: bytes, *, expected_sha256: str | None = None) -> PutResult:
        """Store bytes unless an identical object exists."""
        sha256 = hashlib.sha256(data).hexdigest()
        if expected_sha256 is not None and sha256 != expected_sha256:
            raise DigestMismatch(expected_sha256, sha256)
        if self.exists(sha256):
            return PutResult(sha256, len(data), created=False)
        if len(data) < self.part_size:
            return self._upload(sha256, data, _EMPTY, if_absent=True)
        with io.BytesIO(data) as stream:  # shares the bytes, copies nothing
            return self._upload(sha256, read_full(stream, self.part_size), stream, if_absent=True)

    def put_stream(self, stream: BinaryIO, *, expected_sha256: str | None = None) -> PutResult:
        """Store what is left in a stream: in one PUT when short, else in parts (spooled to a temporary file
        first when the caller does not say which digest to expect)."""
        first = read_full(stream, self.part_size)
        if len(first) < self.part_size:
            return self.put_bytes(first, expected_sha256=expected_sha256)
        if expected_sha256 is None:
            with tempfile.TemporaryFile(dir=self.spool_dir, prefix="sohoa-s3-") as spool:
                digest = hashlib.sha256(first)
                spool.write(first)
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    spool.write(chunk)
                spool.seek(0)
                return self._put_known(digest.hexdigest(), spool)
        check_digest(expected_sha256)
        if self.exists(expected_sha256):
            digest = hashlib.sha256(first)
            size = len(first)
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
            if digest.hexdigest() != expected_sha256:
                raise DigestMismatch(expected_sha256, digest.hexdigest())
            return PutResult(expected_sha256, size, created=False)
        return self._upload(expected_sha256, first, stream, if_absent=True)

    def _put_known(self, sha256: str, stream: BinaryIO) -> PutResult:
        """Upload a seekable stream whose digest was computed just before (checked again on the way)."""
        if self.exists(sha256):
            stream.seek(0, 2)
            return PutResult(sha256, stream.tell(), created=False)
        return self._upload(sha256, read_full(stream, self.part_size), stream, if_absent=True)

    def put_file(self, path: Path, *, expected_sha256: str | None = None) -> PutResult:
        """Store a copy of a file: hashed once to name it, hashed again while it goes up."""
        if path.stat().st_size < self.part_size:
            return self.put_bytes(path.read_bytes(), expected_sha256=expected_sha256)
        sha256 = sha256_file(path)
        if expected_sha256 is not None and sha256 != expected_sha256:
            raise DigestMismatch(expected_sha256, sha256)
        with path.open("rb") as handle:
            return self._put_known(sha256, handle)

    # ------------------------------------------------------------ reading

    def open(self, sha256: str) -> BinaryIO:
        """A buffered, seekable stream over the object (ranged GETs; decrypted chunk by chunk, authenticated,
        when it is kept encrypted)."""
        total, header = self.header(sha256)
        stored = open_reader(self.client, self.bucket, self.key(sha256), total)
        if header is None:
            return stored
        try:
            return self._sealing.decrypting(sha256, stored, header)
        except BaseException:
            stored.close()
            raise

    def read(self, sha256: str) -> bytes:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"]
        except Exception as exc:
            if error_code(exc) in MISSING_CODES:
                raise ObjectMissing(sha256) from None
            raise s3_failed(self.bucket, exc) from exc
        with body:
            data: bytes = body.read()
        if not is_envelope(data):
            return data
        with self._sealing.decrypting(sha256, io.BytesIO(data), read_header(io.BytesIO(data))) as plain:
            return plain.read()

    def read_range(self, sha256: str, start: int, end: int) -> bytes:
        """Bytes ``start`` up to, not including, ``end`` (clipped to the object's length): one ranged GET after
        a look at the object's first bytes (an encrypted one decrypts only the chunks the range covers)."""
        if start < 0 or end < start:
            raise SohoaError("Khoảng byte không hợp lệ", f"Invalid byte range: {start}-{end}")
        total, header = self.header(sha256)
        if header is not None:
            with self.open(sha256) as handle:
                handle.seek(start)
                return handle.read(end - start)
        if end == start or start >= total:
            return b""
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256),
                                          Range=f"bytes={start}-{end - 1}")["Body"]
        except Exception as exc:
            if error_code(exc) in MISSING_CODES:
                raise ObjectMissing(sha256) from None
            raise s3_failed(self.bucket, exc) from exc
        with body:
            data: bytes = body.read()
        return data[: end - start]  # a server that ignores Range sends the whole object

    def verify(self, sha256: str) -> bool:
        """Fixity: the object exists and its bytes, streamed back, still hash to its name (an envelope:
        decrypted and re-hashed when its key is at hand, else its bytes checked against its key record). A plain
        object costs one GET, whatever its size."""
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))
        except Exception as exc:
            if error_code(exc) in MISSING_CODES:
                return False
            raise s3_failed(self.bucket, exc) from exc
        with answer["Body"] as body:
            try:
                first = read_full(body, len(MAGIC))
                if not is_envelope(first):
                    digest, size = hashlib.sha256(first), len(first)
                    while chunk := body.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
            except Exception as exc:  # a read cut short: unreadable (an I/O error), not a mismatch
                raise OSError(f"S3 read of {sha256} failed: {exc}") from exc
            if not is_envelope(first):
                if size != int(answer.get("ContentLength", size)):
                    raise OSError(f"S3 read of {sha256} ended at byte {size} of {answer['ContentLength']}")
                return digest.hexdigest() == sha256
        try:
            total, header = self.header(sha256)
        except ObjectMissing:
            return False
        except SohoaError:  # an envelope whose header no longer reads
            return False
        return header is not None and self._sealing.check(sha256, total, header)

    def stored_digest(self, sha256: str) -> str | None:
        """The SHA-256 of the bytes as kept, streamed back (None when the object is missing)."""
        try:
            stream = self.open_stored(sha256)
        except ObjectMissing:
            return None
        digest = hashlib.sha256()
        with stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

    def iter_digests(self) -> Iterator[str]:
        """Every object under ``<prefix>sha256/`` whose key is where its digest puts it (key records skipped)."""
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=f"{self.prefix}sha256/")
            for page in pages:
                for item in page.get("Contents", ()):
                    name = str(item["Key"]).rsplit("/", 1)[-1]
                    if _DIGEST.fullmatch(name) and item["Key"] == self.key(name):
                        yield name
        except SohoaError:
            raise
        except Exception as exc:
            raise s3_failed(self.bucket, exc) from exc

    # ------------------------------------------------------------ stored bytes (replicas, OCFL, backups)

    def open_stored(self, sha256: str) -> BinaryIO:
        """The bytes exactly as kept (an envelope's, for an encrypted object): what replicas, OCFL and backups
        copy."""
        return open_reader(self.client, self.bucket, self.key(sha256), self.stored_size(sha256))

    def is_encrypted(self, sha256: str) -> bool:
        """Whether the object is kept as an encryption envelope."""
        return is_envelope(self.peek(sha256)[1])

    def restore_stored(self, sha256: str, stream: BinaryIO) -> PutResult:
        """Put back a missing or damaged object from a good copy's stored bytes (replica, backup).

        Plain bytes must hash to ``sha256``; an envelope must match the object's key record (or decrypt to
        ``sha256`` with a key at hand). The bytes are checked before the object is replaced (a spooled copy,
        then a PUT or a multipart upload that is aborted on a mismatch): the damaged copy stays until the good
        one is complete. An intact object is never replaced."""
        if self.verify(sha256):
            raise SohoaError(f"Đối tượng {sha256} còn nguyên vẹn: không ghi đè",
                             f"Object {sha256} is intact: it is not replaced")
        return self._sealing.restore(sha256, stream)

    def encrypt_object(self, sha256: str) -> SealResult:
        """Turn a plain object into an envelope under the current KEK (see :class:`S3Sealing`)."""
        return self._sealing.encrypt(sha256)

    def rewrap_object(self, sha256: str) -> KeyRecord:
        """Re-wrap an envelope's data key under the current KEK (only its key record is rewritten)."""
        return self._sealing.rewrap(sha256)

    def key_record(self, sha256: str) -> bytes | None:
        """An envelope's key record as kept, None for a plain object."""
        return self._sealing.record_bytes(sha256)

    def put_key_record(self, sha256: str, data: bytes) -> None:
        """Keep a key record taken from another copy of this envelope (replica, backup)."""
        self._sealing.put_record(sha256, data)

    def adopt_envelope(self, sha256: str, stream: BinaryIO, key_record: bytes) -> bool:
        """Replace this copy (plain, damaged or missing) with the envelope another store sealed; False when it
        already holds that very envelope."""
        return self._sealing.adopt(sha256, stream, key_record)

    def export(self, sha256: str, dest: Path) -> None:
        """Copy an object out to a local file (e.g. a DIP), decrypted; the stored copy stays untouched."""
        with self.open(sha256) as src, dest.open("wb") as out:
            shutil.copyfileobj(src, out, CHUNK)


_EMPTY: BinaryIO = io.BytesIO(b"")  # the rest of a short object: nothing
