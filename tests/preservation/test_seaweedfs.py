"""What the S3 object store relies on, checked by SeaweedFS itself (a real S3-compatible server, not a mock): the
SHA-256 sent with each PUT and part, signed requests, write-once by key, multipart above a (lowered) threshold;
and that the suite's own bucket dropper survives a drop that failed on its thread."""

from __future__ import annotations

import base64
import hashlib
import io
from dataclasses import replace
from typing import Any, cast

import pytest

from sohoa.domain.errors import SohoaError
from sohoa.storage.s3 import S3ObjectStore
from sohoa.storage.s3_io import Upload
from tests._s3 import S3Bucket, S3Server, _Dropper

pytestmark = pytest.mark.s3

MIB = 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def _code(exc: BaseException) -> str:
    return str(exc.response["Error"]["Code"])  # type: ignore[attr-defined]


def test_the_server_refuses_bytes_that_do_not_match_their_sha256(seaweed: S3Bucket) -> None:
    raw = seaweed.client()
    with pytest.raises(Exception) as caught:
        raw.put_object(Bucket=seaweed.bucket, Key="damaged", Body=b"sent bytes", ChecksumSHA256=_b64(b"other bytes"))
    assert _code(caught.value) in {"BadDigest", "XAmzContentChecksumMismatch", "InvalidDigest"}
    assert "Contents" not in raw.list_objects_v2(Bucket=seaweed.bucket)
    upload_id = raw.create_multipart_upload(Bucket=seaweed.bucket, Key="parts", ChecksumAlgorithm="SHA256")["UploadId"]
    with pytest.raises(Exception) as caught:
        raw.upload_part(Bucket=seaweed.bucket, Key="parts", UploadId=upload_id, PartNumber=1, Body=b"a part",
                        ChecksumSHA256=_b64(b"another part"))
    assert _code(caught.value) in {"BadDigest", "XAmzContentChecksumMismatch", "InvalidDigest"}
    raw.abort_multipart_upload(Bucket=seaweed.bucket, Key="parts", UploadId=upload_id)


def test_a_second_write_of_a_key_is_refused_and_the_same_bytes_are_idempotent(seaweed: S3Bucket) -> None:
    store = S3ObjectStore(seaweed.client(), seaweed.bucket, "objects")
    first = store.put_bytes(b"van ban goc")
    assert first.created and not store.put_bytes(b"van ban goc").created  # same bytes: nothing written again
    key = store.key(first.sha256)
    raw = seaweed.client()
    with pytest.raises(Exception) as caught:  # other bytes under the same key: the server refuses (412)
        raw.put_object(Bucket=seaweed.bucket, Key=key, Body=b"other bytes", IfNoneMatch="*")
    assert _code(caught.value) in {"PreconditionFailed", "412"}
    assert Upload(raw, seaweed.bucket, key).put(b"other bytes", io.BytesIO(), expected=None,
                                                  if_absent=True)[2] is False
    assert store.read(first.sha256) == b"van ban goc" and store.verify(first.sha256)


def test_multipart_above_a_lowered_threshold(seaweed: S3Bucket) -> None:
    store = S3ObjectStore(seaweed.client(), seaweed.bucket, "", part_size=5 * MIB)
    data = bytes(range(256)) * (11 * MIB // 256) + b"tail"
    sent: list[dict[str, Any]] = []
    store.client.meta.events.register("before-parameter-build.s3.UploadPart",
                                      lambda params, **_: sent.append(dict(params)))
    put = store.put_stream(io.BytesIO(data))
    assert put.created and put.size == len(data) and [p["PartNumber"] for p in sent] == [1, 2, 3]
    assert all(p["ChecksumSHA256"] == _b64(p["Body"]) for p in sent)
    head = store.client.head_object(Bucket=seaweed.bucket, Key=store.key(put.sha256))
    assert head["ContentLength"] == len(data)
    assert store.read_range(put.sha256, 5 * MIB - 3, 5 * MIB + 3) == data[5 * MIB - 3:5 * MIB + 3]
    assert store.verify(put.sha256)
    small = store.put_bytes(b"below the threshold")
    assert store.client.head_object(Bucket=seaweed.bucket, Key=store.key(small.sha256))["ContentLength"] == 19
    assert len(sent) == 3  # one PUT, no parts


def test_unsigned_or_wrongly_signed_requests_are_refused(seaweed: S3Bucket) -> None:
    wrong = replace(seaweed.server, secret_key="not-the-secret")
    store = S3ObjectStore(wrong.client(), seaweed.bucket)
    with pytest.raises(SohoaError) as caught:
        store.put_bytes(b"x")
    assert "access keys" in str(caught.value) or "truy cập" in str(caught.value)
    assert "Contents" not in seaweed.client().list_objects_v2(Bucket=seaweed.bucket)


class _FailsOnItsThread:
    """A server whose first drop fails as botocore's did on the drop thread in CI (``os.environ`` changed by pytest
    under its proxy look-up); later drops are the real server's."""

    def __init__(self, real: S3Server) -> None:
        self.real, self.calls = real, 0

    def drop_bucket(self, name: str) -> None:
        self.calls += 1
        if self.calls == 1:
            raise KeyError("PYTEST_CURRENT_TEST")
        self.real.drop_bucket(name)


def test_a_bucket_drop_that_failed_on_its_thread_is_redone_and_fails_no_later_test(seaweed_server: S3Server) -> None:
    from botocore.exceptions import ClientError

    name = seaweed_server.new_bucket("drop")
    server = _FailsOnItsThread(seaweed_server)
    dropper = _Dropper()
    try:
        dropper.drop(cast(S3Server, server), name)
        dropper.wait()
        dropper.wait()  # nothing left to raise
    finally:
        dropper.close()
    assert server.calls == 2
    with pytest.raises(ClientError):
        seaweed_server.client().head_bucket(Bucket=name)


def test_a_redone_drop_that_fails_again_is_raised(seaweed_server: S3Server) -> None:
    class _Broken:
        def drop_bucket(self, name: str) -> None:
            raise RuntimeError(name)

    dropper = _Dropper()
    try:
        dropper.drop(cast(S3Server, _Broken()), "gone")
        with pytest.raises(RuntimeError, match="gone"):
            dropper.wait()
    finally:
        dropper.close()
