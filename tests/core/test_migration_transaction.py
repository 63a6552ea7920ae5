"""SQLite migrations run in one transaction (src/sohoa/db/migrations/env.py): an upgrade that fails part-way
leaves the database exactly as it was, its tables and its recorded version."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from sohoa.db.session import MIGRATIONS, alembic_config, schema_heads

# A revision after every head that creates a table and then fails.
FAILING = '''"""A migration that fails after its first statement (tests only).

Revision ID: zzfail
Revises: {heads}
"""

import sqlalchemy as sa
from alembic import op

revision = "zzfail"
down_revision = {parents!r}
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("half_done", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("INSERT INTO half_done (id) VALUES (1)")
    raise RuntimeError("this migration fails on purpose")


def downgrade() -> None:
    op.drop_table("half_done")
'''


def _state(url: str) -> tuple[set[str], set[str]]:
    """(tables, recorded versions) of the database."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            if "alembic_version" not in tables:
                return tables, set()
            return tables, {row[0] for row in connection.execute(sa.text("SELECT version_num FROM alembic_version"))}
    finally:
        engine.dispose()


def _failing_scripts(tmp_path: Path) -> Path:
    """The packaged migrations plus one failing revision after every head."""
    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    heads = sorted(schema_heads())
    (scripts / "versions" / "zzfail_fails.py").write_text(
        FAILING.format(heads=", ".join(heads), parents=tuple(heads) if len(heads) > 1 else heads[0]),
        encoding="utf-8")
    return scripts


def test_a_failed_upgrade_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    config = alembic_config(f"sqlite:///{tmp_path / 'new.db'}")
    config.set_main_option("script_location", str(_failing_scripts(tmp_path)))
    with pytest.raises(RuntimeError, match="fails on purpose"):
        command.upgrade(config, "heads")
    assert _state(f"sqlite:///{tmp_path / 'new.db'}") == (set(), set())  # a new database: nothing half-made

    current = f"sqlite:///{tmp_path / 'current.db'}"
    command.upgrade(alembic_config(current), "heads")
    before = _state(current)
    assert before[1] == set(schema_heads()) and "documents" in before[0]
    config = alembic_config(current)
    config.set_main_option("script_location", str(tmp_path / "migrations"))
    with pytest.raises(RuntimeError, match="fails on purpose"):
        command.upgrade(config, "heads")
    assert _state(current) == before  # no half_done table, the version still at the old heads
