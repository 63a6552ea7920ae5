"""Alembic environment: runs migrations on the URL given in the config (no alembic.ini needed).

On SQLite the whole upgrade is one transaction: Python's sqlite3 module would run each DDL statement in a
transaction of its own (a disk sync each, some 200 for a new database); SQLite's DDL is transactional, so the
driver's own transaction handling is turned off and SQLAlchemy's ``begin`` emits ``BEGIN`` (the pysqlite recipe
of the SQLAlchemy documentation). A failed upgrade leaves the database as it was.
"""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection, create_engine, event, pool

from sohoa.db.base import Base
from sohoa.db.models import Event  # noqa: F401  (registers every table on the metadata)

config = context.config
target_metadata = Base.metadata


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url
    sqlite = url.startswith("sqlite")
    engine = create_engine(url, poolclass=pool.NullPool)
    if sqlite:
        event.listen(engine, "connect", _no_driver_transactions)
        event.listen(engine, "begin", _begin)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=sqlite,
                          transactional_ddl=sqlite or None)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def _no_driver_transactions(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


run()
