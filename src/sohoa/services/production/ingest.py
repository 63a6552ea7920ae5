"""Ingest use case: register masters, run the page pipeline on all cores, store documents atomically."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from sohoa.db.models import FileUnit, IngestBatch, IngestItem, Unit
from sohoa.domain.errors import InputRejected, NotFound, SohoaError
from sohoa.domain.ports import OcrEngineFactory
from sohoa.domain.workflow import IngestItemState, transition
from sohoa.pipeline.files import FileOutcome, as_file_job
from sohoa.pipeline.types import TriageResult
from sohoa.pipeline.work import PageFailure, PageJob, PageOutcome
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import store_file
from sohoa.services.platform.pool import PageJobs, PagePool, SharedPool, release_memory
from sohoa.services.production.ingest_claims import IngestClaims
from sohoa.services.production.ingest_groups import (
    ONE_DOCUMENT,
    Group,
    OneDocumentSplitter,
    closed_documents_end,
    group_key,
)
from sohoa.services.production.ingest_readahead import Prepared, Readahead, triage_copy, work_copy
from sohoa.services.production.ingest_store import store_outcomes
from sohoa.storage import objects as stored_objects
from sohoa.storage.private import copy_private, open_private, private_dir

__all__ = ["IngestReport", "ItemReport", "ProgressEvent", "expand_paths", "ingest_paths"]


@dataclass(frozen=True)
class ProgressEvent:
    """Progress of a batch: pages done of pages known, and the file a page belonged to."""

    kind: str  # "registered" | "page" | "file_done" | "quarantined"
    name: str
    pages_done: int
    pages_total: int


@dataclass
class ItemReport:
    """What happened to one input file."""

    name: str
    state: str  # done / duplicate / quarantined / failed / busy (another process is ingesting it)
    pages: int = 0
    documents: list[int] = field(default_factory=list)
    reason: str | None = None
    message: str | None = None
    warnings: list[str] = field(default_factory=list)  # e.g. why a born-digital PDF/A was rasterised


@dataclass
class IngestReport:
    """The summary `sohoa ingest` prints (and returns as JSON)."""

    items: list[ItemReport] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def pages(self) -> int:
        return sum(i.pages for i in self.items if i.state == "done")

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    def count(self, state: str) -> int:
        return sum(1 for i in self.items if i.state == state)


def expand_paths(paths: Sequence[Path]) -> Iterator[Path]:
    """Files named, and files inside folders named (recursively, sorted, hidden files skipped)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield child
        else:
            yield path


def _target(session: Session, unit_identifier: str | None, file_code: str | None,
            actor: str) -> tuple[int | None, int | None]:
    """The unit and file of a batch; the file is created on first use."""
    unit_id: int | None = None
    if unit_identifier:
        unit = session.execute(select(Unit).where(Unit.identifier == unit_identifier)).scalar_one_or_none()
        if unit is None:
            raise NotFound(f"Không tìm thấy đơn vị '{unit_identifier}'", f"Unknown unit '{unit_identifier}'")
        unit_id = unit.id
    if not file_code:
        return unit_id, None
    found = session.execute(select(FileUnit).where(FileUnit.file_code == file_code)).scalar_one_or_none()
    if found is None:
        found = FileUnit(file_code=file_code, unit_id=unit_id, title="")
        session.add(found)
        session.flush()
        record_event(session, actor, "file.create", "file_unit", found.id, {"file_code": file_code})
    return found.unit_id or unit_id, found.id


def _quarantine(ctx: AppContext, path: Path, sha256: str, exc: InputRejected) -> None:
    folder = private_dir(ctx.settings.quarantine_dir / sha256[:16])
    if path.exists() and not (folder / path.name).exists():
        copy_private(path, folder / path.name)
    with open_private(folder / "reason.json") as out:
        out.write(json.dumps({"file": path.name, "reason": exc.code, "vi": exc.vi, "en": exc.en},
                             ensure_ascii=False, indent=2).encode("utf-8"))


