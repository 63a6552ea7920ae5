"""Alembic environment: runs migrations on the URL given in the config (no alembic.ini needed)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, pool

from sohoa.db.base import Base
from sohoa.db.models import Event  # noqa: F401  (registers every table on the metadata)

config = context.config
target_metadata = Base.metadata


def run() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
