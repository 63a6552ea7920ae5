"""The OCFL storage root of the archive: one OCFL object per hồ sơ, whose content is the hồ sơ's AIP.

Why one object per hồ sơ (``urn:sohoa:hoso:<file_code>``): the hồ sơ is the unit TT 05/2025 archives
(AIP_hoso) and the one a reader asks for; its AIP (``packages.members.aip_members``: masters, PDFs, OCR,
EAD, PREMIS, sohoa.json, METS, schemas) is the object's content, so an OCFL version *is* an AIP version,
and a master shared by versions is stored once. Documents outside any hồ sơ are preserved once filed
(:func:`ocfl_status` counts them as pending).

When a version is written (:func:`sync_file`): when the hồ sơ's *substance* differs from the head — a
stored object (master, PDF, OCR) added, removed or changed, an envelope's key record changed (a key rotation:
a ``metadata modification``; the envelope itself is stored once), or its descriptive metadata (EAD) or its
complete record (``metadata/other/sohoa.json``) changed. The package wrapping (METS, PREMIS, audit trail,
schemas) is refreshed in every new version but never makes one by itself: each version adds PREMIS events,
and a version made because of them would make another one forever. Masters are never rewritten: OCFL
content already written is never touched.

Each version is a PREMIS event of the hồ sơ (``ingestion`` for v1, ``modification`` when content changed,
``metadata modification`` otherwise) in the same transaction as its :class:`~sohoa.db.models.OcflObject`
row.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileUnit, OcflObject, StoredObject
from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import ObjectStore
from sohoa.services.platform.background import PeriodicTask
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.encryption import due_objects, encryption_status
from sohoa.services.preservation.events import AGENT, EventType, Outcome, iso_vn, record_preservation_event
from sohoa.services.preservation.lease import single_runner
from sohoa.services.preservation.ocfl_root import ocfl_place, open_ocfl_root
from sohoa.services.preservation.packages.key_records import KEY_RECORD_SUFFIX
from sohoa.services.preservation.packages.members import aip_members
from sohoa.services.preservation.packages.model import PackageMember
from sohoa.storage.blobs import BlobRoot
from sohoa.storage.ocfl import OcflSource, OcflUser, from_bytes, object_path
from sohoa.storage.ocfl_check import OcflProblem, check_root

__all__ = [
    "OBJECT_PREFIX",
    "OcflStatus",
    "SyncResult",
    "awaiting_encryption",
    "hoso_object_id",
    "is_substance",
    "ocfl_status",
    "ocfl_task",
    "sync_all",
    "sync_exclusive",
    "sync_file",
    "validate_ocfl",
]

log = logging.getLogger(__name__)

OBJECT_PREFIX = "urn:sohoa:hoso:"
_SUBSTANCE_METADATA = ("metadata/descriptive/", "metadata/other/sohoa.json")


def hoso_object_id(file_code: str) -> str:
    """The OCFL object id of a hồ sơ."""
    return OBJECT_PREFIX + file_code


def is_substance(member: PackageMember) -> bool:
    """Whether a member's change makes a new version: a stored object, an envelope's key record (a rotation
    changes what opens the object), the EAD, or sohoa.json."""
    return member.object_id is not None or _substance_path(member.path)


def _is_data(path: str) -> bool:
    return path.startswith("representations/") and "/data/" in path


def _is_key_record(path: str) -> bool:
    return _is_data(path) and path.endswith(KEY_RECORD_SUFFIX)


def _substance_path(path: str) -> bool:
    return _is_data(path) or path.startswith(_SUBSTANCE_METADATA)


def _signature(members: Sequence[PackageMember]) -> str:
    lines = sorted(f"{m.path}\t{m.sha256}" for m in members if is_substance(m))
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SyncResult:
    """What one sync of one hồ sơ did: the version written (None: nothing changed) and why; ``error`` (vi / en)
    when it could not be written (a stored object missing or unreadable: the fixity audit's business)."""

    file_code: str
    object_id: str
    version: str | None
    reason: str
    files: int
    error: str | None = None
    deferred: bool = False  # objects of the hồ sơ wait to be sealed (encryption at rest): written once they are


@dataclass(frozen=True)
class OcflStatus:
    """The OCFL storage root at a glance (the preservation page, `sohoa ocfl status`).

    ``objects``: hồ sơ with an OCFL object; ``versions``: versions in all of them; ``pending_files``: hồ sơ
    with documents but no object yet; ``unfiled_documents``: documents in no hồ sơ (preserved once filed);
    ``last_sync``: when a version was last written; ``interval_minutes``: the schedule (0: none)."""

    root: str
    initialized: bool
    objects: int
    versions: int
    pending_files: int
    unfiled_documents: int
    last_sync: datetime | None
    interval_minutes: float


def _copy_object(store: ObjectStore, sha256: str, blobs: BlobRoot, path: str) -> tuple[str, int]:
    return blobs.link_or_copy_from(store, sha256, path)


def _sources(ctx: AppContext, session: Session, members: Sequence[PackageMember]) -> list[OcflSource]:
    ids = [m.object_id for m in members if m.object_id is not None]
    names = dict(session.execute(select(StoredObject.id, StoredObject.sha256).where(StoredObject.id.in_(ids))).all())
    sources = []
    for member in members:
        if member.data is not None:
            sources.append(from_bytes(member.path, member.data))
            continue
        assert member.object_id is not None
        name = names[member.object_id]
        sources.append(OcflSource(member.path, member.sha256, partial(_copy_object, ctx.store, name)))
    return sources


def _documents(record: Any) -> dict[str, dict[str, Any]]:
    docs = record.get("documents", []) if isinstance(record, dict) else []
    return {str(d.get("key")): d for d in docs if isinstance(d, dict)}


def _reason(old: dict[str, str], old_record: Any, members: Sequence[PackageMember]) -> tuple[EventType, str]:
    """The PREMIS event type of a new version and its message (vi / en)."""
    if not old:
        return EventType.INGESTION, "Lần lưu đầu tiên / first ingest"
    new = {m.path: m.sha256 for m in members if is_substance(m)}
    before = {p: d for p, d in old.items() if _substance_path(p)}
    keys = sorted(p for p in set(new) | set(before) if _is_key_record(p) and before.get(p) != new.get(p))
    added = sorted(p for p in new if _is_data(p) and p not in before and p not in keys)
    removed = sorted(p for p in before if _is_data(p) and p not in new and p not in keys)
    changed = sorted(p for p in new if _is_data(p) and p in before and before[p] != new[p] and p not in keys)
    parts: list[str] = []
    if any("/documents/" in p for p in changed):
        parts.append("PDF dựng lại / PDF rebuilt")
    if any("/documents/" in p for p in added):
        parts.append("thêm văn bản / document added")
    if removed:
        parts.append("bớt tệp / files removed")
    if any("/documents/" not in p for p in added + changed):
        parts.append("nội dung thay đổi / content changed")
    content = bool(parts)
    record = next((m.data for m in members if m.path == "metadata/other/sohoa.json" and m.data), None)
    old_docs, after = _documents(old_record), _documents(json.loads(record) if record else None)
    states = sorted({(str(b.get("state")), str(after[k].get("state"))) for k, b in old_docs.items()
                     if k in after and b.get("state") != after[k].get("state")})
    parts += [f"văn bản {a} → {b} / document {a} → {b}" for a, b in states]
    if keys:
        parts.append("bản ghi khóa thay đổi (thay khóa) / key records changed (key rotation)")
    if not content and not states and not keys:
        parts.append("siêu dữ liệu thay đổi / metadata changed")
    return (EventType.MODIFICATION if content else EventType.METADATA_MODIFICATION), "; ".join(parts)


def awaiting_encryption(ctx: AppContext, session: Session) -> frozenset[int]:
    """Ids of the objects that encryption at rest will seal but has not yet (none before the first key): a hồ sơ
    holding one waits, so that no plaintext of restricted material enters the write-once OCFL root."""
    status = encryption_status(ctx)
    if status.current_key is None and status.problem is not None:  # keys unreadable: whether to wait is unknown
        raise SohoaError(f"Kho OCFL chờ: {status.problem[0]}", f"The OCFL sync waits: {status.problem[1]}")
    if status.current_key is None or not status.supported:
        return frozenset()
    return frozenset(object_id for object_id, _sha in due_objects(session, ctx.settings.encrypted_levels))


def sync_file(ctx: AppContext, session: Session, file_id: int, *, actor: str = "system",
              after_content: Callable[[], None] | None = None,
              waiting: frozenset[int] | None = None) -> SyncResult:
    """Write a new OCFL version of hồ sơ ``file_id`` when its substance changed (see the module docstring);
    the PREMIS event and the ``ocfl_objects`` row go in ``session`` (the caller commits). ``waiting``: the
    objects :func:`awaiting_encryption` names (computed here when not given)."""
    file = session.get(FileUnit, file_id)
    if file is None:
        raise SohoaError(f"Không có hồ sơ #{file_id}", f"No file #{file_id}")
    oid = hoso_object_id(file.file_code)
    members = aip_members(ctx, session, file_id)
    waiting = awaiting_encryption(ctx, session) if waiting is None else waiting
    if any(m.object_id in waiting for m in members):
        return SyncResult(file.file_code, oid, None, "chờ mã hóa / waiting for encryption", len(members),
                          deferred=True)
    signature = _signature(members)
    row = session.scalar(select(OcflObject).where(OcflObject.file_id == file_id))
    root = open_ocfl_root(ctx.settings)
    if (row is not None and row.signature == signature and row.object_id == oid
            and root.blobs.exists(f"{object_path(oid)}/inventory.json")):  # a root restored without it: rewrite
        return SyncResult(file.file_code, oid, None, "", row.files)
    inventory = root.inventory(oid)
    old_state = root.head_state(oid) if inventory else {}
    old_record: Any = None
    if "metadata/other/sohoa.json" in old_state:
        with root.open_file(oid, "metadata/other/sohoa.json") as handle:
            old_record = json.loads(handle.read())
    new_substance = {m.path: m.sha256 for m in members if is_substance(m)}
    unchanged = inventory is not None and new_substance == {p: d for p, d in old_state.items() if _substance_path(p)}
    event_type, message = _reason(old_state, old_record, members)
    if inventory is None and row is not None:  # the database knew it: the root lost it (e.g. after a restore)
        message = (f"Dựng lại (kho OCFL không còn đối tượng; trước đó tới {row.head}) / rebuilt (the OCFL root had "
                   f"lost the object; it was at {row.head})")
    version: str | None = None
    if not unchanged:
        try:
            version = root.write_version(oid, _sources(ctx, session, members), message=message, created=iso_vn(
                datetime.now(UTC)), user=OcflUser(actor, f"urn:sohoa:user:{quote(actor, safe='')}"),
                after_content=after_content)
        except (SohoaError, OSError):
            root.clean(oid)  # leave the root valid: no half-written version waits for the next pass
            raise
    head = version or (inventory["head"] if inventory else None)
    if head is None:
        raise SohoaError(f"Không ghi được đối tượng OCFL {oid}", f"Could not write OCFL object {oid}")
    if version is not None or row is None or row.head != head:
        record_preservation_event(
            session, event_type, Outcome.SUCCESS, file_id=file_id, agent=AGENT if actor == "system" else actor,
            detail=f"OCFL {oid} {head}: {message}", outcome_detail=f"{len(members)} tệp / files",
            payload={"ocfl_object": oid, "version": head, "root": ocfl_place(ctx.settings)})
    if row is None:
        row = OcflObject(file_id=file_id, object_id=oid, head=head, files=len(members), signature=signature)
        session.add(row)
    row.object_id, row.head, row.files, row.signature = oid, head, len(members), signature
    row.synced_at = datetime.now(UTC)
    session.flush()
    return SyncResult(file.file_code, oid, version, message if version else "", len(members))


def sync_all(ctx: AppContext, *, file_codes: Sequence[str] = (), actor: str = "system",
             progress: Callable[[SyncResult], None] | None = None) -> list[SyncResult]:
    """Sync every hồ sơ that holds documents (or those of ``file_codes``), each in its own transaction, so an
    interrupted run resumes where it stopped; a second run writes nothing."""
    with ctx.db.session() as session:
        query = select(FileUnit.id, FileUnit.file_code).where(
            select(Document.id).where(Document.file_id == FileUnit.id).exists()).order_by(FileUnit.id)
        if file_codes:
            query = query.where(FileUnit.file_code.in_(list(file_codes)))
        files = list(session.execute(query).all())
    missing = sorted(set(file_codes) - {code for _id, code in files})
    if missing:
        raise SohoaError(f"Không có hồ sơ (có văn bản) mã {', '.join(missing)}",
                         f"No file (with documents) coded {', '.join(missing)}")
    with ctx.db.session() as session:
        waiting = awaiting_encryption(ctx, session)
    results = []
    for file_id, code in files:
        with ctx.db.session() as session:
            try:
                result = sync_file(ctx, session, file_id, actor=actor, waiting=waiting)
                session.commit()
            except Exception as exc:  # one hồ sơ that cannot be written does not stop the others, pass after pass
                session.rollback()
                if isinstance(exc, SohoaError | OSError):
                    log.warning("OCFL: hồ sơ %s not written: %s", code, exc)
                else:
                    log.exception("OCFL: hồ sơ %s not written", code)
                result = SyncResult(code, hoso_object_id(code), None, "", 0, error=str(exc))
        results.append(result)
        if progress is not None:
            progress(result)
    return results


def sync_exclusive(ctx: AppContext, *, file_codes: Sequence[str] = (), actor: str = "system",
                   progress: Callable[[SyncResult], None] | None = None) -> list[SyncResult]:
    """:func:`sync_all` under the ``ocfl`` lease, so a `sohoa ocfl sync` and the web app's scheduled pass never
    write the same object at once; SohoaError when another process holds it."""
    with single_runner(ctx, "ocfl") as mine:
        if not mine:
            raise SohoaError("Một tiến trình khác đang ghi kho OCFL; hãy thử lại sau",
                             "Another process is writing the OCFL root; try again later")
        return sync_all(ctx, file_codes=file_codes, actor=actor, progress=progress)


def ocfl_status(ctx: AppContext) -> OcflStatus:
    """Counts from the database (cheap: no walk of the storage root)."""
    root = open_ocfl_root(ctx.settings)
    with ctx.db.session() as session:
        objects, last = session.execute(select(func.count(OcflObject.id), func.max(OcflObject.synced_at))).one()
        heads = session.scalars(select(OcflObject.head)).all()
        with_docs = session.scalar(select(func.count(FileUnit.id)).where(
            select(Document.id).where(Document.file_id == FileUnit.id).exists())) or 0
        synced = session.scalar(select(func.count(OcflObject.id)).where(OcflObject.file_id.in_(
            select(Document.file_id).where(Document.file_id.is_not(None))))) or 0
        unfiled = session.scalar(select(func.count(Document.id)).where(Document.file_id.is_(None))) or 0
    return OcflStatus(root=ocfl_place(ctx.settings), initialized=root.is_initialized(), objects=int(objects),
                      versions=sum(int(h[1:]) for h in heads), pending_files=int(with_docs) - int(synced),
                      unfiled_documents=int(unfiled), last_sync=last,
                      interval_minutes=ctx.settings.ocfl_interval_minutes)


def validate_ocfl(ctx: AppContext, *, digests: bool = True) -> list[OcflProblem]:
    """Our own checks of the whole storage root (see ``sohoa.storage.ocfl_check``)."""
    return list(check_root(open_ocfl_root(ctx.settings).blobs, digests=digests))


def _scheduled_pass(ctx: AppContext) -> None:
    with single_runner(ctx, "ocfl") as mine:
        if not mine:
            return
        written = [r for r in sync_all(ctx) if r.version]
        if written:
            log.info("OCFL: %d new version(s)", len(written))


def ocfl_task(ctx: AppContext) -> PeriodicTask | None:
    """The web app's OCFL sync every ``ocfl_interval_minutes`` (the first one interval after start), None when 0;
    one web process at a time runs it (lease ``ocfl``)."""
    minutes = ctx.settings.ocfl_interval_minutes
    if minutes <= 0:
        return None
    return PeriodicTask("ocfl-sync", lambda: _scheduled_pass(ctx), minutes * 60.0, wait_first=True)
