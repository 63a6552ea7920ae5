"""The replica: a second copy of every stored object on independent storage, kept in step, and repairs from it.

``SOHOA_REPLICA_URL`` names it (a directory on another disk, or ``s3://bucket[/prefix]``). Every new object is
copied right after the primary write (:class:`~sohoa.storage.replicated.ReplicatedObjectStore`, which context.py
puts in front of the primary store); :func:`sync_replica` (``sohoa replica sync`` and a periodic task of the web
app) catches up what is pending — objects written while the replica was down, or before it was configured —,
records each verified copy in ``replica_copies`` with a PREMIS ``replication`` event, and can re-verify what the
replica already holds. :func:`repair_from_replica` puts a missing or damaged primary object back from the replica
(PREMIS ``recovery``), when the replica's copy verifies. The replica is a second copy, not a backup: a deletion
or a bad write reaches it too; backups (``sohoa backup``) are the history.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from sohoa.db.models import ReplicaCopy, StoredObject
from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import ObjectStore, sha256_stream
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.background import PeriodicTask
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.replica_store import open_replica, primary_store, replica_label
from sohoa.services.preservation.events import EventType, Outcome, record_preservation_event
from sohoa.services.preservation.lease import single_runner
from sohoa.storage.replicated import ReplicatedObjectStore, mirror_object
from sohoa.storage.sealed import SealingStore

__all__ = ["ReplicaStatus", "SyncReport", "open_replica", "primary_store", "repair_from_replica", "replica_label",
           "replica_pass", "replica_status", "replica_task", "sync_replica"]

log = logging.getLogger(__name__)

BATCH = 200  # objects per transaction of a sync pass
COPIERS = 4  # objects copied at once
INTERVAL = 600.0  # seconds between two scheduled catch-up passes of the web app
PASS_LIMIT = 20_000  # objects one scheduled pass copies at most (the next pass goes on)


@dataclass(frozen=True)
class ReplicaStatus:
    """Where the replica is and how far it is in step: objects the database knows, those with a verified copy
    in this replica, those still pending, and the time of the last copy and of the last verification."""

    url: str
    objects: int
    replicated: int
    pending: int
    last_replicated_at: datetime | None
    last_verified_at: datetime | None


@dataclass
class SyncReport:
    """What one sync pass did: objects copied, found already in the replica, re-verified, and those that failed
    (digest, reason in English) and stay pending."""

    copied: int = 0
    present: int = 0
    verified: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    pending: int = 0


def _replica_of(ctx: AppContext) -> ObjectStore | None:
    """The replica the context's store keeps in step (opened once), else a fresh one from the settings."""
    if isinstance(ctx.store, ReplicatedObjectStore):
        return ctx.store.replica
    return open_replica(ctx.settings)


def _required(ctx: AppContext) -> tuple[str, ObjectStore]:
    label, replica = replica_label(ctx.settings), _replica_of(ctx)
    if label is None or replica is None:
        raise SohoaError("Chưa cấu hình bản sao (SOHOA_REPLICA_URL)", "No replica is configured (SOHOA_REPLICA_URL)")
    return label, replica


def _stored_digest(replica: ObjectStore, sha256: str) -> tuple[str, int]:
    with replica.open_stored(sha256) as handle:
        return sha256_stream(handle)


def _record_copy(session: Session, obj: StoredObject, label: str, stored: tuple[str, int], copied: bool) -> None:
    now = datetime.now(UTC)
    row = session.execute(select(ReplicaCopy).where(ReplicaCopy.object_id == obj.id)).scalar_one_or_none()
    if row is None:
        row = ReplicaCopy(object_id=obj.id)
        session.add(row)
    row.replica, row.stored_sha256, row.stored_size = label, stored[0], stored[1]
    row.replicated_at, row.verified_at = now, now
    record_preservation_event(
        session, EventType.REPLICATION, Outcome.SUCCESS, object_id=obj.id,
        detail=f"Stored bytes copied to the replica {label}" if copied
        else f"The replica {label} already held a verified copy",
        outcome_detail=f"replica copy verified; stored sha256 {stored[0]}, {stored[1]} bytes",
        payload={"replica": label, "stored_sha256": stored[0], "stored_size": stored[1], "copied": copied})


