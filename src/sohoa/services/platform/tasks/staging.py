"""Staged inputs: files copied into the object store's staging area before their task is queued.

A worker on any host reads an input from there, never from a path of the host that queued it. The area is
``s3://bucket/<prefix>/staging/`` when the object store is S3 (``SOHOA_STORAGE_URL``), else ``<data>/staging``
(one host, or a shared data directory). Each file is checksummed as it is copied (the SHA-256 goes with the
task and is checked again when the worker downloads it) and removed once its ingest has settled.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from sohoa.domain.errors import SohoaError
from sohoa.settings import Settings
from sohoa.storage.blobs import BlobRoot
from sohoa.storage.factory import build_blob_root, parse_s3_url

__all__ = ["StagingMismatch", "fetch_staged", "remove_staged", "remove_work", "stage_file", "staging_root"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class StagingMismatch(SohoaError):
    """The staged bytes are not the bytes that were queued (damaged in transit or replaced)."""

    def __init__(self, key: str) -> None:
        super().__init__(f"Tệp chờ xử lý {key} không khớp mã băm", f"The staged file {key} does not match its SHA-256")


def staging_root(settings: Settings) -> BlobRoot:
    """Where staged inputs live (see the module's text)."""
    place = parse_s3_url(settings.storage_url or "")
    if place is not None:
        return build_blob_root(f"s3://{place.bucket}/{place.prefix + '/' if place.prefix else ''}staging", settings)
    return build_blob_root(settings.data / "staging", settings)


def _safe(name: str) -> str:
    return (_UNSAFE.sub("_", name).strip("._") or "file")[:120]


def stage_file(root: BlobRoot, batch: str, position: int, path: Path) -> tuple[str, str, int]:
    """Copy ``path`` to the staging area: its key, SHA-256 and size."""
    key = f"{batch}/{position:06d}-{_safe(path.name)}"
    with path.open("rb") as stream:
        sha256, size = root.write_stream(key, stream)
    return key, sha256, size


def fetch_staged(root: BlobRoot, key: str, sha256: str, target: Path) -> Path:
    """Download a staged input to ``target`` (checked against ``sha256``; nothing kept when it differs)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with root.open(key) as source, target.open("wb") as out:
        while chunk := source.read(1 << 20):
            digest.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != sha256:
        target.unlink(missing_ok=True)
        raise StagingMismatch(key)
    return target


def remove_staged(root: BlobRoot, key: str) -> None:
    """Drop one staged input (no error when gone)."""
    root.delete(key)


def remove_work(folder: Path) -> None:
    """Delete a worker's download folder."""
    shutil.rmtree(folder, ignore_errors=True)
