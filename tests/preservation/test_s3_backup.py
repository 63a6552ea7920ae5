"""Backups of an archive whose objects are in an S3 bucket (moto's server): a full set on local media, then a
restore onto a new machine (an empty data directory and an empty bucket) that puts every object back, checked."""

from __future__ import annotations

from pathlib import Path

from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.objects import store_bytes
from sohoa.services.preservation.backup import make_backup
from sohoa.services.preservation.restore import restore_backup
from sohoa.settings import Settings
from sohoa.storage.s3 import S3ObjectStore
from tests._s3 import S3Server


def _store(ctx: AppContext, data: bytes) -> str:
    with ctx.db.session() as session:
        return store_bytes(session, ctx.store, data, media_type="application/octet-stream", kind="master").sha256


def test_backup_of_a_bucket_restored_into_a_new_bucket(s3_env: S3Server, tmp_path: Path) -> None:
    old_bucket, new_bucket = s3_env.new_bucket("old-site"), s3_env.new_bucket("new-site")
    settings = Settings(data=tmp_path / "old" / "data", workers=1, s3_endpoint=s3_env.endpoint,
                        storage_url=f"s3://{old_bucket}/objects", backup_dir=tmp_path / "backups")
    ctx = open_context(settings)
    try:
        digests = [_store(ctx, f"biên bản {n}".encode()) for n in range(3)]
        report = make_backup(ctx, full=True)
    finally:
        ctx.close()
    assert report.kind == "full" and report.objects_in_set == 3 and not report.problems
    target = Settings(data=tmp_path / "new" / "data", workers=1, s3_endpoint=s3_env.endpoint,
                      storage_url=f"s3://{new_bucket}/objects")
    restored = restore_backup(target, report.path)
    assert restored.objects_restored == 3 and not restored.objects_bad and restored.audit_ok
    store = S3ObjectStore(s3_env.client(), new_bucket, "objects")
    assert sorted(store.iter_digests()) == sorted(digests)
    assert all(store.verify(sha) for sha in digests)