def _follow_envelope(primary: ObjectStore, replica: ObjectStore, sha256: str) -> bool:
    """A replica still holding the plaintext of an object the primary keeps sealed takes the envelope (no
    plaintext of restricted material left on the second copy); True when it did."""
    if not (isinstance(primary, SealingStore) and isinstance(replica, SealingStore)):  # local or S3
        return False
    if not primary.is_encrypted(sha256) or replica.is_encrypted(sha256):
        return False
    record = primary.key_record(sha256)
    if record is None:
        return False
    with primary.open_stored(sha256) as stored:
        return replica.adopt_envelope(sha256, stored, record)


def _pending_query(label: str, after: int) -> Select[StoredObject]:
    return (select(StoredObject).outerjoin(ReplicaCopy, ReplicaCopy.object_id == StoredObject.id)
            .where(or_(ReplicaCopy.id.is_(None), ReplicaCopy.replica != label), StoredObject.id > after)
            .order_by(StoredObject.id).limit(BATCH))


def _copy_one(primary: ObjectStore, replica: ObjectStore, sha256: str) -> tuple[bool, tuple[str, int]]:
    copied = mirror_object(primary, replica, sha256) | _follow_envelope(primary, replica, sha256)
    return copied, _stored_digest(replica, sha256)


def _copy_pending(ctx: AppContext, label: str, replica: ObjectStore, report: SyncReport, limit: int | None) -> None:
    primary = primary_store(ctx.store)
    after, done = 0, 0
    while limit is None or done < limit:
        with ctx.db.session() as session, ThreadPoolExecutor(COPIERS, thread_name_prefix="sohoa-replica") as pool:
            objects = list(session.execute(_pending_query(label, after)).scalars())
            if not objects:
                return
            chosen = objects[: None if limit is None else limit - done]
            # copies wait mostly on fsync (or the network): a few at once; the records are written here, in order
            copies = [pool.submit(_copy_one, primary, replica, obj.sha256) for obj in chosen]
            for obj, copy in zip(chosen, copies, strict=True):
                after, done = obj.id, done + 1
                try:
                    copied, stored = copy.result()
                except (SohoaError, OSError) as exc:
                    reason = exc.en if isinstance(exc, SohoaError) else str(exc)
                    report.failed.append((obj.sha256, reason))
                    record_preservation_event(session, EventType.REPLICATION, Outcome.FAILURE, object_id=obj.id,
                                              detail=f"Copy to the replica {label}", outcome_detail=reason,
                                              payload={"replica": label})
                    continue
                _record_copy(session, obj, label, stored, copied)
                report.copied += copied
                report.present += not copied


def _verify_copies(ctx: AppContext, label: str, replica: ObjectStore, report: SyncReport) -> None:
    """Re-verify every recorded copy; a copy that no longer verifies loses its row (pending again)."""
    after = 0
    while True:
        with ctx.db.session() as session:
            rows = list(session.execute(
                select(ReplicaCopy, StoredObject.sha256).join(StoredObject, StoredObject.id == ReplicaCopy.object_id)
                .where(ReplicaCopy.replica == label, ReplicaCopy.id > after).order_by(ReplicaCopy.id).limit(BATCH)
            ).all())
            if not rows:
                return
            for row, sha256 in rows:
                after = row.id
                if replica.verify(sha256):  # the stored form may have changed (sealed since): recorded as it is
                    row.stored_sha256, row.stored_size = _stored_digest(replica, sha256)
                    row.verified_at = datetime.now(UTC)
                    report.verified += 1
                    continue
                record_preservation_event(session, EventType.FIXITY_CHECK, Outcome.FAILURE, object_id=row.object_id,
                                          detail=f"Verification of the replica's copy in {label}",
                                          outcome_detail="the replica's copy is missing or damaged; copied again",
                                          payload={"replica": label, "store": "replica"})
                session.delete(row)


