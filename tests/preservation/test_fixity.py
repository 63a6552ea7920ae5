"""Fixity with memory: damage is found and named, passes resume, the rate cap holds, everything is recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from sohoa.db.models import Event, FixityCheck, FixityRun, PreservationEvent, StoredObject
from sohoa.domain.errors import SohoaError
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.objects import store_bytes
from sohoa.services.platform.replica_store import open_replica, primary_store
from sohoa.services.preservation import fixity
from sohoa.services.preservation.fixity import fixity_summary, object_history, run_fixity
from sohoa.services.preservation.lease import release, try_acquire
from sohoa.settings import Settings
from tests.preservation._fixity_archive import DOC_CODE, FILE_CODE, build_archive, flip_bit, flip_path, lose


def test_a_flipped_bit_and_a_deleted_object_are_found_and_named(any_ctx: AppContext) -> None:
    archive = build_archive(any_ctx)
    first = run_fixity(any_ctx, rate=0)
    assert (first.state, first.checked, first.ok, first.problems) == ("done", 5, 5, [])

    flip_bit(any_ctx, archive.masters[1][1])  # page 2's master
    lose(any_ctx, archive.thumbnails[0][1])  # page 1's thumbnail
    result = run_fixity(any_ctx, rate=0, due_only=False)
    assert (result.checked, result.ok, result.mismatch, result.missing, result.repaired) == (5, 3, 1, 1, 0)
    named = {sha: (outcome, where) for sha, outcome, where in result.problems}
    assert named[archive.masters[1][1]] == ("mismatch", f"file {FILE_CODE}, document {DOC_CODE}, page 2 (master)")
    assert named[archive.thumbnails[0][1]] == ("missing",
                                               f"file {FILE_CODE}, document {DOC_CODE}, page 1 (thumbnail)")

    with any_ctx.db.session() as session:
        summary = fixity_summary(session)
        assert not summary.healthy and summary.objects == 5 and summary.checked_in_cycle == 5
        problems = {p.sha256: p for p in summary.problems}
        assert problems[archive.masters[1][1]].places[0].doc_code == DOC_CODE
        assert problems[archive.masters[1][1]].places[0].page_no == 2
        assert problems[archive.thumbnails[0][1]].outcome == "missing"
        alarms = session.execute(select(Event).where(Event.action == "preservation.fixity_failed")).scalars().all()
        assert {a.entity_id for a in alarms} == {archive.masters[1][0], archive.thumbnails[0][0]}
        assert all(a.entity_type == "stored_object" and "page" in a.payload["where"] for a in alarms)
        history = object_history(session, archive.masters[1][1])
        assert history is not None and history.places[0].file_code == FILE_CODE
        assert [c.outcome for c in history.checks] == ["mismatch", "ok"]  # newest first
        assert history.checks[0].actual_sha256 not in (None, archive.masters[1][1])
        assert [(e.event_type, e.outcome) for e in history.events] == [("fixity check", "success"),
                                                                      ("fixity check", "failure")]
        assert object_history(session, archive.masters[1][0]) == history  # by id too
        assert object_history(session, "0" * 64) is None
        premis = session.execute(select(func.count()).select_from(PreservationEvent)
                                 .where(PreservationEvent.event_type == "fixity check")).scalar_one()
        assert premis == 10


def test_an_interrupted_pass_is_continued_without_checking_twice(any_ctx: AppContext,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fixity, "BATCH", 2)
    build_archive(any_ctx)
    with any_ctx.db.session() as session:
        for n in range(4):
            store_bytes(session, any_ctx.store, f"loose {n}".encode(), media_type="text/plain", kind="ocr")
    stopped = run_fixity(any_ctx, rate=0, due_only=False, limit=3)
    assert (stopped.state, stopped.checked) == ("interrupted", 3)

    calls = 0

    def failing_sleep(_seconds: float) -> None:  # the process dies in the middle of the 2nd batch of this pass
        nonlocal calls
        calls += 1
        if calls == 4:
            raise KeyboardInterrupt

    ticks = iter(range(10**6))
    with pytest.raises(KeyboardInterrupt):
        run_fixity(any_ctx, rate=1000, due_only=False, clock=lambda: next(ticks) / 10**6, sleep=failing_sleep)
    finished = run_fixity(any_ctx, rate=0, due_only=False)
    assert finished.resumed and finished.state == "done"
    with any_ctx.db.session() as session:
        per_object = session.execute(select(FixityCheck.object_id, func.count()).group_by(FixityCheck.object_id)
                                     ).all()
        assert len(per_object) == 9 and {n for _, n in per_object} == {1}  # each checked exactly once
        runs = session.execute(select(FixityRun)).scalars().all()
        assert len(runs) == 1 and runs[0].state == "done" and runs[0].checked == 9

    again = run_fixity(any_ctx, rate=0)  # everything was checked within the cycle: nothing is due
    assert (again.checked, again.resumed) == (0, False)
    with any_ctx.db.session() as session:
        session.execute(update(StoredObject).where(StoredObject.id == 1)
                        .values(last_fixity_at=datetime.now(UTC) - timedelta(days=31)))
    assert run_fixity(any_ctx, rate=0).checked == 1


def test_the_rate_cap_holds_by_construction(ctx: AppContext) -> None:
    build_archive(ctx)
    now = 0.0
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        nonlocal now
        slept.append(seconds)
        now += seconds

    result = run_fixity(ctx, rate=10, clock=lambda: now, sleep=sleep)
    assert result.checked == 5
    assert slept == pytest.approx([0.1, 0.1, 0.1, 0.1])  # the 5th object starts 0.4 s after the 1st: 10/s
    with ctx.db.session() as session:
        assert session.execute(select(FixityRun.rate)).scalar_one() == 10

    now, slept = 0.0, []
    run_fixity(ctx, rate=0, byte_rate=1000, due_only=False, clock=lambda: now, sleep=sleep)
    sizes = [len(f"master {n} ".encode()) * 50 for n in (1, 2)]  # masters first (lowest ids), 1000 bytes/s
    assert slept[:2] == pytest.approx([sizes[0] / 1000, sizes[1] / 1000])


def test_objects_unknown_to_the_database_are_reported(ctx: AppContext) -> None:
    build_archive(ctx)
    stray = ctx.store.put_bytes(b"a file nobody recorded").sha256
    result = run_fixity(ctx, rate=0)
    assert result.orphans == [stray]
    with ctx.db.session() as session:
        row = session.execute(select(FixityCheck).where(FixityCheck.outcome == "orphan")).scalar_one()
        assert (row.sha256, row.object_id) == (stray, None)


def test_one_pass_at_a_time(ctx: AppContext) -> None:
    assert try_acquire(ctx, fixity.LEASE, "another-host:1:x")
    with pytest.raises(SohoaError) as caught:
        run_fixity(ctx, rate=0)
    assert "running" in caught.value.en
    assert fixity.fixity_pass(ctx) is None  # the scheduled pass just skips its turn
    release(ctx, fixity.LEASE, "another-host:1:x")
    assert fixity.fixity_pass(ctx) is not None


def test_selected_objects_only(ctx: AppContext) -> None:
    archive = build_archive(ctx)
    result = run_fixity(ctx, rate=0, object_ids=[archive.pdf[0]], due_only=False)
    assert (result.checked, result.state) == (1, "done")
    assert run_fixity(ctx, rate=0).checked == 4  # a full pass does not continue a selection


def test_damage_is_repaired_from_the_replica(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data", workers=1, replica_url=str(tmp_path / "replica"))
    rctx = open_context(settings)
    try:
        archive = build_archive(rctx)
        flip_bit(rctx, archive.masters[0][1])
        lose(rctx, archive.pdf[1])
        result = run_fixity(rctx, rate=0)
        assert (result.mismatch, result.missing, result.repaired, result.problems) == (1, 1, 2, [])
        assert primary_store(rctx.store).verify(archive.masters[0][1])
        assert primary_store(rctx.store).verify(archive.pdf[1])
        with rctx.db.session() as session:
            assert fixity_summary(session).healthy
            history = object_history(session, archive.pdf[1])
            assert history is not None
            assert [(c.store, c.outcome) for c in history.checks] == [("replica", "ok"), ("primary", "repaired")]
            assert [(e.event_type, e.outcome) for e in history.events][-3:] == [
                ("fixity check", "failure"), ("recovery", "success"), ("fixity check", "success")]  # then the replica
        again = run_fixity(rctx, rate=0, due_only=False)
        assert (again.ok, again.replica_checked) == (5, 5)

        replica = open_replica(settings)  # now the replica's copies: one damaged, one lost
        assert replica is not None
        flip_path(Path(replica.path(archive.masters[1][1])))  # type: ignore[attr-defined]
        Path(replica.path(archive.thumbnails[1][1])).unlink()  # type: ignore[attr-defined]
        third = run_fixity(rctx, rate=0, due_only=False)
        assert (third.ok, third.problems) == (5, [])  # the primary copies are fine; the replica's are made again
        assert replica.verify(archive.masters[1][1]) and replica.verify(archive.thumbnails[1][1])
        with rctx.db.session() as session:
            history = object_history(session, archive.masters[1][1])
            assert history is not None and (history.checks[0].store, history.checks[0].outcome) == ("replica",
                                                                                                 "repaired")
            alarms = session.execute(select(Event).where(Event.action == "preservation.fixity_failed")).scalars()
            assert {(a.entity_id, a.payload.get("store")) for a in alarms} >= {(archive.masters[1][0], "replica"),
                                                                               (archive.thumbnails[1][0], "replica")}
    finally:
        rctx.close()


def test_the_web_app_schedules_passes_unless_told_not_to(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "d", workers=1, fixity_interval_minutes=30)
    ctx = open_context(settings)
    try:
        scheduled = fixity.fixity_task(ctx)
        assert scheduled is not None and scheduled.interval == 1800 and scheduled.name == "fixity"
        ctx.settings = Settings(data=tmp_path / "d", workers=1, fixity_interval_minutes=0)
        assert fixity.fixity_task(ctx) is None
    finally:
        ctx.close()


def test_an_unreadable_object_is_a_problem_too(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = build_archive(ctx)
    store = primary_store(ctx.store)
    real_verify = store.verify

    def failing_verify(sha256: str) -> bool:
        if sha256 == archive.pdf[1]:
            raise OSError(5, "Input/output error")
        return real_verify(sha256)

    monkeypatch.setattr(store, "verify", failing_verify)
    result = run_fixity(ctx, rate=0)
    assert (result.unreadable, result.ok) == (1, 4)
    assert result.problems == [(archive.pdf[1], "unreadable", f"file {FILE_CODE}, document {DOC_CODE} (pdf)")]
    with ctx.db.session() as session:
        problem = fixity_summary(session).problems[0]
        assert problem.outcome == "unreadable" and "Input/output error" in (problem.detail or "")
