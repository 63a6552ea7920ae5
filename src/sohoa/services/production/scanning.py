"""Scanning: resumable chunked uploads into per-upload folders, a background ingest worker, hot folders."""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileUnit, QcInspection, ScanUpload
from sohoa.domain.errors import Conflict, NotFound, ValidationFailed
from sohoa.domain.workflow import DocumentState, ScanUploadState, transition
from sohoa.services.catalogue.listing import document_clause
from sohoa.services.identity.policy import document_scope
from sohoa.services.identity.principal import SYSTEM, Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.background import PeriodicTask, QueueWorker
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.pool import SharedPool
from sohoa.services.production.filing import supersede_rework
from sohoa.services.production.ingest import ingest_paths
from sohoa.storage.private import copy_private

__all__ = [
    "ALLOWED_SUFFIXES",
    "HotFolderWatcher",
    "IngestFn",
    "LiveProgress",
    "ScanWorker",
    "UploadStatus",
    "append_chunk",
    "hot_folder",
    "list_uploads",
    "rework_documents",
    "safe_filename",
    "scan_hot_folder",
    "start_upload",
    "upload_status",
]

log = logging.getLogger(__name__)
ALLOWED_SUFFIXES = (".tif", ".tiff", ".jpg", ".jpeg", ".png", ".pdf")
TERMINAL = (ScanUploadState.DONE, ScanUploadState.FAILED)
_STATION = re.compile(r"^[A-Za-z0-9_-]{1,40}$")

# ingest(ctx, paths, file_code=, actor=, progress=) → a report with ``.items``: ingest_paths' signature.
IngestFn = Callable[..., Any]


def safe_filename(name: str) -> str:
    """A plain file name: no folders, no '..', no control characters; refuses what cannot be made safe."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/")
    if base.startswith("/") or ".." in base.split("/"):
        raise ValidationFailed("Tên tệp không hợp lệ", f"Invalid file name: {name!r}")
    base = base.rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    if not base or len(base) > 200:
        raise ValidationFailed("Tên tệp không hợp lệ", f"Invalid file name: {name!r}")
    if not base.lower().endswith(ALLOWED_SUFFIXES):
        raise ValidationFailed("Chỉ nhận tệp TIFF, JPEG, PNG hoặc PDF", "Only TIFF, JPEG, PNG or PDF files")
    return base


def _upload_dir(ctx: AppContext, token: str) -> Path:
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,40}", token):
        raise ValidationFailed("Mã tải lên không hợp lệ", "Invalid upload id")
    return ctx.settings.data / "uploads" / token


@dataclass(frozen=True)
class UploadStatus:
    """What the browser needs to resume or follow one upload."""

    token: str
    filename: str
    file_code: str | None
    size: int
    received: int
    state: str
    message: str | None
    documents: int
    pages: int
    operator: str


def _status(row: ScanUpload, file_code: str | None) -> UploadStatus:
    return UploadStatus(
        row.token,
        row.filename,
        file_code,
        row.size,
        row.received,
        row.state,
        row.message,
        row.documents,
        row.pages,
        row.operator,
    )


def start_upload(ctx: AppContext, file_id: int | None, filename: str, size: int, *, operator: str) -> UploadStatus:
    """Open an upload: a row and an empty folder under ``data/uploads/<token>/``."""
    name = safe_filename(filename)
    if size <= 0 or size > ctx.settings.max_upload_bytes:
        raise ValidationFailed("Kích thước tệp không hợp lệ hoặc quá lớn", "File size invalid or too large")
    token = secrets.token_urlsafe(18)
    folder = _upload_dir(ctx, token)
    folder.mkdir(parents=True)
    with ctx.db.session() as session:
        file = session.get(FileUnit, file_id) if file_id else None
        if file_id and file is None:
            raise NotFound("Không tìm thấy hồ sơ", "File not found")
        row = ScanUpload(token=token, file_id=file_id, filename=name, size=size, operator=operator,
                         state=ScanUploadState.RECEIVING)
        session.add(row)
        session.flush()
        record_event(session, operator, "scan.upload_start", "scan_upload", row.id, {"file": name, "size": size})
        return _status(row, file.file_code if file else None)


def _row(session: Session, token: str) -> ScanUpload:
    row = session.execute(select(ScanUpload).where(ScanUpload.token == token)).scalar_one_or_none()
    if row is None:
        raise NotFound("Không tìm thấy lượt tải lên", "Upload not found")
    return row


def upload_status(ctx: AppContext, token: str) -> UploadStatus:
    with ctx.db.session() as session:
        row = _row(session, token)
        file = session.get(FileUnit, row.file_id) if row.file_id else None
        return _status(row, file.file_code if file else None)


def append_chunk(ctx: AppContext, token: str, offset: int, data: bytes, *, operator: str) -> UploadStatus:
    """Write a chunk at ``offset`` (must equal the bytes received so far: resume from the status)."""
    folder = _upload_dir(ctx, token)
    with ctx.db.session() as session:
        row = _row(session, token)
        if row.operator != operator:
            raise Conflict("Lượt tải lên của người khác", "This upload belongs to someone else")
        if row.state != ScanUploadState.RECEIVING or offset != row.received or offset + len(data) > row.size:
            raise Conflict(
                "Vị trí khối không khớp; hãy tiếp tục từ vị trí đã nhận",
                f"Chunk offset mismatch; resume at {row.received}",
            )
        with (folder / (row.filename + ".part")).open("ab") as handle:
            handle.write(data)
        row.received += len(data)
        if row.received == row.size:
            (folder / (row.filename + ".part")).rename(folder / row.filename)
            row.state = transition(row.state, ScanUploadState.QUEUED)
            record_event(session, operator, "scan.upload_done", "scan_upload", row.id, {"file": row.filename})
        file = session.get(FileUnit, row.file_id) if row.file_id else None
        return _status(row, file.file_code if file else None)


def list_uploads(ctx: AppContext, operator: str | None = None, limit: int = 50) -> list[UploadStatus]:
    with ctx.db.session() as session:
        stmt = select(ScanUpload, FileUnit.file_code).outerjoin(FileUnit, ScanUpload.file_id == FileUnit.id)
        if operator:
            stmt = stmt.where(ScanUpload.operator == operator)
        rows = session.execute(stmt.order_by(ScanUpload.id.desc()).limit(limit)).all()
        return [_status(r, code) for r, code in rows]


class LiveProgress:
    """Pages done/total of uploads being processed now, for the server-sent events stream."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pages: dict[str, tuple[int, int]] = {}

    def set(self, token: str, done: int, total: int) -> None:
        with self._lock:
            self._pages[token] = (done, total)

    def get(self, token: str) -> tuple[int, int] | None:
        with self._lock:
            return self._pages.get(token)


