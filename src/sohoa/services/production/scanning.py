"""Scanning: resumable chunked uploads into per-upload folders, a background ingest worker, hot folders.

How pages become documents: a multi-page PDF or TIFF is one sequence, split into documents where a page
looks like a first page (national motto, số/ký hiệu, date) or a QR separator sheet starts a file; each
uploaded single image is a sequence of its own. Uploads the operator groups (``group``) are ingested
together once all have arrived: as one document, pages in file-name order (``one_document``), or split as
a folder of page images is. A rework "redo" is a grouped rescan that replaces one document (``replaces``).
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.db.models import FileUnit, ScanUpload
from sohoa.domain.errors import Conflict, NotFound, ValidationFailed
from sohoa.domain.workflow import DocumentState, ScanUploadState, transition
from sohoa.services.catalogue.documents import visible_document
from sohoa.services.identity.principal import SYSTEM, Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.background import PeriodicTask, QueueWorker
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.pool import SharedPool
from sohoa.services.production.filing import supersede_rescanned, supersede_rework
from sohoa.services.production.ingest import ingest_paths
from sohoa.services.production.rework import ReworkItem, redo_in_review, rework_documents
from sohoa.storage.private import copy_private

__all__ = [
    "ALLOWED_SUFFIXES",
    "HotFolderWatcher",
    "IngestFn",
    "LiveProgress",
    "ReworkItem",
    "ScanWorker",
    "UploadStatus",
    "append_chunk",
    "hot_folder",
    "list_uploads",
    "natural_key",
    "redo_in_review",
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
_GROUP = re.compile(r"^[A-Za-z0-9_-]{8,40}$")
MAX_GROUP = 500  # files in one grouped upload

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
    """What the browser needs to resume or follow one upload (``document_ids``: where its pages went)."""

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
    document_ids: list[int] = field(default_factory=list)
    group: str | None = None
    one_document: bool = False
    replaces: int | None = None


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
        list(row.document_ids or []),
        row.group_token,
        bool(row.one_document),
        row.replaces_document_id,
    )


def natural_key(name: str) -> tuple[tuple[int, int, str], ...]:
    """File-name order as people count: 'trang 2' before 'trang 10' (numbers compared as numbers)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold())
                 for part in re.split(r"(\d+)", unicodedata.normalize("NFC", name)) if part)


@dataclass(frozen=True)
class _Grouping:
    """How an upload joins others: its group, the group's size, one document or split, the rework it redoes."""

    token: str | None = None
    size: int | None = None
    one_document: bool = False
    replaces: int | None = None


def _grouping(session: Session, group: str | None, group_size: int | None, one_document: bool,
              replaces: int | None, file_id: int | None, operator: str,
              principal: Principal | None) -> tuple[_Grouping, int | None]:
    """Check what the browser says of the group; returns it and the file the upload goes to."""
    if replaces is not None:  # a rework rescan: one document, into the file of the one it replaces
        old = visible_document(session, principal, replaces)
        if old.state != DocumentState.REWORK_SCAN:
            raise ValidationFailed("Văn bản này không chờ quét lại", "This document is not waiting for a rescan")
        file_id, one_document = old.file_id, True
    if group is None:
        return (_Grouping(None, None, True, replaces) if one_document else _Grouping()), file_id
    if not _GROUP.match(group) or group_size is None or not 1 <= group_size <= MAX_GROUP:
        raise ValidationFailed("Nhóm tệp tải lên không hợp lệ", "Invalid upload group")
    members = session.execute(select(ScanUpload).where(ScanUpload.group_token == group)).scalars().all()
    same = all(m.operator == operator and m.file_id == file_id and m.group_size == group_size
               and m.one_document == one_document and m.replaces_document_id == replaces for m in members)
    if not same or len(members) >= group_size:
        raise Conflict("Nhóm tệp tải lên không khớp với các tệp đã gửi", "The upload group does not match its files")
    return _Grouping(group, group_size, one_document, replaces), file_id


def start_upload(ctx: AppContext, file_id: int | None, filename: str, size: int, *, operator: str,
                 group: str | None = None, group_size: int | None = None, one_document: bool = False,
                 replaces: int | None = None, principal: Principal | None = SYSTEM) -> UploadStatus:
    """Open an upload: a row and an empty folder under ``data/uploads/<token>/``.

    ``group``/``group_size``: the browser's id for files sent together and how many there are; they are
    ingested together once all have arrived, as one document when ``one_document`` (alone, a multi-page
    file is then never split). ``replaces``: the rework document (sent back to scanning, visible to
    ``principal``) this rescan replaces; it is one document, in that document's file.
    """
    name = safe_filename(filename)
    if size <= 0 or size > ctx.settings.max_upload_bytes:
        raise ValidationFailed("Kích thước tệp không hợp lệ hoặc quá lớn", "File size invalid or too large")
    token = secrets.token_urlsafe(18)
    with ctx.db.session() as session:
        grouping, file_id = _grouping(session, group, group_size, one_document, replaces, file_id, operator,
                                      principal)
        file = session.get(FileUnit, file_id) if file_id else None
        if file_id and file is None:
            raise NotFound("Không tìm thấy hồ sơ", "File not found")
        _upload_dir(ctx, token).mkdir(parents=True)
        row = ScanUpload(token=token, file_id=file_id, filename=name, size=size, operator=operator,
                         state=ScanUploadState.RECEIVING, group_token=grouping.token or (
                             token if grouping.one_document else None),
                         group_size=grouping.size or (1 if grouping.one_document else None),
                         one_document=grouping.one_document, replaces_document_id=grouping.replaces)
        session.add(row)
        session.flush()
        record_event(session, operator, "scan.upload_start", "scan_upload", row.id,
                     {"file": name, "size": size, "group": row.group_token, "one_document": row.one_document})
        if grouping.replaces is not None and not _earlier_members(session, row):
            record_event(session, operator, "qc.redo", "document", grouping.replaces,
                         {"action": "rescan", "upload": row.id})
        return _status(row, file.file_code if file else None)


