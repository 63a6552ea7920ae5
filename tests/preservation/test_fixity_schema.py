"""The tables migration y0d1 makes (fixity runs and checks, preservation leases) are the ones the models declare."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sohoa.db.base import Base
from sohoa.services.platform.context import AppContext

_TABLES = {"fixity_runs", "fixity_checks", "preservation_leases"}


def _ours(diff: Any) -> bool:
    if isinstance(diff, list):
        return any(_ours(d) for d in diff)
    for part in diff[1:]:
        table = getattr(part, "table", None)
        if (getattr(table, "name", None) or getattr(part, "name", None)) in _TABLES or part in _TABLES:
            return True
    return False


def test_migrated_tables_equal_the_models(any_ctx: AppContext) -> None:
    engine = sa.create_engine(any_ctx.settings.db_url)
    try:
        with engine.connect() as connection:
            migration = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = [d for d in compare_metadata(migration, Base.metadata) if _ours(d)]
    finally:
        engine.dispose()
    assert diffs == []
