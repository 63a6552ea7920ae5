"""Format identification of every stored object (PRONOM, by siegfried) and the migration watch.

A pass (:func:`identify_objects`: `sohoa formats identify`, and a periodic task of `sohoa serve`) identifies the
objects that have no identification yet, those whose identification came from another siegfried or signature
file (an upgrade may say more), and those that could not be read when last tried (an hour ago or more). Each
identification is one row of ``object_formats`` and one PREMIS ``format identification`` event, committed
together, a batch at a time: a pass stopped half-way resumes where it stopped. Page processing never waits for
it: `sohoa ingest` identifies what it stored once it is over (:func:`identify_new`), other intake (uploads, hot
folders, the API, packages) is identified by the next pass (about 2 ms of CPU an object).

A master is shown to siegfried under its original name's extension, a derivative under its media type's (see
:mod:`sohoa.engines.formats`); an encrypted object is identified from its plaintext, through a private
temporary copy (the store's ``open`` decrypts).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from sohoa.db.models import ObjectFormat, StoredObject
from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import ObjectMissing
from sohoa.engines.formats import FormatId, identify, identify_stream, named_link, signature_name, suffix_for, tool_name
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.background import PeriodicTask
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.events import EventType, Outcome, record_preservation_event
from sohoa.services.preservation.format_policy import FormatPolicy, load_policy
from sohoa.services.preservation.lease import single_runner
from sohoa.storage.objects import LocalObjectStore

__all__ = [
    "FormatCount",
    "IdentifyReport",
    "format_summary",
    "formats_of",
    "formats_task",
    "identify_new",
    "identify_objects",
    "identify_one",
    "latest_object_id",
    "pending_count",
    "policy_of",
]

log = logging.getLogger(__name__)

BATCH = 100  # objects per transaction
RETRY_UNREADABLE = timedelta(hours=1)  # an object unreadable last time is tried again after this


@dataclass(frozen=True)
class FormatCount:
    """How many objects are of one format (PRONOM ``puid``, name, version, MIME) with the same inspection
    ``flags``, the policy's ``level`` for them, whether that is ``at_risk`` and why (``reason``, "vi / en")."""

    puid: str
    name: str
    version: str
    mime: str
    flags: str
    count: int
    level: str
    at_risk: bool
    reason: str


@dataclass
class IdentifyReport:
    """What a pass did: objects identified, of which at risk, not readable, and how long it took."""

    identified: int = 0
    at_risk: int = 0
    missing: int = 0
    seconds: float = 0.0
    tool: str = ""
    signature: str = ""

    @property
    def per_second(self) -> float:
        return self.identified / self.seconds if self.seconds else 0.0


def policy_of(ctx: AppContext) -> FormatPolicy:
    """The policy in effect (shipped, with SOHOA_FORMAT_RISK_FILE over it)."""
    return load_policy(ctx.settings.format_risk_file)


def identify_one(ctx: AppContext, obj: StoredObject) -> FormatId:
    """Identify one stored object from its plaintext bytes (raises :class:`ObjectMissing`)."""
    suffix = suffix_for(obj.original_name if obj.kind == "master" else None, obj.media_type)
    store = getattr(ctx.store, "primary", ctx.store)  # the primary copy behind a replicated store
    if isinstance(store, LocalObjectStore) and not store.is_encrypted(obj.sha256):
        path = store.path(obj.sha256)
        if not path.is_file():
            raise ObjectMissing(obj.sha256)
        with named_link(path, suffix) as named:
            found = identify(named)
        if not store.is_encrypted(obj.sha256):  # not sealed meanwhile (the web process seals restricted objects)
            return found
    with ctx.store.open(obj.sha256) as stream:  # decrypted when kept encrypted
        return identify_stream(stream, suffix, folder=ctx.settings.work_dir if ctx.settings.work_dir.is_dir()
                               else None)


def _due_ids(session: Session, after: int, limit: int, *, tool: str, signature: str,
             redo_before: datetime | None, retry_before: datetime) -> list[int]:
    """The next object ids due after ``after`` (no row, unreadable when last tried before ``retry_before``,
    identified by another tool or signature file, or before ``redo_before``), at most ``limit``."""
    conditions = [ObjectFormat.id.is_(None),
                  and_(ObjectFormat.flags == "missing", ObjectFormat.identified_at < retry_before),
                  ObjectFormat.tool != tool, ObjectFormat.signature != signature]
    if redo_before is not None:
        conditions.append(ObjectFormat.identified_at < redo_before)
    query = (select(StoredObject.id).outerjoin(ObjectFormat, ObjectFormat.object_id == StoredObject.id)
             .where(StoredObject.id > after, or_(*conditions)).order_by(StoredObject.id).limit(limit))
    return list(session.execute(query).scalars())


