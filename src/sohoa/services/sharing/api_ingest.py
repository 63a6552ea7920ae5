"""Ingest through the API: uploads streamed to their own folder, queued as ingest items, run by one worker.

An upload lands in ``data/uploads/api/<uuid>/<name>``; accepting it creates an ``ingest_items`` row in state
``pending`` (keyed by SHA-256, so the same bytes twice create nothing). One background thread per process
hands pending items to ``ingest_paths``; items left pending or processing by a stopped process are taken up
again at the next start. Statuses are read by SHA-256.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from sohoa.db.models import Document, FileUnit, IngestBatch, IngestItem, Unit
from sohoa.domain.errors import NotFound, PermissionDenied, SohoaError, ValidationFailed
from sohoa.domain.text import nfc
from sohoa.domain.workflow import IngestItemState, transition
from sohoa.services.identity.policy import is_secret
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.background import QueueWorker
from sohoa.services.platform.context import AppContext
from sohoa.services.production.ingest import ingest_paths
from sohoa.services.production.scanning import IngestFn, safe_filename
from sohoa.services.registry.units import related_unit_ids

__all__ = [
    "STATES",
    "Accepted",
    "ApiIngestWorker",
    "IngestStatus",
    "IngestTarget",
    "UploadSink",
    "UploadTooLarge",
    "accept_upload",
    "check_target",
    "ingest_status",
    "new_upload",
    "process_item",
    "record_refusal",
    "resumable_items",
    "uploads_root",
]

log = logging.getLogger(__name__)

STATES: tuple[str, ...] = ("queued", "processing", "done", "duplicate", "quarantined", "failed")
_SHOWN: dict[str, str] = {IngestItemState.PENDING: "queued", IngestItemState.PROCESSING: "processing",
                          IngestItemState.DONE: "done", IngestItemState.QUARANTINED: "quarantined",
                          IngestItemState.FAILED: "failed"}  # the states the API shows (STATES)
_TERMINAL = (IngestItemState.DONE, IngestItemState.QUARANTINED, IngestItemState.FAILED)


class UploadTooLarge(SohoaError):
    """More bytes than ``settings.max_upload_bytes``."""

    code = "too_large"


def uploads_root(ctx: AppContext) -> Path:
    return ctx.settings.data / "uploads" / "api"


class UploadSink:
    """One upload being received: written to ``<name>.part`` in its own folder, hashed and counted as it comes."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.upload_id = uuid.uuid4().hex
        self.folder = root / self.upload_id
        self.folder.mkdir(parents=True)
        self.max_bytes = max_bytes
        self.name: str | None = None
        self.size = 0
        self._hash = hashlib.sha256()
        self._handle: BinaryIO | None = None

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def open(self, filename: str) -> None:
        """Start the file part; its name is made safe and may never leave the upload folder."""
        if self.name is not None:
            raise ValidationFailed("Mỗi yêu cầu chỉ một tệp", "One file per request")
        name = safe_filename(filename)
        target = (self.folder / name).resolve()
        if target.parent != self.folder.resolve():
            raise ValidationFailed("Tên tệp không hợp lệ", f"Invalid file name: {filename!r}")
        self.name = name
        self._handle = (self.folder / f"{name}.part").open("xb")

    def write(self, data: bytes) -> None:
        if self._handle is None:
            raise ValidationFailed("Dữ liệu tệp không đúng chỗ", "File data outside the file part")
        self.size += len(data)
        if self.size > self.max_bytes:
            raise UploadTooLarge(f"Tệp vượt quá {self.max_bytes} byte", f"File exceeds {self.max_bytes} bytes")
        self._hash.update(data)
        self._handle.write(data)

    def finish(self) -> Path:
        """Close the file and give it its final name."""
        if self._handle is None or self.name is None:
            raise ValidationFailed("Thiếu tệp (trường 'file')", "No file (field 'file')")
        self._handle.close()
        self._handle = None
        if self.size == 0:
            raise ValidationFailed("Tệp rỗng", "Empty file")
        final = self.folder / self.name
        (self.folder / f"{self.name}.part").rename(final)
        return final

    def discard(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
        shutil.rmtree(self.folder, ignore_errors=True)


def new_upload(ctx: AppContext) -> UploadSink:
    return UploadSink(uploads_root(ctx), ctx.settings.max_upload_bytes)


@dataclass(frozen=True)
class IngestTarget:
    """Where an upload's documents go: a unit identifier (and its id) and an optional file code."""

    unit: str | None
    unit_id: int | None
    file_code: str | None


def _clean(value: str | None, limit: int, label: str) -> str | None:
    text = nfc(value or "").strip()
    if not text:
        return None
    if len(text) > limit or not text.isprintable():
        raise ValidationFailed(f"Giá trị '{label}' không hợp lệ", f"Invalid '{label}'")
    return text


def check_target(ctx: AppContext, bound_unit_id: int | None, unit: str | None,
                 file_code: str | None) -> IngestTarget:
    """The target of an upload; a token bound to a unit may only ingest for that unit or its lineage."""
    unit, file_code = _clean(unit, 35, "unit"), _clean(file_code, 30, "file_code")
    with ctx.db.session() as session:
        lineage = related_unit_ids(session, bound_unit_id) if bound_unit_id is not None else None
        unit_id: int | None = None
        if unit is not None:
            found = session.execute(select(Unit.id).where(Unit.identifier == unit)).scalar()
            if found is None:
                raise NotFound(f"Không tìm thấy đơn vị '{unit}'", f"Unknown unit '{unit}'")
            unit_id = int(found)
        elif bound_unit_id is not None:
            bound = session.get(Unit, bound_unit_id)
            assert bound is not None
            unit, unit_id = bound.identifier, bound.id
        existing = session.execute(select(FileUnit.unit_id).where(FileUnit.file_code == file_code)).first() \
            if file_code else None
        units = {unit_id} | ({existing[0]} if existing else set())  # an existing file keeps its own unit
        if lineage is not None and not units <= lineage:
            raise PermissionDenied("Mã truy cập chỉ được nộp cho đơn vị của mình",
                                   "This token may only ingest for its own unit and its lineage")
        return IngestTarget(unit, unit_id, file_code)


@dataclass(frozen=True)
class Accepted:
    """An upload taken in: its hash, the state it is in and whether it was queued now."""

    sha256: str
    state: str
    queued: bool


def record_refusal(ctx: AppContext, actor: str, reason: str, details: dict[str, object]) -> None:
    """An upload refused (too large, bad name, not allowed): audited like every other request."""
    with ctx.db.session() as session:
        record_event(session, actor, "api.ingest_refused", "ingest_item", None, {"reason": reason, **details})


def _existing(ctx: AppContext, sink: UploadSink, actor: str) -> Accepted | None:
    """What an upload of bytes seen before answers (and nothing is created): None when it must be queued."""
    with ctx.db.session() as session:
        item = session.execute(select(IngestItem).where(IngestItem.sha256 == sink.sha256)).scalar_one_or_none()
        if item is None or item.state == IngestItemState.FAILED:
            return None
        state = "duplicate" if item.state == IngestItemState.DONE else _SHOWN.get(item.state, item.state)
        record_event(session, actor, "api.ingest_duplicate", "ingest_item", item.id,
                     {"sha256": sink.sha256, "file": sink.name, "state": state})
    sink.discard()
    return Accepted(sink.sha256, state, False)


def accept_upload(ctx: AppContext, sink: UploadSink, target: IngestTarget, *, actor: str) -> tuple[Accepted, int]:
    """Queue a received upload as a pending ingest item (a failed one is retried); ``(answer, item id)``."""
    path = sink.finish()
    seen = _existing(ctx, sink, actor)
    if seen is not None:
        return seen, 0
    options = {"source": "api", "upload": sink.upload_id, "unit": target.unit, "file_code": target.file_code}
    try:
        with ctx.db.session() as session:
            batch = IngestBatch(actor=actor, options=options)
            session.add(batch)
            session.flush()
            item = session.execute(select(IngestItem).where(IngestItem.sha256 == sink.sha256)).scalar_one_or_none()
            if item is None:
                item = IngestItem(sha256=sink.sha256, attempts=0, pages=0)
                session.add(item)
            elif item.source_path != str(path):
                _remove_upload(ctx, Path(item.source_path))  # the failed try's copy: these bytes replace it
            item.batch_id, item.original_name, item.source_path = batch.id, path.name, str(path)
            item.state = transition(item.state, IngestItemState.PENDING)  # new, or a failed try again
            item.reason, item.message, item.unit_id = None, None, target.unit_id
            session.flush()
            record_event(session, actor, "api.ingest_accept", "ingest_item", item.id,
                         {"sha256": sink.sha256, "file": path.name, "size": sink.size, **options})
            item_id = item.id
    except IntegrityError:  # the same bytes uploaded at the same moment: the other request queued them
        sink.discard()
        return Accepted(sink.sha256, "queued", False), 0
    return Accepted(sink.sha256, "queued", True), item_id


@dataclass(frozen=True)
class IngestStatus:
    """Where one upload stands, by SHA-256."""

    sha256: str
    state: str
    reason: str | None
    message: str | None
    documents: list[int]


def ingest_status(ctx: AppContext, sha256: str, *, bound_unit_id: int | None, actor: str) -> IngestStatus:
    """The state of the item with these bytes; a unit-bound token sees its lineage's and its own uploads."""
    with ctx.db.session() as session:
        item = session.execute(select(IngestItem).where(IngestItem.sha256 == sha256)).scalar_one_or_none()
        batch = session.get(IngestBatch, item.batch_id) if item is not None else None
        visible = item is not None and (bound_unit_id is None or (batch is not None and batch.actor == actor)
                                        or item.unit_id in related_unit_ids(session, bound_unit_id))
        if item is None or not visible:
            raise NotFound("Không có tệp với mã băm này", "No upload with this SHA-256")
        docs = session.execute(select(Document).where(Document.ingest_item_id == item.id)
                               .order_by(Document.id)).scalars()
        status = IngestStatus(sha256, _SHOWN.get(item.state, item.state), item.reason, item.message,
                              [d.id for d in docs if not is_secret(d)])
        record_event(session, actor, "api.ingest_status", "ingest_item", item.id, {"state": status.state})
        return status


def resumable_items(ctx: AppContext) -> list[int]:
    """API uploads a stopped process left pending or processing, oldest first."""
    root = uploads_root(ctx).resolve()
    with ctx.db.session() as session:
        rows = session.execute(select(IngestItem.id, IngestItem.source_path).where(
            IngestItem.state.in_((IngestItemState.PENDING, IngestItemState.PROCESSING))).order_by(IngestItem.id)).all()
    return [int(item_id) for item_id, source in rows if Path(source).resolve().is_relative_to(root)]


def _claim(ctx: AppContext, item_id: int) -> tuple[Path, dict[str, object], str] | None:
    """Mark the item processing (pending → processing only once, so two processes never share an upload)."""
    with ctx.db.session() as session:
        item = session.get(IngestItem, item_id)
        if item is None or item.state not in (IngestItemState.PENDING, IngestItemState.PROCESSING):
            return None
        if item.state == IngestItemState.PENDING:
            taken = session.execute(update(IngestItem).where(IngestItem.id == item_id,
                                                             IngestItem.state == IngestItemState.PENDING)
                                    .values(state=transition(item.state, IngestItemState.PROCESSING))
                                    .execution_options(synchronize_session=False))
            if getattr(taken, "rowcount", 0) != 1:
                return None
        batch = session.get(IngestBatch, item.batch_id)
        return Path(item.source_path), dict((batch.options if batch else None) or {}), batch.actor if batch else "api"


def _settle(ctx: AppContext, item_id: int, actor: str, reason: str | None, message: str | None) -> tuple[str, bool]:
    """The item's final state, and whether its bytes are kept elsewhere (object store or quarantine).

    An item the ingest left unfinished (or never reached) is marked failed.
    """
    with ctx.db.session() as session:
        item = session.get(IngestItem, item_id)
        assert item is not None
        if item.state not in _TERMINAL:
            item.state, item.reason = transition(item.state, IngestItemState.FAILED), reason or "not_ingested"
            item.message = message or "Không xử lý được tệp / the file could not be ingested"
            record_event(session, actor, "ingest.fail", "ingest_item", item.id, {"reason": item.reason,
                                                                                 "error": item.message})
        return item.state, item.master_object_id is not None or item.state == IngestItemState.QUARANTINED


def _remove_upload(ctx: AppContext, path: Path) -> None:
    """Delete an upload's own folder (only ever a folder directly under the API uploads root)."""
    if path.parent.resolve().parent == uploads_root(ctx).resolve():
        shutil.rmtree(path.parent, ignore_errors=True)


def process_item(ctx: AppContext, item_id: int, ingest: IngestFn) -> str | None:
    """Ingest one queued upload; returns its final state (None when there was nothing to do)."""
    claimed = _claim(ctx, item_id)
    if claimed is None:
        return None
    path, options, actor = claimed
    reason: str | None = None
    message: str | None = None
    if not path.is_file():
        reason, message = "upload_missing", "Tệp tải lên không còn / the uploaded file is gone"
    else:
        try:
            report = ingest(ctx, [path], unit_identifier=options.get("unit"), file_code=options.get("file_code"),
                            actor=actor)
        except Exception as exc:  # the worker must survive any ingest failure and show it on the item
            log.exception("API ingest of item %s failed", item_id)
            reason, message = "ingest_error", str(exc)[:2000]
        else:
            if any(getattr(i, "state", None) == "busy" for i in getattr(report, "items", ())):
                return "processing"  # another process ingests these bytes: it settles the item, not us
    state, kept = _settle(ctx, item_id, actor, reason, message)
    if kept:  # otherwise the upload stays until the same bytes are sent again
        _remove_upload(ctx, path)
    return state


class ApiIngestWorker:
    """The one background thread of an app that ingests API uploads in order."""

    def __init__(self, ctx: AppContext, ingest: IngestFn | None = None) -> None:
        self.ctx = ctx
        self._ingest = ingest
        self._worker: QueueWorker[int] = QueueWorker("sohoa-api-ingest", self._run)

    def _ingest_fn(self) -> IngestFn:
        if self._ingest is None:
            self._ingest = ingest_paths
        return self._ingest

    def _run(self, item_id: int) -> None:
        process_item(self.ctx, item_id, self._ingest_fn())

    def start(self, ingest: IngestFn | None = None, *, resume: bool = True) -> None:
        """Start the thread and, with ``resume`` (the one web process holding the resume lease), queue what a
        previous process left unfinished."""
        if ingest is not None:
            self._ingest = ingest
        self._worker.start()
        for item_id in resumable_items(self.ctx) if resume else []:
            self._worker.submit(item_id)

    def submit(self, item_id: int) -> None:
        self._worker.submit(item_id)

    def idle(self) -> bool:
        return self._worker.idle()

    def stop(self, timeout: float = 30.0) -> None:
        self._worker.stop(timeout)