def _existing(session: Session, sha256: str) -> IngestItem | None:
    return session.execute(select(IngestItem).where(IngestItem.sha256 == sha256)).scalar_one_or_none()


def _finished(item: IngestItem | None) -> bool:
    return item is not None and item.state in (IngestItemState.DONE, IngestItemState.QUARANTINED)


def _claimed(session: Session, claims: IngestClaims, item: IngestItem | None, sha: str,
             path: Path) -> tuple[ItemReport | None, IngestItem | None]:
    """Claim a master not finished yet: a report when another process holds it, else the item read again
    (the holder may have finished it just before the claim was ours)."""
    if _finished(item):
        return None, item
    holder = claims.take(sha, path)
    if holder is not None:
        state = "duplicate" if holder.this_run else "busy"
        return ItemReport(path.name, state, reason="claimed", message=holder.message()), None
    if item is not None:
        session.refresh(item)
        return None, item
    return None, _existing(session, sha)


def _conflict(path: Path, exc: Exception) -> ItemReport:
    return ItemReport(path.name, "failed", reason="conflict",
                      message=f"Xung đột với một tiến trình khác khi lưu {path.name}; hãy chạy lại / A conflict "
                              f"with another process while storing {path.name}; run the ingest again "
                              f"({type(exc).__name__})")


def _register(ctx: AppContext, claims: IngestClaims, path: Path, batch_id: int,
              target: tuple[int | None, int | None], actor: str,
              work: Path, prepared: Future[Prepared | None] | None = None) -> tuple[ItemReport, int | None,
                                                                           TriageResult | None]:
    """Register one master (a database error of a concurrent writer fails this item only)."""
    try:
        return _register_master(ctx, claims, path, batch_id, target, actor, work,
                                prepared.result() if prepared is not None else None)
    except (IntegrityError, OperationalError) as exc:
        return _conflict(path, exc), None, None


def _changed(path: Path) -> ItemReport:
    return ItemReport(path.name, "failed", reason="changed_while_reading",
                      message=f"Tệp {path.name} thay đổi trong khi đang được đọc; hãy nhập lại khi đã "
                              f"chép xong / The file changed while it was being read; ingest it again "
                              "once it is complete")


def _register_master(ctx: AppContext, claims: IngestClaims, path: Path, batch_id: int,
                     target: tuple[int | None, int | None], actor: str,
                     work: Path, prepared: Prepared | None) -> tuple[ItemReport, int | None, TriageResult | None]:
    if prepared is None and not path.is_file():  # nothing to keep: no row, just the report
        return ItemReport(path.name, "failed", reason="not_found",
                          message=f"Không tìm thấy tệp {path} / File not found: {path}"), None, None
    sha = prepared.sha if prepared is not None else stored_objects.sha256_file(path)
    with ctx.db.session() as session:
        busy, item = _claimed(session, claims, _existing(session, sha), sha, path)
        if busy is not None:
            return busy, None, None
        if _finished(item):
            assert item is not None
            state = "duplicate" if item.state == IngestItemState.DONE else "quarantined"
            return ItemReport(path.name, state, item.pages, reason=item.reason, message=item.message), None, None
        if prepared is None or prepared.copy is None:
            copy, copied = work_copy(path, work)  # hashed again as it is copied
        else:
            copy, copied = prepared.copy, prepared.copied or ""
        if copied != sha:  # the file changed while being read (a scanner still writing it)
            return _changed(path), None, None
        try:
            if prepared is not None and prepared.rejected is not None:
                raise prepared.rejected
            done = prepared.result if prepared is not None and prepared.copy is not None else None
            result = done or triage_copy(ctx, copy, sha)
        except InputRejected as exc:
            _quarantine(ctx, path, sha, exc)
            item = item or IngestItem(batch_id=batch_id, sha256=sha, original_name=path.name, source_path=str(path))
            item.state = transition(item.state, IngestItemState.QUARANTINED)
            item.reason, item.message = exc.code, str(exc)
            session.add(item)
            session.flush()
            record_event(session, actor, "ingest.quarantine", "ingest_item", item.id,
                         {"file": path.name, "reason": exc.code})
            return ItemReport(path.name, "quarantined", reason=exc.code, message=str(exc)), None, None
        master = store_file(session, ctx.store, copy, media_type=result.media_type, kind="master",
                            original_name=path.name, expected_sha256=sha)
        if item is None:
            item = IngestItem(batch_id=batch_id, sha256=sha, original_name=path.name, source_path=str(path),
                              attempts=0)
            session.add(item)
        item.master_object_id, item.unit_id, item.file_id = master.id, target[0], target[1]
        item.state = transition(item.state, IngestItemState.PROCESSING)
        item.pages, item.attempts = len(result.pages), item.attempts + 1
        session.flush()
        return ItemReport(path.name, "processing", len(result.pages)), item.id, result


