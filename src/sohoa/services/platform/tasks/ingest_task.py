"""``sohoa.ingest_file``: one queued sequence (a file, or a folder's page images) ingested in a worker process.

The worker downloads the staged inputs into a private work folder (checked against their SHA-256), runs the
embedded ingest on them with this process's one OCR engine (the pages in process: a worker's concurrency is
its Celery processes) and records each file's report on its ``task_batch_files`` row.

Idempotent: the ingest registers a master once by digest and stores a master's documents in one transaction
with its ``done`` state, so the same file twice creates nothing more. A redelivery after a worker was killed
mid-file finds the master's claim left by a dead process — taken over at once on the same host (the pid is
gone), or once the claim's lease (``SOHOA_INGEST_CLAIM_TTL_SECONDS``, renewed while pages come back) has lapsed
on another host — and ingests it again from its master; a file another live process holds is retried later.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from celery import Celery
from sqlalchemy import select

from sohoa.db.models import Document, IngestItem, TaskBatchFile
from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import OcrEngine
from sohoa.domain.workflow import IngestItemState, TaskFileState, transition
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.tasks.base import guarded, is_transient, process_engine, worker_context
from sohoa.services.platform.tasks.batches import FINAL
from sohoa.services.platform.tasks.page_task import CeleryPagePool
from sohoa.services.platform.tasks.staging import fetch_staged, remove_staged, remove_work, staging_root
from sohoa.services.preservation.encryption import encrypt_after_ingest
from sohoa.services.preservation.formats import identify_new, latest_object_id
from sohoa.services.production.ingest import ItemReport, ingest_paths
from sohoa.storage.private import private_dir

__all__ = ["FilesBusy", "fail_group", "ingest_group", "run_ingest_file"]

log = logging.getLogger(__name__)

BUSY_RETRY_SECONDS = 15.0  # a file held by another live process: look again after this long
RUNNING = "running"


class FilesBusy(Exception):
    """Files of the group are being ingested by another live process: the task runs again later."""


def _engine() -> OcrEngine:
    return process_engine()


def _rows(ctx: AppContext, batch: str, group: int) -> list[TaskBatchFile]:
    with ctx.db.session() as session:
        rows = session.execute(select(TaskBatchFile)
                               .where(TaskBatchFile.batch == batch, TaskBatchFile.group_no == group)
                               .order_by(TaskBatchFile.position)).scalars().all()
        session.expunge_all()
        return list(rows)


def _mark(ctx: AppContext, row_ids: list[int], state: str, report: dict[str, Any] | None = None) -> None:
    with ctx.db.session() as session:
        for row_id in row_ids:
            row = session.get(TaskBatchFile, row_id)
            if row is None or row.state in FINAL:
                continue
            row.state = transition(row.state, TaskFileState(state))
            row.report = report if report is not None else row.report
            if state in FINAL:
                row.finished_at = datetime.now(UTC)


def _redelivered_done(ctx: AppContext, row: TaskBatchFile, item: ItemReport) -> ItemReport:
    """A master that an earlier delivery of this very task stored before it was killed is reported done (with
    its documents), not as a duplicate of an earlier batch."""
    with ctx.db.session() as session:
        found = session.execute(select(IngestItem).where(IngestItem.sha256 == row.sha256)).scalar_one_or_none()
        if found is None or found.state != IngestItemState.DONE:
            return item
        documents = session.execute(select(Document.id).where(Document.ingest_item_id == found.id)
                                    .order_by(Document.id)).scalars().all()
        return ItemReport(item.name, "done", found.pages, list(documents))


def _paths(work: Path, rows: list[TaskBatchFile]) -> list[Path]:
    """Where each input goes: the original names in one folder (a folder's images stay one sequence), or one
    folder each when two names are the same."""
    names = [r.name for r in rows]
    if len(set(names)) == len(names):
        return [work / "in" / name for name in names]
    return [work / "in" / f"{n:06d}" / name for n, name in enumerate(names)]


def ingest_group(batch: str, group: int, app: Celery | None = None) -> dict[str, Any]:
    """Ingest the unsettled files of one group of ``batch``; a summary of the states recorded. ``app``: the
    long files' pages go out as ``sohoa.page`` tasks of this app (None: every page in this process)."""
    ctx = worker_context()
    rows = [r for r in _rows(ctx, batch, group) if r.state not in FINAL]
    if not rows:
        return {"batch": batch, "group": group, "states": {}}
    started_before = {r.id for r in rows if r.state == RUNNING}
    _mark(ctx, [r.id for r in rows], RUNNING)
    options = rows[0].options or {}
    root = staging_root(ctx.settings)
    work = Path(tempfile.mkdtemp(dir=private_dir(ctx.settings.work_dir), prefix="task-"))
    try:
        paths = _paths(work, rows)
        for row, path in zip(rows, paths, strict=True):
            fetch_staged(root, row.staged_key, row.sha256, path)
        stored_before = latest_object_id(ctx)
        try:
            report = ingest_paths(ctx, paths, unit_identifier=options.get("unit"), file_code=options.get("file_code"),
                                  actor=str(options.get("actor") or "cli"), engine_factory=_engine,
                                  one_document=bool(options.get("one_document")),
                                  pool=CeleryPagePool(app, ctx) if app is not None else None)
        except SohoaError as exc:
            if is_transient(exc):
                raise
            for row in rows:  # bad options (an unknown unit …): every file of the group reports it
                _mark(ctx, [row.id], "failed", vars(ItemReport(row.name, "failed", reason=exc.code, message=str(exc))))
            return {"batch": batch, "group": group, "states": {"failed": len(rows)}}
        identify_new(ctx, stored_before)
        encrypt_after_ingest(ctx)
        return _record(ctx, root, batch, group, rows, report.items, started_before)
    finally:
        remove_work(work)


def _record(ctx: AppContext, root: Any, batch: str, group: int, rows: list[TaskBatchFile], items: list[ItemReport],
            started_before: set[int]) -> dict[str, Any]:
    states: dict[str, int] = {}
    busy = False
    for row, item in zip(rows, items, strict=True):
        if item.state == "busy":
            busy = True
            continue
        if item.state == "duplicate" and row.id in started_before:
            item = _redelivered_done(ctx, row, item)
        _mark(ctx, [row.id], item.state, vars(item))
        states[item.state] = states.get(item.state, 0) + 1
        if item.state != "failed":  # a failed file stays staged for a retry
            remove_staged(root, row.staged_key)
    if busy:
        raise FilesBusy(f"{batch}/{group}")
    return {"batch": batch, "group": group, "states": states}


def fail_group(ctx: AppContext, batch: str, group: int, error: str) -> None:
    """Settle the unsettled files of a group whose task became a dead letter (retrying it queues them again)."""
    for row in _rows(ctx, batch, group):
        if row.state not in FINAL:
            _mark(ctx, [row.id], "failed", vars(ItemReport(
                row.name, "failed", reason="task_dead",
                message=f"Tác vụ thất bại sau các lần thử lại; xem /staff/tasks / The task failed after its retries; "
                        f"see /staff/tasks ({error})")))


def run_ingest_file(task: Any, batch: str, group: int, first_failed: str | None = None) -> Any:
    """The body of ``sohoa.ingest_file`` (see the module's text)."""
    try:
        return guarded(task, ingest_group, batch, group, app=task.app, first_failed=first_failed,
                       on_dead=lambda error: fail_group(worker_context(), batch, group, error))
    except FilesBusy:
        raise task.retry(countdown=BUSY_RETRY_SECONDS, max_retries=None) from None
