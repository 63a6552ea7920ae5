"""The OCFL storage root in an S3 bucket (moto's server): written through S3BlobRoot from an S3 object store, checked
by our own checks in the bucket, then mirrored to a folder key for key and validated by ocfl-py (independent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sohoa.storage.ocfl import OcflStorageRoot, OcflUser, from_bytes, from_store, object_path
from sohoa.storage.ocfl_check import check_root
from sohoa.storage.s3 import S3BlobRoot, S3ObjectStore
from tests._s3 import S3Server
from tests.preservation._ocfl_helpers import ocfl_validate

USER = OcflUser("Sohoa test", "urn:sohoa:test")
WHEN = "2026-12-06T06:00:00+07:00"
OID = "urn:sohoa:hoso:H-01/2024 (Hà Nội)"


def _mirror(client: Any, bucket: str, prefix: str, folder: Path) -> Path:
    """Copy every key under ``prefix`` to ``folder`` (what `aws s3 sync` would do), nothing of Sohoa's code."""
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", ()):
            target = folder / item["Key"][len(prefix):]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read())
    return folder


def test_an_ocfl_root_on_s3_validates_with_ocfl_py(s3_server: S3Server, tmp_path: Path) -> None:
    bucket = s3_server.new_bucket("ocfl")
    client = s3_server.client()
    store = S3ObjectStore(client, bucket, "objects")
    root = OcflStorageRoot(S3BlobRoot(client, bucket, "ocfl"))
    master = store.put_bytes(b"master scan " * 1000).sha256
    v1 = [from_store("masters/scan.tif", store, master), from_bytes("metadata/sohoa.json", '{"t": "Hồ sơ"}'.encode())]
    assert root.write_version(OID, v1, message="first ingest", user=USER, created=WHEN) == "v1"
    assert root.write_version(OID, v1, message="again", user=USER, created=WHEN) is None
    v2 = [*v1[:1], from_bytes("metadata/sohoa.json", '{"t": "Hồ sơ 2"}'.encode())]
    assert root.write_version(OID, v2, message="metadata changed", user=USER, created=WHEN) == "v2"

    def crash() -> None:
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):  # a version half-written to the bucket, cleaned by the next write
        root.write_version(OID, [*v2, from_bytes("extra.txt", b"x")], message="v3", user=USER, created=WHEN,
                           after_content=crash)
    assert root.blobs.exists(f"{object_path(OID)}/v3/content/extra.txt")
    assert root.write_version(OID, [*v2, from_bytes("extra.txt", b"y")], message="v3", user=USER,
                              created=WHEN) == "v3"

    assert list(root.object_ids()) == [OID] and list(check_root(root.blobs)) == []
    with root.open_file(OID, "masters/scan.tif", "v1") as handle:
        assert handle.read() == b"master scan " * 1000
    keys = [k for k in root.blobs.list(object_path(OID)) if "/content/" in k]
    assert sorted(k[len(object_path(OID)) + 1:] for k in keys) == [
        "v1/content/masters/scan.tif", "v1/content/metadata/sohoa.json", "v2/content/metadata/sohoa.json",
        "v3/content/extra.txt"]

    mirror = _mirror(client, bucket, "ocfl/", tmp_path / "mirror")
    valid, output = ocfl_validate(mirror)
    assert valid, output

    # Damage in the bucket is found by both: ours reading the bucket, ocfl-py reading a fresh mirror.
    client.put_object(Bucket=bucket, Key=f"ocfl/{object_path(OID)}/v1/content/masters/scan.tif", Body=b"tampered")
    assert any("v1/content/masters/scan.tif" in str(problem) for problem in check_root(root.blobs))
    valid, output = ocfl_validate(_mirror(client, bucket, "ocfl/", tmp_path / "mirror-2"))
    assert not valid
