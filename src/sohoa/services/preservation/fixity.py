"""Fixity audits with memory: every stored object read back and re-hashed on a cycle, each check remembered.

``run_fixity`` walks ``stored_objects`` in id order from the pass's cursor, at most ``rate`` objects a second
(``SOHOA_FIXITY_RATE``; a byte rate too if asked), and for each object: verifies the primary copy
(``store.verify``: the bytes still hash to the object's name; an encrypted envelope is checked as its store
knows how), writes a ``fixity_checks`` row and a PREMIS ``fixity check`` event, and stamps
``stored_objects.last_fixity_at``. Commits come every ``BATCH`` objects with the cursor, so a pass that is killed
or stopped (``limit``, ``max_seconds``) is continued by the next one without re-checking what it did. A
mismatch, a missing or unreadable object raises the alarm — audit event ``preservation.fixity_failed`` naming
the object, the document, page and hồ sơ it belongs to —, and when a replica is configured the primary copy is
repaired from it (``repair_from_replica``: outcome ``repaired``, PREMIS ``recovery``). A pass that reaches the
end after checking something also lists objects in the store that the database does not know (orphans).

One pass at a time across processes (``single_runner(ctx, "fixity")``). Reports: :mod:`.fixity_report`.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from sohoa.db.models import FixityCheck, FixityRun, PreservationEvent, StoredObject
from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import ObjectStore
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.background import PeriodicTask
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.replica_store import open_replica, primary_store, replica_label
from sohoa.services.preservation.events import AGENT, EventType, Outcome
from sohoa.services.preservation.fixity_replica import check_replica_copy
from sohoa.services.preservation.fixity_report import (
    FixitySummary,
    ObjectHistory,
    fixity_summary,
    object_history,
    object_places,
)
from sohoa.services.preservation.lease import single_runner
from sohoa.services.preservation.replica import repair_from_replica

__all__ = ["BATCH", "FixityResult", "FixitySummary", "ObjectHistory", "fixity_pass", "fixity_summary",
           "fixity_task", "object_history", "run_fixity"]

log = logging.getLogger(__name__)

BATCH = 200  # objects per transaction
PASS_SECONDS = 900.0  # a scheduled pass stops after this long; the next continues
LEASE = "fixity"
SELECTED = "selected objects"  # the note of a pass over chosen objects: never continued by a full pass


@dataclass
class FixityResult:
    """What one call of :func:`run_fixity` did; ``problems``: (sha256, outcome, where) still unrepaired."""

    run_id: int
    state: str
    checked: int = 0
    ok: int = 0
    mismatch: int = 0
    missing: int = 0
    unreadable: int = 0
    repaired: int = 0
    orphans: list[str] = field(default_factory=list)
    bytes_read: int = 0
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    resumed: bool = False
    replica_checked: int = 0  # copies of the replica checked too

    @property
    def unrepaired(self) -> int:
        return len(self.problems)


class _Pacer:
    """Keeps a pass at most ``rate`` objects/s and ``byte_rate`` bytes/s by sleeping ahead of each object."""

    def __init__(self, rate: float | None, byte_rate: float | None, clock: Callable[[], float],
                 sleep: Callable[[float], None]) -> None:
        self.rate, self.byte_rate, self.clock, self.sleep = rate or None, byte_rate or None, clock, sleep
        self.start = clock()
        self.count = 0
        self.bytes = 0

    def wait(self, next_size: int) -> None:
        due = self.start
        if self.rate:
            due = max(due, self.start + self.count / self.rate)
        if self.byte_rate:
            due = max(due, self.start + self.bytes / self.byte_rate)
        ahead = due - self.clock()
        if ahead > 0:
            self.sleep(ahead)
        self.count += 1
        self.bytes += next_size


def _digest_of(store: ObjectStore, sha256: str) -> str | None:
    """The SHA-256 of the bytes as kept (for the record of a mismatch); None when unreadable."""
    try:
        digest = hashlib.sha256()
        with store.open_stored(sha256) as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()
    except (OSError, SohoaError):
        return None


def _check(store: ObjectStore, sha256: str) -> tuple[str, str | None, str | None]:
    """(outcome, actual digest, detail) of the primary copy of one object."""
    try:
        if not store.exists(sha256):
            return "missing", None, "the object is not in the store"
        if store.verify(sha256):
            return "ok", sha256, None
    except (OSError, SohoaError) as exc:
        return "unreadable", None, exc.en if isinstance(exc, SohoaError) else f"{type(exc).__name__}: {exc}"
    actual = _digest_of(store, sha256)
    return "mismatch", actual, "the stored bytes no longer hash to the object's name"


def _start(session: Session, *, trigger: str, actor: str, due_only: bool, rate: float | None,
           restricted: bool) -> tuple[FixityRun, bool]:
    """The run to continue (one left running by a killed process or interrupted), or a new one."""
    # The caller holds the lease: a run still marked running was left so by a process that died.
    for selected, state in ((True, "stopped"), (False, "interrupted")):
        chosen = FixityRun.note == SELECTED if selected else or_(FixityRun.note.is_(None), FixityRun.note != SELECTED)
        # a pass's own bookkeeping state, not a record's workflow state (sohoa.domain.workflow)
        session.execute(update(FixityRun).where(FixityRun.state == "running", chosen).values({FixityRun.state: state})
                        .execution_options(synchronize_session=False))
    if not restricted:
        left = session.execute(select(FixityRun).where(FixityRun.state.in_(("running", "interrupted")),
                                                       FixityRun.due_only == due_only,
                                                       or_(FixityRun.note.is_(None), FixityRun.note != SELECTED))
                               .order_by(FixityRun.id.desc()).limit(1)).scalar_one_or_none()
        if left is not None:
            left.state, left.rate = "running", rate
            return left, True
    run = FixityRun(state="running", trigger=trigger, actor=actor, due_only=due_only, cursor=0, checked=0, ok=0,
                    mismatch=0, missing=0, unreadable=0, repaired=0, orphans=0, bytes_read=0, rate=rate,
                    note=SELECTED if restricted else None)
    session.add(run)
    session.flush()
    return run, False


def _batch(session: Session, run: FixityRun, *, due_before: datetime | None, object_ids: Sequence[int] | None,
           size: int) -> list[tuple[int, str, int]]:
    query = select(StoredObject.id, StoredObject.sha256, StoredObject.size).where(StoredObject.id > run.cursor)
    if due_before is not None:
        query = query.where(or_(StoredObject.last_fixity_at.is_(None), StoredObject.last_fixity_at < due_before))
    if object_ids is not None:
        query = query.where(StoredObject.id.in_(list(object_ids)))
    return [(int(i), str(s), int(n)) for i, s, n in session.execute(query.order_by(StoredObject.id).limit(size))]


def _alarm(ctx: AppContext, session: Session, object_id: int, sha256: str, outcome: str,
           detail: str | None) -> tuple[bool, str]:
    """Record the failure where people see it, then repair from the replica when there is one."""
    places = object_places(session, [object_id]).get(object_id, [])
    where = "; ".join(p.label for p in places) or "not referenced by any document"
    payload = {"sha256": sha256, "outcome": outcome, "detail": detail, "where": where}
    record_event(session, "system", "preservation.fixity_failed", "stored_object", object_id, payload)
    log.error("fixity: object %s %s (%s): %s", sha256, outcome, where, detail)
    repaired = replica_label(ctx.settings) is not None and repair_from_replica(ctx, session, sha256)
    return repaired, where


@dataclass
class _Rows:
    """What a batch writes in three statements: the checks, their PREMIS events, the objects' new check time."""

    checks: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    stamps: list[dict[str, Any]] = field(default_factory=list)

    def write(self, session: Session) -> None:
        if self.checks:
            session.execute(insert(FixityCheck), self.checks)
            session.execute(insert(PreservationEvent), self.events)
            session.execute(update(StoredObject), self.stamps)