def _outcome(found: FormatId) -> Outcome:
    if not found.identified:
        return Outcome.FAILURE
    return Outcome.WARNING if found.warning or found.flags else Outcome.SUCCESS


def _record(session: Session, obj: StoredObject, row: ObjectFormat | None, found: FormatId, now: datetime,
            policy: FormatPolicy) -> bool:
    """Keep one identification (row and PREMIS event); whether the policy holds the object at risk."""
    flags = ",".join(found.flags)
    values = {"puid": found.puid, "name": found.name[:200], "version": found.version[:60], "mime": found.mime[:120],
              "basis": found.basis, "warning": found.warning, "flags": flags[:200], "tool": found.tool[:60],
              "signature": found.signature[:200], "identified_at": now}
    if row is None:
        session.add(ObjectFormat(object_id=obj.id, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)
    verdict = policy.assess(found.puid, warning=found.warning, flags=found.flags)
    label = " ".join(part for part in (found.puid, found.name, found.version) if part)
    record_preservation_event(
        session, EventType.FORMAT_IDENTIFICATION, _outcome(found), object_id=obj.id,
        detail=f"{found.tool} ({found.signature}); PRONOM", at=now,
        outcome_detail=f"{label}" + (f" — {found.warning}" if found.warning else "")
        + (f" [{flags}]" if flags else "") + f"; {verdict.level}: {verdict.reason}",
        payload={"puid": found.puid, "name": found.name, "version": found.version, "mime": found.mime,
                 "basis": found.basis, "warning": found.warning, "flags": list(found.flags),
                 "level": verdict.level, "registry": "PRONOM"})
    return verdict.at_risk


def _record_missing(session: Session, obj: StoredObject, row: ObjectFormat | None, now: datetime,
                    tool: str, signature: str, why: str) -> None:
    """An object that could not be read: a row flagged ``missing`` (tried again later) and, the first time only,
    a failed PREMIS event (fixity names a loss; a repaired object is identified when tried again)."""
    if row is not None and row.flags == "missing":
        row.identified_at = now
        return
    values = {"puid": "UNKNOWN", "name": "", "version": "", "mime": "", "basis": "",
              "warning": f"object not readable: {why}"[:2000],
              "flags": "missing", "tool": tool, "signature": signature, "identified_at": now}
    if row is None:
        session.add(ObjectFormat(object_id=obj.id, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)
    record_preservation_event(session, EventType.FORMAT_IDENTIFICATION, Outcome.FAILURE, object_id=obj.id,
                              detail=f"{tool} ({signature}); PRONOM", at=now,
                              outcome_detail=f"Không đọc được đối tượng / the object could not be read: {why}")


def identify_objects(ctx: AppContext, *, redo_all: bool = False, limit: int | None = None, actor: str = "system",
                     after_id: int = 0, retry_unreadable_after: timedelta = RETRY_UNREADABLE,
                     should_stop: Callable[[], bool] | None = None) -> IdentifyReport:
    """Identify the objects that are due (see the module's note; ``redo_all``: every object again; only those
    with an id above ``after_id``), at most ``limit``, a batch per transaction. Objects newly at risk are also
    named in the audit log."""
    started = time.perf_counter()
    tool, signature = tool_name(), signature_name()
    report = IdentifyReport(tool=tool, signature=signature)
    policy = policy_of(ctx)
    redo_before = datetime.now(UTC) if redo_all else None
    retry_before = datetime.now(UTC) - retry_unreadable_after
    after = after_id
    while limit is None or report.identified + report.missing < limit:
        if should_stop is not None and should_stop():
            break
        take = BATCH if limit is None else min(BATCH, limit - report.identified - report.missing)
        with ctx.db.session() as session:
            ids = _due_ids(session, after, take, tool=tool, signature=signature, redo_before=redo_before,
                           retry_before=retry_before)
            if not ids:
                break
            after = ids[-1]
            objects = session.execute(select(StoredObject).where(StoredObject.id.in_(ids))).scalars().all()
            rows = {r.object_id: r for r in session.execute(
                select(ObjectFormat).where(ObjectFormat.object_id.in_(ids))).scalars()}
            newly_at_risk: list[int] = []
            for obj in sorted(objects, key=lambda o: o.id):
                now = datetime.now(UTC)
                try:
                    found = identify_one(ctx, obj)
                except (ObjectMissing, SohoaError, OSError) as exc:  # lost, or its key is not at hand
                    _record_missing(session, obj, rows.get(obj.id), now, tool, signature, str(exc))
                    report.missing += 1
                    continue
                before = rows.get(obj.id)
                was_at_risk = before is not None and policy.assess(before.puid, warning=before.warning,
                                                                   flags=before.flags).at_risk
                if _record(session, obj, before, found, now, policy):
                    report.at_risk += 1
                    if not was_at_risk:
                        newly_at_risk.append(obj.id)
                report.identified += 1
            if newly_at_risk:
                record_event(session, actor, "formats.at_risk", "stored_object", newly_at_risk[0],
                             {"objects": newly_at_risk, "policy": policy.source})
            session.commit()
    report.seconds = time.perf_counter() - started
    return report


def identify_new(ctx: AppContext, after_id: int, *, actor: str = "ingest") -> IdentifyReport | None:
    """Identify what an ingest just stored (objects above ``after_id``) right after it, so an archive run from
    the command line alone has its formats too. Never fails the ingest: when another process holds the pass's
    lease, or on an error (logged), the objects are left to the next pass (`sohoa serve`, `sohoa formats
    identify`)."""
    try:
        with single_runner(ctx, "formats") as mine:  # else a pass runs now (the next one takes these)
            return identify_objects(ctx, after_id=after_id, actor=actor) if mine else None
    except Exception:  # identification is a follow-up: the ingest itself succeeded
        log.exception("format identification after ingest failed; the next pass will do it")
        return None


def latest_object_id(ctx: AppContext) -> int:
    """The highest stored object id now (0 for none): what an ingest about to start will store comes after."""
    with ctx.db.session() as session:
        return int(session.execute(select(func.max(StoredObject.id))).scalar_one() or 0)


def formats_of(session: Session, object_ids: Sequence[int]) -> dict[int, ObjectFormat]:
    """The identification of each of these objects that has one (packages write it into PREMIS)."""
    found: dict[int, ObjectFormat] = {}
    ids = list(object_ids)
    for start in range(0, len(ids), 500):
        query = select(ObjectFormat).where(ObjectFormat.object_id.in_(ids[start:start + 500]))
        found.update({row.object_id: row for row in session.execute(query).scalars()})
    return found


def pending_count(session: Session) -> int:
    """Stored objects not identified yet."""
    query = (select(func.count()).select_from(StoredObject)
             .outerjoin(ObjectFormat, ObjectFormat.object_id == StoredObject.id).where(ObjectFormat.id.is_(None)))
    return int(session.execute(query).scalar_one())


def format_summary(session: Session, policy: FormatPolicy | None = None) -> list[FormatCount]:
    """Objects per format and inspection flags, with the policy's verdict; at-risk formats first, then the
    most frequent."""
    policy = policy or load_policy(None)
    query = (select(ObjectFormat.puid, ObjectFormat.name, ObjectFormat.version, ObjectFormat.mime,
                    ObjectFormat.flags, ObjectFormat.warning, func.count())
             .group_by(ObjectFormat.puid, ObjectFormat.name, ObjectFormat.version, ObjectFormat.mime,
                       ObjectFormat.flags, ObjectFormat.warning))
    merged: dict[tuple[str, str, str, str, str, str, str], int] = {}
    for puid, name, version, mime, flags, warning, count in session.execute(query).all():
        verdict = policy.assess(puid, warning=warning, flags=flags)
        key = (puid, name, version, mime, flags, verdict.level, verdict.reason)
        merged[key] = merged.get(key, 0) + int(count)
    counts = [FormatCount(puid, name, version, mime, flags, count, level, level == "at_risk", reason)
              for (puid, name, version, mime, flags, level, reason), count in merged.items()]
    return sorted(counts, key=lambda c: (not c.at_risk, -c.count, c.puid))


def formats_task(ctx: AppContext) -> PeriodicTask | None:
    """The periodic identification pass of `sohoa serve` (SOHOA_FORMAT_INTERVAL_MINUTES; 0: none)."""
    minutes = ctx.settings.format_interval_minutes
    if minutes <= 0:
        return None

    def run() -> None:
        with single_runner(ctx, "formats") as mine:
            if mine:
                identify_objects(ctx, limit=5000)
    return PeriodicTask("format-identification", run, minutes * 60.0, wait_first=True)
