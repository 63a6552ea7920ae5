"""``sohoa restore``: a backup set (and the chain of sets it builds on) back into an empty data directory, then
proven: every object re-hashed, every table's rows counted against the manifest, the audit chain replayed and
its signed checkpoints matched.

The search index lives in the database (SQLite FTS5 table, PostgreSQL text-search columns), so it comes back
with it; the OCFL root is rebuilt afterwards by ``sohoa ocfl sync``. Each restored object gets a PREMIS
``recovery`` event, and the restore as a whole an audit event ``preservation.restored``.
"""

from __future__ import annotations

import logging
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from sohoa.db.models import StoredObject
from sohoa.domain.errors import SohoaError, ValidationFailed
from sohoa.domain.ports import ObjectStore
from sohoa.services.platform.audit import record_event, row_hash, verify_chain
from sohoa.services.platform.audit_checkpoint import checkpoint_logs, read_checkpoints, trusted_checkpoints
from sohoa.services.platform.audit_keys import audit_key_path, load_private_key
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.replica_store import primary_store
from sohoa.services.preservation.backup import OBJECTS, keys_dir_of
from sohoa.services.preservation.backup_db import restore_database, table_counts
from sohoa.services.preservation.backup_set import chain_of, verify_set
from sohoa.services.preservation.events import EventType, Outcome, record_preservation_event
from sohoa.settings import Settings
from sohoa.storage.private import private_dir

__all__ = ["RestoreReport", "restore_backup"]

log = logging.getLogger(__name__)

BATCH = 500
WORKERS = 4  # objects written or re-hashed at once


@dataclass
class RestoreReport:
    """What a restore put back and what it proved: the chain applied (full first), objects written and
    verified, tables whose row count differs from the manifest (table → (expected, found)), the audit chain's
    verdict and how many signed checkpoints it matches, and any problem (English)."""

    chain: list[str]
    data_dir: Path
    objects_restored: int = 0
    objects_verified: int = 0
    objects_bad: list[str] = field(default_factory=list)
    count_mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)
    tables: int = 0
    audit_rows: int = 0
    audit_ok: bool = False
    checkpoints: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.audit_ok and not (self.objects_bad or self.count_mismatches or self.problems)


def _empty(path: Path) -> bool:
    return not path.exists() or (path.is_dir() and not any(path.iterdir()))


def _put_files(source: Path, dest: Path, *, check_only: bool = False) -> None:
    """Files under ``source`` into ``dest``; one already there must be identical (a key is never replaced).
    ``check_only``: only refuse (before anything is written) when one would differ."""
    if not source.exists():
        return
    items = [source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())
    for path in items:
        target = dest if source.is_file() else dest / path.relative_to(source)
        if target.exists():
            if target.read_bytes() != path.read_bytes():
                raise SohoaError(f"Tệp {target} đã có và khác bản sao lưu: không ghi đè",
                                 f"{target} exists and differs from the backup: it is not replaced")
            continue
        if check_only:
            continue
        private_dir(target.parent)
        shutil.copyfile(path, target)
        os.chmod(target, 0o600)


def _check_sets(chain: list[tuple[Path, dict[str, Any]]]) -> None:
    for path, _manifest in chain:
        problems = verify_set(path)
        if problems:
            raise ValidationFailed(f"Bộ sao lưu {path.name} hỏng: {'; '.join(problems[:5])}",
                                   f"Backup set {path.name} is damaged: {'; '.join(problems[:5])}")


def restore_backup(settings: Settings, set_dir: Path, *, actor: str = "system") -> RestoreReport:
    """Restore ``set_dir`` (with its base sets) into ``settings.data``, which must be empty or absent (and, on
    PostgreSQL, the configured schema must hold no table). Every set of the chain is re-hashed first."""
    chain = chain_of(set_dir)
    _check_sets(chain)
    if not _empty(settings.data):
        raise SohoaError(f"Thư mục dữ liệu {settings.data} không trống: chỉ khôi phục vào thư mục trống",
                         f"The data directory {settings.data} is not empty: a restore goes only into an empty one")
    latest_path, latest = chain[-1]
    report = RestoreReport([p.name for p, _ in chain], settings.data)
    parts = ((latest_path / "keys" / "data" / "keys", settings.data / "keys"),
             (latest_path / "keys" / "data" / "secret.key", settings.data / "secret.key"),
             (latest_path / "keys" / "kek", keys_dir_of(settings)),
             (latest_path / "audit", settings.data / "audit"))
    for source, dest in parts:  # a keys folder that already holds other keys: refused before anything is written
        _put_files(source, dest, check_only=True)
    private_dir(settings.data)
    restore_database(settings, latest_path, latest)
    for source, dest in parts:
        _put_files(source, dest)
    ctx = open_context(settings)
    try:
        _restore_objects(ctx, chain, report)
        _prove(ctx, latest, report)
        _record(ctx, latest_path.name, report, actor)
    finally:
        ctx.close()
    return report