@dataclass(frozen=True)
class _Stores:
    """The primary store, and the replica with its label when one is checked too."""

    primary: ObjectStore
    replica: ObjectStore | None = None
    label: str = ""


def _record(ctx: AppContext, session: Session, run: FixityRun, result: FixityResult, stores: _Stores,
            item: tuple[int, str, int], clock: Callable[[], float], rows: _Rows) -> None:
    object_id, sha256, size = item
    began = clock()
    outcome, actual, detail = _check(stores.primary, sha256)
    seconds = clock() - began
    now = datetime.now(UTC)
    first = outcome
    if outcome != "ok":
        repaired, where = _alarm(ctx, session, object_id, sha256, outcome, detail)
        if repaired:
            outcome, detail = "repaired", f"{first}: {detail}; restored from the replica"
        else:
            result.problems.append((sha256, first, where))
    setattr(result, first, getattr(result, first) + 1)
    result.repaired += outcome == "repaired"
    result.checked += 1
    result.bytes_read += size if first != "missing" else 0
    rows.checks.append({"run_id": run.id, "object_id": object_id, "sha256": sha256, "checked_at": now,
                        "store": "primary", "outcome": outcome, "actual_sha256": actual, "seconds": seconds,
                        "detail": detail})
    # One PREMIS event per check, as record_preservation_event writes it, inserted with the batch.
    rows.events.append({
        "identifier": f"urn:uuid:{uuid.uuid4()}", "event_type": str(EventType.FIXITY_CHECK), "at": now,
        "outcome": str(Outcome.SUCCESS if first == "ok" else Outcome.FAILURE),
        "detail": "SHA-256 of the stored object recomputed and compared with its name",
        "outcome_detail": detail or "the digest matches", "agent": AGENT, "object_id": object_id,
        "document_id": None, "file_id": None,
        "payload": {"sha256": sha256, "outcome": outcome, "actual_sha256": actual, "run": run.id}})
    rows.stamps.append({"id": object_id, "last_fixity_at": now})
    if stores.replica is not None:
        copy = check_replica_copy(session, stores.primary, stores.replica, object_id=object_id, sha256=sha256,
                                  primary_ok=outcome in ("ok", "repaired"), run_id=run.id, label=stores.label)
        rows.checks.append(copy.check)
        rows.events.append(copy.event)
        result.replica_checked += 1
        if copy.unrepaired:
            result.problems.append((sha256, copy.unrepaired, f"replica {stores.label}"))


