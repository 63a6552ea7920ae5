"""The personal-data tables the migration v016 makes are the ones the models declare (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sohoa.db.base import Base
from sohoa.db.models import PersonalDatum, SubjectRequest, SubjectRequestItem
from sohoa.services.platform.context import AppContext

_TABLES = {"personal_data", "subject_requests", "subject_request_items"}


def _ours(diff: Any) -> bool:
    """Whether one autogenerate difference concerns a personal-data table."""
    if isinstance(diff, list):
        return any(_ours(d) for d in diff)
    for part in diff[1:]:
        table = getattr(part, "table", None)
        name = getattr(table, "name", None) or getattr(part, "name", None)
        if name in _TABLES or part in _TABLES:
            return True
    return False


def test_migrated_tables_equal_the_models(any_ctx: AppContext) -> None:
    engine = sa.create_engine(any_ctx.settings.db_url)
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            assert set(inspector.get_table_names()) >= _TABLES
            migration = MigrationContext.configure(connection, opts={"compare_type": True})
            diffs = [d for d in compare_metadata(migration, Base.metadata) if _ours(d)]
            indexes = {ix["name"] for ix in inspector.get_indexes("personal_data")}
    finally:
        engine.dispose()
    assert diffs == []
    assert {"ix_personal_data_kind_normalized", "ix_personal_data_normalized",
            "ix_personal_data_document_id"} <= indexes


def test_rows_round_trip(any_ctx: AppContext) -> None:
    """A datum with boxes, a request and an item are stored and read back as written."""
    from datetime import UTC, datetime, timedelta

    from sohoa.db.models import Document

    with any_ctx.db.session() as session:
        doc = Document(source_name="a.pdf", text="")
        session.add(doc)
        session.flush()
        datum = PersonalDatum(document_id=doc.id, page_no=1, kind="cccd", value="001085012345",
                              normalized="001085012345", boxes=[[1, 10, 20, 110, 40]])
        now = datetime.now(UTC)
        request = SubjectRequest(code="YC-0001", request_kind="access", subject_name="Nguyễn Văn An",
                                 subject_name_folded="nguyen van an", requester="Nguyễn Văn An",
                                 due_at=now + timedelta(days=3), created_by="archivist")
        session.add_all([datum, request])
        session.flush()
        session.add(SubjectRequestItem(request_id=request.id, document_id=doc.id, datum_id=datum.id,
                                       action="found", created_by="archivist"))
        session.commit()
    with any_ctx.db.session() as session:
        got = session.scalars(sa.select(PersonalDatum)).one()
        assert (got.boxes, got.source, got.status, got.restricted) == ([[1, 10, 20, 110, 40]], "detected",
                                                                       "masked", False)
        item = session.scalars(sa.select(SubjectRequestItem)).one()
        assert item.datum_id == got.id and item.action == "found"
        assert session.scalars(sa.select(SubjectRequest)).one().status == "open"