def _run_one(ctx: AppContext, token: str, ingest: IngestFn, live: LiveProgress) -> None:
    with ctx.db.session() as session:
        row = _row(session, token)
        row.state = transition(row.state, ScanUploadState.PROCESSING)
        file = session.get(FileUnit, row.file_id) if row.file_id else None
        file_code, operator, path = (file.file_code if file else None), row.operator, row.filename
    source = _upload_dir(ctx, token) / path
    try:
        report = ingest(
            ctx,
            [source],
            file_code=file_code,
            actor=operator,
            progress=lambda e: live.set(token, e.pages_done, e.pages_total),
        )
        items = list(report.items)
        created = [doc_id for i in items for doc_id in i.documents]
        failed = [i for i in items if i.state in ("failed", "quarantined", "busy")]  # busy: retry once the other ends
        state, message = ((ScanUploadState.FAILED, "; ".join(str(i.message or i.reason) for i in failed)) if failed
                          else (ScanUploadState.DONE, None))
        documents = sum(len(i.documents) for i in items)
        pages = sum(i.pages for i in items)
    except Exception as exc:  # the worker must survive any ingest failure and show it
        log.exception("ingest of upload %s failed", token)
        state, message, documents, pages, created = ScanUploadState.FAILED, str(exc), 0, 0, []
    with ctx.db.session() as session:
        row = _row(session, token)
        row.state = transition(row.state, state)
        row.message, row.documents, row.pages = message, documents, pages
        if state == ScanUploadState.DONE and row.file_id:  # the rescan replaces documents sent back to scanning
            supersede_rework(session, row.file_id, created, operator)
        record_event(
            session,
            operator,
            f"scan.{state}",
            "scan_upload",
            row.id,
            {"documents": documents, "pages": pages, "message": message},
        )


class ScanWorker(QueueWorker[str]):
    """The queue worker that ingests uploads in order (pages use all cores inside ingest); ``start`` first
    queues what a previous process left queued or processing. With ``pool`` (the server's warm pool, set
    before ``start``) ``ingest_paths`` runs the pages there instead of starting a pool per upload."""
    def __init__(self, ctx: AppContext, ingest: IngestFn | None = None) -> None:
        super().__init__("sohoa-scan-worker", self._ingest_one)
        self.ctx, self.live = ctx, LiveProgress()
        self._ingest = ingest
        self.pool: SharedPool | None = None

    def _ingest_fn(self) -> IngestFn:
        if self._ingest is not None:
            return self._ingest
        return partial(ingest_paths, pool=self.pool) if self.pool is not None else ingest_paths

    def _ingest_one(self, token: str) -> None:
        _run_one(self.ctx, token, self._ingest_fn(), self.live)

    def start(self) -> None:
        with self.ctx.db.session() as session:  # resume what a previous process left queued
            pending = (
                session.execute(
                    select(ScanUpload.token)
                    .where(ScanUpload.state.in_((ScanUploadState.QUEUED, ScanUploadState.PROCESSING)))
                    .order_by(ScanUpload.id)
                )
                .scalars()
                .all()
            )
        super().start()
        for token in pending:
            self.submit(token)


