"""The permission matrix and the bounded-search tests on PostgreSQL too, plus the parts of search that each engine
computes itself: "did you mean" inside the caller's scope, facets and the tags kept by the z0c1 trigger.

The matrix's tests are imported: collected here, they run on this module's ``wctx`` (PostgreSQL), the same
assertions as on SQLite (tests/shared/test_permission_matrix.py, test_large_results.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from sohoa.db.models import Document, FileUnit, Unit
from sohoa.index import make_index
from sohoa.index.facets import facet_counts
from sohoa.index.pg_tags import TAGS_PG_SQL
from sohoa.services.catalogue.index_docs import document_index_doc
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.identity.principal import SYSTEM, Principal
from sohoa.services.platform.context import AppContext, open_context
from sohoa.settings import Settings

from .test_large_results import (
    small_bound,
    test_exact_tier_first_and_date_sort_past_the_bound,
    test_scope_holds_past_the_bound,
)
from .test_permission_matrix import (
    principal_for,
    test_each_document_view,
    test_file_grant_widens_until_expiry,
    test_search_counts_and_facets_follow_policy,
    test_secret_only_for_local_operator,
)
from .world import World

__all__ = ["small_bound", "test_each_document_view", "test_exact_tier_first_and_date_sort_past_the_bound",
           "test_file_grant_widens_until_expiry", "test_scope_holds_past_the_bound",
           "test_search_counts_and_facets_follow_policy", "test_secret_only_for_local_operator"]

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def wctx(tmp_path_factory: pytest.TempPathFactory, module_pg_url: str) -> Iterator[AppContext]:
    """The shared world's context on PostgreSQL (overrides tests/shared/conftest.py's SQLite one here)."""
    context = open_context(Settings(data=tmp_path_factory.mktemp("pgworld") / "data", workers=1,
                                    database_url=module_pg_url))
    yield context
    context.close()


@pytest.fixture
def ctx(pg_ctx: AppContext) -> AppContext:
    """The per-test context on PostgreSQL (for the matrix's tests that change grants)."""
    return pg_ctx


def _doc(ctx: AppContext, body: str, level: str = "public", unit_id: int | None = None) -> int:
    with ctx.db.session() as session:
        doc = Document(text=body, source_name="s.pdf", access_level=level, state="published", unit_id=unit_id,
                       secrecy="Mật" if level == "secret" else None)
        session.add(doc)
        session.flush()
        make_index(ctx.db.engine).upsert(session, document_index_doc(doc))
        return doc.id


def test_did_you_mean_counts_only_the_callers_scope(any_ctx: AppContext, tmp_path: Path) -> None:
    for _ in range(4):
        _doc(any_ctx, "Quyết định về việc thu hồi đất")
        _doc(any_ctx, "Hồ sơ mksecretword lưu trữ", level="secret")
    _doc(any_ctx, "Quyct định số 12 thu hồi đất")  # an OCR misreading
    _doc(any_ctx, "mksecretwork")
    admin = Principal(user_id=1, username="a", role="admin")
    assert search(any_ctx, admin, SearchRequest("quyct"), audit=False).suggestion == "quyết"
    # the neighbour is only in độ mật documents: never counted for the shared network, so never offered
    assert search(any_ctx, admin, SearchRequest("mksecretwork"), audit=False).suggestion is None
    assert search(any_ctx, SYSTEM, SearchRequest("mksecretwork"), audit=False).suggestion == "mksecretword"


def test_facets_count_inside_filters(any_ctx: AppContext) -> None:
    for level in ("public", "public", "internal", "secret"):
        _doc(any_ctx, "Biên bản hòa giải ở cơ sở", level=level)
    admin = Principal(user_id=1, username="a", role="admin")
    page = search(any_ctx, admin, SearchRequest("hoa giai", facets=True), audit=False)
    assert {v["value"]: v["count"] for v in page.facets["access_level"]} == {"public": 2, "internal": 1}
    chosen = search(any_ctx, admin, SearchRequest("hoa giai", facets=True, access_level="internal"), audit=False)
    assert chosen.total == 1 and chosen.facets["access_level"] == [{"value": "internal", "count": 1}]


def test_bloc_and_retention_facets(any_ctx: AppContext) -> None:
    """The file's bloc, else the unit's; the file's retention (PostgreSQL joins the rows, SQLite looks them up)."""
    with any_ctx.db.session() as session:
        units = [Unit(identifier=f"T.FAC{n}", name="Phường", name_folded="phuong", unit_type="phường", bloc=bloc)
                 for n, bloc in enumerate(("party", "government"))]
        session.add_all(units)
        session.flush()
        files = [FileUnit(file_code="F.20", title="Hồ sơ", unit_id=units[0].id, retention_years=20),
                 FileUnit(file_code="F.P", title="Hồ sơ", unit_id=units[1].id, permanent=True, bloc="mass_org")]
        session.add_all(files)
        session.flush()
        placed = [(units[0].id, files[0].id), (units[1].id, files[1].id), (units[1].id, files[1].id),
                  (units[1].id, None), (None, None)]
        for unit_id, file_id in placed:
            doc = Document(text="Biên bản mkfacetbloc", source_name="s.pdf", access_level="public",
                           state="published", unit_id=unit_id, file_id=file_id)
            session.add(doc)
            session.flush()
            make_index(any_ctx.db.engine).upsert(session, document_index_doc(doc))
    admin = Principal(user_id=1, username="a", role="admin")
    for sample in (None, 2000):
        with any_ctx.db.session() as session:
            counts = facet_counts(session, any_ctx.index, "mkfacetbloc", None, ("bloc", "unit", "retention"),
                                  sample=sample)
        assert [(v.value, v.count) for v in counts["bloc"]] == [("mass_org", 2), ("government", 1), ("party", 1)]
        assert [(v.value, v.count) for v in counts["retention"]] == [("permanent", 2), ("20", 1)]
        assert sorted(v.count for v in counts["unit"]) == [1, 3]
    page = search(any_ctx, admin, SearchRequest("mkfacetbloc", facets=True), audit=False)
    assert {v["value"]: v["count"] for v in page.facets["bloc"]} == {"mass_org": 2, "government": 1, "party": 1}


def test_tags_follow_the_documents_row(pg_ctx: AppContext, tmp_path: Path) -> None:
    doc_id = _doc(pg_ctx, "Kế hoạch mktagmove năm 2020")
    admin = Principal(user_id=1, username="a", role="admin")
    assert search(pg_ctx, admin, SearchRequest("mktagmove"), audit=False).total == 1
    with pg_ctx.db.session() as session:  # any code that changes the row: the trigger re-tags the index row
        session.execute(text("UPDATE documents SET secrecy = 'Mật' WHERE id = :id"), {"id": doc_id})
    assert search(pg_ctx, admin, SearchRequest("mktagmove"), audit=False).total == 0
    assert search(pg_ctx, SYSTEM, SearchRequest("mktagmove"), audit=False).total == 1
    with pg_ctx.db.session() as session:
        session.execute(text("UPDATE documents SET secrecy = NULL, access_level = 'internal' WHERE id = :id"),
                        {"id": doc_id})
        tags = session.execute(text("SELECT tags::text FROM search_docs WHERE document_id = :id"),
                               {"id": doc_id}).scalar_one()
        fresh = session.execute(text(f"SELECT ({TAGS_PG_SQL})::text FROM documents d WHERE d.id = :id"),
                                {"id": doc_id}).scalar_one()
    assert tags == fresh and "'lvinternal'" in tags and "'sec0'" in tags
    assert search(pg_ctx, admin, SearchRequest("mktagmove", access_level="internal"), audit=False).total == 1


def test_migration_holds_the_same_tags_expression() -> None:
    source = Path(__file__).parents[2] / "src/sohoa/db/migrations/versions/z0c1_pg_search_tags.py"
    frozen = re.search(r"_TAGS = \((.*?)\)\n", source.read_text(encoding="utf-8"), re.S)
    assert frozen is not None
    assert "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', frozen.group(1))) == TAGS_PG_SQL


def test_unit_officer_scope_with_predecessors_on_postgres(wctx: AppContext, world: World) -> None:
    officer = principal_for(world, "unit_officer")
    for relation, seen in (("own", True), ("predecessor", True), ("successor", True), ("unrelated", False)):
        page = search(wctx, officer, SearchRequest(world.marker(relation, "internal")), audit=False)
        assert page.total == (1 if seen else 0), relation
        secret = search(wctx, officer, SearchRequest(world.marker(relation, "secret")), audit=False)
        assert secret.total == 0 and not secret.results, relation  # độ mật: never shown


def test_page_from_the_bounded_matches(wctx: AppContext, world: World, small_bound: None) -> None:
    """Past the bound, a first page with tones comes from the matches already read: in scope, exact first."""
    officer = principal_for(world, "unit_officer")
    allowed = {world.docs[(r, lv)] for r in ("own", "predecessor", "successor") for lv in ("public", "conditional",
                                                                                          "internal")}
    allowed.add(world.docs[("unrelated", "public")])
    page = search(wctx, officer, SearchRequest("hòa giải", limit=2), audit=False)
    assert not page.total_exact and page.total == 3 and len(page.results) == 2
    assert {h.document_id for h in page.results} <= allowed
    assert [h.exact for h in page.results] == sorted((h.exact for h in page.results), reverse=True)
    facets = search(wctx, officer, SearchRequest("hòa giải", limit=2, facets=True), audit=False).facets
    assert sum(v["count"] for v in facets["access_level"]) == 2 and "secret" not in str(facets)
