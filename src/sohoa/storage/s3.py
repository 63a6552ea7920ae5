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
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import CHUNK, DigestMismatch, ObjectMissing, PutResult, check_digest, sha256_file
from sohoa.storage.s3_blobs import S3BlobRoot
from sohoa.storage.s3_io import MISSING_CODES, PART_SIZE, Upload, error_code, open_reader, read_full, s3_failed

__all__ = ["S3BlobRoot", "S3ObjectStore", "normalise_prefix"]

_DIGEST = re.compile(r"[0-9a-f]{64}")


def normalise_prefix(prefix: str) -> str:
    """``a/b`` → ``a/b/``; "" stays "" (keys are then at the bucket's top)."""
    cleaned = prefix.strip("/")
    if "\\" in cleaned or any(part in ("", ".", "..") for part in cleaned.split("/") if cleaned):
        raise SohoaError(f"Tiền tố S3 không hợp lệ: {prefix!r}", f"Invalid S3 prefix: {prefix!r}")
    return f"{cleaned}/" if cleaned else ""


class S3ObjectStore:
    """Objects at ``s3://bucket/<prefix>sha256/ab/cd/<digest>``, written once and checked on the way in."""

    def __init__(self, client: Any, bucket: str, prefix: str = "", *, part_size: int = PART_SIZE,
                 spool_dir: Path | None = None) -> None:
        self.client, self.bucket, self.prefix = client, bucket, normalise_prefix(prefix)
        self.part_size = part_size
        self.spool_dir = spool_dir

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

    def size(self, sha256: str) -> int:
        head = self._head(sha256)
        if head is None:
            raise ObjectMissing(sha256)
        return int(head["ContentLength"])

    # ------------------------------------------------------------ writing

    def _upload(self, sha256: str | None, first: bytes, rest: BinaryIO, *, if_absent: bool) -> PutResult:
        key_digest = sha256 if sha256 is not None else hashlib.sha256(first).hexdigest()
        try:
            digest, size, written = Upload(self.client, self.bucket, self.key(key_digest),
                                           part_size=self.part_size).put(first, rest, expected=key_digest,
                                                                         if_absent=if_absent)
        except SohoaError:
            raise
        except Exception as exc:
            raise s3_failed(self.bucket, exc) from exc
        return PutResult(digest, size, created=written)

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
        """A buffered, seekable stream over the object (ranged GETs)."""
        return open_reader(self.client, self.bucket, self.key(sha256), self.size(sha256))

    def read(self, sha256: str) -> bytes:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"]
        except Exception as exc:
            if error_code(exc) in MISSING_CODES:
                raise ObjectMissing(sha256) from None
            raise s3_failed(self.bucket, exc) from exc
        with body:
            data: bytes = body.read()
        return data

    def read_range(self, sha256: str, start: int, end: int) -> bytes:
        """Bytes ``start`` up to, not including, ``end`` (clipped to the object's length): one ranged GET."""
        if start < 0 or end < start:
            raise SohoaError("Khoảng byte không hợp lệ", f"Invalid byte range: {start}-{end}")
        if end == start:
            self.size(sha256)  # ObjectMissing when absent, as the local store
            return b""
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256),
                                          Range=f"bytes={start}-{end - 1}")["Body"]
        except Exception as exc:
            code = error_code(exc)
            if code in MISSING_CODES:
                raise ObjectMissing(sha256) from None
            if code in {"InvalidRange", "416"}:
                self.size(sha256)
                return b""  # the range starts past the end: nothing to read
            raise s3_failed(self.bucket, exc) from exc
        with body:
            data: bytes = body.read()
        return data[: end - start]  # a server that ignores Range sends the whole object

    def verify(self, sha256: str) -> bool:
        """Fixity: the object exists and its bytes, streamed back, still hash to its name."""
        try:
            stream = self.open(sha256)
        except ObjectMissing:
            return False
        digest = hashlib.sha256()
        with stream:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest() == sha256

    def iter_digests(self) -> Iterator[str]:
        """Every object under ``<prefix>sha256/`` whose key is where its digest puts it."""
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
        """The bytes exactly as kept (what replicas, OCFL and backups copy)."""
        return self.open(sha256)

    def is_encrypted(self, sha256: str) -> bool:
        """Whether the object is kept as an encryption envelope (not on this store yet: see
        docs/preservation.md)."""
        check_digest(sha256)
        return False

    def restore_stored(self, sha256: str, stream: BinaryIO) -> PutResult:
        """Put back a missing or damaged object from a good copy's stored bytes (replica, backup).

        The bytes are hashed as they go up and must hash to ``sha256`` before the object is replaced (a
        single PUT checked by the server's SHA-256 header and by us first, or a multipart upload aborted on
        a mismatch): the damaged copy stays until the good one is complete. An intact object is never
        replaced."""
        if self.verify(sha256):
            raise SohoaError(f"Đối tượng {sha256} còn nguyên vẹn: không ghi đè",
                             f"Object {sha256} is intact: it is not replaced")
        first = read_full(stream, self.part_size)
        result = self._upload(sha256, first, stream, if_absent=False)
        return PutResult(result.sha256, result.size, created=True)

    def export(self, sha256: str, dest: Path) -> None:
        """Copy an object out to a local file (e.g. a DIP); the stored copy stays untouched."""
        with self.open(sha256) as src, dest.open("wb") as out:
            shutil.copyfileobj(src, out, CHUNK)


_EMPTY: BinaryIO = io.BytesIO(b"")  # the rest of a short object: nothing
