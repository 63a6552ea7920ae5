"""``sohoa migrate-to``: the archive the settings name now (the embedded profile: SQLite and a local object
folder) copied into another profile — PostgreSQL and S3, or any database URL and storage place the factories
accept — and proven there.

The source is only read: its SQLite file is opened read-only, its objects streamed. The destination must be
empty (no row in any table the migrations did not seed, no object), unless ``resume`` goes on with a copy that
was cut short. In order: the destination's schema is brought to every head (``upgrade heads``); the tables are
copied parents first (:mod:`migrate_tables`); PostgreSQL's sequences are set past the copied ids; the objects
are copied as stored — envelopes stay sealed, with their key records; keys stay in ``SOHOA_KEYS_DIR`` —
(:mod:`migrate_objects`); the search index is filled on the destination's engine. Then it is proven: the rows of
every table counted on both sides, every object's stored SHA-256 and size compared, the audit chain replayed at
the destination up to the source's head, and the index holding the same documents.

What stays outside: the data directory's own files (``secret.key``, ``keys/``, ``audit/`` checkpoint logs) and
the keys folder are copied to the cluster's hosts by the operator; the OCFL root is rebuilt at the destination
by ``sohoa ocfl sync``.
"""

from __future__ import annotations

import functools
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from sohoa.db.models import StoredObject
from sohoa.db.session import Database, migrate, schema_heads
from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import ObjectStore
from sohoa.services.platform.audit import verify_chain
from sohoa.services.platform.context import sqlite_path
from sohoa.services.platform.store_keys import with_keys
from sohoa.services.preservation.migrate_objects import copy_objects
from sohoa.services.preservation.migrate_tables import (
    copy_table,
    fill_index,
    index_ids,
    model_tables,
    set_sequences,
    table_counts,
)
from sohoa.settings import Settings
from sohoa.storage.factory import build_object_store
from sohoa.storage.private import private_dir

__all__ = ["MigrateReport", "migrate_to"]

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


@dataclass
class MigrateReport:
    """What a migration copied and proved: tables and rows (rows copied by this run), objects and their stored
    bytes (copied now, found already there), documents indexed, sequences set, seconds, and every mismatch."""

    source: str
    destination: str
    storage: str
    tables: int = 0
    rows: int = 0
    rows_copied: int = 0
    objects: int = 0
    objects_copied: int = 0
    objects_present: int = 0
    bytes: int = 0
    bytes_copied: int = 0
    indexed: int = 0
    index_rows: int = 0
    sequences: int = 0
    audit_rows: int = 0
    audit_ok: bool = False
    seconds: float = 0.0
    count_mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)
    object_mismatches: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def mismatches(self) -> int:
        return len(self.count_mismatches) + len(self.object_mismatches) + len(self.problems)

    @property
    def ok(self) -> bool:
        return self.audit_ok and self.mismatches == 0


@functools.cache
def seeded_tables() -> frozenset[str]:
    """Tables in which the migrations themselves write rows (a fresh database is not empty there)."""
    with tempfile.TemporaryDirectory(prefix="sohoa-seeded-") as folder:
        url = f"sqlite:///{Path(folder) / 'fresh.sqlite3'}"
        migrate(url)
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                return frozenset(t for t, n in table_counts(conn).items() if n)
        finally:
            engine.dispose()


def _source_engine(settings: Settings) -> Engine:
    path = sqlite_path(settings.db_url)
    if settings.db_url.startswith("sqlite"):
        if path is None or not path.is_file():
            raise SohoaError(f"Không có cơ sở dữ liệu nguồn: {path}", f"No source database at {path}")
        # closed (no write-ahead log beside it: no process has it open): immutable, so that SQLite writes nothing,
        # not even the -wal/-shm files a read-only reader of a WAL database leaves behind
        closed = not path.with_name(path.name + "-wal").exists()
        return create_engine(f"sqlite:///file:{path.absolute()}?mode=ro{'&immutable=1' if closed else ''}&uri=true")
    return create_engine(settings.db_url)


def _check_source_schema(engine: Engine) -> None:
    with engine.connect() as conn:
        found = {str(r[0]) for r in conn.execute(text("SELECT version_num FROM alembic_version"))} \
            if inspect(conn).has_table("alembic_version") else set()
    if found != schema_heads():
        engine.dispose()
        raise SohoaError("Cơ sở dữ liệu nguồn chưa ở phiên bản mới nhất: chạy `sohoa init` trước",
                         "The source database is not at the current schema: run `sohoa init` first")


def _source_store(settings: Settings) -> ObjectStore:
    place = settings.storage_url or settings.objects_dir
    if not settings.storage_url and not (settings.objects_dir / "sha256").is_dir():
        raise SohoaError(f"Không có kho đối tượng nguồn: {place}", f"No source object store at {place}")
    return with_keys(build_object_store(place, settings), settings)


def _destination(settings: Settings, database_url: str, storage_url: str, s3_endpoint: str | None) -> Settings:
    dest = settings.model_copy(update={"database_url": database_url, "storage_url": storage_url,
                                       "s3_endpoint": s3_endpoint or settings.s3_endpoint})
    dest.__dict__.pop("db_url", None)  # a cached property: the copy would keep the source's
    if dest.db_url == settings.db_url:
        raise SohoaError("Cơ sở dữ liệu đích trùng với nguồn", "The destination database is the source database")
    source_place = str(settings.storage_url or settings.objects_dir).rstrip("/")
    if storage_url.rstrip("/") == source_place:
        raise SohoaError("Kho đối tượng đích trùng với nguồn", "The destination object store is the source store")
    path = sqlite_path(dest.db_url)
    if path is not None:
        private_dir(path.parent)
    return dest


