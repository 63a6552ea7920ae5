"""Engine and session factory for SQLite (WAL) or PostgreSQL, and schema migration to head."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
MMAP_BYTES = 2**31 - 2**16  # SQLite's default ceiling for mmap_size (SQLITE_MAX_MMAP_SIZE)
CACHE_KIB = 65536           # per connection


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Reads: map the file instead of copying pages into each connection's cache (less CPU per query on a
    # large index), a bigger page cache for what is not mapped, temporary b-trees (IN lists, sorts) in memory.
    cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at the packaged migrations."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


@cache
def schema_heads() -> frozenset[str]:
    """The head revisions of the packaged migrations, read from the files without importing Alembic.

    A head is a revision that no other names as its ``down_revision`` or in ``depends_on`` (what
    Alembic keeps in ``alembic_version`` once everything is applied; a test compares both).
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        values: dict[str, Any] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.Assign) or len(node.targets) != 1:
                continue
            target = node.targets[0]
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision", "depends_on"):
                values[target.id] = ast.literal_eval(node.value)
        if values.get("revision"):
            revisions.add(values["revision"])
        for key in ("down_revision", "depends_on"):
            found = values.get(key)
            parents.update([found] if isinstance(found, str) else found or ())
    return frozenset(revisions - parents)


def schema_is_current(url: str) -> bool:
    """Whether the database already stands at every head (then opening it needs no Alembic at all)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return False
            found = {row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))}
    finally:
        engine.dispose()
    return found == schema_heads()


def migrate(url: str) -> None:
    """Upgrade the database to every head (idempotent). Alembic (slow to import) loads only when
    something is left to apply: every CLI command opens the database this way."""
    if schema_is_current(url):
        return
    from alembic import command

    command.upgrade(alembic_config(url), "heads")


class Database:
    """An engine plus a session factory; one per process."""

    def __init__(self, url: str, *, info: dict[str, Any] | None = None) -> None:
        self.url = url
        self.engine = make_engine(url)
        # ``info``: what every session carries in ``Session.info`` (the settings, for services that read them
        # where only a session is passed, like the personal-data masking policy).
        self._factory = sessionmaker(self.engine, expire_on_commit=False, info=info or {})

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in a transaction: committed on success, rolled back on error."""
        session = self._factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
