"""Encryption at rest of restricted material through the application: policy, sweep, web reads, rotation, keys."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.app import create_app
from sohoa.db.models import Document, EncryptedObject, Event, Page
from sohoa.domain.errors import SohoaError
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.preservation.backup import make_backup
from sohoa.services.preservation.encryption import (
    encrypt_due,
    encryption_status,
    init_keys,
    retire_key,
    rotate_keys,
)
from sohoa.services.preservation.events import events_for
from sohoa.services.preservation.restore import restore_backup
from sohoa.settings import Settings
from sohoa.storage.objects import LocalObjectStore
from tests.preservation._encryption_world import build_world, local_store, objects_of
from tests.web import _helpers as helpers


@pytest.fixture
def world(ctx: AppContext) -> Iterator[dict[str, int]]:
    yield build_world(ctx)


def test_nothing_is_encrypted_before_the_first_key(ctx: AppContext, world: dict[str, int]) -> None:
    assert encrypt_due(ctx).sealed == 0
    status = encryption_status(ctx)
    assert status.current_key is None and status.encrypted == 0 and status.due == 3  # 2 masters + 1 pdf
    assert Path(status.keys_dir) == ctx.settings.data.parent / "data-keys"


def test_restricted_objects_are_sealed_and_read_back(ctx: AppContext, world: dict[str, int]) -> None:
    store = local_store(ctx)
    secret, internal, public = (objects_of(ctx, world[k]) for k in ("secret", "internal", "public"))
    plain = {sha: store.read(sha) for sha in (secret["master"], internal["master"], internal["pdf"])}
    key_id = init_keys(ctx, "test")
    result = encrypt_due(ctx)
    assert result.sealed == 3 and not result.failed
    for sha, data in plain.items():
        on_disk = store.path(sha).read_bytes()
        run = data[len(data) // 2:len(data) // 2 + 64]
        assert run not in on_disk and data[:32] not in on_disk  # not a byte run of the plaintext
        assert store.is_encrypted(sha) and store.read(sha) == data and store.verify(sha)
    # the public master and the PDF shared with the public document stay plain
    assert not store.is_encrypted(public["master"]) and not store.is_encrypted(secret["pdf"])
    assert encrypt_due(ctx).sealed == 0  # idempotent
    with ctx.db.session() as session:
        rows = session.execute(select(EncryptedObject)).scalars().all()
        assert {r.key_id for r in rows} == {key_id} and len(rows) == 3
        events = events_for(session, object_ids=[r.object_id for r in rows], event_type="encryption")
        assert len(events) == 3 and all(e.outcome == "success" and key_id in e.detail for e in events)
        assert session.execute(select(Event).where(Event.action == "preservation.key_created")).first()
    status = encryption_status(ctx)
    assert status.encrypted == 3 and status.due == 0 and status.current_key == key_id


def test_staff_still_get_page_images_and_pdf(ctx: AppContext, world: dict[str, int]) -> None:
    helpers.users(ctx)
    internal = objects_of(ctx, world["internal"])
    pdf = local_store(ctx).read(internal["pdf"])
    init_keys(ctx, "test")
    encrypt_due(ctx)
    with ctx.db.session() as session:
        page_id = session.execute(select(Page.id).where(Page.document_id == world["internal"])).scalar_one()
    app = create_app(ctx, watch_hot_folders=False)
    with TestClient(app, raise_server_exceptions=False) as client:
        helpers.login(client, "archivist")
        got = client.get(f"/documents/{world['internal']}/pdf")
        assert got.status_code == 200 and got.content == pdf
        part = client.get(f"/documents/{world['internal']}/pdf", headers={"Range": "bytes=10-99"})
        assert part.status_code == 206 and part.content == pdf[10:100]
        image = client.get(f"/pages/{page_id}/image")  # rendered from the encrypted master
        assert image.status_code == 200 and image.content[:3] == b"\xff\xd8\xff"
        assert encrypt_due(ctx).sealed == 1  # the web-size image just derived is restricted material too
        again = client.get(f"/pages/{page_id}/image")  # now served from the sealed derivative
        assert again.status_code == 200 and again.content == image.content
    assert local_store(ctx).is_encrypted(internal["master"])
    keys = ctx.settings.keys_path
    assert oct(keys.stat().st_mode & 0o777) == "0o700"
    assert all(oct(p.stat().st_mode & 0o777) == "0o400" for p in keys.glob("*.kek"))


def test_a_level_raised_to_internal_is_sealed_by_the_next_sweep(ctx: AppContext, world: dict[str, int]) -> None:
    init_keys(ctx, "test")
    encrypt_due(ctx)
    public = objects_of(ctx, world["public"])
    with ctx.db.session() as session:
        session.get_one(Document, world["public"]).access_level = "internal"
    assert encrypt_due(ctx).sealed == 2  # its master, and the shared PDF now that no open document uses it
    assert local_store(ctx).is_encrypted(public["master"]) and local_store(ctx).is_encrypted(public["pdf"])
    with ctx.db.session() as session:  # lowered again: nothing is decrypted back on the store
        session.get_one(Document, world["public"]).access_level = "public"
    assert encrypt_due(ctx).sealed == 0 and local_store(ctx).is_encrypted(public["master"])


def test_rotation_then_retire_keeps_everything_readable(ctx: AppContext, world: dict[str, int]) -> None:
    secret = objects_of(ctx, world["secret"])
    data = local_store(ctx).read(secret["master"])
    first = init_keys(ctx, "test")
    encrypt_due(ctx)
    envelope = local_store(ctx).path(secret["master"]).read_bytes()
    with pytest.raises(SohoaError):
        retire_key(ctx, first, "test")  # still in use
    rotated = rotate_keys(ctx, "test")
    assert rotated.rewrapped == 3 and rotated.left == 0 and rotated.key_id != first
    retire_key(ctx, first, "test")
    keys_dir = ctx.settings.keys_path
    assert not (keys_dir / f"{first}.kek").exists() and (keys_dir / f"{rotated.key_id}.kek").exists()
    assert local_store(ctx).path(secret["master"]).read_bytes() == envelope  # the envelope was never rewritten
    fresh = open_context(ctx.settings)
    try:
        assert fresh.store.read(secret["master"]) == data and fresh.store.verify(secret["master"])
    finally:
        fresh.close()
    with ctx.db.session() as session:
        actions = set(session.execute(select(Event.action)).scalars())
        assert {"preservation.key_rotated", "preservation.key_retired"} <= actions
        assert {r.key_id for r in session.execute(select(EncryptedObject)).scalars()} == {rotated.key_id}
    status = encryption_status(ctx)
    assert [k.key_id for k in status.keys] == [rotated.key_id] and status.problem is None


def test_a_flipped_ciphertext_bit_is_found(ctx: AppContext, world: dict[str, int]) -> None:
    secret = objects_of(ctx, world["secret"])
    init_keys(ctx, "test")
    encrypt_due(ctx)
    path = local_store(ctx).path(secret["master"])
    os.chmod(path, 0o600)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x10
    path.write_bytes(bytes(raw))
    assert not ctx.store.verify(secret["master"])
    with pytest.raises(SohoaError):
        ctx.store.read(secret["master"])


def test_missing_keys_folder_is_a_clear_error_and_loses_nothing(ctx: AppContext, world: dict[str, int]) -> None:
    secret = objects_of(ctx, world["secret"])
    data = local_store(ctx).read(secret["master"])
    init_keys(ctx, "test")
    encrypt_due(ctx)
    keys_dir = ctx.settings.keys_path
    aside = keys_dir.with_name("keys-aside")
    shutil.move(keys_dir, aside)
    blind = open_context(ctx.settings)
    try:
        with pytest.raises(SohoaError) as caught:
            blind.store.read(secret["master"])
        assert "khóa" in caught.value.vi and "key" in caught.value.en
        assert blind.store.verify(secret["master"])  # the stored digest still checks without keys
        helpers.users(blind)
        with TestClient(create_app(blind, watch_hot_folders=False), raise_server_exceptions=False) as client:
            helpers.login(client, "archivist")
            page = client.get(f"/documents/{world['internal']}/pdf")  # an error page, not an empty 200
            assert page.status_code >= 400 and "khóa" in page.text
        status = encryption_status(blind)
        assert status.problem is not None and status.current_key is None
        assert encrypt_due(blind).sealed == 0
    finally:
        blind.close()
    shutil.move(aside, keys_dir)
    assert local_store(ctx).read(secret["master"]) == data


def test_keys_folder_inside_the_data_directory_is_refused(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data", workers=1, keys_dir=tmp_path / "data" / "keys")
    with pytest.raises(SohoaError) as caught:
        open_context(settings)
    assert "SOHOA_KEYS_DIR" in caught.value.en


@pytest.mark.postgres
def test_policy_sweep_and_rotation_on_postgresql(pg_ctx: AppContext) -> None:
    ids = build_world(pg_ctx)
    assert encryption_status(pg_ctx).due == 3
    init_keys(pg_ctx, "test")
    assert encrypt_due(pg_ctx).sealed == 3
    with pg_ctx.db.session() as session:
        session.get_one(Document, ids["public"]).access_level = "secret"
    assert encrypt_due(pg_ctx).sealed == 2
    rotated = rotate_keys(pg_ctx, "test")
    assert rotated.rewrapped == 5 and rotated.left == 0
    status = encryption_status(pg_ctx)
    assert status.encrypted == 5 and status.due == 0 and status.current_key == rotated.key_id


def test_two_sweeps_at_once_seal_each_object_once(ctx: AppContext, world: dict[str, int]) -> None:
    secret = objects_of(ctx, world["secret"])
    data = local_store(ctx).read(secret["master"])
    init_keys(ctx, "test")
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(encrypt_due(ctx).sealed)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    with ctx.db.session() as session:
        assert len(session.execute(select(EncryptedObject)).scalars().all()) == 3
    assert local_store(ctx).read(secret["master"]) == data and local_store(ctx).verify(secret["master"])


def test_the_replica_holds_the_same_envelope_and_no_plaintext(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data", workers=1, replica_url=str(tmp_path / "replica"))
    context = open_context(settings)
    try:
        ids = build_world(context)
        secret = objects_of(context, ids["secret"])
        data = local_store(context).read(secret["master"])
        init_keys(context, "test")
        assert encrypt_due(context).sealed == 3
        replica = getattr(context.store, "replica", None)
        assert isinstance(replica, LocalObjectStore)
        assert replica.path(secret["master"]).read_bytes() == local_store(context).path(secret["master"]).read_bytes()
        assert replica.key_record(secret["master"]) == local_store(context).key_record(secret["master"])
        assert replica.read(secret["master"]) == data and replica.verify(secret["master"])
        assert LocalObjectStore(tmp_path / "replica").verify(secret["master"])  # keyless: by the stored digest
    finally:
        context.close()


def test_restore_after_a_rotation_opens_every_envelope(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data", workers=1, backup_dir=tmp_path / "backups")
    context = open_context(settings)
    try:
        ids = build_world(context)
        secret = objects_of(context, ids["secret"])
        data = local_store(context).read(secret["master"])
        first = init_keys(context, "test")
        encrypt_due(context)
        rotate_keys(context, "test")
        retire_key(context, first, "test")  # every envelope's header now names a key that is gone
        report = make_backup(context)
    finally:
        context.close()
    shutil.rmtree(settings.data)
    shutil.rmtree(settings.keys_path)
    restored = restore_backup(settings, report.path)
    assert restored.ok, restored
    context = open_context(settings)
    try:
        assert context.store.read(secret["master"]) == data and context.store.verify(secret["master"])
        assert encryption_status(context).encrypted == 3
    finally:
        context.close()


def test_the_levels_setting_decides_what_is_due(tmp_path: Path) -> None:
    for levels, due in (("secret", 1), ("", 0), ("internal,secret,public", 5)):
        settings = Settings(data=tmp_path / f"data-{len(levels)}", workers=1, encrypt_levels=levels)
        context = open_context(settings)
        try:
            build_world(context)
            assert encryption_status(context).due == due, levels
        finally:
            context.close()
    with pytest.raises(ValueError):
        Settings(data=tmp_path / "x", encrypt_levels="internal,topsecret")


def test_a_key_still_named_by_an_unrecorded_envelope_is_not_retired(ctx: AppContext, world: dict[str, int]) -> None:
    secret = objects_of(ctx, world["secret"])
    first = init_keys(ctx, "test")
    local_store(ctx).encrypt_object(secret["master"])  # sealed, then the sweep was cut before its row
    rotate_keys(ctx, "test", new_key=True)
    with pytest.raises(SohoaError):
        retire_key(ctx, first, "test")  # the sweep run by retire records it, still under the first key
    assert rotate_keys(ctx, "test", new_key=False).left == 0  # --resume re-wraps it
    retire_key(ctx, first, "test")
    assert local_store(ctx).read(secret["master"]) and local_store(ctx).verify(secret["master"])