def _orphans(session: Session, store: ObjectStore, run: FixityRun) -> list[str]:
    """Objects in the store that the database does not know (recorded once per pass that reaches the end)."""
    known = set(session.execute(select(StoredObject.sha256)).scalars())
    found = sorted(d for d in store.iter_digests() if d not in known)
    now = datetime.now(UTC)
    for digest in found:
        session.add(FixityCheck(run_id=run.id, object_id=None, sha256=digest, checked_at=now, store="primary",
                                outcome="orphan", detail="in the store, unknown to the database"))
    if found:
        log.warning("fixity: %d objects in the store are unknown to the database", len(found))
    return found


def _add_counts(run: FixityRun, before: FixityResult, result: FixityResult) -> None:
    for name in ("checked", "ok", "mismatch", "missing", "unreadable", "repaired", "bytes_read"):
        setattr(run, name, getattr(run, name) + getattr(result, name) - getattr(before, name))


def run_fixity(ctx: AppContext, *, rate: float | None = None, byte_rate: float | None = None,
               limit: int | None = None, max_seconds: float | None = None, due_only: bool = True,
               object_ids: Sequence[int] | None = None, trigger: str = "cli", actor: str = "system",
               replica: bool = True, clock: Callable[[], float] = time.monotonic,
               sleep: Callable[[float], None] = time.sleep) -> FixityResult:
    """One fixity pass (see the module). ``rate`` objects/s (None: ``SOHOA_FIXITY_RATE``; 0: no cap);
    ``due_only``: only objects not checked within ``SOHOA_FIXITY_CYCLE_DAYS`` (False: every object);
    ``object_ids``: only these; ``limit``/``max_seconds`` stop the pass early (the next one continues it);
    ``replica``: check the replica's copy of each object too, when one is configured (a bad copy is made again
    from a good primary).
    Raises :class:`SohoaError` when another process runs a pass now."""
    cap = ctx.settings.fixity_rate if rate is None else rate
    with single_runner(ctx, LEASE) as mine:
        if not mine:
            raise SohoaError("Một lượt kiểm tra toàn vẹn khác đang chạy", "Another fixity pass is running")
        return _run(ctx, cap or None, byte_rate, limit, max_seconds, due_only, object_ids, trigger, actor,
                    replica, clock, sleep)


