"""The OCFL 1.1 writer/reader over a blob root, checked by our own checks and by ocfl-py (independent)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from sohoa.storage.blobs import LocalBlobRoot
from sohoa.storage.objects import LocalObjectStore
from sohoa.storage.ocfl import OcflStorageRoot, OcflUser, from_bytes, from_store, object_path
from sohoa.storage.ocfl_check import check_root
from tests.preservation._ocfl_helpers import ocfl_validate
from tests.preservation._validators import require

USER = OcflUser("Sohoa test", "urn:sohoa:test")
WHEN = "2026-12-06T06:00:00+07:00"
OID = "urn:sohoa:hoso:H-01/2024 (Hà Nội)"


def _root(tmp_path: Path) -> OcflStorageRoot:
    return OcflStorageRoot(LocalBlobRoot(tmp_path / "ocfl"))


def test_versions_dedup_and_reading(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    master = store.put_bytes(b"master scan").sha256
    root = _root(tmp_path)
    v1 = [from_store("masters/scan.tif", store, master), from_bytes("metadata/sohoa.json", '{"t": "Hồ sơ"}'.encode())]
    assert root.write_version(OID, v1, message="first ingest", user=USER, created=WHEN) == "v1"
    assert root.write_version(OID, v1, message="again", user=USER, created=WHEN) is None  # same state: nothing
    v2 = [from_store("masters/scan.tif", store, master), from_bytes("metadata/sohoa.json", '{"t": "Hồ sơ 2"}'.encode()),
          from_store("documents/copy-of-scan.tif", store, master)]
    v1_file = tmp_path / "ocfl" / object_path(OID) / "v1/content/masters/scan.tif"
    before = v1_file.stat()
    assert root.write_version(OID, v2, message="metadata changed", user=USER, created=WHEN) == "v2"
    after = v1_file.stat()
    assert (before.st_mtime_ns, before.st_size) == (after.st_mtime_ns, after.st_size)
    content = sorted(p.relative_to(tmp_path / "ocfl" / object_path(OID)).as_posix()
                     for p in (tmp_path / "ocfl" / object_path(OID)).rglob("*") if "/content/" in p.as_posix()
                     and p.is_file())
    assert content == ["v1/content/masters/scan.tif", "v1/content/metadata/sohoa.json",
                       "v2/content/metadata/sohoa.json"]  # the master is kept once, whatever its paths
    with root.open_file(OID, "metadata/sohoa.json", "v1") as handle:
        assert handle.read() == '{"t": "Hồ sơ"}'.encode()
    with root.open_file(OID, "documents/copy-of-scan.tif") as handle:
        assert handle.read() == b"master scan"
    assert list(root.object_ids()) == [OID]
    assert list(check_root(root.blobs)) == []
    valid, output = ocfl_validate(tmp_path / "ocfl")
    assert valid, output


def test_layout_is_the_one_ocfl_py_computes() -> None:
    python = require("python")
    code = ("import sys; from ocfl.layout_0003_hash_and_id_n_tuple import _id_to_path; "
            "print(_id_to_path(sys.argv[1], 'sha256', 3, 3))")
    for oid in (OID, "urn:sohoa:hoso:" + "x" * 120):
        done = subprocess.run([str(python), "-c", code, oid], capture_output=True, text=True, check=True)
        assert done.stdout.strip() == object_path(oid)


def test_a_crash_mid_version_is_cleaned_on_the_next_write(tmp_path: Path) -> None:
    root = _root(tmp_path)
    root.write_version(OID, [from_bytes("a.txt", b"a")], message="v1", user=USER, created=WHEN)

    def crash() -> None:
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        root.write_version(OID, [from_bytes("a.txt", b"b")], message="v2", user=USER, created=WHEN,
                           after_content=crash)
    assert (tmp_path / "ocfl" / object_path(OID) / "v2/content/a.txt").exists()  # the half-written version
    assert root.head_state(OID) == {"a.txt": root.head_state(OID)["a.txt"]}
    with pytest.raises(RuntimeError):  # and a first version that crashed
        root.write_version("urn:sohoa:hoso:B", [from_bytes("b.txt", b"b")], message="v1", user=USER,
                           created=WHEN, after_content=crash)
    obj = tmp_path / "ocfl" / object_path(OID)
    (obj / ".sohoa-tmp-0123456789abcdef").write_bytes(b"half an inventory")  # a write killed before its rename
    (obj / "v2" / "content" / ".sohoa-tmp-fedcba9876543210").write_bytes(b"half a file")
    valid, _ = ocfl_validate(tmp_path / "ocfl")
    assert not valid  # ocfl-py sees the debris
    assert root.write_version(OID, [from_bytes("a.txt", b"b")], message="v2", user=USER, created=WHEN) == "v2"
    assert root.write_version("urn:sohoa:hoso:B", [from_bytes("b.txt", b"b")], message="v1", user=USER,
                              created=WHEN) == "v1"
    assert list(check_root(root.blobs)) == []
    assert not [p for p in (tmp_path / "ocfl").rglob(".sohoa-tmp-*")]
    valid, output = ocfl_validate(tmp_path / "ocfl")
    assert valid, output


def test_tampered_content_is_reported_by_both_validators(tmp_path: Path) -> None:
    root = _root(tmp_path)
    root.write_version(OID, [from_bytes("a.txt", b"original")], message="v1", user=USER, created=WHEN)
    target = tmp_path / "ocfl" / object_path(OID) / "v1/content/a.txt"
    os.chmod(target, 0o600)
    target.write_bytes(b"originaL")
    problems = [str(p) for p in check_root(root.blobs)]
    assert len(problems) == 1 and "v1/content/a.txt" in problems[0]
    valid, output = ocfl_validate(tmp_path / "ocfl")
    assert not valid and "E092" in output
    target.unlink()
    assert any("missing" in str(p) for p in check_root(root.blobs))
    assert not ocfl_validate(tmp_path / "ocfl")[0]
