"""Replicas in S3 buckets (moto's server): a second bucket kept in step with an S3 primary, or with the local disk,
and a damaged or lost primary object repaired from it; restricted material sealed in both buckets; a fixity pass
over a bucket."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from sohoa.db.models import Page, StoredObject
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.objects import store_bytes
from sohoa.services.preservation.encryption import encrypt_due, init_keys
from sohoa.services.preservation.fixity import run_fixity
from sohoa.services.preservation.replica import repair_from_replica, replica_status, sync_replica
from sohoa.settings import Settings
from sohoa.storage.envelope import MAGIC
from sohoa.storage.objects import LocalObjectStore
from sohoa.storage.replicated import ReplicatedObjectStore
from sohoa.storage.s3 import S3ObjectStore
from tests._s3 import S3Server

from ..web import _helpers as web_helpers


def _store(ctx: AppContext, data: bytes) -> str:
    with ctx.db.session() as session:
        return store_bytes(session, ctx.store, data, media_type="application/octet-stream", kind="master").sha256


def test_an_s3_primary_with_a_replica_in_a_second_bucket(s3_env: S3Server, tmp_path: Path) -> None:
    primary_bucket, replica_bucket = s3_env.new_bucket("primary"), s3_env.new_bucket("replica")
    settings = Settings(data=tmp_path / "data", workers=1, s3_endpoint=s3_env.endpoint,
                        storage_url=f"s3://{primary_bucket}/objects", replica_url=f"s3://{replica_bucket}/copy")
    ctx = open_context(settings)
    try:
        assert isinstance(ctx.store, ReplicatedObjectStore)
        primary, replica = ctx.store.primary, ctx.store.replica
        assert isinstance(primary, S3ObjectStore) and isinstance(replica, S3ObjectStore)
        shas = [_store(ctx, f"biên bản họp {n}".encode()) for n in range(3)]
        report = sync_replica(ctx, verify=True)
        assert not report.failed, report
        assert all(replica.verify(sha) for sha in shas)
        status = replica_status(ctx)
        assert status is not None and status.pending == 0
        raw = s3_env.client()
        raw.put_object(Bucket=primary_bucket, Key=primary.key(shas[0]), Body=b"bit rot")
        raw.delete_object(Bucket=primary_bucket, Key=primary.key(shas[1]))
        with ctx.db.session() as session:
            assert repair_from_replica(ctx, session, shas[0]) and repair_from_replica(ctx, session, shas[1])
        assert primary.verify(shas[0]) and primary.read(shas[1]) == "biên bản họp 1".encode()
        assert ctx.store.read(shas[2]) == "biên bản họp 2".encode()
    finally:
        ctx.close()


def test_a_local_primary_with_a_replica_bucket(s3_env: S3Server, tmp_path: Path) -> None:
    bucket = s3_env.new_bucket("offsite")
    settings = Settings(data=tmp_path / "data", workers=1, s3_endpoint=s3_env.endpoint,
                        replica_url=f"s3://{bucket}")
    ctx = open_context(settings)
    try:
        assert isinstance(ctx.store, ReplicatedObjectStore)
        primary, replica = ctx.store.primary, ctx.store.replica
        assert isinstance(primary, LocalObjectStore) and isinstance(replica, S3ObjectStore)
        sha = _store(ctx, b"quyet dinh 2025")
        assert not sync_replica(ctx, verify=True).failed
        assert s3_env.client().get_object(Bucket=bucket, Key=replica.key(sha))["Body"].read() == b"quyet dinh 2025"
        primary.path(sha).unlink()
        with ctx.db.session() as session:
            assert repair_from_replica(ctx, session, sha)
            assert session.query(StoredObject).filter_by(sha256=sha).count() == 1
        assert primary.verify(sha)
    finally:
        ctx.close()


def test_a_fixity_pass_over_a_bucket_names_the_flipped_and_the_lost(s3_env: S3Server, tmp_path: Path) -> None:
    bucket = s3_env.new_bucket("fixity")
    ctx = open_context(Settings(data=tmp_path / "data", workers=1, s3_endpoint=s3_env.endpoint,
                                storage_url=f"s3://{bucket}/objects"))
    try:
        store = ctx.store
        assert isinstance(store, S3ObjectStore)
        shas = [_store(ctx, f"hồ sơ {n}".encode()) for n in range(4)]
        raw = s3_env.client()
        raw.put_object(Bucket=bucket, Key=store.key(shas[0]), Body="hồ sơ 9".encode())  # a flipped byte
        raw.delete_object(Bucket=bucket, Key=store.key(shas[1]))
        result = run_fixity(ctx, rate=0, due_only=False)
        assert (result.checked, result.ok, result.mismatch, result.missing) == (4, 2, 1, 1)
        assert {(sha, outcome) for sha, outcome, _where in result.problems} == {
            (shas[0], "mismatch"), (shas[1], "missing")}
    finally:
        ctx.close()


def test_restricted_material_is_sealed_in_both_buckets(s3_env: S3Server, tmp_path: Path) -> None:
    primary_bucket, replica_bucket = s3_env.new_bucket("primary"), s3_env.new_bucket("replica")
    ctx = open_context(Settings(data=tmp_path / "data", workers=1, s3_endpoint=s3_env.endpoint,
                                storage_url=f"s3://{primary_bucket}", replica_url=f"s3://{replica_bucket}"))
    try:
        assert isinstance(ctx.store, ReplicatedObjectStore)
        primary, replica = ctx.store.primary, ctx.store.replica
        assert isinstance(primary, S3ObjectStore) and isinstance(replica, S3ObjectStore)
        _acc, (file_id,) = web_helpers.accession_with_files(ctx)
        doc_id = web_helpers.document(ctx, file_id, pages=1, access_level="secret")
        with ctx.db.session() as session:
            page = session.execute(select(Page).where(Page.document_id == doc_id)).scalars().one()
            sha = session.get_one(StoredObject, page.master_object_id).sha256
        assert not sync_replica(ctx).failed
        plain = primary.read(sha)
        init_keys(ctx, "test")
        assert encrypt_due(ctx).sealed == 1
        raw = s3_env.client()
        for bucket, store in ((primary_bucket, primary), (replica_bucket, replica)):
            stored = raw.get_object(Bucket=bucket, Key=store.key(sha))["Body"].read()
            assert stored.startswith(MAGIC) and plain[100:164] not in stored  # no plaintext on either copy
            assert store.read(sha) == plain and store.verify(sha)
        report = sync_replica(ctx, verify=True)
        assert not report.failed and report.verified >= 1
    finally:
        ctx.close()