def _quarantine_item(ctx: AppContext, session: Session, item_id: int, rep: ItemReport, failure: PageFailure,
                     actor: str) -> None:
    item = session.get(IngestItem, item_id)
    assert item is not None
    reason = failure.reason or "corrupt"
    item.state = transition(item.state, IngestItemState.QUARANTINED)
    item.reason, item.message = reason, failure.error
    rep.state, rep.reason, rep.message = "quarantined", reason, failure.error
    _quarantine(ctx, Path(item.source_path), item.sha256, InputRejected(reason, failure.error, failure.error))
    record_event(session, actor, "ingest.quarantine", "ingest_item", item_id, {"error": failure.error,
                                                                              "reason": reason})


def _fail_items(session: Session, members: list[tuple[int, ItemReport, int]], error: str, actor: str) -> None:
    for item_id, rep, _ in members:
        item = session.get(IngestItem, item_id)
        assert item is not None
        item.state = transition(item.state, IngestItemState.FAILED)
        item.reason, item.message = "page_error", error
        rep.state, rep.reason, rep.message = "failed", "page_error", error
    record_event(session, actor, "ingest.fail", "ingest_item", members[0][0],
                 {"error": error, "items": [m[0] for m in members]})


def _finish(ctx: AppContext, group: Group[ItemReport], actor: str) -> None:
    """Store a complete sequence. Masters whose data is bad are quarantined and the rest is stored;
    a failure of the machinery (engine crash, killed worker) fails the sequence, to be retried.
    A sequence the operator grouped as one document (key :data:`ONE_DOCUMENT`) is stored as one."""
    order = {item_id: n for n, (item_id, _, _) in enumerate(group.members)}
    results = sorted(group.results, key=lambda r: (order[r.item_id], r.source_index))
    failures = [r for r in results if isinstance(r, PageFailure)]
    bad_inputs = {f.item_id: f for f in failures if f.reason is not None}
    with ctx.db.session() as session:
        if len(bad_inputs) < len(failures):
            _fail_items(session, group.members, next(f.error for f in failures if f.reason is None), actor)
            return
        for item_id, rep, _ in group.members:
            if item_id in bad_inputs:
                _quarantine_item(ctx, session, item_id, rep, bad_inputs[item_id], actor)
        kept = [(item_id, rep) for item_id, rep, _ in group.members if item_id not in bad_inputs]
        outcomes = [r for r in results if isinstance(r, PageOutcome) and r.item_id not in bad_inputs]
        if not kept:
            return
        items = [session.get(IngestItem, item_id) for item_id, _ in kept]
        notes: dict[int, list[str]] = {}
        by_item = store_outcomes(ctx, session, [i for i in items if i is not None], outcomes, actor, notes,
                                 prebuilt=group.documents,
                                 splitter=OneDocumentSplitter() if group.key == ONE_DOCUMENT else None)
    for item_id, rep in kept:
        rep.state, rep.documents = "done", by_item.get(item_id, [])
        rep.warnings.extend(notes.get(item_id, []))