def _restore_one(store: ObjectStore, source: Path, sha256: str) -> bool:
    if store.verify(sha256):
        return False
    with source.open("rb") as stream:
        store.restore_stored(sha256, stream)
    return True


def _restore_objects(ctx: AppContext, chain: list[tuple[Path, dict[str, Any]]], report: RestoreReport) -> None:
    store = primary_store(ctx.store)
    jobs = [(path / rel, rel.rsplit("/", 1)[1]) for path, manifest in chain
            for rel in sorted(r for r in manifest["files"] if r.startswith(OBJECTS + "/"))]
    with ThreadPoolExecutor(WORKERS, thread_name_prefix="sohoa-restore") as pool:  # mostly waits on fsync
        report.objects_restored = sum(pool.map(lambda job: _restore_one(store, *job), jobs))


def _prove(ctx: AppContext, manifest: dict[str, Any], report: RestoreReport) -> None:
    with ctx.db.engine.connect() as conn:
        found = table_counts(conn)
    expected: dict[str, int] = manifest["counts"]
    report.tables = len(expected)
    report.count_mismatches = {t: (n, found.get(t, -1)) for t, n in expected.items() if found.get(t, -1) != n}
    store = primary_store(ctx.store)
    with ctx.db.session() as session:
        digests = list(session.execute(select(StoredObject.sha256).order_by(StoredObject.id)).scalars())
        with ThreadPoolExecutor(WORKERS, thread_name_prefix="sohoa-restore") as pool:
            for sha256, good in zip(digests, pool.map(store.verify, digests), strict=True):
                if good:
                    report.objects_verified += 1
                else:
                    report.objects_bad.append(sha256)
        result = verify_chain(session)
        audit = manifest["audit"]
        report.audit_rows = result.checked
        report.audit_ok = result.ok and result.checked == audit["rows"] and (
            audit["rows"] == 0 or result.head_hash == audit["head_hash"])
        if not report.audit_ok:
            report.problems.append(f"audit chain: {result.reason or 'head differs from the backup'}")
        if audit_key_path(ctx.settings).exists():
            public = load_private_key(ctx.settings, create=False).public_key()
            lines = [ln for p in checkpoint_logs(ctx.settings) for ln in read_checkpoints(p)]
            for checkpoint in trusted_checkpoints(lines, public):
                if checkpoint.size and row_hash(session, checkpoint.head_id) != checkpoint.head_hash:
                    report.problems.append(f"audit checkpoint at row {checkpoint.head_id} does not match")
                else:
                    report.checkpoints += 1


def _record(ctx: AppContext, name: str, report: RestoreReport, actor: str) -> None:
    ids = []
    with ctx.db.session() as session:
        ids = list(session.execute(select(StoredObject.id).order_by(StoredObject.id)).scalars())
    bad = set(report.objects_bad)
    for start in range(0, len(ids), BATCH):
        with ctx.db.session() as session:
            for obj_id, sha256 in session.execute(select(StoredObject.id, StoredObject.sha256).where(
                    StoredObject.id.in_(ids[start:start + BATCH]))).all():
                record_preservation_event(
                    session, EventType.RECOVERY, Outcome.FAILURE if sha256 in bad else Outcome.SUCCESS,
                    object_id=obj_id, detail=f"Restored from backup set {name} (chain: {', '.join(report.chain)})",
                    outcome_detail="missing or damaged after the restore" if sha256 in bad
                    else "checksum verified after the restore", payload={"backup_set": name})
    with ctx.db.session() as session:
        record_event(session, actor, "preservation.restored", None, None, {
            "set": name, "chain": report.chain, "objects_restored": report.objects_restored,
            "objects_verified": report.objects_verified, "objects_bad": len(report.objects_bad),
            "tables": report.tables, "count_mismatches": sorted(report.count_mismatches),
            "audit_rows": report.audit_rows, "audit_ok": report.audit_ok, "checkpoints": report.checkpoints})
    if not report.ok:
        log.error("restore of %s: problems remain: %s", name, report.problems or report.objects_bad[:5])
