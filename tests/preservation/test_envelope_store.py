"""Envelope encryption in the local object store: sealing, transparent reads, ranges, fixity, rotation, restore."""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap

from sohoa.domain.errors import SohoaError
from sohoa.storage import sealed
from sohoa.storage.envelope import CHUNK_SIZE, EnvelopeCorrupt
from sohoa.storage.keyring import KeyMissing, KeyRing, check_keys_dir
from sohoa.storage.objects import LocalObjectStore

MARKER = b"SECRET-PLAINTEXT-MARKER-0123456789"


def _payload(size: int) -> bytes:
    block = hashlib.sha256(b"seed").digest()
    data = bytearray()
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
def store(tmp_path: Path, ring: KeyRing) -> LocalObjectStore:
    return LocalObjectStore(tmp_path / "objects", keyring=ring)


def test_sealed_object_hides_plaintext_and_reads_back(store: LocalObjectStore) -> None:
    data = _payload(2 * CHUNK_SIZE + 12345)
    sha = store.put_bytes(data).sha256
    result = store.encrypt_object(sha)
    raw = store.path(sha).read_bytes()
    assert MARKER not in raw and raw.startswith(b"SOHOA-ENVELOPE/1\n")
    assert result.created and result.stored_sha256 == hashlib.sha256(raw).hexdigest()
    assert store.is_encrypted(sha) and store.size(sha) == len(data)
    assert store.read(sha) == data
    with store.open_stored(sha) as stored:
        assert stored.read() == raw
    for start, end in [(0, 10), (CHUNK_SIZE - 5, CHUNK_SIZE + 5), (2 * CHUNK_SIZE - 1, len(data) + 50),
                       (CHUNK_SIZE, CHUNK_SIZE), (len(data) - 1, len(data))]:
        assert store.read_range(sha, start, end) == data[start:end]
    assert store.verify(sha)
    assert list(store.iter_digests()) == [sha]  # the key record is not an object
    assert not store.encrypt_object(sha).created  # idempotent
    assert oct(store.path(sha).stat().st_mode & 0o777) == "0o400"


def test_empty_and_small_objects(store: LocalObjectStore) -> None:
    for data in (b"", b"x", _payload(CHUNK_SIZE)):
        sha = store.put_bytes(data).sha256
        store.encrypt_object(sha)
        assert store.read(sha) == data and store.verify(sha)


def test_flipped_bit_fails_verify_and_reads(store: LocalObjectStore, tmp_path: Path) -> None:
    data = _payload(CHUNK_SIZE + 100)
    sha = store.put_bytes(data).sha256
    store.encrypt_object(sha)
    path = store.path(sha)
    os.chmod(path, 0o600)
    raw = bytearray(path.read_bytes())
    raw[-50] ^= 0x01
    path.write_bytes(bytes(raw))
    assert not store.verify(sha)
    assert store.read_range(sha, 0, 10) == data[:10]  # the first chunk is still intact
    with pytest.raises(EnvelopeCorrupt):
        store.read(sha)
    # without keys the stored digest in the key record still finds it
    assert not LocalObjectStore(store.root).verify(sha)
    assert not LocalObjectStore(store.root, KeyRing(tmp_path / "nowhere")).verify(sha)


def test_truncated_envelope_fails(store: LocalObjectStore) -> None:
    sha = store.put_bytes(_payload(CHUNK_SIZE + 100)).sha256
    store.encrypt_object(sha)
    path = store.path(sha)
    os.chmod(path, 0o600)
    path.write_bytes(path.read_bytes()[:-200])
    assert not store.verify(sha)


def test_rotation_rewraps_only_the_key_record(store: LocalObjectStore, ring: KeyRing) -> None:
    data = _payload(5000)
    sha = store.put_bytes(data).sha256
    first = store.encrypt_object(sha)
    envelope = store.path(sha).read_bytes()
    new_id = ring.create()
    record = store.rewrap_object(sha)
    assert record.wrap.key_id == new_id and record.stored_sha256 == first.stored_sha256
    assert store.path(sha).read_bytes() == envelope  # write-once: the envelope itself is untouched
    ring.remove(first.key_id)
    assert first.key_id not in ring.ids() and not (ring.directory / f"{first.key_id}.kek").exists()
    fresh = LocalObjectStore(store.root, KeyRing(ring.directory))
    assert fresh.read(sha) == data and fresh.verify(sha)
    with pytest.raises(SohoaError):
        ring.remove(new_id)  # the current KEK is never retired


def test_missing_keys_is_a_clear_error_and_loses_nothing(store: LocalObjectStore, tmp_path: Path) -> None:
    data = _payload(3000)
    sha = store.put_bytes(data).sha256
    store.encrypt_object(sha)
    envelope = store.path(sha).read_bytes()
    blind = LocalObjectStore(store.root, KeyRing(tmp_path / "missing-keys"))
    with pytest.raises(KeyMissing):
        blind.read(sha)
    assert blind.verify(sha)  # stored digest still checks without the key
    with pytest.raises(SohoaError):
        LocalObjectStore(store.root).open(sha)
    assert store.path(sha).read_bytes() == envelope and store.read(sha) == data


def test_keys_dir_inside_data_dir_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SohoaError):
        check_keys_dir(tmp_path / "data" / "keys", tmp_path / "data")
    assert check_keys_dir(tmp_path / "data-keys", tmp_path / "data") == tmp_path / "data-keys"