# How far registration may run ahead of the pool, in pages: enough for the workers never to wait for the next
# master (a born-digital page takes them ~10 ms, registering its file a few ms a page), little enough that the
# main process's memory follows the pool, not the size of the folder being ingested.
PAGES_AHEAD_PER_WORKER = 32
PAGES_AHEAD_MIN = 64
_HOLD_BACK_POLL = 0.005  # seconds between looks at the pool while registration is held back


class _Batch:
    """Feeds registered masters to the pool and stores each group when it is complete."""

    def __init__(self, ctx: AppContext, pool: PageJobs, actor: str,
                 notify: Callable[[ProgressEvent], None], claims: IngestClaims, *, one_document: bool = False) -> None:
        self.ctx, self.pool, self.actor, self.notify, self.claims = ctx, pool, actor, notify, claims
        self.one_document = one_document  # every master is a part of one sequence, stored as one document
        self.groups: dict[int, Group[ItemReport]] = {}  # item id → its group
        self.open: Group[ItemReport] | None = None
        self.done = self.total = 0

    def add(self, item_id: int, report: ItemReport, result: TriageResult, path: Path) -> None:
        key = ONE_DOCUMENT if self.one_document else group_key(result, path)
        if self.open is None or self.open.key != key or key == str(path):
            self.close()
            self.open = Group[ItemReport](key)
        self.open.members.append((item_id, report, len(result.pages)))
        self.groups[item_id] = self.open
        self.total += len(result.pages)
        self.notify(ProgressEvent("registered", path.name, self.done, self.total))
        dpi = self.ctx.settings.pdf_render_dpi
        whole = None if self.one_document else as_file_job(item_id, result.pages, dpi, path.name,
                                                           self.ctx.extractor, self.ctx.splitter)
        if whole is not None:  # a short born-digital PDF (a group of its own): pages and documents in one job
            self.open.whole_file = True
            self.pool.submit([whole])
        else:
            self.pool.submit([PageJob(item_id, page, dpi) for page in result.pages])
        if key == str(path):
            self.close()

    def close(self) -> None:
        if self.open is not None:
            self.open.closed = True
            self._maybe_finish(self.open)
            self.open = None

    def hold_back(self, ahead: int, *, run_here: bool) -> None:
        """Register no further master while more than ``ahead`` pages wait for the pool: every queued page
        job holds its page's description (a text layer: tens of KiB) in this process, and registering
        a large folder in one go would hold them all. ``run_here``: the pool runs its jobs in this process,
        and only when asked to finish them (one worker): they are run now."""
        if run_here and self.total - self.done > ahead:
            self.drain(block=True)
        while self.total - self.done > ahead:
            before = self.done
            self.drain(block=False)
            if self.done == before:
                time.sleep(_HOLD_BACK_POLL)

    def drain(self, *, block: bool) -> None:
        for result in self.pool.results(block=block):
            self.claims.heartbeat()
            group = self.groups[result.item_id]
            if isinstance(result, FileOutcome):
                group.results.extend(result.outcomes)
                group.documents = list(result.documents)
                self.done += len(result.outcomes)
            else:
                group.results.append(result)
                self.done += group.expected if group.whole_file else 1  # a file job's failure ends the file
            self.notify(ProgressEvent("page", group.members[0][1].name, self.done, self.total))
            self._store_finished_prefix(group)
            self._maybe_finish(group)

    def _store_finished_prefix(self, group: Group[ItemReport], step: int = 4) -> None:
        """Store the documents of a long sequence that can no longer change while later pages are in OCR:
        every document before the last one of the pages done so far (the last may still go on)."""
        prefix = group.ready_prefix()
        if group.complete or group.key == ONE_DOCUMENT or len(prefix) < group.checked_at + step:
            return
        group.checked_at = len(prefix)
        cut = closed_documents_end(self.ctx.splitter, group, prefix)
        if cut:
            self._finish_group(group.take(prefix[:cut]))

    def _finish_group(self, group: Group[ItemReport]) -> None:
        try:
            _finish(self.ctx, group, self.actor)
            release_memory(always=True)  # the sequence's pages, documents and rows are freed: give them back
        except SohoaError as exc:
            for _, rep, _ in group.members:
                rep.state, rep.message = "failed", str(exc)
        except (IntegrityError, OperationalError) as exc:  # a concurrent writer: this sequence only, retryable
            for _, rep, _ in group.members:
                failed = _conflict(Path(rep.name), exc)
                rep.state, rep.reason, rep.message = failed.state, failed.reason, failed.message
        for item_id, rep, _ in group.members:
            self.groups.pop(item_id, None)
            self.notify(ProgressEvent("file_done", rep.name, self.done, self.total))

    def _maybe_finish(self, group: Group[ItemReport]) -> None:
        if group.complete and group.members:
            self._finish_group(group)


