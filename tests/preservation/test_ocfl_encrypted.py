"""Restricted material in the OCFL root: only as envelopes (``.enc``), never as plaintext — a hồ sơ waits until
encryption at rest has sealed its objects."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from sohoa.db.models import StoredObject
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.encryption import encrypt_due, init_keys
from sohoa.services.preservation.ocfl import hoso_object_id, sync_all
from sohoa.storage.ocfl import object_path
from tests.preservation._ocfl_helpers import ocfl_validate
from tests.preservation.test_ocfl_sync import FIRST, build_archive


def test_encrypted_objects_enter_ocfl_as_envelopes(ctx: AppContext, tmp_path: Path) -> None:
    build_archive(ctx, tmp_path / "in")  # its documents are internal: restricted
    init_keys(ctx, "admin")
    waiting = sync_all(ctx)
    assert all(r.deferred and r.version is None for r in waiting)  # not before they are sealed
    assert encrypt_due(ctx).sealed > 0
    assert [r.version for r in sync_all(ctx)] == ["v1", "v1"]
    valid, output = ocfl_validate(ctx.settings.data / "ocfl")
    assert valid, output
    content = ctx.settings.data / "ocfl" / object_path(hoso_object_id(FIRST)) / "v1" / "content"
    sealed = sorted(p for p in content.rglob("*.enc") if p.is_file())
    assert sealed and any("/masters/" in p.as_posix() for p in sealed)
    with ctx.db.session() as session:
        objects = list(session.scalars(select(StoredObject)))
    plaintexts = [ctx.store.read(o.sha256) for o in objects if ctx.store.is_encrypted(o.sha256)]
    envelopes = {ctx.store.open_stored(o.sha256).read() for o in objects if ctx.store.is_encrypted(o.sha256)}
    for path in sealed:
        assert path.read_bytes() in envelopes
    everything = [p.read_bytes() for p in content.rglob("*") if p.is_file()]
    assert not [data for data in everything if data in plaintexts]  # no restricted plaintext in the OCFL root