def _earlier_members(session: Session, row: ScanUpload) -> int:
    return int(session.execute(select(func.count()).select_from(ScanUpload).where(
        ScanUpload.group_token == row.group_token, ScanUpload.id < row.id)).scalar_one())


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


@dataclass(frozen=True)
class _Outcome:
    """What one upload's ingest came to."""

    state: ScanUploadState
    message: str | None = None
    pages: int = 0
    document_ids: tuple[int, ...] = ()


_NOT_PROCESSED = "Không xử lý được tệp"


def _message(item: Any) -> str:
    """A failed item's message as people read it: the pipeline's vi/en text, else its reason code named."""
    return str(item.message or f"{_NOT_PROCESSED} ({item.reason})")


def _outcome(items: list[Any]) -> _Outcome:
    failed = [i for i in items if i.state in ("failed", "quarantined", "busy")]  # busy: retry once the other ends
    ids = tuple(sorted({doc_id for i in items for doc_id in i.documents}))
    pages = sum(i.pages for i in items)
    if failed:
        return _Outcome(ScanUploadState.FAILED, "; ".join(_message(i) for i in failed), pages, ids)
    return _Outcome(ScanUploadState.DONE, None, pages, ids)


def _members(session: Session, row: ScanUpload) -> list[ScanUpload] | None:
    """The uploads ingested with ``row`` (file-name order); None while some have not all arrived."""
    if row.group_token is None:
        return [row]
    members = list(session.execute(select(ScanUpload).where(ScanUpload.group_token == row.group_token)).scalars())
    if len(members) < (row.group_size or 1) or any(m.state == ScanUploadState.RECEIVING for m in members):
        return None
    return sorted(members, key=lambda m: (natural_key(m.filename), m.id))


def _run_one(ctx: AppContext, token: str, ingest: IngestFn, live: LiveProgress) -> None:
    """Ingest an upload, or its group once every member has arrived (the last one's submission runs it)."""
    with ctx.db.session() as session:
        row = _row(session, token)
        members = _members(session, row) if row.state in (ScanUploadState.QUEUED, ScanUploadState.PROCESSING) else None
        if members is None or any(m.state in TERMINAL for m in members):
            return  # still arriving, or ingested already with its group
        for member in members:
            member.state = transition(member.state, ScanUploadState.PROCESSING)
        file = session.get(FileUnit, row.file_id) if row.file_id else None
        file_code, operator, one_document = (file.file_code if file else None), row.operator, row.one_document
        tokens, sources = [m.token for m in members], [_upload_dir(ctx, m.token) / m.filename for m in members]
        replaces = row.replaces_document_id

    def progress(event: Any) -> None:
        for member in tokens:
            live.set(member, event.pages_done, event.pages_total)

    try:
        options = {"one_document": True} if one_document else {}
        report = ingest(ctx, sources, file_code=file_code, actor=operator, progress=progress, **options)
        items = list(report.items)
        # One item per file, in the order given; should a report not say so, every member shares all of it.
        outcomes = ([_outcome([i]) for i in items] if len(items) == len(sources) else [_outcome(items)] * len(sources))
    except Exception as exc:  # the worker must survive any ingest failure and show it
        log.exception("ingest of upload %s failed", token)
        outcomes = [_Outcome(ScanUploadState.FAILED, f"{_NOT_PROCESSED}: {exc}")] * len(sources)
    _store_outcomes(ctx, tokens, outcomes, operator, replaces)


def _store_outcomes(ctx: AppContext, tokens: list[str], outcomes: list[_Outcome], operator: str,
                    replaces: int | None) -> None:
    created = sorted({doc_id for o in outcomes for doc_id in o.document_ids})
    with ctx.db.session() as session:
        rows = [_row(session, token) for token in tokens]
        for row, outcome in zip(rows, outcomes, strict=True):
            row.state = transition(row.state, outcome.state)
            row.message, row.pages = outcome.message, outcome.pages
            row.documents, row.document_ids = len(outcome.document_ids), list(outcome.document_ids)
            record_event(session, operator, f"scan.{outcome.state}", "scan_upload", row.id,
                         {"documents": list(outcome.document_ids), "pages": outcome.pages,
                          "message": outcome.message})
        done = all(o.state == ScanUploadState.DONE for o in outcomes)
        if done and replaces is not None:  # the operator's redo of one rework document
            if not supersede_rescanned(session, replaces, created, operator):
                for row in rows:
                    row.message = ("Văn bản cũ không còn chờ quét lại nên vẫn giữ nguyên / The old document is no "
                                   "longer waiting for a rescan and was left as it is")
        elif done and rows[0].file_id:  # a rescan of the file replaces documents sent back to scanning
            supersede_rework(session, rows[0].file_id, created, operator)


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

    def start(self, *, resume: bool = True) -> None:
        """Start; with ``resume`` (the web process holding the resume lease) first queue what a previous process
        left queued or processing."""
        with self.ctx.db.session() as session:  # resume what a previous process left queued
            pending = session.execute(
                select(ScanUpload.token)
                .where(ScanUpload.state.in_((ScanUploadState.QUEUED, ScanUploadState.PROCESSING)))
                .order_by(ScanUpload.id)
            ).scalars().all() if resume else []
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
