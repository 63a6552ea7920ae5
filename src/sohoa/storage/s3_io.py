"""What the S3 object store and the S3 blob root share: error codes, a seekable ranged reader, uploads.

Nothing here imports boto3: the stores take a client built elsewhere (``sohoa.storage.factory``), and
botocore's errors are recognised by the ``response`` they carry. An upload sends the SHA-256 of each part
(``x-amz-checksum-sha256``) so that a server which checks it (AWS S3, MinIO, Ceph) refuses bytes damaged on
the way, and hashes the whole object itself: a multipart upload whose bytes do not hash to the expected
digest is aborted before it is completed, so nothing of it is ever visible.
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import CHUNK, DigestMismatch

__all__ = [
    "MISSING_CODES",
    "PART_SIZE",
    "RangeReader",
    "Upload",
    "b64_sha256",
    "error_code",
    "read_full",
    "s3_failed",
]

PART_SIZE = 16 * 1024 * 1024  # multipart part size: objects at least this long go up in parts of this size
MISSING_CODES = frozenset({"404", "NoSuchKey", "NotFound"})
_PRECONDITION = frozenset({"412", "PreconditionFailed"})
_CONFLICT = frozenset({"409", "ConditionalRequestConflict"})
_UNSUPPORTED = frozenset({"501", "NotImplemented"})


def error_code(exc: BaseException) -> str | None:
    """The S3 error code of a botocore ``ClientError`` (None for anything else)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    error = response.get("Error") or {}
    code = error.get("Code")
    return str(code) if code is not None else None