def _run(ctx: AppContext, rate: float | None, byte_rate: float | None, limit: int | None, max_seconds: float | None,
         due_only: bool, object_ids: Sequence[int] | None, trigger: str, actor: str, check_replica: bool,
         clock: Callable[[], float], sleep: Callable[[float], None]) -> FixityResult:
    store = primary_store(ctx.store)
    replica = None
    try:
        replica = open_replica(ctx.settings) if check_replica else None
    except SohoaError as exc:  # a replica that cannot be opened must not stop the audit of the primary
        log.error("fixity: the replica's copies are not checked: %s", exc.en)
    stores = _Stores(store, replica, replica_label(ctx.settings) or "")
    due_before = datetime.now(UTC) - timedelta(days=ctx.settings.fixity_cycle_days) if due_only else None
    with ctx.db.session() as session:
        run, resumed = _start(session, trigger=trigger, actor=actor, due_only=due_only, rate=rate,
                              restricted=object_ids is not None)
        run_id = run.id
    result = FixityResult(run_id=run_id, state="running", resumed=resumed)
    pacer = _Pacer(rate, byte_rate, clock, sleep)
    started = clock()
    finished = False
    try:
        while True:
            with ctx.db.session() as session:
                run = session.get_one(FixityRun, run_id)
                room = BATCH if limit is None else min(BATCH, limit - result.checked)
                items = _batch(session, run, due_before=due_before, object_ids=object_ids, size=room) if room else []
                if room and not items:
                    finished = True
                    if object_ids is None and (run.checked or not due_only):  # an idle pass lists nothing
                        result.orphans = _orphans(session, store, run)
                        run.orphans = len(result.orphans)
                    break
                if not items:
                    break
                before = FixityResult(run_id, "running", **{k: getattr(result, k) for k in (
                    "checked", "ok", "mismatch", "missing", "unreadable", "repaired", "bytes_read")})
                rows = _Rows()
                for item in items:
                    pacer.wait(item[2])
                    _record(ctx, session, run, result, stores, item, clock, rows)
                    run.cursor = item[0]
                rows.write(session)
                _add_counts(run, before, result)
            if max_seconds is not None and clock() - started >= max_seconds:
                break
    except BaseException:
        _finish(ctx, run_id, "interrupted", result)
        raise
    result.state = "done" if finished or object_ids is not None else "interrupted"
    _finish(ctx, run_id, result.state, result)
    return result


def _finish(ctx: AppContext, run_id: int, state: str, result: FixityResult) -> None:
    with ctx.db.session() as session:
        run = session.get_one(FixityRun, run_id)
        run.state = state
        run.finished_at = datetime.now(UTC)
        if state == "interrupted" and run.note == SELECTED:
            run.state = "stopped"
        result.state = run.state


def fixity_pass(ctx: AppContext) -> FixityResult | None:
    """One scheduled pass: the objects due, bounded in time; None when another process runs one."""
    try:
        return run_fixity(ctx, max_seconds=PASS_SECONDS, trigger="schedule")
    except SohoaError as exc:
        log.info("fixity pass skipped: %s", exc.en)
        return None


def fixity_task(ctx: AppContext) -> PeriodicTask | None:
    """The web app's fixity passes every ``SOHOA_FIXITY_INTERVAL_MINUTES`` (None when 0)."""
    minutes = ctx.settings.fixity_interval_minutes
    if minutes <= 0:
        return None
    return PeriodicTask("fixity", lambda: fixity_pass(ctx), minutes * 60.0, wait_first=True)
