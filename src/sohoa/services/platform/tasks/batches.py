"""Queue an ingest on the cluster and follow it: stage every input, one ``sohoa.ingest_file`` task per
sequence, then the progress and the report of the batch from the shared database.

Sequences are what the embedded ingest splits into documents together: a PDF or multi-page TIFF is one, the
single-page images of one folder are one (sent as one task, in order), and files the operator grouped as one
document are one. The report is the one `sohoa ingest` prints without a broker, file by file.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import select

from sohoa.db.models import IngestItem, TaskBatchFile
from sohoa.domain.workflow import TaskFileState, transition
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.tasks.staging import stage_file, staging_root
from sohoa.services.production.ingest import IngestReport, ItemReport, ProgressEvent, expand_paths

__all__ = ["FINAL", "BatchState", "batch_state", "enqueue_ingest", "plan_groups", "requeue_before_retry", "wait_batch"]

FINAL = frozenset({"done", "duplicate", "quarantined", "failed"})
POLL_SECONDS = 0.5


def _own_sequence(path: Path) -> bool:
    """A file that is a sequence of its own: a PDF, or a TIFF of several pages."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return True
    if suffix in (".tif", ".tiff"):
        try:
            with Image.open(path) as image:
                return int(getattr(image, "n_frames", 1)) > 1
        except OSError:
            return True
    return False


def plan_groups(paths: Sequence[Path], *, one_document: bool = False) -> list[list[Path]]:
    """The files of ``paths`` (folders expanded as `sohoa ingest` does), cut into the sequences of the tasks."""
    files = list(expand_paths(paths))
    if one_document:
        return [files] if files else []
    groups: list[list[Path]] = []
    folder: Path | None = None
    for path in files:
        if not path.is_file() or _own_sequence(path):
            groups.append([path])
            folder = None
        elif folder == path.parent:
            groups[-1].append(path)
        else:
            groups.append([path])
            folder = path.parent
    return groups


def _missing(path: Path) -> dict[str, Any]:
    return vars(ItemReport(path.name, "failed", reason="not_found",
                           message=f"Không tìm thấy tệp {path} / File not found: {path}"))


def enqueue_ingest(ctx: AppContext, send: Callable[[str, list[Any], dict[str, Any]], object], paths: Sequence[Path],
                   *, unit_identifier: str | None = None, file_code: str | None = None, actor: str = "cli",
                   one_document: bool = False) -> str:
    """Stage every input and queue its sequence (``send(task name, args, kwargs)``); the batch id."""
    batch = uuid.uuid4().hex
    root = staging_root(ctx.settings)
    options = {"unit": unit_identifier, "file_code": file_code, "actor": actor, "one_document": one_document}
    position = 0
    groups: list[int] = []
    for group_no, group in enumerate(plan_groups(paths, one_document=one_document)):
        rows = []
        for path in group:
            if path.is_file():
                key, sha256, size = stage_file(root, batch, position, path)
                rows.append(TaskBatchFile(batch=batch, group_no=group_no, position=position, name=path.name,
                                          staged_key=key, sha256=sha256, size=size, options=options, state="queued"))
            else:  # reported as the embedded ingest does, without a task
                rows.append(TaskBatchFile(batch=batch, group_no=group_no, position=position, name=path.name,
                                          staged_key="", sha256="", size=0, options=options, state="failed",
                                          report=_missing(path)))
            position += 1
        with ctx.db.session() as session:
            session.add_all(rows)
        if any(r.state == "queued" for r in rows):
            groups.append(group_no)
    for group_no in groups:  # queued once every row exists: a worker never looks for a row not written yet
        send("sohoa.ingest_file", [batch, group_no], {})
    return batch


@dataclass
class BatchState:
    """Where a batch stands: its files' reports so far, and pages done of pages known."""

    batch: str
    files: int = 0
    finished: int = 0
    pages_done: int = 0
    pages_total: int = 0
    current: str = ""
    items: list[ItemReport] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.files > 0 and self.finished == self.files


def batch_state(ctx: AppContext, batch: str) -> BatchState:
    """The batch as the database has it now (an unknown batch has no files)."""
    state = BatchState(batch)
    with ctx.db.session() as session:
        rows = session.execute(select(TaskBatchFile).where(TaskBatchFile.batch == batch)
                               .order_by(TaskBatchFile.position)).scalars().all()
        shas = [r.sha256 for r in rows if r.sha256]
        pages = {sha: (n, s) for sha, n, s in session.execute(
            select(IngestItem.sha256, IngestItem.pages, IngestItem.state).where(IngestItem.sha256.in_(shas))).all()}
        for row in rows:
            state.files += 1
            known, _ = pages.get(row.sha256, (0, None))
            state.pages_total += int(known or 0)
            if row.state in FINAL and row.report is not None:
                state.finished += 1
                state.pages_done += int(known or 0)
                state.items.append(ItemReport(**row.report))
            else:
                state.current = state.current or row.name
                state.items.append(ItemReport(row.name, "queued"))
    return state


def wait_batch(ctx: AppContext, batch: str, *, progress: Callable[[ProgressEvent], None] | None = None,
               timeout: float | None = None) -> IngestReport:
    """Follow ``batch`` until every file has settled (or ``timeout`` seconds passed); its report."""
    started = time.perf_counter()
    while True:
        state = batch_state(ctx, batch)
        if progress is not None:
            progress(ProgressEvent("page", state.current, state.pages_done, state.pages_total))
        if state.complete or state.files == 0 or (timeout is not None and time.perf_counter() - started > timeout):
            return IngestReport(items=state.items, seconds=time.perf_counter() - started)
        time.sleep(POLL_SECONDS)


def requeue_before_retry(ctx: AppContext, task_name: str, args: list[Any]) -> None:
    """Before a dead ``sohoa.ingest_file`` is sent again: its files reported ``task_dead`` go back to queued."""
    if task_name != "sohoa.ingest_file" or len(args) != 2:
        return
    batch, group = str(args[0]), int(args[1])
    with ctx.db.session() as session:
        for row in session.execute(select(TaskBatchFile).where(TaskBatchFile.batch == batch,
                                                               TaskBatchFile.group_no == group)).scalars():
            if row.state == "failed" and (row.report or {}).get("reason") == "task_dead":
                row.state = transition(row.state, TaskFileState.QUEUED)
                row.report, row.finished_at = None, None
