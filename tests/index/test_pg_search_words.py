"""PostgreSQL's search vectors hold the words as FTS5 splits them; migration k001 rewrites older rows."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import text

from sohoa.db.models import Document
from sohoa.index import make_index
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.identity.principal import SYSTEM
from sohoa.services.platform.context import AppContext
from sohoa.services.production.ingest_store import document_index_doc

MIGRATION = Path(__file__).resolve().parents[2] / "src/sohoa/db/migrations/versions/k001_pg_search_words.py"


def _total(ctx: AppContext, query: str) -> int:
    return search(ctx, SYSTEM, SearchRequest(query), audit=False).total


@pytest.mark.postgres
def test_signs_in_a_text_are_words_and_k001_rewrites_old_rows(pg_ctx: AppContext) -> None:
    with pg_ctx.db.session() as session:
        doc = Document(text="Thực hiện Quyết định 84/2025/QĐ-UBND, V/v hòa giải", source_name="a.pdf",
                       access_level="public", state="published")
        session.add(doc)
        session.flush()
        make_index(pg_ctx.db.engine).upsert(session, document_index_doc(doc))
    assert _total(pg_ctx, "84 2025 ubnd") == 1 and _total(pg_ctx, "Quyết định 84/2025/QĐ-UBND") == 1
    with pg_ctx.db.session() as session:  # the vectors as the index wrote them before k001
        session.execute(text("UPDATE search_docs SET tsv_exact = to_tsvector('simple', exact), "
                             "tsv_folded = to_tsvector('simple', folded)"))
    assert _total(pg_ctx, "84 2025 ubnd") == 0
    spec = importlib.util.spec_from_file_location("k001", MIGRATION)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with pg_ctx.db.engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        migration.upgrade()
    assert _total(pg_ctx, "84 2025 ubnd") == 1 and _total(pg_ctx, "v v hoa giai") == 1
