"""The object store and the blob root on a real S3 API (moto's server on loopback): the port's own tests, large
objects in parts, ranges, write-once, checksums sent, damage found and repaired, and the factory."""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import DigestMismatch, ObjectMissing, ObjectStore
from sohoa.settings import Settings
from sohoa.storage.blobs import BlobMissing, BlobRoot, LocalBlobRoot
from sohoa.storage.factory import build_blob_root, build_object_store, parse_s3_url
from sohoa.storage.objects import LocalObjectStore
from sohoa.storage.s3 import S3BlobRoot, S3ObjectStore
from sohoa.storage.s3_io import Upload
from tests._s3 import S3Server

# The port's behaviour tests, collected here again with this module's `store` fixture (an S3 store).
from ..core.test_object_store_port import (  # noqa: F401
    test_a_wrong_expected_digest_stores_nothing,
    test_an_absent_object_is_not_found,
    test_byte_ranges_are_end_exclusive_and_clipped,
    test_put_read_stream_and_size,
)

DATA = bytes(range(256)) * 40
MIB = 1024 * 1024


def _large(size: int, seed: bytes = b"sohoa") -> bytes:
    """Deterministic bytes that do not repeat within a part (so a mixed-up part changes the digest)."""
    block = b"".join(hashlib.sha256(seed + n.to_bytes(4, "big")).digest() for n in range(MIB // 32))
    return b"".join(hashlib.sha256(seed + n.to_bytes(4, "big")).digest()[:4] + block[4:]
                    for n in range(size // MIB + 1))[:size]


@pytest.fixture
def bucket(s3_server: S3Server) -> str:
    return s3_server.new_bucket()


@pytest.fixture
def raw(s3_server: S3Server) -> Any:
    return s3_server.client()


@pytest.fixture
def s3_store(s3_server: S3Server, bucket: str, tmp_path: Path) -> S3ObjectStore:
    return S3ObjectStore(s3_server.client(), bucket, "archive/objects", spool_dir=tmp_path)


@pytest.fixture
def store(s3_store: S3ObjectStore) -> ObjectStore:
    return s3_store


def test_the_layout_is_the_local_one_under_the_prefix(s3_store: S3ObjectStore, raw: Any, bucket: str) -> None:
    sha = s3_store.put_bytes(DATA).sha256
    key = f"archive/objects/sha256/{sha[:2]}/{sha[2:4]}/{sha}"
    assert raw.get_object(Bucket=bucket, Key=key)["Body"].read() == DATA
    raw.put_object(Bucket=bucket, Key="archive/objects/sha256/stray.txt", Body=b"x")  # not an object
    raw.put_object(Bucket=bucket, Key="elsewhere/sha256/aa/bb/" + "a" * 64, Body=b"x")  # outside the prefix
    assert list(s3_store.iter_digests()) == [sha]


def test_a_large_object_goes_up_in_parts_and_reads_back_by_range(
        s3_store: S3ObjectStore, raw: Any, bucket: str, tmp_path: Path) -> None:
    data = _large(40 * MIB)
    sha = hashlib.sha256(data).hexdigest()
    (tmp_path / "big.tif").write_bytes(data)
    put = s3_store.put_file(tmp_path / "big.tif")
    assert put == put.__class__(sha, len(data), created=True)
    head = raw.head_object(Bucket=bucket, Key=s3_store.key(sha))
    assert head["ContentLength"] == len(data) and head["ETag"].strip('"').endswith("-3")  # 16 + 16 + 8 MiB
    border = 16 * MIB
    assert s3_store.read_range(sha, border - 10, border + 10) == data[border - 10:border + 10]
    with s3_store.open(sha) as handle:
        handle.seek(border * 2 + 5)
        assert handle.read(7) == data[border * 2 + 5:border * 2 + 12]
        handle.seek(0)
        assert hashlib.sha256(handle.read()).hexdigest() == sha
    assert s3_store.verify(sha)
    assert not s3_store.put_stream(io.BytesIO(data)).created  # spooled, named, found: nothing sent again
    assert raw.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert list(tmp_path.glob("sohoa-s3-*")) == []  # the spool file is gone


def test_a_large_stream_of_unknown_digest_is_spooled_then_stored(s3_store: S3ObjectStore) -> None:
    data = _large(17 * MIB, b"other")
    put = s3_store.put_stream(io.BytesIO(data))
    assert put.created and put.size == len(data) and s3_store.read(put.sha256) == data


def test_a_large_upload_that_does_not_match_is_aborted_and_leaves_nothing(
        s3_store: S3ObjectStore, raw: Any, bucket: str) -> None:
    data = _large(20 * MIB)
    wrong = hashlib.sha256(b"something else").hexdigest()
    with pytest.raises(DigestMismatch):
        s3_store.put_stream(io.BytesIO(data), expected_sha256=wrong)
    assert not s3_store.exists(wrong) and list(s3_store.iter_digests()) == []
    assert raw.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_each_put_carries_its_sha256_for_the_server_to_check(s3_store: S3ObjectStore) -> None:
    sent: list[dict[str, str]] = []
    s3_store.client.meta.events.register(
        "before-send.s3.PutObject", lambda request, **_: sent.append(dict(request.headers)))
    sha = s3_store.put_bytes(DATA).sha256
    headers = {k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in sent[-1].items()}
    assert headers["x-amz-checksum-sha256"] == base64.b64encode(bytes.fromhex(sha)).decode()
    assert headers["if-none-match"] == "*"  # a conditional write: never over an existing key


def test_objects_are_written_once(s3_store: S3ObjectStore, s3_server: S3Server, raw: Any, bucket: str) -> None:
    sha = s3_store.put_bytes(DATA).sha256
    assert not s3_store.put_bytes(DATA).created
    # A writer racing past the look-up: the conditional write refuses to replace the key.
    upload = Upload(s3_server.client(), bucket, s3_store.key(sha))
    assert upload.put(b"not the object", io.BytesIO(), expected=None, if_absent=True)[2] is False
    assert raw.get_object(Bucket=bucket, Key=s3_store.key(sha))["Body"].read() == DATA


def test_damage_and_loss_are_found_and_repaired_from_a_good_copy(
        s3_store: S3ObjectStore, raw: Any, bucket: str) -> None:
    sha = s3_store.put_bytes(DATA).sha256
    with pytest.raises(SohoaError):
        s3_store.restore_stored(sha, io.BytesIO(DATA))  # an intact object is never replaced
    raw.put_object(Bucket=bucket, Key=s3_store.key(sha), Body=b"\x01" + DATA[1:])  # a flipped byte
    assert s3_store.exists(sha) and not s3_store.verify(sha)
    with pytest.raises(DigestMismatch):
        s3_store.restore_stored(sha, io.BytesIO(DATA[:-1]))
    assert s3_store.read_range(sha, 0, 1) == b"\x01"  # a bad copy leaves the damaged one as it was
    assert s3_store.restore_stored(sha, io.BytesIO(DATA)).created
    assert s3_store.verify(sha) and s3_store.read(sha) == DATA
    raw.delete_object(Bucket=bucket, Key=s3_store.key(sha))
    assert not s3_store.verify(sha)
    with pytest.raises(ObjectMissing):
        s3_store.read(sha)
    s3_store.restore_stored(sha, io.BytesIO(DATA))
    assert s3_store.verify(sha)


def test_a_missing_bucket_is_a_clear_error(s3_server: S3Server) -> None:
    store = S3ObjectStore(s3_server.client(), "no-such-bucket-here")
    with pytest.raises(SohoaError) as caught:
        store.put_bytes(DATA)
    assert "no-such-bucket-here" in str(caught.value)


# ---------------------------------------------------------------- blob root


@pytest.fixture
def blob_root(s3_server: S3Server, bucket: str) -> S3BlobRoot:
    return S3BlobRoot(s3_server.client(), bucket, "ocfl")


def test_blob_root_write_read_list_delete(blob_root: S3BlobRoot) -> None:
    root: BlobRoot = blob_root
    root.write_bytes("a/b/c.txt", b"hello")
    assert root.write_stream("a/d.bin", io.BytesIO(b"xyz")) == (hashlib.sha256(b"xyz").hexdigest(), 3)
    root.write_bytes("top.txt", b"1")
    root.write_bytes("top.txt", b"22")  # replaced whole
    assert root.read_bytes("top.txt") == b"22" and root.size("a/b/c.txt") == 5
    assert list(root.list()) == ["a/b/c.txt", "a/d.bin", "top.txt"]
    assert list(root.list("a/b")) == ["a/b/c.txt"] and list(root.list("nothing")) == []
    assert list(root.list("a/b/c.txt")) == ["a/b/c.txt"]
    assert root.exists("a/b/c.txt") and not root.exists("a/b")
    with root.open("a/d.bin") as handle:
        assert handle.read() == b"xyz"
    root.delete("a/b/c.txt")
    root.delete("a/b/c.txt")  # absent: no error
    with pytest.raises(BlobMissing):
        root.read_bytes("a/b/c.txt")
    with pytest.raises(BlobMissing):
        root.open("a/b/c.txt")


@pytest.mark.parametrize("bad", ["", "/etc/passwd", "../x", "a/../../x", "a//b", "a\\b", "./a"])
def test_blob_paths_that_escape_are_refused(blob_root: S3BlobRoot, bad: str) -> None:
    with pytest.raises(SohoaError):
        blob_root.write_bytes(bad, b"x")


def test_blob_root_copies_objects_and_refuses_a_damaged_one(
        blob_root: S3BlobRoot, s3_store: S3ObjectStore, raw: Any, bucket: str, tmp_path: Path) -> None:
    sha = s3_store.put_bytes(DATA).sha256
    assert blob_root.link_or_copy_from(s3_store, sha, "o/v1/content/m.tif") == (sha, len(DATA))
    local = LocalObjectStore(tmp_path / "objects")
    assert blob_root.link_or_copy_from(local, local.put_bytes(b"abc").sha256, "o/v1/content/n.txt")[1] == 3
    raw.put_object(Bucket=bucket, Key=s3_store.key(sha), Body=b"\x01" + DATA[1:])
    with pytest.raises(DigestMismatch):
        blob_root.link_or_copy_from(s3_store, sha, "o/v2/content/m.tif")
    assert not blob_root.exists("o/v2/content/m.tif")
    big = _large(17 * MIB)
    assert blob_root.write_stream("big.bin", io.BytesIO(big))[1] == len(big)
    assert blob_root.read_bytes("big.bin") == big


# ---------------------------------------------------------------- factory


def test_s3_urls() -> None:
    place = parse_s3_url("s3://archive-bucket/hanoi/objects/")
    assert place is not None and (place.bucket, place.prefix) == ("archive-bucket", "hanoi/objects")
    assert str(place) == "s3://archive-bucket/hanoi/objects"
    assert parse_s3_url("/srv/objects") is None
    with pytest.raises(SohoaError):
        parse_s3_url("s3:///no-bucket")


def test_the_factory_builds_local_and_s3_places(s3_env: S3Server, tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data")
    assert isinstance(build_object_store(tmp_path / "objects", settings), LocalObjectStore)
    assert isinstance(build_blob_root(str(tmp_path / "root"), settings), LocalBlobRoot)
    with pytest.raises(SohoaError):
        build_object_store("ftp://example/objects", settings)
    bucket = s3_env.new_bucket()
    settings = Settings(data=tmp_path / "data", s3_endpoint=s3_env.endpoint)
    store = build_object_store(f"s3://{bucket}/objects", settings)
    assert isinstance(store, S3ObjectStore) and store.read(store.put_bytes(DATA).sha256) == DATA
    root = build_blob_root(f"s3://{bucket}/ocfl", settings)
    root.write_bytes("0=ocfl_1.1", b"ocfl_1.1\n")
    assert isinstance(root, S3BlobRoot) and list(root.list()) == ["0=ocfl_1.1"]



def test_an_empty_object(s3_store: S3ObjectStore) -> None:
    sha = s3_store.put_bytes(b"").sha256
    assert s3_store.size(sha) == 0 and s3_store.read(sha) == b"" and s3_store.verify(sha)
    assert s3_store.read_range(sha, 0, 10) == b"" and not s3_store.is_encrypted(sha)
    with s3_store.open(sha) as handle:
        assert handle.read() == b""


class _NoConditionalWrites:
    """The raw client, except that a conditional write is answered 501 as by a server without them."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def put_object(self, **kwargs: Any) -> Any:
        if "IfNoneMatch" in kwargs:
            raise ClientError({"Error": {"Code": "NotImplemented", "Message": "no conditional writes"}}, "PutObject")
        return self._client.put_object(**kwargs)


def test_a_server_without_conditional_writes_gets_a_look_up_then_a_plain_put(
        s3_server: S3Server, bucket: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Upload, "conditional_writes", True)
    store = S3ObjectStore(_NoConditionalWrites(s3_server.client()), bucket)
    put = store.put_bytes(DATA)
    assert put.created and store.read(put.sha256) == DATA and Upload.conditional_writes is False
    assert not store.put_bytes(DATA).created  # the look-up finds it: nothing written again


class _CutShort:
    """A body that ends after its first 100 bytes, as when a connection drops."""

    def __init__(self, body: Any) -> None:
        self._body, self._left = body, 100

    def read(self, size: int = -1) -> bytes:
        data: bytes = self._body.read(min(size, self._left) if size >= 0 else self._left)
        self._left -= len(data)
        return data

    def close(self) -> None:
        self._body.close()

    def __enter__(self) -> _CutShort:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _DroppingClient(_NoConditionalWrites):
    def get_object(self, **kwargs: Any) -> Any:
        answer = dict(self._client.get_object(**kwargs))
        answer["Body"] = _CutShort(answer["Body"])
        return answer


def test_a_read_cut_short_is_an_io_error_not_a_mismatch(s3_store: S3ObjectStore, s3_server: S3Server,
                                                        bucket: str) -> None:
    sha = s3_store.put_bytes(DATA).sha256
    dropping = S3ObjectStore(_DroppingClient(s3_server.client()), bucket, "archive/objects")
    with pytest.raises(OSError), dropping.open(sha) as handle:
        handle.read()
    with pytest.raises(OSError):
        dropping.verify(sha)  # fixity records "unreadable", never a false mismatch