def _check_empty(dest_engine: Engine, store: ObjectStore) -> None:
    with dest_engine.connect() as conn:
        counts = table_counts(conn)
    filled = sorted(t for t, n in counts.items() if n and t not in seeded_tables())
    if filled:
        raise SohoaError(f"Cơ sở dữ liệu đích không trống (bảng {', '.join(filled[:5])}): dùng --resume để tiếp tục "
                         "một lần chuyển bị ngắt",
                         f"The destination database is not empty (tables {', '.join(filled[:5])}): use --resume to "
                         "go on with an interrupted migration")
    if next(iter(store.iter_digests()), None) is not None:
        raise SohoaError("Kho đối tượng đích không trống: dùng --resume để tiếp tục một lần chuyển bị ngắt",
                         "The destination object store is not empty: use --resume to go on with an interrupted "
                         "migration")


def migrate_to(settings: Settings, database_url: str, storage_url: str, *, s3_endpoint: str | None = None,
               resume: bool = False, progress: Progress | None = None) -> MigrateReport:
    """Copy the archive of ``settings`` into ``database_url`` + ``storage_url`` and prove the copy."""
    say = progress or (lambda _message: None)
    started = time.monotonic()
    dest = _destination(settings, database_url, storage_url, s3_endpoint)
    source_engine, source_store = _source_engine(settings), _source_store(settings)
    _check_source_schema(source_engine)
    dest_store = with_keys(build_object_store(storage_url, dest), dest)
    report = MigrateReport(settings.db_url, _redacted(dest.db_url), storage_url)
    db: Database | None = None
    try:
        probe = create_engine(dest.db_url)
        try:
            if not resume:
                _check_empty(probe, dest_store)
        finally:
            probe.dispose()
        say("migrations: upgrade heads on the destination")
        migrate(dest.db_url)
        db = Database(dest.db_url, info={"settings": dest})
        _copy_rows(source_engine, db.engine, report, say)
        report.sequences = set_sequences(db.engine)
        _copy_all_objects(source_engine, source_store, dest_store, report, say)
        with source_engine.connect() as conn:
            wanted = index_ids(conn)
        report.indexed = fill_index(db, wanted, say)
        _prove(source_engine, db, wanted, report)
    finally:
        source_engine.dispose()
        if db is not None:
            db.dispose()
    report.seconds = round(time.monotonic() - started, 3)
    say(f"done in {report.seconds:.1f} s: {report.mismatches} mismatches")
    return report


def _redacted(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _copy_rows(source: Engine, dest: Engine, report: MigrateReport, say: Progress) -> None:
    with source.connect() as conn:
        tables = model_tables(conn)
    report.tables = len(tables)
    seeded = seeded_tables()
    for n, table in enumerate(tables, 1):
        copied = copy_table(source, dest, table, replace=table.name in seeded)
        report.rows_copied += copied
        if copied:
            say(f"tables: {n}/{len(tables)} {table.name}: {copied} rows")


def _copy_all_objects(source_engine: Engine, source: ObjectStore, dest: ObjectStore, report: MigrateReport,
                      say: Progress) -> None:
    with source_engine.connect() as conn:
        digests = list(conn.execute(select(StoredObject.sha256).order_by(StoredObject.id)).scalars())
    report.objects = len(digests)

    def tell(done: int, total: int, size: int) -> None:
        say(f"objects: {done}/{total} ({size / 1e6:.1f} MB)")

    for outcome in copy_objects(source, dest, digests, tell):
        report.bytes += outcome.size
        if outcome.problem is not None:
            report.object_mismatches[outcome.sha256] = outcome.problem
        elif outcome.copied:
            report.objects_copied += 1
            report.bytes_copied += outcome.size
        else:
            report.objects_present += 1


def _prove(source_engine: Engine, db: Database, wanted: set[int], report: MigrateReport) -> None:
    with source_engine.connect() as conn:
        before = table_counts(conn)
    with db.engine.connect() as conn:
        after = table_counts(conn)
        held = index_ids(conn)
    report.rows = sum(before.values())
    report.count_mismatches = {t: (n, after.get(t, -1)) for t, n in before.items() if after.get(t, -1) != n}
    report.index_rows = len(held)
    if held != wanted:
        report.problems.append(f"search index: {len(wanted)} documents at the source, {len(held)} at the "
                               f"destination ({len(wanted - held)} missing)")
    with Session(source_engine) as session:
        source_chain = verify_chain(session)
    with db.session() as session:
        chain = verify_chain(session)
    report.audit_rows = chain.checked
    report.audit_ok = chain.ok and chain.checked == source_chain.checked and chain.head_hash == source_chain.head_hash
    if not report.audit_ok:
        report.problems.append(f"audit chain at the destination: {chain.reason or 'its head differs from the source'}"
                               f" ({chain.checked} rows verified, {source_chain.checked} at the source)")
