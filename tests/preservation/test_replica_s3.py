"""The replica in an S3 bucket, and a backup of an archive whose objects live in S3 restored into an empty bucket
(a real S3 API: the moto server of tests/_s3.py; ``s3_env`` comes from tests/preservation/conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

from sohoa.services.platform.context import open_context
from sohoa.services.platform.objects import store_bytes
from sohoa.services.platform.replica_store import primary_store
from sohoa.services.preservation.backup import make_backup
from sohoa.services.preservation.replica import repair_from_replica, sync_replica
from sohoa.services.preservation.restore import restore_backup
from sohoa.settings import Settings
from sohoa.storage.objects import LocalObjectStore
from sohoa.storage.replicated import ReplicatedObjectStore
from tests._s3 import S3Server


def _key(prefix: str, sha256: str) -> str:
    return f"{prefix}/sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def test_a_replica_bucket_is_kept_in_step_and_repairs_the_primary(s3_env: S3Server, tmp_path: Path) -> None:
    bucket = s3_env.new_bucket("replica")
    settings = Settings(data=tmp_path / "data", workers=1, replica_url=f"s3://{bucket}/copy")
    ctx = open_context(settings)
    try:
        assert isinstance(ctx.store, ReplicatedObjectStore)
        with ctx.db.session() as session:
            sha = store_bytes(session, ctx.store, b"ho so luu tru 1975", media_type="text/plain", kind="master").sha256
        raw = s3_env.client()
        assert raw.get_object(Bucket=bucket, Key=_key("copy", sha))["Body"].read() == b"ho so luu tru 1975"
        assert sync_replica(ctx).present == 1
        primary = primary_store(ctx.store)
        assert isinstance(primary, LocalObjectStore)
        primary.path(sha).unlink()  # lost on the primary disk
        with ctx.db.session() as session:
            assert repair_from_replica(ctx, session, sha)
        assert ctx.store.read(sha) == b"ho so luu tru 1975"
        raw.delete_object(Bucket=bucket, Key=_key("copy", sha))  # lost in the bucket
        report = sync_replica(ctx, verify=True)
        assert (report.verified, report.copied, report.pending) == (0, 1, 0)
        assert raw.get_object(Bucket=bucket, Key=_key("copy", sha))["Body"].read() == b"ho so luu tru 1975"
    finally:
        ctx.close()


def test_objects_in_s3_are_backed_up_and_restored_into_an_empty_bucket(s3_env: S3Server, tmp_path: Path) -> None:
    first, second = s3_env.new_bucket("primary"), s3_env.new_bucket("rebuilt")
    settings = Settings(data=tmp_path / "data", workers=1, storage_url=f"s3://{first}/objects",
                        backup_dir=tmp_path / "backups")
    ctx = open_context(settings)
    try:
        with ctx.db.session() as session:
            digests = [store_bytes(session, ctx.store, f"van ban {n}".encode(), media_type="text/plain",
                                   kind="master").sha256 for n in range(3)]
        report = make_backup(ctx)
    finally:
        ctx.close()
    assert report.objects_in_set == 3 and not report.problems
    shutil.rmtree(settings.data)
    moved = Settings(data=tmp_path / "data", workers=1, storage_url=f"s3://{second}/objects",
                     backup_dir=tmp_path / "backups")
    restored = restore_backup(moved, report.path)
    assert restored.ok and restored.objects_restored == 3
    raw = s3_env.client()
    for n, sha in enumerate(digests):
        assert raw.get_object(Bucket=second, Key=_key("objects", sha))["Body"].read() == f"van ban {n}".encode()
