"""What the fixity audits found: the summary of the preservation page, open problems named by hồ sơ, document
and page, and the history of one object (every check, every PREMIS event)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileUnit, FixityCheck, FixityRun, MaskedDerivative, Page, StoredObject
from sohoa.services.identity.policy import can_view_document
from sohoa.services.identity.principal import Principal
from sohoa.services.preservation.events import events_for

__all__ = ["CheckInfo", "EventInfo", "FixitySummary", "ObjectHistory", "ObjectPlace", "Problem", "RunInfo",
           "fixity_summary", "object_history", "object_places", "open_problem_count", "open_problems",
           "recent_failures", "recent_runs", "visible_places"]

PROBLEMS = ("mismatch", "missing", "unreadable")
DEFAULT_CYCLE_DAYS = 30


@dataclass(frozen=True)
class ObjectPlace:
    """Where an object is used: its role (master, pdf, ocr, thumbnail, image, masked), the document (id and
    mã định danh), the page number, and the hồ sơ (file unit) of the document."""

    role: str
    document_id: int | None
    doc_code: str | None
    page_no: int | None
    file_id: int | None
    file_code: str | None

    @property
    def label(self) -> str:
        parts = [f"file {self.file_code}" if self.file_code else "no file"]
        if self.document_id is not None:
            parts.append(f"document {self.doc_code or '#' + str(self.document_id)}")
        if self.page_no is not None:
            parts.append(f"page {self.page_no}")
        return ", ".join(parts) + f" ({self.role})"


@dataclass(frozen=True)
class RunInfo:
    """One fixity pass as the pages show it."""

    id: int
    started_at: datetime
    finished_at: datetime | None
    state: str
    trigger: str
    checked: int
    ok: int
    mismatch: int
    missing: int
    unreadable: int
    repaired: int
    orphans: int
    bytes_read: int
    rate: float | None


@dataclass(frozen=True)
class Problem:
    """An object whose latest check failed and was not repaired."""

    object_id: int
    sha256: str
    outcome: str
    checked_at: datetime
    detail: str | None
    places: tuple[ObjectPlace, ...]


@dataclass(frozen=True)
class FixitySummary:
    """The state of fixity over the whole store: how many objects, how many checked within the cycle, how many
    never checked or overdue, the last passes, and the open problems (named)."""

    objects: int
    checked_in_cycle: int
    never_checked: int
    overdue: int
    cycle_days: int
    oldest_check: datetime | None
    running: bool
    last_run: RunInfo | None
    runs: tuple[RunInfo, ...]
    problems: tuple[Problem, ...]

    @property
    def healthy(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class CheckInfo:
    """One check of an object."""

    run_id: int | None
    checked_at: datetime
    store: str
    outcome: str
    actual_sha256: str | None
    seconds: float | None
    detail: str | None


@dataclass(frozen=True)
class EventInfo:
    """One PREMIS event of an object."""

    identifier: str
    at: datetime
    event_type: str
    outcome: str
    detail: str | None
    outcome_detail: str | None
    agent: str


@dataclass(frozen=True)
class ObjectHistory:
    """One stored object, where it is used, every check (newest first) and its PREMIS events (oldest first)."""

    object_id: int
    sha256: str
    size: int
    media_type: str
    kind: str
    created_at: datetime
    last_fixity_at: datetime | None
    places: tuple[ObjectPlace, ...]
    checks: tuple[CheckInfo, ...]
    events: tuple[EventInfo, ...]


def _aware(moment: datetime | None) -> datetime | None:
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


def _cycle_days(session: Session) -> int:
    settings = session.info.get("settings")
    return int(getattr(settings, "fixity_cycle_days", DEFAULT_CYCLE_DAYS))


def object_places(session: Session, object_ids: Iterable[int]) -> dict[int, list[ObjectPlace]]:
    """Where each object is used (pages, document PDFs, masked copies), with document and hồ sơ."""
    ids = sorted(set(object_ids))
    if not ids:
        return {}
    found: list[tuple[int, str, int | None, int | None]] = []  # object, role, document, page
    roles = {"master": Page.master_object_id, "ocr": Page.ocr_object_id, "thumbnail": Page.thumbnail_object_id,
             "image": Page.image_object_id}
    rows = session.execute(select(Page.document_id, Page.page_no, *roles.values())
                           .where(or_(*(column.in_(ids) for column in roles.values()))))
    wanted = set(ids)
    for document_id, page_no, *objects in rows:
        found += [(o, role, document_id, page_no) for role, o in zip(roles, objects, strict=True) if o in wanted]
    for doc_id, pdf in session.execute(select(Document.id, Document.pdf_object_id)
                                       .where(Document.pdf_object_id.in_(ids))):
        found.append((pdf or 0, "pdf", doc_id, None))
    for masked_doc, masked_page, kind, masked in session.execute(
            select(MaskedDerivative.document_id, MaskedDerivative.page_no, MaskedDerivative.kind,
                   MaskedDerivative.object_id).where(MaskedDerivative.object_id.in_(ids))):
        found.append((masked, f"masked {kind}", masked_doc, masked_page))
    doc_ids = {d for _, _, d, _ in found if d is not None}
    docs = {i: (code, file_id) for i, code, file_id in session.execute(
        select(Document.id, Document.doc_code, Document.file_id).where(Document.id.in_(doc_ids)))} if doc_ids else {}
    file_ids = {f for _, f in docs.values() if f is not None}
    files = {i: code for i, code in session.execute(select(FileUnit.id, FileUnit.file_code)
                                                     .where(FileUnit.id.in_(file_ids)))} if file_ids else {}
    places: dict[int, list[ObjectPlace]] = defaultdict(list)
    for obj, role, document, page in sorted(found, key=lambda f: (f[0], f[2] or 0, f[3] or 0, f[1])):
        code, file_id = docs.get(document, (None, None)) if document is not None else (None, None)
        places[obj].append(ObjectPlace(role, document, code, page, file_id, files.get(file_id) if file_id else None))
    return dict(places)


def visible_places(session: Session, principal: Principal | None,
                   places: Iterable[ObjectPlace]) -> list[ObjectPlace | None]:
    """The places whose document ``principal`` may see (the access policy); None for one they may not (the
    page says a document they may not see, and names nothing of it)."""
    places = list(places)
    ids = {p.document_id for p in places if p.document_id is not None}
    docs = session.execute(select(Document).where(Document.id.in_(ids))).scalars().all() if ids else []
    allowed = {d.id for d in docs if can_view_document(session, principal, d)}
    return [p if p.document_id is None or p.document_id in allowed else None for p in places]


def _run_info(run: FixityRun) -> RunInfo:
    return RunInfo(run.id, run.started_at, run.finished_at, run.state, run.trigger, run.checked, run.ok,
                   run.mismatch, run.missing, run.unreadable, run.repaired, run.orphans, run.bytes_read, run.rate)


def recent_runs(session: Session, limit: int = 10) -> list[RunInfo]:
    """The latest fixity passes, newest first."""
    runs = session.execute(select(FixityRun).order_by(FixityRun.id.desc()).limit(limit)).scalars()
    return [_run_info(r) for r in runs]


def _latest_bad() -> Any:
    """The ids of the latest primary checks of objects that ever failed one (the only candidates)."""
    ever_bad = select(FixityCheck.object_id).where(FixityCheck.outcome.in_(PROBLEMS), FixityCheck.store == "primary",
                                                   FixityCheck.object_id.is_not(None)).distinct()
    return (select(func.max(FixityCheck.id)).where(FixityCheck.object_id.in_(ever_bad),
                                                   FixityCheck.store == "primary")
            .group_by(FixityCheck.object_id))


def open_problem_count(session: Session) -> int:
    """How many objects are damaged or lost and not repaired (the alarm of the staff home page)."""
    return int(session.execute(select(func.count(FixityCheck.id)).where(
        FixityCheck.id.in_(_latest_bad()), FixityCheck.outcome.in_(PROBLEMS))).scalar_one())


def open_problems(session: Session, limit: int = 200) -> list[Problem]:
    """Objects whose latest check of the primary copy failed (mismatch, missing, unreadable): never repaired
    since, nor found intact by a later check."""
    rows = list(session.execute(select(FixityCheck).where(FixityCheck.id.in_(_latest_bad()),
                                                          FixityCheck.outcome.in_(PROBLEMS))
                                .order_by(FixityCheck.id.desc()).limit(limit)).scalars())
    places = object_places(session, [r.object_id for r in rows if r.object_id is not None])
    return [Problem(int(r.object_id or 0), r.sha256, r.outcome, r.checked_at, r.detail,
                    tuple(places.get(int(r.object_id or 0), []))) for r in rows]


def recent_failures(session: Session, limit: int = 200) -> list[Problem]:
    """The latest failed or repaired checks (open or since resolved), newest first, with where each object is
    used: the history of damage found."""
    rows = list(session.execute(select(FixityCheck).where(FixityCheck.outcome.in_((*PROBLEMS, "repaired")),
                                                          FixityCheck.object_id.is_not(None))
                                .order_by(FixityCheck.id.desc()).limit(limit)).scalars())
    places = object_places(session, [r.object_id for r in rows if r.object_id is not None])
    return [Problem(int(r.object_id or 0), r.sha256, r.outcome, r.checked_at, r.detail,
                    tuple(places.get(int(r.object_id or 0), []))) for r in rows]


def fixity_summary(session: Session, *, cycle_days: int | None = None) -> FixitySummary:
    """The fixity state of the whole store (the cycle: ``SOHOA_FIXITY_CYCLE_DAYS`` of the session's settings)."""
    days = cycle_days or _cycle_days(session)
    since = datetime.now(UTC) - timedelta(days=days)
    total, never, recent, oldest = session.execute(select(
        func.count(StoredObject.id),
        func.count(StoredObject.id).filter(StoredObject.last_fixity_at.is_(None)),
        func.count(StoredObject.id).filter(StoredObject.last_fixity_at >= since),
        func.min(StoredObject.last_fixity_at))).one()
    runs = recent_runs(session)
    running = session.execute(select(func.count(FixityRun.id)).where(FixityRun.state == "running")).scalar_one()
    return FixitySummary(objects=int(total), checked_in_cycle=int(recent), never_checked=int(never),
                         overdue=int(total) - int(recent), cycle_days=days, oldest_check=_aware(oldest),
                         running=bool(running), last_run=runs[0] if runs else None, runs=tuple(runs),
                         problems=tuple(open_problems(session)))


def object_history(session: Session, key: str | int, *, limit: int = 500) -> ObjectHistory | None:
    """One object's history by id or SHA-256 (None when no such object)."""
    text = str(key).strip().lower()
    if text.isdigit():
        obj = session.get(StoredObject, int(text))
    else:
        obj = session.execute(select(StoredObject).where(StoredObject.sha256 == text)).scalar_one_or_none()
    if obj is None:
        return None
    checks = session.execute(select(FixityCheck).where(FixityCheck.object_id == obj.id)
                             .order_by(FixityCheck.id.desc()).limit(limit)).scalars()
    events = events_for(session, object_ids=[obj.id])
    return ObjectHistory(
        object_id=obj.id, sha256=obj.sha256, size=obj.size, media_type=obj.media_type, kind=obj.kind,
        created_at=obj.created_at, last_fixity_at=_aware(obj.last_fixity_at),
        places=tuple(object_places(session, [obj.id]).get(obj.id, [])),
        checks=tuple(CheckInfo(c.run_id, c.checked_at, c.store, c.outcome, c.actual_sha256, c.seconds, c.detail)
                     for c in checks),
        events=tuple(EventInfo(e.identifier, e.at, e.event_type, e.outcome, e.detail, e.outcome_detail, e.agent)
                     for e in events))
