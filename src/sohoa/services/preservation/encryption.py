"""Encryption at rest of restricted material: which objects are sealed, sealing them, key rotation, the status.

Policy: an object (master, page image, thumbnail, OCR, PDF) is due when every document that uses it has an
access level in ``SOHOA_ENCRYPT_LEVELS`` (default internal, secret) or a độ mật (counted as secret); an object
shared with any other document (same bytes, one object) stays plain. Nothing is sealed before the first key exists
(`sohoa keys init`). Objects are never decrypted back on the store when a level is lowered. Masked public
derivatives and delivered copies are not documents' objects and stay plain. Index text and metadata live in
the database, which this does not encrypt.

PREMIS: one ``encryption`` event per object sealed, and one per object whose data key a rotation re-wrapped
(the history of an object, read alone decades later or inside its AIP, must name the key that opens it now);
the audit log gets one ``preservation.key_created`` / ``preservation.key_rotated`` / ``preservation.key_retired``
per run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Select, case, func, or_, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sohoa.db.models import Document, EncryptedObject, Page, StoredObject
from sohoa.domain.errors import SohoaError
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.background import PeriodicTask
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.store_keys import keyring_for
from sohoa.services.preservation.events import EventType, Outcome, record_preservation_event
from sohoa.services.preservation.lease import single_runner
from sohoa.storage.envelope import CIPHER, KEY_WRAP
from sohoa.storage.keyring import KeyRing
from sohoa.storage.sealed import SealingStore, SealResult

__all__ = ["EncryptionStatus", "KeyUse", "RotateResult", "SweepResult", "due_objects", "encrypt_after_ingest",
           "encrypt_due", "encryption_status", "encryption_task", "init_keys", "retire_key", "rotate_keys"]

log = logging.getLogger(__name__)

SWEEP_SECONDS = 120.0  # the web process seals what became due (ingest, access changes) this often


@dataclass(frozen=True)
class KeyUse:
    """One KEK: how many objects' data keys it wraps, whether it is current and still in the keys folder."""

    key_id: str
    objects: int
    current: bool
    present: bool


@dataclass(frozen=True)
class EncryptionStatus:
    """Encryption at rest for the preservation page: the keys folder, its KEKs, what is sealed and what is due."""

    keys_dir: str
    levels: tuple[str, ...]
    current_key: str | None  # None: no key yet, nothing is encrypted
    keys: tuple[KeyUse, ...]
    encrypted: int  # objects kept as envelopes
    due: int  # restricted objects still plain
    supported: bool  # the primary store can seal objects
    problem: tuple[str, str] | None = None  # (vi, en) when the keys folder cannot be used


@dataclass(frozen=True)
class SweepResult:
    """What one sealing pass did."""

    sealed: int
    failed: tuple[str, ...]  # digests left plain (and why, in the log)


@dataclass(frozen=True)
class RotateResult:
    """A rotation: the new current KEK and the data keys re-wrapped under it."""

    key_id: str
    rewrapped: int
    left: int  # still under an older KEK (a failure; run `sohoa keys rotate --resume`)


def _primary(ctx: AppContext) -> SealingStore | None:
    primary = getattr(ctx.store, "primary", ctx.store)
    return primary if isinstance(primary, SealingStore) else None


def _replica(ctx: AppContext) -> SealingStore | None:
    replica = getattr(ctx.store, "replica", None)
    return replica if isinstance(replica, SealingStore) else None


def _keyring(ctx: AppContext) -> KeyRing:
    primary = _primary(ctx)
    if primary is not None and primary.keyring is not None:
        return primary.keyring
    return keyring_for(ctx.settings)


def _due_query(levels: frozenset[str]) -> Select[int, str]:
    refs = union_all(
        select(Page.master_object_id.label("object_id"), Page.document_id.label("document_id")),
        select(Page.image_object_id, Page.document_id).where(Page.image_object_id.is_not(None)),
        select(Page.thumbnail_object_id, Page.document_id).where(Page.thumbnail_object_id.is_not(None)),
        select(Page.ocr_object_id, Page.document_id).where(Page.ocr_object_id.is_not(None)),
        select(Document.pdf_object_id, Document.id).where(Document.pdf_object_id.is_not(None)),
    ).subquery()
    restricted: ColumnElement[bool] = Document.access_level.in_(sorted(levels))
    if "secret" in levels:  # a độ mật makes a document secret whatever its level says
        restricted = or_(Document.secrecy.is_not(None), restricted)
    open_uses = func.sum(case((restricted, 0), else_=1))
    return (select(refs.c.object_id, StoredObject.sha256)
            .join(Document, Document.id == refs.c.document_id)
            .join(StoredObject, StoredObject.id == refs.c.object_id)
            .outerjoin(EncryptedObject, EncryptedObject.object_id == refs.c.object_id)
            .where(EncryptedObject.id.is_(None))
            .group_by(refs.c.object_id, StoredObject.sha256)
            .having(open_uses == 0))


