"""A blob root in an S3-compatible bucket: trees of named files (the OCFL root, packages, backups).

The S3 side of :class:`sohoa.storage.blobs.BlobRoot`: a path ``a/b/c.json`` is the key
``<prefix>a/b/c.json``. A PUT replaces a whole object atomically (readers see the old bytes or the new,
never a mixture), so a write needs no temporary name; every write carries its SHA-256 for the server to
check, and large files go up in parts. Paths are checked as on disk (no ``..``, no empty segment).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any, BinaryIO

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import DigestMismatch, ObjectStore
from sohoa.storage.blobs import BlobMissing, check_blob_path, stored_stream
from sohoa.storage.s3_io import MISSING_CODES, PART_SIZE, Upload, error_code, open_reader, read_full, s3_failed

__all__ = ["S3BlobRoot"]


def _prefix(prefix: str) -> str:
    cleaned = prefix.strip("/")
    if cleaned:
        check_blob_path(cleaned)
    return f"{cleaned}/" if cleaned else ""


class S3BlobRoot:
    """Files at ``s3://bucket/<prefix><path>``."""

    def __init__(self, client: Any, bucket: str, prefix: str = "", *, part_size: int = PART_SIZE) -> None:
        self.client, self.bucket, self.prefix = client, bucket, _prefix(prefix)
        self.part_size = part_size

    def __repr__(self) -> str:
        return f"S3BlobRoot('s3://{self.bucket}/{self.prefix}')"

    def key(self, path: str) -> str:
        """The key of a path in the bucket."""
        return self.prefix + check_blob_path(path)

    def _upload(self, path: str, first: bytes, rest: BinaryIO) -> tuple[str, int]:
        try:
            sha256, size, _written = Upload(self.client, self.bucket, self.key(path),
                                            part_size=self.part_size).put(first, rest, expected=None,
                                                                          if_absent=False)
        except SohoaError:
            raise
        except Exception as exc:
            raise s3_failed(self.bucket, exc) from exc
        return sha256, size

    def write_bytes(self, path: str, data: bytes) -> None:
        """Write (or atomically replace) the file at ``path``."""
        with io.BytesIO(data) as stream:
            self._upload(path, read_full(stream, self.part_size), stream)

    def write_stream(self, path: str, stream: BinaryIO) -> tuple[str, int]:
        """Write what is left in ``stream`` (in parts when long); its SHA-256 and size."""
        return self._upload(path, read_full(stream, self.part_size), stream)

    def _head(self, path: str) -> dict[str, Any] | None:
        try:
            answer: dict[str, Any] = self.client.head_object(Bucket=self.bucket, Key=self.key(path))
        except Exception as exc:
            if error_code(exc) in MISSING_CODES:
                return None
            raise s3_failed(self.bucket, exc) from exc
        return answer

    def size(self, path: str) -> int:
        head = self._head(path)
        if head is None:
            raise BlobMissing(path)
        return int(head["ContentLength"])

    def exists(self, path: str) -> bool:
        """Whether a file is at ``path`` (a "folder" is only a common prefix of keys: not a file)."""
        return self._head(path) is not None

    def open(self, path: str) -> BinaryIO:
        return open_reader(self.client, self.bucket, self.key(path), self.size(path))

    def read_bytes(self, path: str) -> bytes:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.key(path))["Body"]
        except Exception as exc:
            if error_code(exc) in MISSING_CODES:
                raise BlobMissing(path) from None
            raise s3_failed(self.bucket, exc) from exc
        with body:
            data: bytes = body.read()
        return data

    def list(self, prefix: str = "") -> Iterator[str]:
        """Every file under the folder ``prefix`` ("" = the whole root), relative to the root, sorted."""
        folder = prefix.strip("/")
        if folder and self.exists(folder):
            yield folder
            return
        start = self.prefix + (check_blob_path(folder) + "/" if folder else "")
        found: list[str] = []
        try:
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start):
                found.extend(str(item["Key"])[len(self.prefix):] for item in page.get("Contents", ()))
        except Exception as exc:
            raise s3_failed(self.bucket, exc) from exc
        yield from sorted(found)

    def delete(self, path: str) -> None:
        """Remove one file (no error when absent)."""
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key(path))
        except Exception as exc:
            if error_code(exc) not in MISSING_CODES:
                raise s3_failed(self.bucket, exc) from exc

    def delete_tree(self, prefix: str) -> None:
        """Remove every file under a folder (a half-written version left by a crash)."""
        for path in list(self.list(prefix)):
            self.delete(path)

    def link_or_copy_from(self, store: ObjectStore, sha256: str, path: str) -> tuple[str, int]:
        """Copy an object's stored bytes to ``path`` (streamed; a bucket has no hard links). A plain object
        is checked against its name on the way: a damaged one is not kept (:class:`DigestMismatch`)."""
        stream, encrypted = stored_stream(store, sha256)
        with stream:
            digest, size = self.write_stream(path, stream)
        if not encrypted and digest != sha256:
            self.delete(path)
            raise DigestMismatch(sha256, digest)
        return digest, size
