"""The audit log an auditor can rely on: one chain under any concurrency (threads, processes, HTTP), and
truncation, emptying and wholesale rewriting named against signed checkpoints, on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import stat
import threading
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, select
from typer.testing import CliRunner, Result

from sohoa.app import create_app
from sohoa.cli.main import app
from sohoa.db.models import Event
from sohoa.domain.errors import ValidationFailed
from sohoa.services.catalogue.audit_view import verify_log
from sohoa.services.platform.audit import record_event, verify_chain
from sohoa.services.platform.audit_checkpoint import (
    ChainTampered,
    checkpoint_logs,
    checkpoint_task,
    write_checkpoint,
)
from sohoa.services.platform.audit_keys import audit_key_path, key_id
from sohoa.services.platform.audit_report import AuditReport, audit_report
from sohoa.services.platform.context import AppContext
from tests.shared.world import build_world

from ._audit_helpers import rechain, serve
from ._audit_writer import append_in_process

THREADS = 16


def _fill(ctx: AppContext, count: int) -> list[int]:
    ids = []
    for n in range(count):
        with ctx.db.session() as session:
            ids.append(record_event(session, "an", "document.view", "document", n, {"n": n}).id)
    return ids


def _delete(ctx: AppContext, ids: list[int]) -> None:
    with ctx.db.session() as session:
        session.execute(delete(Event).where(Event.id.in_(ids)))


def _cli(ctx: AppContext, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.setenv("SOHOA_DATA", str(ctx.settings.data))
    if ctx.settings.database_url:
        monkeypatch.setenv("SOHOA_DATABASE_URL", ctx.settings.database_url)
    else:
        monkeypatch.delenv("SOHOA_DATABASE_URL", raising=False)
    return CliRunner().invoke(app, ["audit", *args])


def _only_problem(report: AuditReport, kind: str) -> tuple[int | None, int | None, str]:
    assert not report.ok
    assert [p.kind for p in report.problems] == [kind], report.problems
    problem = report.problems[0]
    return problem.first_id, problem.last_id, problem.en


def _assert_one_clean_chain(ctx: AppContext, rows: int) -> None:
    with ctx.db.session() as session:
        result = verify_chain(session)
        links = session.execute(select(Event.prev_hash)).scalars().all()
    assert result.ok, result
    assert result.checked == rows
    assert len(set(links)) == len(links)  # no two rows chained onto the same predecessor (a fork)


# -- serialized appends --------------------------------------------------------------------------------------


def test_threads_append_one_chain(any_ctx: AppContext) -> None:
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def writer(worker: int) -> None:
        try:
            barrier.wait(30)
            for n in range(10):
                with any_ctx.db.session() as session:
                    session.execute(select(Event.id).limit(1)).all()  # a read first, as every request does
                    record_event(session, f"thread-{worker}", "search", payload={"n": n})
        except BaseException as exc:  # reported below: a failed thread must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    _assert_one_clean_chain(any_ctx, THREADS * 10)


def test_processes_append_one_chain(any_ctx: AppContext) -> None:
    spawn = multiprocessing.get_context("spawn")
    workers, count = 4, 15
    barrier = spawn.Barrier(workers)
    processes = [spawn.Process(target=append_in_process, args=(str(any_ctx.settings.data),
                                                               any_ctx.settings.database_url, w, count, barrier))
                 for w in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
    assert [p.exitcode for p in processes] == [0] * workers
    _assert_one_clean_chain(any_ctx, workers * count)


def test_parallel_portal_searches_then_verify(any_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    build_world(any_ctx)
    with any_ctx.db.session() as session:
        before = len(session.execute(select(Event.id)).all())
    barrier = threading.Barrier(THREADS)
    statuses: list[int] = []
    with serve(create_app(any_ctx, watch_hot_folders=False)) as base:

        def citizen(worker: int) -> None:
            with httpx.Client(base_url=base, timeout=60) as client:
                barrier.wait(30)
                for word in ("hòa giải", f"quyết định {worker}"):
                    statuses.append(client.get("/portal", params={"q": word}).status_code)

        threads = [threading.Thread(target=citizen, args=(w,)) for w in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert statuses == [200] * (2 * THREADS)
    report = audit_report(any_ctx)
    assert report.ok, report.problems
    assert report.chain.checked >= before + 2 * THREADS
    assert report.latest is not None and report.latest.size == report.chain.checked  # written at shutdown
    result = _cli(any_ctx, monkeypatch, "verify")
    assert result.exit_code == 0, result.output


# -- truncation and rewriting, named against checkpoints --------------------------------------------------------


def test_truncated_tail_is_named(any_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _fill(any_ctx, 10)
    write_checkpoint(any_ctx)
    _delete(any_ctx, ids[7:])
    with any_ctx.db.session() as session:
        assert verify_chain(session).ok  # the chain alone cannot see a shortened tail
    first, last, message = _only_problem(audit_report(any_ctx), "missing")
    assert (first, last) == (ids[7], ids[9]) and message.startswith("3 row(s) missing")
    result = _cli(any_ctx, monkeypatch, "verify")
    assert result.exit_code == 1 and f"id={ids[7]}..{ids[9]}" in result.output
    with pytest.raises(ChainTampered):
        write_checkpoint(any_ctx)  # nothing is signed over a truncated log


def test_emptied_log_is_named(any_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _fill(any_ctx, 6)
    write_checkpoint(any_ctx)
    _delete(any_ctx, ids)
    first, last, message = _only_problem(audit_report(any_ctx), "missing")
    assert (first, last) == (ids[0], ids[-1]) and message.startswith("6 row(s) missing")
    result = _cli(any_ctx, monkeypatch, "verify", "--json")
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["ok"] is False and out["problems"][0]["first_id"] == ids[0]


def test_rewritten_chain_is_named(any_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _fill(any_ctx, 5)
    write_checkpoint(any_ctx)
    ids += _fill(any_ctx, 5)
    write_checkpoint(any_ctx)
    rechain(any_ctx, ids[6], "mallory")
    with any_ctx.db.session() as session:
        assert verify_chain(session).ok  # recomputed hashes fool the chain alone
    first, last, _ = _only_problem(audit_report(any_ctx), "altered")
    assert (first, last) == (ids[4] + 1, ids[9])  # rows up to the first checkpoint's head are proven intact
    result = _cli(any_ctx, monkeypatch, "verify")
    assert result.exit_code == 1 and f"id={ids[4] + 1}..{ids[9]}" in result.output


def test_truncated_then_appended_is_detected(any_ctx: AppContext) -> None:
    ids = _fill(any_ctx, 6)
    write_checkpoint(any_ctx)
    _delete(any_ctx, ids[4:])
    _fill(any_ctx, 3)  # on SQLite the new rows even take the deleted ids
    report = audit_report(any_ctx)
    assert not report.ok
    assert [p.kind for p in report.problems] == ["altered"]
    problem = report.problems[0]
    assert problem.first_id is not None and problem.last_id is not None
    assert problem.first_id <= ids[4] <= problem.last_id


def test_unsigned_tail_is_counted_and_chained(any_ctx: AppContext) -> None:
    _fill(any_ctx, 3)
    write_checkpoint(any_ctx)
    _fill(any_ctx, 2)
    report = audit_report(any_ctx)
    assert report.ok and report.unsigned_rows == 2
    assert write_checkpoint(any_ctx, only_if_changed=True) is not None
    assert write_checkpoint(any_ctx, only_if_changed=True) is None  # nothing new: nothing written
    assert audit_report(any_ctx).unsigned_rows == 0


# -- the checkpoints themselves ----------------------------------------------------------------------------------


def test_tampered_checkpoint_is_reported(any_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = _fill(any_ctx, 4)
    write_checkpoint(any_ctx)
    path = checkpoint_logs(any_ctx.settings)[0]
    line = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(line | {"size": 3, "head_id": ids[2]}) + "\n", encoding="utf-8")
    first, _, message = _only_problem(audit_report(any_ctx), "signature")
    assert first == ids[2] and "does not verify" in message
    forger = Ed25519PrivateKey.generate()
    forged = line | {"key_id": key_id(forger.public_key())}  # a checkpoint signed with another key
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(forged) + "\n")
    result = _cli(any_ctx, monkeypatch, "verify")
    assert result.exit_code == 1 and "signed by another key" in result.output


def test_third_party_verifies_the_export(any_ctx: AppContext, monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    ids = _fill(any_ctx, 5)
    out = tmp_path / "elsewhere" / "checkpoints.jsonl"
    out.parent.mkdir()
    made = _cli(any_ctx, monkeypatch, "checkpoint", "--export", str(out))
    assert made.exit_code == 0, made.output
    public = out.with_name("checkpoints.pub.pem")
    assert b"PRIVATE" not in public.read_bytes()
    third_party = ["verify", "--checkpoints", str(out), "--public-key", str(public)]
    assert _cli(any_ctx, monkeypatch, *third_party).exit_code == 0
    # An attacker with the server removes the rows, the key and the local checkpoints...
    _delete(any_ctx, ids[3:])
    audit_key_path(any_ctx.settings).unlink()
    checkpoint_logs(any_ctx.settings)[0].unlink()
    # ...the exported checkpoints still name what is missing.
    result = _cli(any_ctx, monkeypatch, *third_party)
    assert result.exit_code == 1 and f"id={ids[3]}..{ids[4]}" in result.output
    strange = tmp_path / "other.pem"
    strange.write_bytes(Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    wrong = _cli(any_ctx, monkeypatch, "verify", "--checkpoints", str(out), "--public-key", str(strange))
    assert wrong.exit_code == 1 and "signed by another key" in wrong.output


def test_copy_on_other_media_survives_local_deletion(any_ctx: AppContext, tmp_path: Path) -> None:
    settings = any_ctx.settings.model_copy(update={"audit_checkpoint_dir": tmp_path / "usb"})
    ctx = dataclasses.replace(any_ctx, settings=settings)
    ids = _fill(ctx, 4)
    write_checkpoint(ctx)
    local, mirror = checkpoint_logs(settings)
    assert mirror.read_text(encoding="utf-8") == local.read_text(encoding="utf-8")
    local.unlink()
    _delete(ctx, ids[2:])
    first, last, _ = _only_problem(audit_report(ctx), "missing")
    assert (first, last) == (ids[2], ids[3])


def test_no_checkpoint_is_a_warning_unless_required(any_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    _fill(any_ctx, 2)
    plain = _cli(any_ctx, monkeypatch, "verify")
    assert plain.exit_code == 0 and "no signed checkpoint" in plain.output
    strict = _cli(any_ctx, monkeypatch, "verify", "--require-checkpoint")
    assert strict.exit_code == 1


# -- the key -----------------------------------------------------------------------------------------------------


def test_key_is_created_private_whatever_the_umask(any_ctx: AppContext) -> None:
    previous = os.umask(0)
    try:
        write_checkpoint(any_ctx)
    finally:
        os.umask(previous)
    key = audit_key_path(any_ctx.settings)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert key.parent.parent == any_ctx.settings.data  # outside the database, in the data dir's keys folder


def test_configured_key_file_is_used_and_must_exist(any_ctx: AppContext, tmp_path: Path) -> None:
    path = tmp_path / "vault" / "audit.pem"
    ctx = dataclasses.replace(any_ctx, settings=any_ctx.settings.model_copy(update={"audit_key_file": path}))
    with pytest.raises(ValidationFailed):
        write_checkpoint(ctx)
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir()
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    made = write_checkpoint(ctx)
    assert made is not None and made.key_id == key_id(key.public_key())
    assert not (any_ctx.settings.data / "keys" / "audit-checkpoint.pem").exists()


def test_web_schedule_follows_the_setting(any_ctx: AppContext) -> None:
    task = checkpoint_task(any_ctx)
    assert task is not None and task.interval == 60 * 60
    off = dataclasses.replace(any_ctx, settings=any_ctx.settings.model_copy(update={"audit_checkpoint_minutes": 0}))
    assert checkpoint_task(off) is None


def test_admin_page_state_sees_truncation(any_ctx: AppContext) -> None:
    ids = _fill(any_ctx, 5)
    write_checkpoint(any_ctx)
    assert verify_log(any_ctx).ok
    _delete(any_ctx, ids[3:])
    state = verify_log(any_ctx)  # what /admin/audit shows as the chain state
    assert not state.ok and state.first_bad_id == ids[3]