def due_objects(session: Session, levels: frozenset[str], *, limit: int | None = None) -> list[tuple[int, str]]:
    """(object id, digest) of the plain objects every using document of which is restricted."""
    query = _due_query(levels)
    query = query.order_by(query.selected_columns[0])
    if limit is not None:
        query = query.limit(limit)
    return [(int(row[0]), str(row[1])) for row in session.execute(query)]


def _seal_one(ctx: AppContext, store: SealingStore, object_id: int, sha256: str) -> None:
    result = store.encrypt_object(sha256)
    if result.plain_links:
        log.warning("encryption: %s sealed, but %d plain hard link(s) outside the store remain", sha256,
                    result.plain_links)
    _follow_on_replica(ctx, store, sha256)
    try:
        _record_sealed(ctx, object_id, result)
    except IntegrityError:  # another process recorded the same object meanwhile
        log.info("encryption: %s recorded by another process", sha256)


def _follow_on_replica(ctx: AppContext, store: SealingStore, sha256: str) -> None:
    """The replica takes the very envelope and its key record (no plaintext left on the second copy); a replica
    that cannot be written now is left to the replica's catch-up pass."""
    replica = _replica(ctx)
    record = store.key_record(sha256)
    if replica is None or record is None:
        return
    try:
        with store.open_stored(sha256) as stored:
            replica.adopt_envelope(sha256, stored, record)
    except (SohoaError, OSError) as exc:
        log.warning("encryption: the replica's copy of %s not replaced by its envelope yet: %s", sha256, exc)


def _record_sealed(ctx: AppContext, object_id: int, result: SealResult) -> None:
    with ctx.db.session() as session:
        if session.execute(select(EncryptedObject.id).where(EncryptedObject.object_id == object_id)).first():
            return
        session.add(EncryptedObject(object_id=object_id, stored_sha256=result.stored_sha256,
                                    stored_size=result.stored_size, key_id=result.key_id))
        linked = (f"{result.plain_links} bản rõ còn liên kết cứng ngoài kho (vd. OCFL) / {result.plain_links} "
                  "plain hard link(s) outside the store remain (e.g. OCFL)") if result.plain_links else None
        record_preservation_event(
            session, EventType.ENCRYPTION, Outcome.WARNING if linked else Outcome.SUCCESS, object_id=object_id,
            detail=f"Mã hóa khi lưu (phong bì {CIPHER}, khóa {result.key_id}) / "
                   f"encrypted at rest ({CIPHER} envelope, key {result.key_id})", outcome_detail=linked,
            payload={"key_id": result.key_id, "cipher": CIPHER, "key_wrap": KEY_WRAP,
                     "stored_sha256": result.stored_sha256, "stored_size": result.stored_size})


def encrypt_due(ctx: AppContext, *, limit: int | None = None) -> SweepResult:
    """Seal every due object (each in its own transaction: resumable, idempotent). Nothing happens before the
    first key exists or on a store that cannot seal."""
    store = _primary(ctx)
    if store is None or _keyring(ctx).current_id() is None:
        return SweepResult(0, ())
    if store.keyring is None:
        store.keyring = _keyring(ctx)
    with ctx.db.session() as session:
        due = due_objects(session, ctx.settings.encrypted_levels, limit=limit)
    sealed, failed = 0, []
    for object_id, sha256 in due:
        try:
            _seal_one(ctx, store, object_id, sha256)
            sealed += 1
        except (SohoaError, OSError) as exc:
            log.warning("encryption: %s left plain: %s", sha256, exc)
            failed.append(sha256)
    return SweepResult(sealed, tuple(failed))


def encrypt_after_ingest(ctx: AppContext) -> SweepResult | None:
    """The sweep right after an ingest (restricted material sealed at once); never fails the ingest (logged, and
    the next sweep of `sohoa serve` or `sohoa keys encrypt` catches up)."""
    try:
        return encrypt_due(ctx)
    except Exception:
        log.exception("encryption after the ingest failed; `sohoa keys encrypt` catches up")
        return None


def init_keys(ctx: AppContext, actor: str) -> str:
    """Create the first KEK (refused when one exists: rotate instead)."""
    keyring = _keyring(ctx)
    if keyring.current_id() is not None:
        raise SohoaError(f"Đã có khóa {keyring.current_id()}: dùng `sohoa keys rotate`",
                         f"A key exists already ({keyring.current_id()}): use `sohoa keys rotate`")
    key_id = keyring.create()
    with ctx.db.session() as session:
        record_event(session, actor, "preservation.key_created", "encryption_key", None,
                     {"key_id": key_id, "keys_dir": str(keyring.directory)})
    return key_id


