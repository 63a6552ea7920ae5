"""Encryption at rest on the S3 store (moto's server): envelopes sealed in the bucket, transparent reads and ranges,
fixity with and without keys, rotation, restore and adoption of envelopes, and no plaintext left behind."""

from __future__ import annotations

import hashlib
import io
import struct
from pathlib import Path
from typing import Any

import pytest

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import DigestMismatch
from sohoa.storage.envelope import CHUNK_SIZE, MAGIC, EnvelopeCorrupt
from sohoa.storage.keyring import KeyMissing, KeyRing
from sohoa.storage.objects import LocalObjectStore
from sohoa.storage.s3 import S3ObjectStore
from tests._s3 import S3Server

MARKER = b"SECRET-PLAINTEXT-MARKER-0123456789"


def _payload(size: int) -> bytes:
    block, data = hashlib.sha256(b"seed").digest(), bytearray()
    while len(data) < size:
        block = hashlib.sha256(block).digest()
        data += block
    data[1000:1000 + len(MARKER)] = MARKER
    return bytes(data[:size])


@pytest.fixture
def ring(tmp_path: Path) -> KeyRing:
    ring = KeyRing(tmp_path / "keys")
    ring.create()
    return ring


@pytest.fixture
def bucket(s3_server: S3Server) -> str:
    return s3_server.new_bucket("sealed")


@pytest.fixture
def raw(s3_server: S3Server) -> Any:
    return s3_server.client()


@pytest.fixture
def store(s3_server: S3Server, bucket: str, ring: KeyRing, tmp_path: Path) -> S3ObjectStore:
    (tmp_path / "spool").mkdir()
    return S3ObjectStore(s3_server.client(), bucket, "objects", keyring=ring, spool_dir=tmp_path / "spool")


def _stored(raw: Any, store: S3ObjectStore, sha: str) -> bytes:
    data: bytes = raw.get_object(Bucket=store.bucket, Key=store.key(sha))["Body"].read()
    return data


def test_a_sealed_object_hides_its_plaintext_and_reads_back(
        store: S3ObjectStore, raw: Any, tmp_path: Path) -> None:
    data = _payload(2 * CHUNK_SIZE + 12345)
    sha = store.put_bytes(data).sha256
    assert not store.is_encrypted(sha)
    result = store.encrypt_object(sha)
    stored = _stored(raw, store, sha)
    assert MARKER not in stored and stored.startswith(MAGIC)
    assert result.created and result.stored_sha256 == hashlib.sha256(stored).hexdigest()
    assert store.is_encrypted(sha) and store.size(sha) == len(data) and store.read(sha) == data
    with store.open_stored(sha) as handle:
        assert handle.read() == stored
    for start, end in [(0, 10), (CHUNK_SIZE - 5, CHUNK_SIZE + 5), (2 * CHUNK_SIZE - 1, len(data) + 50),
                       (CHUNK_SIZE, CHUNK_SIZE), (len(data) - 1, len(data))]:
        assert store.read_range(sha, start, end) == data[start:end]
    assert store.verify(sha) and list(store.iter_digests()) == [sha]  # the key record is not an object
    assert store.key_record(sha) is not None
    assert not store.encrypt_object(sha).created  # idempotent
    left = [p for p in (tmp_path / "spool").iterdir() if p.name != "sealing.lock"]  # (the sealing lock file)
    assert left == []  # no plaintext (nor envelope) left on local disk
    store.export(sha, tmp_path / "out.bin")
    assert (tmp_path / "out.bin").read_bytes() == data


def test_empty_and_small_objects(store: S3ObjectStore) -> None:
    for data in (b"", b"x", _payload(CHUNK_SIZE)):
        sha = store.put_bytes(data).sha256
        store.encrypt_object(sha)
        assert store.read(sha) == data and store.verify(sha) and store.size(sha) == len(data)


def test_a_flipped_bit_is_found_with_and_without_keys(store: S3ObjectStore, raw: Any, tmp_path: Path) -> None:
    data = _payload(CHUNK_SIZE + 100)
    sha = store.put_bytes(data).sha256
    store.encrypt_object(sha)
    damaged = bytearray(_stored(raw, store, sha))
    damaged[-50] ^= 0x01
    raw.put_object(Bucket=store.bucket, Key=store.key(sha), Body=bytes(damaged))
    assert not store.verify(sha)
    assert store.read_range(sha, 0, 10) == data[:10]  # the first chunk is still intact
    with pytest.raises(EnvelopeCorrupt):
        store.read(sha)
    blind = S3ObjectStore(store.client, store.bucket, "objects", keyring=KeyRing(tmp_path / "nowhere"))
    assert not blind.verify(sha)  # the stored digest in the key record finds it without the key


