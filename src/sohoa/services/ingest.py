"""Ingest use case: register masters, run the page pipeline on all cores, store documents atomically."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import FileUnit, IngestBatch, IngestItem, Unit
from sohoa.domain.errors import InputRejected, NotFound, SohoaError
from sohoa.pipeline.triage import triage
from sohoa.pipeline.types import OcrEngine, TriageResult
from sohoa.pipeline.work import PageFailure, PageJob, PageOutcome
from sohoa.services.audit import record_event
from sohoa.services.context import AppContext
from sohoa.services.ingest_store import store_outcomes
from sohoa.services.objects import store_file
from sohoa.services.pool import PagePool

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
    state: str  # done / duplicate / quarantined / failed
    pages: int = 0
    documents: list[int] = field(default_factory=list)
    reason: str | None = None
    message: str | None = None


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
    folder = ctx.settings.quarantine_dir / sha256[:16]
    folder.mkdir(parents=True, exist_ok=True)
    if path.exists() and not (folder / path.name).exists():
        shutil.copyfile(path, folder / path.name)
    (folder / "reason.json").write_text(json.dumps(
        {"file": path.name, "reason": exc.code, "vi": exc.vi, "en": exc.en}, ensure_ascii=False, indent=2),
        encoding="utf-8")


def _existing(session: Session, sha256: str) -> IngestItem | None:
    return session.execute(select(IngestItem).where(IngestItem.sha256 == sha256)).scalar_one_or_none()


def _register(ctx: AppContext, path: Path, batch_id: int, target: tuple[int | None, int | None],
              actor: str) -> tuple[ItemReport, int | None, TriageResult | None]:
    from sohoa.storage.objects import sha256_file

    sha = sha256_file(path) if path.is_file() else "0" * 64
    with ctx.db.session() as session:
        item = _existing(session, sha)
        if item is not None and item.state in ("done", "quarantined"):
            state = "duplicate" if item.state == "done" else "quarantined"
            return ItemReport(path.name, state, item.pages, reason=item.reason, message=item.message), None, None
        try:
            result = triage(path, max_pixels=ctx.settings.max_image_pixels,
                            min_text_chars=ctx.settings.min_text_chars_per_page,
                            render_dpi=ctx.settings.pdf_render_dpi)
        except InputRejected as exc:
            _quarantine(ctx, path, sha, exc)
            item = item or IngestItem(batch_id=batch_id, sha256=sha, original_name=path.name, source_path=str(path))
            item.state, item.reason, item.message = "quarantined", exc.code, str(exc)
            session.add(item)
            session.flush()
            record_event(session, actor, "ingest.quarantine", "ingest_item", item.id,
                         {"file": path.name, "reason": exc.code})
            return ItemReport(path.name, "quarantined", reason=exc.code, message=str(exc)), None, None
        master = store_file(session, ctx.store, path, media_type=result.media_type, kind="master",
                            original_name=path.name)
        if item is None:
            item = IngestItem(batch_id=batch_id, sha256=sha, original_name=path.name, source_path=str(path))
            session.add(item)
        item.master_object_id, item.unit_id, item.file_id = master.id, target[0], target[1]
        item.state, item.pages, item.attempts = "processing", len(result.pages), item.attempts + 1
        session.flush()
        # Pages are read from the immutable stored master, never from the caller's copy.
        stored = ctx.store.path(master.sha256)
        pages = tuple(type(p)(str(stored), p.page_index, p.kind, p.dpi, p.text_layer) for p in result.pages)
        result = TriageResult(str(stored), result.sha256, result.size, result.media_type, pages, result.warnings)
        return ItemReport(path.name, "processing", len(pages)), item.id, result


def _finish(ctx: AppContext, item_id: int, report: ItemReport, results: list[PageOutcome | PageFailure],
            actor: str) -> None:
    failed = [o for o in results if isinstance(o, PageFailure)]
    outcomes = [o for o in results if isinstance(o, PageOutcome)]
    with ctx.db.session() as session:
        item = session.get(IngestItem, item_id)
        assert item is not None
        if failed:
            item.state, item.reason, item.message = "failed", "page_error", failed[0].error
            report.state, report.reason, report.message = "failed", "page_error", failed[0].error
            record_event(session, actor, "ingest.fail", "ingest_item", item_id, {"error": failed[0].error})
            return
        report.documents = store_outcomes(ctx, session, item, outcomes, actor)
        report.state = "done"


def ingest_paths(ctx: AppContext, paths: Sequence[Path], *, unit_identifier: str | None = None,
                 file_code: str | None = None, actor: str = "system",
                 progress: Callable[[ProgressEvent], None] | None = None,
                 engine_factory: Callable[[], OcrEngine] | None = None) -> IngestReport:
    """Digitize files: idempotent (a master seen before creates nothing) and resumable after a crash."""
    started = time.perf_counter()
    report = IngestReport()
    notify = progress or (lambda _e: None)
    with ctx.db.session() as session:
        target = _target(session, unit_identifier, file_code, actor)
        batch = IngestBatch(actor=actor, options={"unit": unit_identifier, "file_code": file_code})
        session.add(batch)
        session.flush()
        batch_id = batch.id
    with PagePool(ctx.settings, engine_factory) as pool:
        pending: dict[int, tuple[ItemReport, int, list[PageOutcome | PageFailure]]] = {}
        total = done = 0
        for path in expand_paths(paths):
            item_report, item_id, result = _register(ctx, path, batch_id, target, actor)
            report.items.append(item_report)
            if item_id is None or result is None:
                notify(ProgressEvent(item_report.state, path.name, done, total))
                continue
            total += len(result.pages)
            pending[item_id] = (item_report, len(result.pages), [])
            notify(ProgressEvent("registered", path.name, done, total))
            pool.submit([PageJob(item_id, page, ctx.settings.pdf_render_dpi) for page in result.pages])
            done = _drain(ctx, pool, pending, actor, notify, done, total, block=False)
        _drain(ctx, pool, pending, actor, notify, done, total, block=True)
    report.seconds = time.perf_counter() - started
    return report


def _drain(ctx: AppContext, pool: PagePool, pending: dict[int, tuple[ItemReport, int, list[PageOutcome | PageFailure]]],
           actor: str, notify: Callable[[ProgressEvent], None], done: int, total: int, *, block: bool) -> int:
    for outcome in pool.results(block=block):
        item_report, expected, outcomes = pending[outcome.item_id]
        outcomes.append(outcome)
        done += 1
        notify(ProgressEvent("page", item_report.name, done, total))
        if len(outcomes) == expected:
            outcomes.sort(key=lambda o: o.source_index)
            try:
                _finish(ctx, outcome.item_id, item_report, outcomes, actor)
            except SohoaError as exc:
                item_report.state, item_report.message = "failed", str(exc)
            del pending[outcome.item_id]
            notify(ProgressEvent("file_done", item_report.name, done, total))
    return done