def rotate_keys(ctx: AppContext, actor: str, *, new_key: bool = True) -> RotateResult:
    """A new KEK becomes current and every data key is re-wrapped under it (only key records are rewritten;
    the envelopes stay as they are). ``new_key=False`` finishes a rotation that stopped half way."""
    store = _primary(ctx)
    if store is None:
        raise SohoaError("Kho đối tượng này chưa hỗ trợ mã hóa", "This object store does not support encryption")
    keyring = _keyring(ctx)
    if keyring.current_id() is None:
        raise SohoaError("Chưa có khóa: chạy `sohoa keys init`", "No key yet: run `sohoa keys init`")
    store.keyring = store.keyring or keyring
    old = keyring.current_id()
    key_id = keyring.create() if new_key else str(old)
    with ctx.db.session() as session:
        rows = session.execute(select(EncryptedObject.object_id, StoredObject.sha256, EncryptedObject.key_id)
                               .join(StoredObject, StoredObject.id == EncryptedObject.object_id)
                               .where(EncryptedObject.key_id != key_id)).all()
    replica = _replica(ctx)
    done = 0
    for object_id, sha256, previous in rows:
        try:
            record = store.rewrap_object(sha256)
            kept = store.key_record(sha256)
            if replica is not None and kept is not None and replica.exists(sha256) and replica.is_encrypted(sha256):
                replica.put_key_record(sha256, kept)
        except (SohoaError, OSError) as exc:
            log.warning("rotation: %s still under %s: %s", sha256, previous, exc)
            continue
        with ctx.db.session() as session:
            row = session.execute(select(EncryptedObject).where(EncryptedObject.object_id == object_id)).scalar_one()
            row.key_id, row.rewrapped_at = record.wrap.key_id, datetime.now(UTC)
            record_preservation_event(
                session, EventType.ENCRYPTION, Outcome.SUCCESS, object_id=object_id,
                detail=f"Bọc lại khóa dữ liệu bằng {record.wrap.key_id} (thay khóa {previous}) / "
                       f"data key re-wrapped under {record.wrap.key_id} (rotated from {previous})",
                payload={"key_id": record.wrap.key_id, "previous_key_id": previous, "key_wrap": KEY_WRAP,
                         "stored_sha256": record.stored_sha256})
        done += 1
    with ctx.db.session() as session:
        left = session.scalar(select(func.count()).select_from(EncryptedObject)
                              .where(EncryptedObject.key_id != key_id)) or 0
        record_event(session, actor, "preservation.key_rotated", "encryption_key", None,
                     {"key_id": key_id, "previous_key_id": old, "rewrapped": done, "left": left})
    return RotateResult(key_id, done, left)


def retire_key(ctx: AppContext, key_id: str, actor: str) -> None:
    """Remove an old KEK from the keys folder once no object's data key is wrapped by it (nor its current one)."""
    keyring = _keyring(ctx)
    encrypt_due(ctx)  # an object sealed but not yet recorded (a sweep cut short) is recorded first
    with ctx.db.session() as session:
        users = session.scalar(select(func.count()).select_from(EncryptedObject)
                               .where(EncryptedObject.key_id == key_id)) or 0
        users = max(users, len(keyring.records_using(key_id)))
        if users:
            raise SohoaError(f"Khóa {key_id} còn bọc {users} đối tượng: chạy `sohoa keys rotate --resume` trước",
                             f"Key {key_id} still wraps {users} objects: run `sohoa keys rotate --resume` first")
        keyring.remove(key_id)
        record_event(session, actor, "preservation.key_retired", "encryption_key", None, {"key_id": key_id})


def encryption_status(ctx: AppContext) -> EncryptionStatus:
    """Where the keys are, which KEKs wrap how many objects, what is sealed and what is still due."""
    levels = tuple(sorted(ctx.settings.encrypted_levels))
    supported = _primary(ctx) is not None
    try:
        keyring = _keyring(ctx)
    except SohoaError as exc:
        return EncryptionStatus(str(ctx.settings.keys_path), levels, None, (), 0, 0, supported, (exc.vi, exc.en))
    current = keyring.current_id()
    with ctx.db.session() as session:
        counts = {str(key): int(n) for key, n in session.execute(
            select(EncryptedObject.key_id, func.count()).group_by(EncryptedObject.key_id))}
        due = session.scalar(select(func.count()).select_from(_due_query(ctx.settings.encrypted_levels)
                                                              .subquery())) or 0
    ids = sorted(set(keyring.ids()) | set(counts))
    keys = tuple(KeyUse(k, int(counts.get(k, 0)), k == current, keyring.has(k)) for k in ids)
    problem = None
    if any(use.objects and not use.present for use in keys):
        problem = ("Thiếu tệp khóa đang dùng: khôi phục thư mục khóa từ bản sao lưu",
                   "A key in use is missing from the keys folder: restore it from the keys backup")
    return EncryptionStatus(str(keyring.directory), levels, current, keys, sum(counts.values()), due, supported,
                            problem)


def encryption_task(ctx: AppContext) -> PeriodicTask:
    """The web process's sealing pass every ``SWEEP_SECONDS``, in one process at a time."""
    def sweep() -> None:
        if _primary(ctx) is None or _keyring(ctx).current_id() is None:
            return  # nothing to seal before the first key, nor on a store that cannot seal
        with single_runner(ctx, "encryption") as mine:
            if mine:
                encrypt_due(ctx)
    return PeriodicTask("encryption", sweep, SWEEP_SECONDS, wait_first=True)
