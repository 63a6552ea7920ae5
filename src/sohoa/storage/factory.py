"""Build an object store or a blob root from a place: a local folder or ``s3://bucket[/prefix]``.

The primary object store comes from ``SOHOA_STORAGE_URL`` (unset: ``<data>/objects``, the layout Sohoa
always had), the replica from ``SOHOA_REPLICA_URL``, the OCFL root from ``SOHOA_OCFL_ROOT``, all through
here. An S3 client is built with boto3 (imported only when an ``s3://`` place is named), pointed at
``SOHOA_S3_ENDPOINT`` when set (MinIO, Ceph, SeaweedFS …; path-style addressing) or at AWS otherwise.
Credentials and region come the standard AWS way: ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
``AWS_DEFAULT_REGION`` (or a profile / instance role), read by boto3 itself.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import ObjectStore
from sohoa.settings import Settings
from sohoa.storage.blobs import BlobRoot, LocalBlobRoot
from sohoa.storage.objects import LocalObjectStore
from sohoa.storage.s3 import S3BlobRoot, S3ObjectStore

__all__ = ["S3Place", "build_blob_root", "build_object_store", "parse_s3_url", "s3_client", "session_client"]


@dataclass(frozen=True)
class S3Place:
    """A bucket and a key prefix (no leading or trailing slash; "" for the bucket's top)."""

    bucket: str
    prefix: str

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"


def parse_s3_url(url: str) -> S3Place | None:
    """``s3://bucket/a/b`` → S3Place("bucket", "a/b"); None for anything that is not an ``s3://`` URL."""
    if not url.lower().startswith("s3://"):
        return None
    parts = urlsplit(url)
    bucket = parts.netloc
    if not bucket or parts.query or parts.fragment:
        raise SohoaError(f"Địa chỉ S3 không hợp lệ: {url!r} (cần s3://bucket/tiền-tố)",
                         f"Invalid S3 URL: {url!r} (expected s3://bucket/prefix)")
    return S3Place(bucket, parts.path.strip("/"))


def s3_client(settings: Settings) -> Any:
    """A boto3 S3 client for ``SOHOA_S3_ENDPOINT`` (or AWS), with retries and path-style addressing."""
    from botocore.config import Config

    config = Config(
        signature_version="s3v4",
        retries={"max_attempts": 5, "mode": "standard"},
        s3={"addressing_style": "path" if settings.s3_endpoint else "auto"},
        # the SHA-256 checksums Sohoa sends itself; no CRC32 trailers that some S3-compatible servers refuse
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    # Credentials from the environment are read at each client (a process may be handed new ones); the rest of
    # the standard chain (profile, instance role) through the session.
    keys = {name: os.environ[var] for name, var in _ENV_KEYS if os.environ.get(var)}
    if "aws_access_key_id" not in keys or "aws_secret_access_key" not in keys:
        keys = {"region_name": keys["region_name"]} if "region_name" in keys else {}
    return session_client(endpoint_url=settings.s3_endpoint or None, config=config, **keys)


def session_client(**kwargs: Any) -> Any:
    """A new boto3 S3 client (``kwargs`` as ``Session.client`` takes them) from the process's one boto3 session."""
    import boto3

    with _SESSION_LOCK:  # a boto3 session is not safe to share between threads while it builds a client
        return _session(boto3).client("s3", **kwargs)


_ENV_KEYS = (("aws_access_key_id", "AWS_ACCESS_KEY_ID"), ("aws_secret_access_key", "AWS_SECRET_ACCESS_KEY"),
             ("aws_session_token", "AWS_SESSION_TOKEN"), ("region_name", "AWS_DEFAULT_REGION"))
_SESSION_LOCK = threading.Lock()
_SESSIONS: dict[int, Any] = {}


def _session(boto3: Any) -> Any:
    """One boto3 session per process (a new session loads botocore's service models again: 0.1–0.4 s)."""
    pid = os.getpid()
    if pid not in _SESSIONS:
        _SESSIONS.clear()  # a forked child makes its own
        _SESSIONS[pid] = boto3.session.Session()
    return _SESSIONS[pid]


def _local(url_or_path: str | Path) -> Path:
    text = str(url_or_path)
    if text.lower().startswith("file://"):
        text = urlsplit(text).path
    if "://" in text:
        raise SohoaError(f"Không hiểu nơi lưu trữ {text!r} (cần một thư mục hoặc s3://bucket/tiền-tố)",
                         f"Unknown storage place {text!r} (expected a folder or s3://bucket/prefix)")
    return Path(text).expanduser().absolute()


def build_object_store(url_or_path: str | Path, settings: Settings) -> ObjectStore:
    """The object store at a local folder or an ``s3://bucket[/prefix]``."""
    place = parse_s3_url(str(url_or_path))
    if place is None:
        return LocalObjectStore(_local(url_or_path))
    return S3ObjectStore(s3_client(settings), place.bucket, place.prefix, spool_dir=settings.work_dir)


def build_blob_root(url_or_path: str | Path, settings: Settings) -> BlobRoot:
    """The blob root at a local folder or an ``s3://bucket[/prefix]``."""
    place = parse_s3_url(str(url_or_path))
    if place is None:
        return LocalBlobRoot(_local(url_or_path))
    return S3BlobRoot(s3_client(settings), place.bucket, place.prefix)