def hot_folder(ctx: AppContext, station: str) -> Path:
    """The watched folder of a scan station: ``data/hotfolders/<station>/[<file code>/]scan.tif``."""
    if not _STATION.match(station):
        raise ValidationFailed("Tên trạm quét không hợp lệ", "Invalid station name")
    folder = ctx.settings.data / "hotfolders" / station
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _file_for(session: Session, relative: Path) -> int | None:
    if len(relative.parts) < 2:
        return None
    return session.execute(select(FileUnit.id).where(FileUnit.file_code == relative.parts[0])).scalar()


def scan_hot_folder(ctx: AppContext, station: str, *, stable_seconds: float = 5.0,
                    seen: set[str] | None = None) -> list[str]:
    """Take new, stable files of a station's hot folder as uploads (idempotent); returns their tokens.

    A file is stable once unchanged for ``stable_seconds`` (the watcher passes ``hot_folder_settle_seconds``).
    ``seen``: keys of files taken before (a watcher's memory), skipped without asking the database; new
    ones are added.
    """
    folder = hot_folder(ctx, station)
    tokens: list[str] = []
    now = time.time()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in ALLOWED_SUFFIXES):
        stat = path.stat()
        relative = path.relative_to(folder)
        if now - stat.st_mtime < stable_seconds or any(part.startswith(".") for part in relative.parts):
            continue  # still being written by the scanner, or hidden
        key = f"{station}/{relative.as_posix()}:{stat.st_size}:{stat.st_mtime_ns}"[:600]
        if seen is not None and key in seen:
            continue
        with ctx.db.session() as session:
            if session.execute(select(ScanUpload.id).where(ScanUpload.source_key == key)).scalar() is not None:
                if seen is not None:
                    seen.add(key)
                continue
            token = secrets.token_urlsafe(18)
            target = _upload_dir(ctx, token)
            target.mkdir(parents=True)
            name = safe_filename(path.name)
            copy_private(path, target / name)  # the scanner's file mode (often 0644) is not carried over
            row = ScanUpload(
                token=token,
                file_id=_file_for(session, relative),
                station=station,
                operator=f"station:{station}",
                filename=name,
                size=stat.st_size,
                received=stat.st_size,
                source_key=key,
                state=ScanUploadState.QUEUED,
            )
            session.add(row)
            session.flush()
            record_event(session, row.operator, "scan.hot_folder", "scan_upload", row.id, {"path": key})
        tokens.append(token)
        if seen is not None:
            seen.add(key)
    return tokens


def rework_documents(ctx: AppContext, principal: Principal | None = SYSTEM
                     ) -> list[tuple[int, str | None, str, str | None]]:
    """Documents QC sent back to scanning that ``principal`` may see (never độ mật on the network):
    (id, file code, source name, inspector's comment)."""
    with ctx.db.session() as session:
        rows = session.execute(
            select(Document, FileUnit.file_code)
            .outerjoin(FileUnit, Document.file_id == FileUnit.id)
            .where(Document.state == DocumentState.REWORK_SCAN, document_clause(document_scope(session, principal)))
            .order_by(Document.id)
        ).all()
        result: list[tuple[int, str | None, str, str | None]] = []
        for doc, code in rows:
            comment = session.execute(
                select(QcInspection.comment)
                .where(QcInspection.document_id == doc.id)
                .order_by(QcInspection.id.desc())
                .limit(1)
            ).scalar()
            result.append((doc.id, code, doc.source_name, comment))
        return result


class HotFolderWatcher(PeriodicTask):
    """A periodic task: every ``interval`` seconds (``hot_folder_interval``), new stable files of every
    station go to the worker. It remembers what it took, so a pass over a full folder stays cheap."""
    def __init__(self, ctx: AppContext, worker: ScanWorker, interval: float | None = None) -> None:
        super().__init__("sohoa-hot-folders", self.poll, interval or ctx.settings.hot_folder_interval,
                         wait_first=True)
        self.ctx, self.worker = ctx, worker
        self._seen: set[str] = set()

    def poll(self) -> list[str]:
        root = self.ctx.settings.data / "hotfolders"
        tokens: list[str] = []
        for station in sorted(p.name for p in root.iterdir() if p.is_dir()) if root.exists() else []:
            if _STATION.match(station):
                tokens += scan_hot_folder(self.ctx, station, seen=self._seen,
                                          stable_seconds=self.ctx.settings.hot_folder_settle_seconds)
        for token in tokens:
            self.worker.submit(token)
        return tokens