def sync_replica(ctx: AppContext, *, limit: int | None = None, verify: bool = False) -> SyncReport:
    """Copy every pending object to the replica (at most ``limit``), recording each verified copy; with
    ``verify``, first re-verify the copies already recorded (a bad one is copied again). Resumable: what was
    recorded stays done; a failure leaves the object pending and is reported."""
    label, replica = _required(ctx)
    report = SyncReport()
    if verify:
        _verify_copies(ctx, label, replica, report)
    _copy_pending(ctx, label, replica, report, limit)
    with ctx.db.session() as session:
        report.pending = _pending_count(session, label)
    return report


def _pending_count(session: Session, label: str) -> int:
    total = session.execute(select(func.count()).select_from(StoredObject)).scalar_one()
    done = session.execute(select(func.count()).select_from(ReplicaCopy).where(ReplicaCopy.replica == label)
                           ).scalar_one()
    return int(total) - int(done)


def replica_status(ctx: AppContext) -> ReplicaStatus | None:
    """How far the replica is in step; None when no replica is configured."""
    label = replica_label(ctx.settings)
    if label is None:
        return None
    with ctx.db.session() as session:
        total = int(session.execute(select(func.count()).select_from(StoredObject)).scalar_one())
        mine = select(func.count(), func.max(ReplicaCopy.replicated_at), func.max(ReplicaCopy.verified_at)
                      ).where(ReplicaCopy.replica == label)
        done, last_copy, last_verified = session.execute(mine).one()
    return ReplicaStatus(label, total, int(done), total - int(done), last_copy, last_verified)


def repair_from_replica(ctx: AppContext, session: Session, sha256: str) -> bool:
    """Put the primary copy of ``sha256`` back from the replica when the replica's copy verifies (PREMIS
    ``recovery`` and audit event ``preservation.repaired``). False, with a failed ``recovery`` event, when no
    replica is configured or its copy is missing or damaged too. True also when the primary copy verifies
    (nothing to repair)."""
    label = replica_label(ctx.settings)
    obj = session.execute(select(StoredObject).where(StoredObject.sha256 == sha256)).scalar_one_or_none()
    primary = primary_store(ctx.store)
    if label is None:
        return False
    if primary.verify(sha256):
        return True
    problem: str | None = None
    try:
        replica = _replica_of(ctx)
        if replica is None or not replica.verify(sha256):
            problem = "the replica's copy is missing or damaged too"
        else:
            with replica.open_stored(sha256) as source:
                primary.restore_stored(sha256, source)
    except (SohoaError, OSError) as exc:
        problem = exc.en if isinstance(exc, SohoaError) else str(exc)
    if obj is not None:
        record_preservation_event(
            session, EventType.RECOVERY, Outcome.FAILURE if problem else Outcome.SUCCESS, object_id=obj.id,
            detail=f"Primary copy restored from the replica {label}",
            outcome_detail=problem or "the restored copy verifies", payload={"replica": label, "sha256": sha256})
        if problem is None:
            record_event(session, "system", "preservation.repaired", "stored_object", obj.id,
                         {"sha256": sha256, "from": label})
    if problem:
        log.error("object %s not repaired from the replica: %s", sha256, problem)
    return problem is None


def replica_pass(ctx: AppContext) -> SyncReport | None:
    """One scheduled catch-up (at most :data:`PASS_LIMIT` objects) in the one web process holding the
    ``replica`` lease; failures are logged (they stay pending), never raised into the web app."""
    with single_runner(ctx, "replica") as mine:
        if not mine:
            return None
        try:
            report = sync_replica(ctx, limit=PASS_LIMIT)
        except SohoaError as exc:
            log.error("replica sync: %s", exc.en)
            return None
    for sha256, reason in report.failed[:20]:
        log.error("replica: %s not copied (%s)", sha256, reason)
    return report


def replica_task(ctx: AppContext) -> PeriodicTask | None:
    """The web app's catch-up every :data:`INTERVAL` seconds; None when no replica is configured."""
    if replica_label(ctx.settings) is None:
        return None
    return PeriodicTask("replica", lambda: replica_pass(ctx), INTERVAL, wait_first=True)
