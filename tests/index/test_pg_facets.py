"""PostgreSQL facets counted from the tags of the matches the search reads equal those counted over documents."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from sqlalchemy import select

from sohoa.db.models import Document, FileUnit, Unit
from sohoa.domain.search import SearchFilters
from sohoa.index import large
from sohoa.index.facets import FACET_NAMES, facet_counts
from sohoa.index.pg_facets import count_facets
from sohoa.services.catalogue.index_docs import document_index_doc
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext

pytestmark = pytest.mark.postgres

TYPES = ("Quyết định", "Biên bản", "Tờ trình", "Công văn", "")
LEVELS = ("public", "conditional", "internal", "mật x|'y'\\z")  # the last: a level outside the four ('lvx')


def _archive(ctx: AppContext) -> None:
    """27 documents over units with and without a bloc, files with a bloc, a retention, both or neither."""
    with ctx.db.session() as session:
        units = [Unit(identifier=f"T.PGF{n}", name=f"Phường {n}", name_folded=f"phuong {n}", unit_type="phường",
                      bloc=bloc) for n, bloc in enumerate(("party", "government", None))]
        session.add_all(units)
        session.flush()
        files = [FileUnit(file_code="F.1", title="Hồ sơ", unit_id=units[0].id, retention_years=10),
                 FileUnit(file_code="F.2", title="Hồ sơ", unit_id=units[1].id, permanent=True, bloc="mass_org"),
                 FileUnit(file_code="F.3", title="Hồ sơ", unit_id=units[2].id)]
        session.add_all(files)
        session.flush()
        places = itertools.product([u.id for u in units] + [None], [f.id for f in files] + [None])
        for n, (unit_id, file_id) in enumerate(itertools.chain(places, [(units[0].id, None)] * 11)):
            doc = Document(text=f"{TYPES[n % 5]} về mkpgfacet năm {2000 + n % 3}", source_name="s.pdf",
                           access_level=LEVELS[n % 4], state="published", unit_id=unit_id, file_id=file_id,
                           type_name=TYPES[n % 5] or None, issued_date=date(2000 + n % 3, 5, 1) if n % 7 else None)
            session.add(doc)
            session.flush()
            ctx.index.upsert(session, document_index_doc(doc))


def _values(counts: dict[str, list[tuple[str, int]]] | None) -> dict[str, list[tuple[str, int]]]:
    assert counts is not None
    return {name: counts[name] for name in FACET_NAMES}


@pytest.mark.parametrize("bound", [2000, 9])
def test_facets_from_tags_equal_facets_over_documents(pg_ctx: AppContext, monkeypatch: pytest.MonkeyPatch,
                                                      bound: int) -> None:
    monkeypatch.setattr(large, "BOUND", bound)
    _archive(pg_ctx)
    cases = [("mkpgfacet", None), ("mkpgfacet", SearchFilters(year=2001)),
             ("mkpgfacet", SearchFilters(access_levels=("public", "internal"))), ("nothingmatches", None)]
    for query, filters in cases:
        with pg_ctx.db.session() as session:
            plain = pg_ctx.index.search(session, query, filters)  # past the bound: keeps its matches for the facets
            sample = None if plain.total_exact else bound
            old = facet_counts(session, pg_ctx.index, query, filters, FACET_NAMES, sample=sample)
            new = pg_ctx.index.search(session, query, filters, facets=True)
        assert new.total == plain.total and new.hits == plain.hits
        assert _values(new.facet_counts) == {name: [(v.value, v.count) for v in old[name]] for name in FACET_NAMES}
    with pg_ctx.db.session() as session:
        every = pg_ctx.index.search(session, "mkpgfacet", facets=True).facet_counts
    assert every is not None and every["retention"] and every["bloc"] and every["type"]
    assert "x" not in {v for v, _ in every["access_level"]}  # 'lvx' marks a level, it is not one


def test_service_facets_come_from_the_index_on_postgres(pg_ctx: AppContext) -> None:
    _archive(pg_ctx)
    admin = Principal(user_id=1, username="a", role="admin")
    page = search(pg_ctx, admin, SearchRequest("mkpgfacet", facets=True), audit=False)
    assert {v["value"]: v["count"] for v in page.facets["retention"]} == {"permanent": 4, "10": 4}
    with pg_ctx.db.session() as session:  # the labels the index read with the counts: the units' names
        names = {str(i): n for i, n in session.execute(select(Unit.id, Unit.name))}
    assert page.facets["unit"] and all(v["label"] == names[v["value"]] for v in page.facets["unit"])


def test_count_facets_reads_each_token_kind(pg_ctx: AppContext) -> None:
    kind = "Quyết định".encode().hex()
    tags = f"'lvpublic' 'sec0' 't{kind}' 'u7' 'u7y2001' 'y2001'|'lvx' 'lvodd' 'sec1' 'y1999'"
    with pg_ctx.db.session() as session:
        counts, names = count_facets(session, tags)
        unit_name = session.execute(select(Unit.name).where(Unit.id == 7)).scalar_one_or_none()
        assert count_facets(session, None) == ({name: [] for name in FACET_NAMES}, {})
    assert names == ({"7": unit_name} if unit_name is not None else {})
    assert counts["type"] == [("Quyết định", 1)] and counts["unit"] == [("7", 1)]
    assert counts["year"] == [("1999", 1), ("2001", 1)]
    assert counts["access_level"] == [("odd", 1), ("public", 1)]