def s3_failed(bucket: str, exc: BaseException) -> SohoaError:
    """A bilingual error for a request the S3 server refused or could not be reached for."""
    code = error_code(exc)
    if code == "NoSuchBucket":
        return SohoaError(f"Không có bucket S3 {bucket!r}: hãy tạo bucket trước (xem docs/preservation.md)",
                          f"The S3 bucket {bucket!r} does not exist: create it first (see docs/preservation.md)")
    if code in {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403", "Forbidden"}:  # 403: a HEAD
        return SohoaError(f"Kho S3 từ chối truy cập bucket {bucket!r} ({code}): kiểm tra khóa truy cập",
                          f"The S3 server refused access to bucket {bucket!r} ({code}): check the access keys")
    return SohoaError(f"Không làm việc được với kho S3 (bucket {bucket!r}): {exc}",
                      f"Could not work with the S3 storage (bucket {bucket!r}): {exc}")


def b64_sha256(data: bytes) -> str:
    """The base64 SHA-256 that S3 checksum headers carry."""
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def hex_to_b64(sha256: str) -> str:
    """A hex digest as the base64 form of the S3 checksum headers."""
    return base64.b64encode(bytes.fromhex(sha256)).decode("ascii")


def read_full(stream: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes from a stream, fewer only at its end (a socket may return short reads)."""
    chunks: list[bytes] = []
    wanted = size
    while wanted > 0:
        chunk = stream.read(min(wanted, CHUNK))
        if not chunk:
            break
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


class RangeReader(io.RawIOBase):
    """A seekable read-only stream over one S3 object: a GET from the current position, re-issued with a
    ``Range`` after a seek. Wrap it in :class:`io.BufferedReader`."""

    def __init__(self, client: Any, bucket: str, key: str, size: int) -> None:
        super().__init__()
        self._client, self._bucket, self._key, self._size = client, bucket, key, size
        self._pos = 0
        self._body: Any = None

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        position = max(0, base + offset)
        if position != self._pos:
            self._drop_body()
            self._pos = position
        return self._pos

    def _drop_body(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._pos >= self._size or not len(view):
            return 0
        try:
            if self._body is None:
                extra = {"Range": f"bytes={self._pos}-"} if self._pos else {}
                self._body = self._client.get_object(Bucket=self._bucket, Key=self._key, **extra)["Body"]
            data = self._body.read(min(len(view), self._size - self._pos))
        except Exception as exc:  # botocore's read and connection errors: an I/O error to the caller
            self._drop_body()
            raise OSError(f"S3 read of {self._key} failed at byte {self._pos}: {exc}") from exc
        if not data:  # the server closed the stream before the object's end: unreadable, not a mismatch
            self._drop_body()
            raise OSError(f"S3 stream of {self._key} ended at byte {self._pos} of {self._size}")
        view[: len(data)] = data
        self._pos += len(data)
        return len(data)

    def close(self) -> None:
        self._drop_body()
        super().close()


READ_BUFFER = 64 * 1024  # small: a reader that seeks (a TIFF's frame directories) pays this per jump, not CHUNK;
# reads of CHUNK (copies, hashing) bypass the buffer and stream on the same GET


def open_reader(client: Any, bucket: str, key: str, size: int) -> BinaryIO:
    """A buffered, seekable binary stream over an object of known size."""
    return io.BufferedReader(RangeReader(client, bucket, key, size), READ_BUFFER)


class Upload:
    """Puts one key's bytes: a single PUT below ``part_size``, else a multipart upload, each part with its
    SHA-256 checksum; ``expected`` (hex) is checked before the object becomes visible.

    ``if_absent``: a conditional write (``If-None-Match: *``); when the key already exists the upload is
    dropped and :meth:`put` answers False. A server that does not implement conditional writes gets a plain
    PUT (the caller has looked for the key just before).
    """

    conditional_writes = True  # flipped per process when a server answers 501 to If-None-Match

    def __init__(self, client: Any, bucket: str, key: str, *, part_size: int = PART_SIZE) -> None:
        self.client, self.bucket, self.key, self.part_size = client, bucket, key, part_size

    def put(self, first: bytes, rest: BinaryIO, *, expected: str | None, if_absent: bool) -> tuple[str, int, bool]:
        """Upload ``first`` then what is left in ``rest``; the SHA-256, size and whether the key was written."""
        if len(first) < self.part_size:
            sha256 = hashlib.sha256(first).hexdigest()
            if expected is not None and sha256 != expected:
                raise DigestMismatch(expected, sha256)
            written = self._conditional(if_absent, lambda extra: self.client.put_object(
                Bucket=self.bucket, Key=self.key, Body=first, ChecksumSHA256=hex_to_b64(sha256), **extra))
            return sha256, len(first), written
        return self._multipart(first, rest, expected=expected, if_absent=if_absent)

    def _conditional(self, if_absent: bool, call: Callable[[dict[str, str]], Any]) -> bool:
        if not if_absent:
            call({})
            return True
        if not Upload.conditional_writes:
            call({})
            return True
        try:
            call({"IfNoneMatch": "*"})
        except Exception as exc:
            code = error_code(exc)
            if code in _PRECONDITION or code in _CONFLICT:
                return False  # written meanwhile by someone else: the same bytes, since the key is their digest
            if code in _UNSUPPORTED:
                Upload.conditional_writes = False
                call({})
                return True
            raise
        return True

    def _parts(self, first: bytes, rest: BinaryIO) -> Iterator[bytes]:
        chunk = first
        while chunk:
            yield chunk
            chunk = read_full(rest, self.part_size)

    def _multipart(self, first: bytes, rest: BinaryIO, *, expected: str | None,
                   if_absent: bool) -> tuple[str, int, bool]:
        upload_id = self.client.create_multipart_upload(
            Bucket=self.bucket, Key=self.key, ChecksumAlgorithm="SHA256")["UploadId"]
        digest, size, parts = hashlib.sha256(), 0, []
        try:
            for number, chunk in enumerate(self._parts(first, rest), start=1):
                digest.update(chunk)
                size += len(chunk)
                checksum = b64_sha256(chunk)
                answer = self.client.upload_part(Bucket=self.bucket, Key=self.key, UploadId=upload_id,
                                                 PartNumber=number, Body=chunk, ChecksumSHA256=checksum)
                parts.append({"PartNumber": number, "ETag": answer["ETag"], "ChecksumSHA256": checksum})
            sha256 = digest.hexdigest()
            if expected is not None and sha256 != expected:
                raise DigestMismatch(expected, sha256)
            written = self._conditional(if_absent, lambda extra: self.client.complete_multipart_upload(
                Bucket=self.bucket, Key=self.key, UploadId=upload_id, MultipartUpload={"Parts": parts}, **extra))
        except BaseException:
            self._abort(upload_id)
            raise
        if not written:
            self._abort(upload_id)
        return sha256, size, written

    def _abort(self, upload_id: str) -> None:
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=upload_id)
        except Exception as exc:
            if error_code(exc) not in {"NoSuchUpload", "404"}:
                raise
