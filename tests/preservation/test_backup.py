"""Backup sets: the commands end to end, a damaged set is named and never restored, a restore never goes over
data, a damaged object is not backed up, the daily/monthly schedule."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from sohoa.cli.main import app
from sohoa.domain.errors import SohoaError, ValidationFailed
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.objects import store_bytes
from sohoa.services.preservation.backup import backup_due, make_backup
from sohoa.services.preservation.backup_set import backup_history, list_sets, verify_set
from sohoa.services.preservation.events import VN_TIME
from sohoa.services.preservation.restore import restore_backup
from sohoa.settings import Settings
from sohoa.storage.keyring import KeyRing
from sohoa.storage.objects import LocalObjectStore


def _settings(tmp_path: Path, **extra: Any) -> Settings:
    return Settings(data=tmp_path / "data", workers=1, backup_dir=tmp_path / "backups", **extra)


def _store(ctx: AppContext, data: bytes) -> str:
    with ctx.db.session() as session:
        obj = store_bytes(session, ctx.store, data, media_type="application/octet-stream", kind="master")
        return str(obj.sha256)


@pytest.fixture
def small(tmp_path: Path) -> tuple[Settings, list[str]]:
    settings = _settings(tmp_path)
    ctx = open_context(settings)
    digests = [_store(ctx, f"van ban {n}".encode()) for n in range(3)]
    ctx.close()
    return settings, digests


def test_backup_and_restore_through_the_commands(small: tuple[Settings, list[str]], tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    settings, digests = small
    monkeypatch.setenv("SOHOA_DATA", str(settings.data))
    monkeypatch.setenv("SOHOA_BACKUP_DIR", str(tmp_path / "backups"))
    runner = CliRunner()
    done = runner.invoke(app, ["backup", "--json"])
    assert done.exit_code == 0, done.output
    made = json.loads(done.output)
    assert made["kind"] == "full" and made["objects_in_set"] == 3
    second = runner.invoke(app, ["backup", "--to", str(tmp_path / "second-medium")])
    assert second.exit_code == 0, second.output
    assert len(list_sets(tmp_path / "second-medium")) == 1
    assert runner.invoke(app, ["backup", "--verify", made["path"]]).exit_code == 0
    refused = runner.invoke(app, ["restore", "--from", made["path"]])  # the data directory is not empty
    assert refused.exit_code == 1 and "is not empty" in " ".join(refused.output.split())
    target = tmp_path / "new-machine" / "data"
    restored = runner.invoke(app, ["restore", "--from", made["path"], "--to", str(target), "--json"])
    assert restored.exit_code == 0, restored.output
    assert json.loads(restored.output)["ok"]
    store = LocalObjectStore(target / "objects")
    assert all(store.verify(sha) for sha in digests)


def test_a_damaged_set_is_named_and_not_restored(small: tuple[Settings, list[str]], tmp_path: Path) -> None:
    settings, digests = small
    ctx = open_context(settings)
    report = make_backup(ctx)
    ctx.close()
    copy = report.path / "objects" / "sha256" / digests[1][:2] / digests[1][2:4] / digests[1]
    copy.write_bytes(b"van ban 9")
    (report.path / "stray.txt").write_text("x")
    problems = verify_set(report.path)
    assert f"checksum mismatch: objects/sha256/{digests[1][:2]}/{digests[1][2:4]}/{digests[1]}" in problems
    assert "not in the manifest: stray.txt" in problems
    with pytest.raises(ValidationFailed):
        restore_backup(Settings(data=tmp_path / "elsewhere", workers=1), report.path)
    assert not (tmp_path / "elsewhere").exists()  # nothing was started
    manifest = report.path / "manifest.json"
    os.chmod(manifest, 0o600)
    manifest.write_text(manifest.read_text().replace('"full"', '"incremental"'))
    assert verify_set(report.path) and "altered" in verify_set(report.path)[0]


def test_an_incremental_holds_only_new_objects_and_a_damaged_one_is_named(small: tuple[Settings, list[str]]) -> None:
    settings, _ = small
    ctx = open_context(settings)
    try:
        full = make_backup(ctx)
        fresh = _store(ctx, b"van ban moi")
        damaged = _store(ctx, b"van ban hong")
        store = ctx.store
        assert isinstance(store, LocalObjectStore)
        os.chmod(store.path(damaged), 0o600)
        store.path(damaged).write_bytes(b"van ban hang")
        incr = make_backup(ctx)
    finally:
        ctx.close()
    assert (full.objects_in_set, incr.kind, incr.objects_in_set) == (3, "incremental", 1)
    assert [p for p in incr.problems if damaged in p and "damaged" in p]
    assert (incr.path / "objects" / "sha256" / fresh[:2] / fresh[2:4] / fresh).is_file()
    assert [s.kind for s in backup_history(settings)] == ["incremental", "full"]


def test_a_backup_inside_the_data_directory_is_refused(small: tuple[Settings, list[str]]) -> None:
    settings, _ = small
    ctx = open_context(settings)
    try:
        with pytest.raises(SohoaError):
            make_backup(ctx, to=settings.data / "backups")
    finally:
        ctx.close()


def test_the_schedule_is_a_daily_incremental_and_a_monthly_full(small: tuple[Settings, list[str]]) -> None:
    settings, _ = small
    at = datetime(2026, 3, 2, 1, 0, tzinfo=VN_TIME)
    assert backup_due(settings, at) is None  # before SOHOA_BACKUP_HOUR (2)
    assert backup_due(settings, at.replace(hour=3)) == "full"  # no full set yet
    ctx = open_context(settings)
    try:
        make_backup(ctx, full=True)
    finally:
        ctx.close()
    today = datetime.now(VN_TIME).replace(hour=23)
    assert backup_due(settings, today) is None  # one set a day
    next_day = (today + timedelta(days=1)).replace(hour=3)
    assert backup_due(settings, next_day) == ("full" if next_day.day == 1 else "incremental")
    next_first = (today.replace(day=1) + timedelta(days=32)).replace(day=1, hour=3)
    assert backup_due(settings, next_first) == "full"  # SOHOA_BACKUP_FULL_DAY
    late = (today + timedelta(days=60)).replace(day=15, hour=3)
    assert backup_due(settings, late) == "full"  # the last full is more than a month old
    assert backup_due(_settings(settings.data.parent, backup_hour=-1), next_first) is None


def test_a_sealed_object_is_backed_up_as_its_envelope_and_restored_with_its_keys(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    KeyRing(settings.keys_path).create()
    ctx = open_context(settings)
    try:
        secret = b"bi mat: quyet dinh ky luat " * 40
        sha = _store(ctx, secret)
        store = ctx.store
        assert isinstance(store, LocalObjectStore)
        store.encrypt_object(sha)
        report = make_backup(ctx)
    finally:
        ctx.close()
    kept = report.path / "objects" / "sha256" / sha[:2] / sha[2:4] / sha
    assert b"bi mat" not in kept.read_bytes()  # the set holds the envelope, the keys part holds the KEK
    assert list((report.path / "keys" / "kek").glob("*.kek"))
    shutil.rmtree(settings.data)
    shutil.rmtree(settings.keys_path)  # the machine is gone, keys folder with it
    restored = restore_backup(settings, report.path)
    assert restored.ok, restored
    ctx = open_context(settings)
    try:
        assert ctx.store.is_encrypted(sha) and ctx.store.read(sha) == secret
    finally:
        ctx.close()


def test_a_keys_folder_holding_other_keys_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    KeyRing(settings.keys_path).create()
    ctx = open_context(settings)
    try:
        report = make_backup(ctx)
    finally:
        ctx.close()
    shutil.rmtree(settings.data)
    shutil.rmtree(settings.keys_path)
    KeyRing(settings.keys_path).create()  # someone ran `sohoa keys init` on the new machine first
    with pytest.raises(SohoaError) as refused:
        restore_backup(settings, report.path)
    assert "differs from the backup" in refused.value.en
    assert not settings.data.exists()  # nothing was written


def test_a_broken_chain_makes_the_next_set_a_full_one(small: tuple[Settings, list[str]]) -> None:
    settings, _ = small
    ctx = open_context(settings)
    try:
        full = make_backup(ctx)
        make_backup(ctx)  # an incremental on it
        shutil.rmtree(full.path)  # someone deleted the full set alone
        again = make_backup(ctx)
    finally:
        ctx.close()
    assert (again.kind, again.base, again.objects_in_set) == ("full", None, 3)
