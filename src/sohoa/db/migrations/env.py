"""Alembic environment: runs migrations on the URL given in the config (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from sohoa.db.models import Event  # noqa: F401  (registers every table on the metadata)
from sohoa.db.base import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url
    connectable = config.attributes.get("connection") or create_engine(url, poolclass=pool.NullPool)
    if hasattr(connectable, "connect"):
        with connectable.connect() as connection:
            context.configure(connection=connection, target_metadata=target_metadata,
                              render_as_batch=url.startswith("sqlite"))
            with context.begin_transaction():
                context.run_migrations()
    else:
        context.configure(connection=connectable, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()


run()
