"""Opening a database: the fast "already at head" check agrees with Alembic, and a stale schema still migrates."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command

from sohoa.db.session import alembic_config, migrate, schema_heads, schema_is_current
from sohoa.services.platform.context import AppContext


def _versions(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return {row[0] for row in connection.execute(sa.text("SELECT version_num FROM alembic_version"))}
    finally:
        engine.dispose()


def test_heads_read_from_the_files_are_what_alembic_records(any_ctx: AppContext) -> None:
    """After a full upgrade the version table holds exactly the heads the fast check expects."""
    assert _versions(any_ctx.settings.db_url) == set(schema_heads())
    assert schema_is_current(any_ctx.settings.db_url)


def test_a_database_behind_head_is_migrated(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0002")
    assert not schema_is_current(url)
    migrate(url)
    assert schema_is_current(url)
    assert _versions(url) == set(schema_heads())
    engine = sa.create_engine(url)
    try:
        assert "users" in sa.inspect(engine).get_table_names()  # the staff branch was applied too
    finally:
        engine.dispose()


def test_an_empty_database_is_not_current(tmp_path: Path) -> None:
    assert not schema_is_current(f"sqlite:///{tmp_path / 'empty.db'}")