def test_rotation_rewraps_only_the_key_record(store: S3ObjectStore, ring: KeyRing, raw: Any) -> None:
    data = _payload(5000)
    sha = store.put_bytes(data).sha256
    first = store.encrypt_object(sha)
    envelope = _stored(raw, store, sha)
    new_id = ring.create()
    record = store.rewrap_object(sha)
    assert record.wrap.key_id == new_id and record.stored_sha256 == first.stored_sha256
    assert _stored(raw, store, sha) == envelope  # write-once: the envelope itself is untouched
    ring.remove(first.key_id)
    fresh = S3ObjectStore(store.client, store.bucket, "objects", keyring=KeyRing(ring.directory))
    assert fresh.read(sha) == data and fresh.verify(sha)


def test_missing_keys_is_a_clear_error_and_loses_nothing(store: S3ObjectStore, tmp_path: Path) -> None:
    data = _payload(3000)
    sha = store.put_bytes(data).sha256
    store.encrypt_object(sha)
    blind = S3ObjectStore(store.client, store.bucket, "objects", keyring=KeyRing(tmp_path / "missing-keys"))
    with pytest.raises(KeyMissing):
        blind.read(sha)
    assert blind.verify(sha)  # the stored digest still checks without the key
    with pytest.raises(SohoaError):
        S3ObjectStore(store.client, store.bucket, "objects").open(sha)
    assert store.read(sha) == data


def test_restore_and_adoption_of_envelopes(store: S3ObjectStore, raw: Any, s3_server: S3Server,
                                           tmp_path: Path) -> None:
    data = _payload(CHUNK_SIZE + 7)
    sha = store.put_bytes(data).sha256
    store.encrypt_object(sha)
    good, record = _stored(raw, store, sha), store.key_record(sha)
    assert record is not None
    raw.put_object(Bucket=store.bucket, Key=store.key(sha), Body=good[:-1] + bytes([good[-1] ^ 1]))
    assert not store.verify(sha)
    with pytest.raises(DigestMismatch):
        store.restore_stored(sha, io.BytesIO(good[:-2]))
    store.restore_stored(sha, io.BytesIO(good))
    assert store.verify(sha) and store.read(sha) == data
    with pytest.raises(SohoaError):
        store.restore_stored(sha, io.BytesIO(good))  # intact: never replaced
    # a replica bucket without keys takes the primary's envelope and record in place of its plain copy
    replica = S3ObjectStore(s3_server.client(), s3_server.new_bucket("replica"), "objects")
    replica.put_bytes(data)
    with store.open_stored(sha) as stored:
        assert replica.adopt_envelope(sha, stored, record)
    assert replica.is_encrypted(sha) and replica.verify(sha)  # by stored digest, without a key
    with store.open_stored(sha) as stored:
        assert not replica.adopt_envelope(sha, stored, record)
    # a local store restores from the S3 envelope, and an S3 store from a local one
    local = LocalObjectStore(tmp_path / "local", keyring=store.keyring)
    local.put_key_record(sha, record)
    with store.open_stored(sha) as stored:
        local.restore_stored(sha, stored)
    assert local.read(sha) == data
    raw.delete_object(Bucket=store.bucket, Key=store.key(sha))
    with local.open_stored(sha) as stored:
        store.restore_stored(sha, stored)
    assert store.verify(sha) and store.read(sha) == data
    # an envelope of another object is refused
    other = store.put_bytes(b"other").sha256
    store.encrypt_object(other)
    third = S3ObjectStore(s3_server.client(), s3_server.new_bucket("third"), "", keyring=store.keyring)
    with pytest.raises(SohoaError):
        third.restore_stored(sha, io.BytesIO(_stored(raw, store, other)))
    assert not third.exists(sha)


def test_sealing_in_a_versioned_bucket_leaves_no_plain_version(store: S3ObjectStore, raw: Any) -> None:
    raw.put_bucket_versioning(Bucket=store.bucket, VersioningConfiguration={"Status": "Enabled"})
    data = _payload(4000)
    sha = store.put_bytes(data).sha256
    store.encrypt_object(sha)
    versions = raw.list_object_versions(Bucket=store.bucket, Prefix=store.key(sha))["Versions"]
    kept = [v for v in versions if v["Key"] == store.key(sha)]
    assert len(kept) == 1
    body = raw.get_object(Bucket=store.bucket, Key=store.key(sha), VersionId=kept[0]["VersionId"])["Body"].read()
    assert body.startswith(MAGIC) and MARKER not in body


def test_an_envelope_header_longer_than_the_first_look_is_read_whole(store: S3ObjectStore, raw: Any) -> None:
    data = _payload(3000)
    sha = store.put_bytes(data).sha256
    store.encrypt_object(sha)
    stored = _stored(raw, store, sha)
    (length,) = struct.unpack(">I", stored[len(MAGIC):len(MAGIC) + 4])
    header = stored[len(MAGIC) + 4:len(MAGIC) + 4 + length] + b" " * 6000  # JSON allows trailing blanks
    padded = MAGIC + struct.pack(">I", len(header)) + header + stored[len(MAGIC) + 4 + length:]
    raw.put_object(Bucket=store.bucket, Key=store.key(sha), Body=padded)
    assert store.is_encrypted(sha) and store.size(sha) == len(data) and store.read_range(sha, 5, 50) == data[5:50]