def ingest_paths(ctx: AppContext, paths: Sequence[Path], *, unit_identifier: str | None = None,
                 file_code: str | None = None, actor: str = "system",
                 progress: Callable[[ProgressEvent], None] | None = None,
                 engine_factory: OcrEngineFactory | None = None,
                 pool: SharedPool | None = None, one_document: bool = False) -> IngestReport:
    """Digitize files: idempotent (a master seen before creates nothing) and resumable after a crash.

    Single-page images of one folder form one sequence, split into documents together; each PDF
    or multi-page TIFF is a sequence of its own. ``pool``: an already running pool (the warm pool of
    a server, or a running server's through the control socket) that this ingest opens a session of
    and leaves running; its engines are used and ``engine_factory`` is not. None: a pool of its own.
    ``one_document``: the files are the pages of one document, in the order given (a scan operator's
    grouped upload): one sequence, never split by layout; a separator sheet among them is left out.
    """
    started = time.perf_counter()
    report = IngestReport()
    notify = progress or (lambda _e: None)
    target, batch_id = _open_batch(ctx, unit_identifier, file_code, actor)
    claims = IngestClaims(ctx.db, timedelta(seconds=ctx.settings.ingest_claim_ttl_seconds))
    ahead = max(PAGES_AHEAD_MIN, PAGES_AHEAD_PER_WORKER * ctx.settings.workers)
    work = Path(tempfile.mkdtemp(dir=private_dir(ctx.settings.work_dir), prefix="ingest-"))  # 0700
    try:
        runner: AbstractContextManager[PageJobs] = (
            pool.session() if pool is not None else PagePool(ctx.settings, engine_factory or ctx.engine_factory))
        with runner as jobs, Readahead(ctx, expand_paths(paths), work) as readahead:
            batch = _Batch(ctx, jobs, actor, notify, claims, one_document=one_document)
            for path, prepared in readahead:
                item_report, item_id, result = _register(ctx, claims, path, batch_id, target, actor, work,
                                                         prepared)
                report.items.append(item_report)
                if item_id is None or result is None:
                    notify(ProgressEvent(item_report.state, path.name, batch.done, batch.total))
                    continue
                batch.add(item_id, item_report, result, path)
                batch.drain(block=False)
                batch.hold_back(ahead, run_here=pool is None and ctx.settings.workers == 1)
            batch.close()
            batch.drain(block=True)
    finally:
        claims.release()
        shutil.rmtree(work, ignore_errors=True)  # the masters are in the store now
    report.seconds = time.perf_counter() - started
    return report


def _open_batch(ctx: AppContext, unit_identifier: str | None, file_code: str | None,
                actor: str) -> tuple[tuple[int | None, int | None], int]:
    """The batch row and its target."""
    try:
        return _new_batch(ctx, unit_identifier, file_code, actor)
    except IntegrityError:  # another run created the same file at the same moment: use theirs
        return _new_batch(ctx, unit_identifier, file_code, actor)


def _new_batch(ctx: AppContext, unit_identifier: str | None, file_code: str | None,
               actor: str) -> tuple[tuple[int | None, int | None], int]:
    with ctx.db.session() as session:
        target = _target(session, unit_identifier, file_code, actor)
        batch_row = IngestBatch(actor=actor, options={"unit": unit_identifier, "file_code": file_code})
        session.add(batch_row)
        session.flush()
        return target, batch_row.id
