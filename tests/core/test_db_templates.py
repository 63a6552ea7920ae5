"""The SQLite template of tests/_templates.py: only a still-empty file is seeded; anything else is migrated."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command

from sohoa.db.session import alembic_config, migrate, schema_heads, schema_is_current
from tests._templates import seeding_migrate


def _versions(url: str) -> set[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = {str(row[0]) for row in conn.execute(sa.text("SELECT version_num FROM alembic_version"))}
    engine.dispose()
    return found


def test_an_empty_file_gets_the_template_at_head(tmp_path: Path) -> None:
    seeded = seeding_migrate(migrate, tmp_path / "template")
    (tmp_path / "template").mkdir()
    path = tmp_path / "new.db"
    path.touch(mode=0o600)
    seeded(f"sqlite:///{path}")
    assert schema_is_current(f"sqlite:///{path}")
    assert path.stat().st_mode & 0o777 == 0o600
    assert list((tmp_path / "template").glob("head-*.db"))


def test_a_file_at_an_older_revision_is_migrated_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "template").mkdir()
    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0002")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE kept_by_the_test (x INTEGER)"))
    engine.dispose()
    seeding_migrate(migrate, tmp_path / "template")(url)
    assert _versions(url) == set(schema_heads())
    engine = sa.create_engine(url)
    assert sa.inspect(engine).has_table("kept_by_the_test")
    engine.dispose()
    assert not list((tmp_path / "template").glob("head-*.db"))
