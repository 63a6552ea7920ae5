"""The database part of a backup set: a consistent copy taken while the application runs, and its restore.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies the pages of one consistent state; the row
counts, the object list and the audit head are then read from the copy itself. PostgreSQL: a REPEATABLE READ
transaction exports its snapshot, the counts are read in it, and ``pg_dump -Fc --snapshot`` dumps that very
state; ``pg_restore`` puts it back into an empty database. Either way the counts in the manifest describe
exactly the rows in the dump.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url

import sohoa.db.models  # noqa: F401  (every table on the metadata)
from sohoa.db.base import Base
from sohoa.domain.errors import EngineError, SohoaError
from sohoa.services.platform.context import sqlite_path
from sohoa.settings import Settings
from sohoa.storage.private import private_dir

__all__ = ["DbSnapshot", "dump_database", "restore_database", "table_counts"]

SQLITE_FILE = "database/sohoa.sqlite3"
PG_FILE = "database/sohoa.pgdump"


@dataclass(frozen=True)
class DbSnapshot:
    """What a dump holds: its file in the set, the dialect, rows per table, the stored objects' digests (id
    order), the audit log's size and head, and the PostgreSQL schema dumped (None: the whole database)."""

    file: str
    dialect: str
    counts: dict[str, int]
    objects: list[str]
    audit: dict[str, Any]
    schema: str | None = None


def _tables() -> list[str]:
    return [t.name for t in Base.metadata.sorted_tables]


def table_counts(conn: Connection) -> dict[str, int]:
    """Rows in every table of the models (as the database at hand has them)."""
    present = set(inspect(conn).get_table_names())
    return {name: int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one())
            for name in _tables() if name in present}


def _facts(conn: Connection) -> tuple[dict[str, int], list[str], dict[str, Any]]:
    counts = table_counts(conn)
    objects = [str(r[0]) for r in conn.execute(text("SELECT sha256 FROM stored_objects ORDER BY id"))]
    head = conn.execute(text("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1")).first()
    audit = {"rows": counts.get("events", 0), "head_id": int(head[0]) if head else 0,
             "head_hash": str(head[1]) if head else None}
    return counts, objects, audit


def _libpq_env(url: str) -> tuple[dict[str, str], str]:
    parsed = make_url(url)
    env = dict(os.environ)
    for key, value in (("PGHOST", parsed.host), ("PGPORT", parsed.port), ("PGUSER", parsed.username),
                       ("PGPASSWORD", parsed.password)):
        if value is not None:
            env[key] = str(value)
    options = parsed.query.get("options")
    if options:
        env["PGOPTIONS"] = options if isinstance(options, str) else " ".join(options)
    return env, str(parsed.database or "")


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    if shutil.which(args[0]) is None:
        raise EngineError(f"Không tìm thấy chương trình {args[0]} (gói postgresql-client)",
                          f"{args[0]} is not installed (package postgresql-client)")
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise EngineError(f"{what} thất bại: {done.stderr.strip()[-500:]}",
                          f"{what} failed: {done.stderr.strip()[-500:]}")


def dump_database(settings: Settings, set_dir: Path) -> DbSnapshot:
    """Write the database into ``set_dir`` (consistent while the application runs) and say what it holds."""
    private_dir(set_dir / "database")
    path = sqlite_path(settings.db_url)
    if settings.db_url.startswith("sqlite"):
        if path is None:
            raise SohoaError("Không sao lưu được cơ sở dữ liệu trong bộ nhớ",
                             "An in-memory database cannot be backed up")
        out = set_dir / SQLITE_FILE
        source = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        target = sqlite3.connect(out)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        os.chmod(out, 0o600)
        engine = create_engine(f"sqlite:///{out}")
        try:
            with engine.connect() as conn:
                counts, objects, audit = _facts(conn)
        finally:
            engine.dispose()
        return DbSnapshot(SQLITE_FILE, "sqlite", counts, objects, audit)
    return _dump_postgres(settings.db_url, set_dir)


def _dump_postgres(url: str, set_dir: Path) -> DbSnapshot:
    engine = create_engine(url)
    env, database = _libpq_env(url)
    try:
        with engine.connect() as raw:
            conn = raw.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = str(conn.execute(text("SELECT pg_export_snapshot()")).scalar_one())
                schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
                counts, objects, audit = _facts(conn)
                args = ["pg_dump", "-Fc", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                        "-f", str(set_dir / PG_FILE), "-d", database]
                if schema != "public":
                    args += ["-n", schema]
                _run(args, env, "pg_dump")
    finally:
        engine.dispose()
    os.chmod(set_dir / PG_FILE, 0o600)
    return DbSnapshot(PG_FILE, "postgresql", counts, objects, audit, None if schema == "public" else schema)


def restore_database(settings: Settings, set_dir: Path, manifest: dict[str, Any]) -> None:
    """Put the set's database back: into the SQLite file of ``settings`` (which must not exist yet), or with
    ``pg_restore`` into the configured PostgreSQL database (whose schema must hold no table)."""
    db = manifest["database"]
    source = set_dir / str(db["file"])
    if (db["dialect"] == "sqlite") != settings.db_url.startswith("sqlite"):
        raise SohoaError("Bộ sao lưu và cơ sở dữ liệu đích khác loại (SQLite/PostgreSQL)",
                         f"The set holds a {db['dialect']} database; the target is not one")
    if db["dialect"] == "sqlite":
        target = sqlite_path(settings.db_url)
        if target is None or (target.exists() and target.stat().st_size > 0):
            raise SohoaError(f"Cơ sở dữ liệu đích đã có: {target}", f"The target database already exists: {target}")
        private_dir(target.parent)
        shutil.copyfile(source, target)
        os.chmod(target, 0o600)
        return
    engine = create_engine(settings.db_url)
    try:
        with engine.connect() as conn:
            schema = db.get("schema") or "public"
            if inspect(conn).get_table_names(schema=schema):
                raise SohoaError(f"Lược đồ {schema} của cơ sở dữ liệu đích không trống: không khôi phục đè",
                                 f"Schema {schema} of the target database is not empty: nothing is restored over it")
    finally:
        engine.dispose()
    env, database = _libpq_env(settings.db_url)
    # a dump of one schema recreates it (an empty one that exists is dropped first); a whole database's goes into
    # the existing public schema
    clean = ["--clean", "--if-exists"] if db.get("schema") else []
    _run(["pg_restore", "--no-owner", "--no-privileges", *clean, "--exit-on-error", "-d", database, str(source)],
         env, "pg_restore")
