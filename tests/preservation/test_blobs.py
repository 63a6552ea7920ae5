"""The local blob root: safe paths, atomic writes, listing, hard links from the object store."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from pathlib import Path

import pytest

from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import DigestMismatch
from sohoa.storage.blobs import BlobMissing, BlobRoot, LocalBlobRoot
from sohoa.storage.objects import LocalObjectStore
from sohoa.storage.replicated import ReplicatedObjectStore


def test_write_read_list_delete(tmp_path: Path) -> None:
    root: BlobRoot = LocalBlobRoot(tmp_path / "root")
    root.write_bytes("a/b/c.txt", b"hello")
    assert root.write_stream("a/d.bin", io.BytesIO(b"xyz")) == (hashlib.sha256(b"xyz").hexdigest(), 3)
    root.write_bytes("top.txt", b"1")
    root.write_bytes("top.txt", b"22")  # replaced atomically
    assert root.read_bytes("top.txt") == b"22" and root.size("a/b/c.txt") == 5
    assert list(root.list()) == ["a/b/c.txt", "a/d.bin", "top.txt"]
    assert list(root.list("a/b")) == ["a/b/c.txt"] and list(root.list("nothing")) == []
    assert root.exists("a/b/c.txt") and not root.exists("a/b")
    with root.open("a/d.bin") as handle:
        assert handle.read() == b"xyz"
    mode = stat.S_IMODE((tmp_path / "root/a/b/c.txt").stat().st_mode)
    assert mode == 0o400 and stat.S_IMODE((tmp_path / "root/a/b").stat().st_mode) == 0o700
    root.delete("a/b/c.txt")
    assert not (tmp_path / "root/a/b").exists() and (tmp_path / "root/a").is_dir()
    with pytest.raises(BlobMissing):
        root.read_bytes("a/b/c.txt")


@pytest.mark.parametrize("bad", ["", "/etc/passwd", "../x", "a/../../x", "a//b", "a\\b", "./a"])
def test_paths_that_escape_are_refused(tmp_path: Path, bad: str) -> None:
    root = LocalBlobRoot(tmp_path / "root")
    with pytest.raises(SohoaError):
        root.write_bytes(bad, b"x")


def test_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    root = LocalBlobRoot(tmp_path / "root")
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", tmp_path / "root" / "link")
    with pytest.raises(SohoaError):
        root.write_bytes("link/x", b"x")
    assert not (tmp_path / "outside" / "x").exists()


def test_link_or_copy_from_the_object_store(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    put = store.put_bytes(b"master bytes")
    root = LocalBlobRoot(tmp_path / "root")
    assert root.link_or_copy_from(store, put.sha256, "o/v1/content/m.tif") == (put.sha256, 12)
    assert (tmp_path / "root/o/v1/content/m.tif").stat().st_ino == store.path(put.sha256).stat().st_ino


def test_a_damaged_object_is_not_copied(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    put = store.put_bytes(b"master bytes")

    class Copying:  # a store the root cannot hard-link from: the bytes are streamed and checked
        def open_stored(self, sha256: str) -> io.BytesIO:
            return io.BytesIO(b"master bytez")

        def is_encrypted(self, sha256: str) -> bool:
            return False

    root = LocalBlobRoot(tmp_path / "root")
    with pytest.raises(DigestMismatch):
        root.link_or_copy_from(Copying(), put.sha256, "x/m.tif")  # type: ignore[arg-type]
    assert not root.exists("x/m.tif")


def test_hard_link_through_a_replicated_store(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    replicated = ReplicatedObjectStore(store, LocalObjectStore(tmp_path / "replica"))
    put = replicated.put_bytes(b"master bytes")
    root = LocalBlobRoot(tmp_path / "root")
    root.link_or_copy_from(replicated, put.sha256, "m.tif")
    assert (tmp_path / "root/m.tif").stat().st_ino == store.path(put.sha256).stat().st_ino
