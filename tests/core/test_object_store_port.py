"""The ObjectStore port: the local store and a second (in-memory) implementation keep the same contract."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import DigestMismatch, ObjectMissing, ObjectStore
from sohoa.http.objects import parse_range
from sohoa.storage.objects import LocalObjectStore

from ._memory_store import MemoryObjectStore, as_port

DATA = bytes(range(256)) * 40  # 10 240 bytes, every byte value at a known place
ABSENT = "0" * 64


@pytest.fixture(params=["local", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    makers: dict[str, Callable[[], ObjectStore]] = {
        "local": lambda: LocalObjectStore(tmp_path / "objects"),
        "memory": lambda: as_port(MemoryObjectStore()),
    }
    return makers[request.param]()


def test_put_read_stream_and_size(store: ObjectStore, tmp_path: Path) -> None:
    first = store.put_bytes(DATA)
    assert first.created and first.size == len(DATA)
    assert not store.put_stream(io.BytesIO(DATA)).created  # same bytes, same object
    (tmp_path / "in.bin").write_bytes(DATA[:100])
    assert store.put_file(tmp_path / "in.bin").size == 100
    assert store.exists(first.sha256) and store.size(first.sha256) == len(DATA)
    assert store.read(first.sha256) == DATA
    with store.open(first.sha256) as handle:
        assert handle.read() == DATA
    assert store.verify(first.sha256)
    assert sorted(store.iter_digests()) == sorted({first.sha256, store.put_bytes(DATA[:100]).sha256})


def test_byte_ranges_are_end_exclusive_and_clipped(store: ObjectStore) -> None:
    sha = store.put_bytes(DATA).sha256
    assert store.read_range(sha, 0, 10) == DATA[:10]
    assert store.read_range(sha, 1000, 1256) == DATA[1000:1256]
    assert store.read_range(sha, len(DATA) - 5, len(DATA) + 100) == DATA[-5:]
    assert store.read_range(sha, 7, 7) == b""


def test_a_wrong_expected_digest_stores_nothing(store: ObjectStore) -> None:
    wrong = "f" * 64
    with pytest.raises(DigestMismatch):
        store.put_bytes(DATA, expected_sha256=wrong)
    with pytest.raises(DigestMismatch):
        store.put_stream(io.BytesIO(DATA), expected_sha256=wrong)
    assert list(store.iter_digests()) == []
    assert store.put_stream(io.BytesIO(DATA), expected_sha256=store.put_bytes(DATA).sha256).size == len(DATA)


def test_an_absent_object_is_not_found(store: ObjectStore) -> None:
    assert not store.exists(ABSENT) and not store.verify(ABSENT)
    for read in (store.read, store.size, store.open):
        with pytest.raises(ObjectMissing):
            read(ABSENT)
    with pytest.raises(ObjectMissing):
        store.read_range(ABSENT, 0, 1)


def test_the_local_store_keeps_its_layout_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    sha = store.put_stream(io.BytesIO(DATA)).sha256
    path = tmp_path / "objects" / "sha256" / sha[:2] / sha[2:4] / sha
    assert path.read_bytes() == DATA and os.stat(path).st_mode & 0o777 == 0o400
    with pytest.raises(DigestMismatch):
        store.put_stream(io.BytesIO(b"other"), expected_sha256=sha)
    assert list((tmp_path / "objects" / "tmp").iterdir()) == []


def test_restore_stored_refuses_an_intact_object_and_foreign_bytes(store: ObjectStore) -> None:
    sha = store.put_bytes(DATA).sha256
    assert not store.is_encrypted(sha)
    with store.open_stored(sha) as handle:
        assert handle.read() == DATA
    with pytest.raises(SohoaError):
        store.restore_stored(sha, io.BytesIO(DATA))  # intact: never replaced
    with pytest.raises(DigestMismatch):
        store.restore_stored(ABSENT, io.BytesIO(DATA))  # these bytes are not that object
    assert not store.exists(ABSENT)


def test_the_local_store_restores_a_damaged_or_deleted_object(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    sha = store.put_bytes(DATA).sha256
    path = store.path(sha)
    os.chmod(path, 0o600)
    path.write_bytes(b"\x01" + DATA[1:])  # a flipped byte
    assert not store.verify(sha)
    with pytest.raises(DigestMismatch):
        store.restore_stored(sha, io.BytesIO(DATA[:-1]))
    assert path.read_bytes()[:1] == b"\x01"  # a bad copy leaves the file as it was
    assert store.restore_stored(sha, io.BytesIO(DATA)).size == len(DATA)
    assert store.verify(sha) and os.stat(path).st_mode & 0o777 == 0o400
    path.unlink()
    store.restore_stored(sha, io.BytesIO(DATA))
    assert store.read(sha) == DATA
    assert list((tmp_path / "objects" / "tmp").iterdir()) == []


@pytest.mark.parametrize(("header", "expected"), [
    ("bytes=0-99", (0, 100)),
    ("bytes=100-", (100, 1000)),
    ("bytes=-10", (990, 1000)),
    ("bytes=900-5000", (900, 1000)),
    ("bytes=0-1,5-9", None),   # several ranges: the whole object
    ("items=0-1", None),
    ("bytes=9-3", None),       # an invalid range is ignored
])
def test_range_headers(header: str, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0"])
def test_unsatisfiable_ranges(header: str) -> None:
    with pytest.raises(ValueError):
        parse_range(header, 1000)
