"""The replica: every new object copied, a replica that is down never loses a primary write (pending, caught up
later), a damaged primary object repaired from the replica, and a damaged replica copy reported, not used."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from sohoa.db.models import Event, ReplicaCopy, StoredObject
from sohoa.domain.errors import SohoaError
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.objects import store_bytes
from sohoa.services.platform.replica_store import open_replica, primary_store
from sohoa.services.preservation.events import EventType, events_for
from sohoa.services.preservation.replica import (
    repair_from_replica,
    replica_pass,
    replica_status,
    replica_task,
    sync_replica,
)
from sohoa.settings import Settings
from sohoa.storage.keyring import KeyRing
from sohoa.storage.objects import LocalObjectStore
from sohoa.storage.replicated import ReplicatedObjectStore


@pytest.fixture
def replica_dir(tmp_path: Path) -> Path:
    return tmp_path / "other-disk" / "replica"


@pytest.fixture
def rctx(tmp_path: Path, replica_dir: Path) -> Iterator[AppContext]:
    context = open_context(Settings(data=tmp_path / "data", workers=1, replica_url=str(replica_dir)))
    yield context
    context.close()


def _store(ctx: AppContext, data: bytes) -> StoredObject:
    with ctx.db.session() as session:
        obj = store_bytes(session, ctx.store, data, media_type="application/octet-stream", kind="master")
        session.expunge(obj)
        return obj


def _damage(store: LocalObjectStore, sha256: str, data: bytes) -> None:
    path = store.path(sha256)
    os.chmod(path, 0o600)
    path.write_bytes(data)


def test_a_new_object_is_copied_and_the_sync_records_it(rctx: AppContext, replica_dir: Path) -> None:
    assert isinstance(rctx.store, ReplicatedObjectStore)
    obj = _store(rctx, b"bien ban hop 2025")
    replica = LocalObjectStore(replica_dir)
    assert replica.read(obj.sha256) == b"bien ban hop 2025"  # copied at once, stored bytes as kept
    status = replica_status(rctx)
    assert status is not None and (status.objects, status.replicated, status.pending) == (1, 0, 1)
    report = sync_replica(rctx)
    assert (report.copied, report.present, report.failed, report.pending) == (0, 1, [], 0)
    with rctx.db.session() as session:
        row = session.execute(select(ReplicaCopy)).scalar_one()
        assert row.stored_sha256 == obj.sha256 and row.replica == str(replica_dir.resolve())
        events = events_for(session, object_ids=[obj.id], event_type=EventType.REPLICATION)
        assert [e.outcome for e in events] == ["success"]
    status = replica_status(rctx)
    assert status is not None and (status.replicated, status.pending) == (1, 0)
    assert sync_replica(rctx).present == 0  # nothing left to do: idempotent


def test_a_replica_that_is_down_loses_nothing_and_is_caught_up(rctx: AppContext, replica_dir: Path) -> None:
    shutil.rmtree(replica_dir / "tmp")
    (replica_dir / "tmp").write_text("not a folder: every write to the replica fails")
    obj = _store(rctx, b"to trinh 12")
    assert rctx.store.read(obj.sha256) == b"to trinh 12"  # the primary write stands
    assert not LocalObjectStore(replica_dir).exists(obj.sha256)
    report = sync_replica(rctx)
    assert [sha for sha, _ in report.failed] == [obj.sha256] and report.pending == 1
    with rctx.db.session() as session:
        events = events_for(session, object_ids=[obj.id], event_type=EventType.REPLICATION)
        assert [e.outcome for e in events] == ["failure"]
    (replica_dir / "tmp").unlink()
    (replica_dir / "tmp").mkdir()
    report = sync_replica(rctx)
    assert (report.copied, report.failed, report.pending) == (1, [], 0)
    assert LocalObjectStore(replica_dir).read(obj.sha256) == b"to trinh 12"


def test_objects_stored_before_the_replica_was_set_are_caught_up(tmp_path: Path, replica_dir: Path) -> None:
    plain = open_context(Settings(data=tmp_path / "data", workers=1))
    obj = _store(plain, b"quyet dinh 7")
    assert replica_status(plain) is None
    with pytest.raises(SohoaError):
        sync_replica(plain)
    plain.close()
    later = open_context(Settings(data=tmp_path / "data", workers=1, replica_url=str(replica_dir)))
    try:
        assert sync_replica(later).copied == 1
        assert LocalObjectStore(replica_dir).verify(obj.sha256)
    finally:
        later.close()


def test_a_flipped_bit_is_repaired_from_the_replica(rctx: AppContext) -> None:
    obj = _store(rctx, b"giay chung nhan 42")
    sync_replica(rctx)
    primary = primary_store(rctx.store)
    assert isinstance(primary, LocalObjectStore)
    _damage(primary, obj.sha256, b"giay chung nhan 43")
    assert not rctx.store.verify(obj.sha256)
    with rctx.db.session() as session:
        assert repair_from_replica(rctx, session, obj.sha256)
    assert rctx.store.read(obj.sha256) == b"giay chung nhan 42"
    with rctx.db.session() as session:
        events = events_for(session, object_ids=[obj.id], event_type=EventType.RECOVERY)
        assert [e.outcome for e in events] == ["success"]
        assert session.execute(select(Event.action).where(Event.action == "preservation.repaired")).scalar()
    primary.path(obj.sha256).unlink()  # a deleted object comes back too
    with rctx.db.session() as session:
        assert repair_from_replica(rctx, session, obj.sha256)
    assert rctx.store.verify(obj.sha256)


def test_a_bad_replica_copy_is_not_used_and_is_reported(rctx: AppContext) -> None:
    obj = _store(rctx, b"ho so 2024-15")
    sync_replica(rctx)
    replica = open_replica(rctx.settings)
    primary = primary_store(rctx.store)
    assert isinstance(replica, LocalObjectStore) and isinstance(primary, LocalObjectStore)
    _damage(replica, obj.sha256, b"ho so 2024-16")
    _damage(primary, obj.sha256, b"ho so 2024-17")
    with rctx.db.session() as session:
        assert not repair_from_replica(rctx, session, obj.sha256)
    assert primary.path(obj.sha256).read_bytes() == b"ho so 2024-17"  # left as found, for a person to look at
    with rctx.db.session() as session:
        events = events_for(session, object_ids=[obj.id], event_type=EventType.RECOVERY)
        assert [(e.outcome, e.outcome_detail) for e in events] == [
            ("failure", "the replica's copy is missing or damaged too")]


def test_verify_finds_a_damaged_replica_copy_and_copies_it_again(rctx: AppContext) -> None:
    obj = _store(rctx, b"cong van 88")
    sync_replica(rctx)
    replica = open_replica(rctx.settings)
    assert isinstance(replica, LocalObjectStore)
    _damage(replica, obj.sha256, b"cong van 89")
    report = sync_replica(rctx, verify=True)
    assert (report.verified, report.copied, report.pending) == (0, 1, 0)
    assert replica.read(obj.sha256) == b"cong van 88"
    assert sync_replica(rctx, verify=True).verified == 1


def test_a_replica_inside_the_data_directory_is_refused(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data", workers=1, replica_url=str(tmp_path / "data" / "replica"))
    with pytest.raises(SohoaError):
        open_replica(settings)


def test_a_sealed_object_reaches_the_replica_as_its_envelope_and_is_repaired(tmp_path: Path, replica_dir: Path) -> None:
    settings = Settings(data=tmp_path / "data", workers=1, replica_url=str(replica_dir))
    KeyRing(settings.keys_path).create()
    ctx = open_context(settings)
    try:
        secret = b"bi mat: ho so nhan su 2025 " * 50
        obj = _store(ctx, secret)
        primary = primary_store(ctx.store)
        assert isinstance(primary, LocalObjectStore)
        primary.encrypt_object(obj.sha256)  # sealed after the replica got the plaintext at the write
        assert sync_replica(ctx).copied == 1  # the replica takes the envelope
        replica = open_replica(settings)
        assert isinstance(replica, LocalObjectStore) and replica.is_encrypted(obj.sha256)
        assert b"bi mat" not in replica.path(obj.sha256).read_bytes()
        assert replica.path(obj.sha256).read_bytes() == primary.path(obj.sha256).read_bytes()
        _damage(primary, obj.sha256, b"garbage")
        with ctx.db.session() as session:
            assert repair_from_replica(ctx, session, obj.sha256)
        assert primary.is_encrypted(obj.sha256) and ctx.store.read(obj.sha256) == secret
    finally:
        ctx.close()


def test_the_web_app_catches_up_in_one_process(rctx: AppContext, ctx: AppContext) -> None:
    assert replica_task(ctx) is None  # no replica set
    task = replica_task(rctx)
    assert task is not None and task.name == "replica"
    _store(rctx, b"bien ban 3")
    report = replica_pass(rctx)
    assert report is not None and report.present == 1 and report.pending == 0
