"""The masked-derivatives table the migration v017 makes is the one the model declares (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from sohoa.db.base import Base
from sohoa.db.models import Document, MaskedDerivative
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import store_bytes

_TABLE = "masked_derivatives"


def _ours(diff: Any) -> bool:
    if isinstance(diff, list):
        return any(_ours(d) for d in diff)
    for part in diff[1:]:
        table = getattr(part, "table", None)
        if (getattr(table, "name", None) or getattr(part, "name", None)) == _TABLE or part == _TABLE:
            return True
    return False


def test_migrated_table_equals_the_model(any_ctx: AppContext) -> None:
    engine = sa.create_engine(any_ctx.settings.db_url)
    try:
        with engine.connect() as connection:
            migration = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = [d for d in compare_metadata(migration, Base.metadata) if _ours(d)]
            indexes = {ix["name"] for ix in sa.inspect(connection).get_indexes(_TABLE)}
    finally:
        engine.dispose()
    assert diffs == []
    assert "ix_masked_derivatives_document_id" in indexes


def test_one_row_per_key(any_ctx: AppContext) -> None:
    with any_ctx.db.session() as session:
        doc = Document(text="", source_name="a.png")
        session.add(doc)
        session.flush()
        stored = store_bytes(session, any_ctx.store, b"masked", media_type="image/jpeg", kind="masked")
        row = MaskedDerivative(key="k" * 64, document_id=doc.id, page_no=1, kind="thumbnail", fingerprint="f",
                               source_sha256="s" * 64, object_id=stored.id)
        session.add(row)
        session.flush()
        assert row.created_at is not None
        doc_id, object_id = doc.id, stored.id
    with pytest.raises(IntegrityError), any_ctx.db.session() as session:
        session.add(MaskedDerivative(key="k" * 64, document_id=doc_id, page_no=2, kind="thumbnail", fingerprint="g",
                                     source_sha256="s" * 64, object_id=object_id))
        session.flush()
