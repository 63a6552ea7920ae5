"""Databases at the migration head without running the migrations for every test (docs/testing.md).

Running every Alembic migration costs ~0.3 s on a new SQLite file and ~1-1.5 s on a PostgreSQL schema (plus
~0.8 s to drop the schema afterwards), for each of some 2,000 test contexts. So each test session migrates once,
into a template, and each test gets a copy of it:

- PostgreSQL: :class:`PgTemplates` builds ``sohoa_tpl_<hash>_<pid>`` (real migrations, run by the application's
  own :func:`sohoa.db.session.migrate`) the first time a test needs a database at head; each test then gets
  ``sohoa_t_<pid>_<random>``, made by ``CREATE DATABASE … TEMPLATE`` ahead of the test and dropped after it,
  both on a thread of their own (a drop waits for a checkpoint).
  ``<hash>`` is that of the migration files, ``<pid>`` the pytest process: two sessions at once (the same
  tree or two trees with other migrations) never share a database, so there is nothing to lock; the template is
  dropped when the session ends, and a session drops the databases left behind by a pytest process that no
  longer runs (killed runs).
- SQLite: :func:`seeding_migrate` stands in for the ``migrate`` that :func:`sohoa.services.platform.context.
  open_context` calls: a database file that is still empty (just created, 0600, by ``open_context``) gets the
  bytes of a template file migrated once per session, then the real ``migrate`` runs and finds it at head. A
  file that holds anything (an older revision a test made on purpose) is migrated for real.

The application still checks the schema at start (``schema_is_current``) and finds every head; the tests of the
migrations themselves (tests/core/test_migration_transaction.py, test_schema.py, the upgrade tests of
tests/index and tests/web) call Alembic on files of their own and are untouched, and ``pg_url`` stays an empty
schema for the tests that migrate it themselves (tests/preservation/test_migrate.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import sqlalchemy
import sqlalchemy.exc

from sohoa.db.session import MIGRATIONS
from sohoa.services.platform.context import sqlite_path
from sohoa.services.production.ingest_claims import pid_running

__all__ = ["PgTemplates", "migrations_hash", "seeding_migrate"]

_PREFIXES = ("sohoa_tpl_", "sohoa_t_")
_OURS = re.compile(r"^sohoa_(?:tpl_[0-9a-f]+|t)_(\d+)_[0-9a-f]+$")


def migrations_hash() -> str:
    """A digest of the migration scripts (env.py and every version): a template of other migrations differs."""
    digest = hashlib.sha256()
    for path in sorted([MIGRATIONS / "env.py", *(MIGRATIONS / "versions").glob("*.py")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


class PgTemplates:
    """The template database of this session on the server of ``admin_url``, and the copies made from it.

    Copies and drops run on threads of their own, off the tests' path: the next copy is made while a test runs,
    and a drop (which makes PostgreSQL 15 wait for a checkpoint: seconds while other work writes to the server)
    is done behind the test that used it.
    """

    def __init__(self, admin_url: str) -> None:
        self._url = sqlalchemy.make_url(admin_url)
        self._admin = sqlalchemy.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self._pid = os.getpid()
        self.template = f"sohoa_tpl_{migrations_hash()}_{self._pid}"
        self._built = False
        self._maker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-copies")
        self._dropper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-drops")
        self._next: Future[str] | None = None

    def url(self, database: str) -> str:
        """The URL of one database on the same server, as the application takes it."""
        return self._url.set(database=database).render_as_string(hide_password=False)

    def _execute(self, statement: str) -> None:
        with self._admin.connect() as conn:
            conn.execute(sqlalchemy.text(statement))

    def _build(self) -> None:
        from sohoa.db.session import migrate

        self._drop_orphans()
        self._execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{self.template}"')
        migrate(self.url(self.template))  # the real migrations; it disposes of its engines (none stay connected)
        self._built = True

    def _drop_orphans(self) -> None:
        """Drop the databases of pytest processes that ended without dropping them (a killed run)."""
        with self._admin.connect() as conn:
            names = conn.execute(sqlalchemy.text(
                "SELECT datname FROM pg_database WHERE datname LIKE 'sohoa\\_t%'")).scalars().all()
        for name in names:
            found = _OURS.match(name)
            if found and name.startswith(_PREFIXES) and not pid_running(int(found.group(1))):
                self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _create(self) -> str:
        name = f"sohoa_t_{self._pid}_{uuid.uuid4().hex[:10]}"
        # WAL_LOG (the default of PostgreSQL 15) copies block by block through the WAL: no checkpoints, unlike
        # FILE_COPY (~0.3 s against ~2 s per copy measured here).
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}" STRATEGY WAL_LOG')
        return name

    def copy(self) -> str:
        """A new database at the migration head (a copy of the template); its name."""
        if not self._built:
            self._build()
        ready = self._next or self._maker.submit(self._create)
        self._next = None
        name = ready.result()
        self._next = self._maker.submit(self._create)
        return name

    def drop(self, name: str) -> None:
        """Drop a copy, on the dropping thread (connections a test left open, in this process or a child, are
        ended)."""
        self._dropper.submit(self._drop, name)

    def _drop(self, name: str) -> None:
        with contextlib.suppress(sqlalchemy.exc.SQLAlchemyError):  # left to _drop_orphans of a later session
            self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def close(self) -> None:
        """Drop the copy made ahead, every copy still to drop and the template; dispose of the admin engine."""
        if self._next is not None:
            with contextlib.suppress(sqlalchemy.exc.SQLAlchemyError):
                self.drop(self._next.result())
        self._maker.shutdown(wait=True)
        self._dropper.shutdown(wait=True)
        if self._built:
            self._drop(self.template)
        self._admin.dispose()


def seeding_migrate(migrate: Callable[[str], None], template_dir: Path) -> Callable[[str], None]:
    """``migrate`` that first fills a still-empty SQLite file with a template migrated once (in ``template_dir``)."""
    template = template_dir / f"head-{migrations_hash()}.db"

    def seeded(url: str) -> None:
        path = sqlite_path(url)
        if path is not None and path.is_file() and path.stat().st_size == 0 and not _wal_of(path):
            if not template.is_file():
                built = template.with_suffix(".building")
                built.unlink(missing_ok=True)
                migrate(f"sqlite:///{built}")  # the real migrations, once a session
                built.rename(template)
            with path.open("r+b") as target:  # the file open_context made 0600 keeps its mode
                target.write(template.read_bytes())
        migrate(url)

    return seeded


def _wal_of(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return wal.is_file() and wal.stat().st_size > 0
