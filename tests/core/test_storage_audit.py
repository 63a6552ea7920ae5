"""Object store immutability and fixity; the hash-chained audit log detects tampering."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import update

from sohoa.db.models import Event
from sohoa.services.platform.audit import record_event, verify_chain
from sohoa.services.platform.context import AppContext
from sohoa.storage.objects import LocalObjectStore


def test_store_is_content_addressed_and_write_once(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    src = tmp_path / "a.png"
    src.write_bytes(b"master bytes")
    first = store.put_file(src)
    second = store.put_file(src)
    assert first.created and not second.created and first.sha256 == second.sha256
    path = store.path(first.sha256)
    assert not os.access(path, os.W_OK) or os.geteuid() == 0
    assert oct(path.stat().st_mode & 0o777) == "0o400"  # read-only, and the service user's alone
    assert store.verify(first.sha256)
    assert list((tmp_path / "objects" / "tmp").iterdir()) == []


def test_fixity_detects_bit_rot(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    put = store.put_bytes(b"abc")
    path = store.path(put.sha256)
    path.chmod(0o644)
    path.write_bytes(b"abd")
    assert not store.verify(put.sha256)


def test_bad_digest_is_refused(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "objects")
    with pytest.raises(Exception, match="digest"):
        store.path("../../etc/passwd")


def test_audit_chain_names_the_first_altered_row(ctx: AppContext) -> None:
    with ctx.db.session() as session:
        ids = [record_event(session, "an", "document.view", "document", i, {"q": f"x{i}"}).id for i in range(5)]
    with ctx.db.session() as session:
        assert verify_chain(session).ok
        session.execute(update(Event).where(Event.id == ids[2]).values(actor="mallory"))
    with ctx.db.session() as session:
        result = verify_chain(session)
    assert not result.ok and result.first_bad_id == ids[2]


def test_audit_chain_detects_a_deleted_row(ctx: AppContext) -> None:
    with ctx.db.session() as session:
        ids = [record_event(session, "an", "login", None, None, None).id for _ in range(3)]
    with ctx.db.session() as session:
        session.query(Event).filter(Event.id == ids[1]).delete()
    with ctx.db.session() as session:
        result = verify_chain(session)
    assert not result.ok and result.first_bad_id == ids[2]
