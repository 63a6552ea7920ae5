"""PostgreSQL's search index lives in hash partitions of the document id (migration z0e1); its rows, indexes,
tags trigger and bounded search are the same as on one table, and the migration goes both ways keeping rows."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import text

from sohoa.db.models import Document
from sohoa.index import large, make_index
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.identity.principal import SYSTEM
from sohoa.services.platform.context import AppContext
from sohoa.services.production.ingest_store import document_index_doc

MIGRATION = Path(__file__).resolve().parents[2] / "src/sohoa/db/migrations/versions/z0e1_pg_search_partitions.py"


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("z0e1", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _partitions(ctx: AppContext) -> int:
    with ctx.db.session() as session:
        return int(session.execute(text(
            "SELECT count(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhparent "
            "WHERE c.relname = 'search_docs' AND c.relnamespace = to_regnamespace(current_schema())")).scalar_one())


def _storage(ctx: AppContext) -> dict[str, str]:
    """How a partition stores its columns (``e`` out of line, ``m`` in the row, compressed; ``x`` either)."""
    with ctx.db.session() as session:
        rows = session.execute(text(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = CAST('search_docs_p00' AS regclass) "
            "AND attname IN ('exact', 'folded', 'tsv_folded', 'tags', 'tsv_exact')")).all()
    return {str(n): str(s) for n, s in rows}


def _index(ctx: AppContext, count: int) -> list[int]:
    ids = []
    with ctx.db.session() as session:
        for n in range(count):
            doc = Document(text=f"Quyết định {n}/QĐ-UBND về tái định cư khu {n}", source_name=f"{n}.pdf",
                           access_level="public" if n % 3 else "internal", state="published")
            session.add(doc)
            session.flush()
            make_index(ctx.db.engine).upsert(session, document_index_doc(doc))
            ids.append(doc.id)
    return ids


def _found(ctx: AppContext, query: str) -> tuple[int, list[int]]:
    result = search(ctx, SYSTEM, SearchRequest(query, limit=100), audit=False)
    return result.total, sorted(h.document_id for h in result.results)


@pytest.mark.postgres
def test_search_docs_is_partitioned_and_z0e1_goes_both_ways(pg_ctx: AppContext) -> None:
    migration = _migration()
    assert _partitions(pg_ctx) == migration.PARTITIONS
    assert _storage(pg_ctx) == {"exact": "e", "folded": "e", "tsv_folded": "m", "tags": "m", "tsv_exact": "x"}
    ids = _index(pg_ctx, 40)
    before = {q: _found(pg_ctx, q) for q in ("tai dinh cu", "tái định cư khu 7", "ubnd khu 7", "khu 39")}
    assert before["tai dinh cu"] == (40, sorted(ids)) and before["khu 39"][0] == 1
    with pg_ctx.db.engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        migration.downgrade()
    assert _partitions(pg_ctx) == 0
    assert {q: _found(pg_ctx, q) for q in before} == before
    with pg_ctx.db.engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        migration.upgrade()
    assert _partitions(pg_ctx) == migration.PARTITIONS
    assert {q: _found(pg_ctx, q) for q in before} == before
    with pg_ctx.db.session() as session:  # the tags trigger still follows the documents row
        session.execute(text("UPDATE documents SET access_level = 'secret' WHERE id = :id"), {"id": ids[1]})
        tags = session.execute(text("SELECT tags::text FROM search_docs WHERE document_id = :id"),
                               {"id": ids[1]}).scalar_one()
    assert "lvsecret" in tags and "sec1" in tags
    with pg_ctx.db.session() as session:  # a document deleted leaves its partition
        session.execute(text("DELETE FROM documents WHERE id = :id"), {"id": ids[0]})
    assert _found(pg_ctx, "tai dinh cu")[0] == 39


@pytest.mark.postgres
def test_bounded_search_over_partitions_reads_matches_of_several(pg_ctx: AppContext,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the bound the matches read come from the partitions in turn; every hit is a match and the page is
    full, exact tones first."""
    ids = set(_index(pg_ctx, 30))
    monkeypatch.setattr(large, "BOUND", 5)
    with pg_ctx.db.session() as session:
        result = make_index(pg_ctx.db.engine).search(session, "tái định cư", limit=10)
    assert result.total == 6 and not result.total_exact
    assert len(result.hits) == 10 and {h.document_id for h in result.hits} <= ids
    assert all(h.exact for h in result.hits)
    with pg_ctx.db.session() as session:
        spread = session.execute(text(
            "SELECT count(DISTINCT tableoid) FROM search_docs WHERE document_id = ANY(:ids)"),
            {"ids": [h.document_id for h in result.hits]}).scalar_one()
    assert spread > 1