def test_restore_stored_takes_back_an_envelope(store: LocalObjectStore, tmp_path: Path) -> None:
    data = _payload(CHUNK_SIZE + 7)
    sha = store.put_bytes(data).sha256
    store.encrypt_object(sha)
    good = store.path(sha).read_bytes()
    record = store.key_record(sha)
    assert record is not None
    os.chmod(store.path(sha), 0o600)
    store.path(sha).write_bytes(good[:-1] + bytes([good[-1] ^ 1]))
    assert not store.verify(sha)
    store.restore_stored(sha, io.BytesIO(good))
    assert store.verify(sha) and store.read(sha) == data
    with pytest.raises(SohoaError):
        store.restore_stored(sha, io.BytesIO(good))  # intact: never replaced
    # a second store (replica) takes the envelope and its key record, and reads it
    other = LocalObjectStore(tmp_path / "replica", keyring=store.keyring)
    other.put_key_record(sha, record)
    other.restore_stored(sha, io.BytesIO(good))
    assert other.is_encrypted(sha) and other.read(sha) == data
    # an envelope of another object is refused
    sha2 = store.put_bytes(b"other").sha256
    store.encrypt_object(sha2)
    third = LocalObjectStore(tmp_path / "third", keyring=store.keyring)
    with pytest.raises(SohoaError):
        third.restore_stored(sha, io.BytesIO(store.path(sha2).read_bytes()))
    assert not third.exists(sha)


def test_export_decrypts(store: LocalObjectStore, tmp_path: Path) -> None:
    data = _payload(4000)
    sha = store.put_bytes(data).sha256
    store.encrypt_object(sha)
    store.export(sha, tmp_path / "out.bin")
    assert (tmp_path / "out.bin").read_bytes() == data
    assert sealed.file_is_envelope(store.path(sha))


def test_replica_adopts_the_primary_envelope(store: LocalObjectStore, tmp_path: Path) -> None:
    data = _payload(2500)
    replica = LocalObjectStore(tmp_path / "replica")  # no keys at all on the replica
    sha = store.put_bytes(data).sha256
    replica.put_bytes(data)
    store.encrypt_object(sha)
    record = store.key_record(sha)
    assert record is not None
    with store.open_stored(sha) as stored:
        assert replica.adopt_envelope(sha, stored, record)
    assert replica.path(sha).read_bytes() == store.path(sha).read_bytes()
    assert replica.verify(sha) and replica.is_encrypted(sha)  # checked by stored digest, without a key
    with store.open_stored(sha) as stored:
        assert not replica.adopt_envelope(sha, stored, record)
    third = LocalObjectStore(tmp_path / "third")
    third.put_bytes(data)
    with pytest.raises(SohoaError):
        third.adopt_envelope(sha, io.BytesIO(b"SOHOA-ENVELOPE/1\nforged"), record)
    assert third.verify(sha) and third.read(sha) == data  # the plain copy is kept


def test_restore_after_rotation_uses_the_keys_folder_copy(store: LocalObjectStore, ring: KeyRing,
                                                         tmp_path: Path) -> None:
    data = _payload(CHUNK_SIZE + 3)
    sha = store.put_bytes(data).sha256
    first = store.encrypt_object(sha).key_id
    ring.create()
    store.rewrap_object(sha)
    ring.remove(first)  # the envelope's header now names a key that is gone
    assert ring.stored_record(sha) == store.key_record(sha)
    envelope = store.path(sha).read_bytes()
    fresh = LocalObjectStore(tmp_path / "restored", keyring=KeyRing(ring.directory))  # data dir lost, keys kept
    fresh.restore_stored(sha, io.BytesIO(envelope))
    assert fresh.read(sha) == data and fresh.verify(sha)
    assert fresh.key_record(sha) == store.key_record(sha)
    assert LocalObjectStore(tmp_path / "restored").verify(sha)  # and without keys, by the stored digest


def test_a_plain_hard_link_elsewhere_is_reported(store: LocalObjectStore, tmp_path: Path) -> None:
    sha = store.put_bytes(b"linked plain bytes").sha256
    os.link(store.path(sha), tmp_path / "ocfl-copy")
    result = store.encrypt_object(sha)
    assert result.plain_links == 1 and store.is_encrypted(sha)
    assert (tmp_path / "ocfl-copy").read_bytes() == b"linked plain bytes"  # the link is not the store's to touch


def test_the_documented_format_decrypts_without_sohoa(store: LocalObjectStore, ring: KeyRing) -> None:
    """An independent reader written from docs/preservation.md alone (cryptography primitives, no Sohoa code)."""
    data = _payload(2 * CHUNK_SIZE + 5)
    sha = store.put_bytes(data).sha256
    store.encrypt_object(sha)
    raw = store.path(sha).read_bytes()
    kek_line = (ring.directory / f"{ring.current_id()}.kek").read_text().split()
    assert raw[:17] == b"SOHOA-ENVELOPE/1\n" and kek_line[0] == "sohoa-kek/1"
    (length,) = struct.unpack(">I", raw[17:21])
    header = json.loads(raw[21:21 + length])
    data_key = aes_key_unwrap(bytes.fromhex(kek_line[1]), bytes.fromhex(header["wrapped_key"]))
    chunk, tag, size = header["chunk_size"], header["tag_size"], header["plaintext_size"]
    count = max(1, -(-size // chunk))
    offset, out = 21 + length, b""
    for i in range(count):
        take = min(chunk, size - i * chunk) + tag
        nonce = bytes.fromhex(header["nonce_prefix"]) + struct.pack(">I", i)
        aad = b"sohoa-envelope/1" + bytes.fromhex(header["plaintext_sha256"]) + struct.pack(">IB", i, i == count - 1)
        out += AESGCM(data_key).decrypt(nonce, raw[offset:offset + take], aad)
        offset += take
    assert offset == len(raw) and out == data and hashlib.sha256(out).hexdigest() == sha
