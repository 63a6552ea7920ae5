"""PostgreSQL, past the bound, a query typed without tones: the exact tier from its index, the others from the
bounded candidates — the same page, page after page, as reading both tiers from the index."""

from __future__ import annotations

import pytest

from sohoa.db.models import Document
from sohoa.index import large, postgres
from sohoa.index.query import parse_query
from sohoa.services.catalogue.index_docs import document_index_doc
from sohoa.services.platform.context import AppContext

pytestmark = pytest.mark.postgres

BODIES = (["Biên bản hoa giai tại tổ dân phố"] * 3  # typed without tones: the exact tier of "hoa giai"
          + ["Công tác hòa giải ở cơ sở"] * 6 + ["Giải quyết đơn, hòa thuận"] * 6 + ["Hoà giải viên"] * 3)


def _tiers_from_the_index(ctx: AppContext, query: str, *, limit: int, offset: int) -> list[tuple[int, bool]]:
    """The page as both tiers read from the index, each in two statements (the whole query side by side among
    the tier's first PHRASE_PROBE rows, then the rest of the tier): what the search did before it used the
    candidates and one statement per tier."""
    parsed = parse_query(query)
    wanted, ranked = offset + limit, []
    with ctx.db.session() as session:
        params: dict[str, object] = {}
        match, exact = postgres.PostgresIndex()._conditions(parsed, params)
        params["whole"] = postgres._tsquery([[w for p in parsed.folded for w in p]])
        whole = "s.tsv_folded @@ to_tsquery('simple', :whole)" if len(parsed.folded) > 1 else "true"
        for condition, tone in ((f"({exact})", True), (f"({match}) AND NOT ({exact})", False)):
            source = f"FROM search_docs s WHERE {condition}"
            first = postgres._ids(session, f"SELECT i FROM (SELECT s.document_id, {whole} {source} LIMIT "
                                           f"{postgres.PHRASE_PROBE}) AS t(i, w) WHERE w LIMIT {wanted}", params)
            seen = "".join(f" AND s.document_id <> {i}" for i in first)
            rest = postgres._ids(session, f"SELECT s.document_id {source}{seen} LIMIT {wanted}", params)
            ranked += [(i, tone) for i in first + rest]
    return ranked[offset:offset + limit]


@pytest.mark.parametrize("probe", [2, 6])  # as in use, the probe is a part of the bounded candidates
def test_toneless_page_past_the_bound(pg_ctx: AppContext, monkeypatch: pytest.MonkeyPatch, probe: int) -> None:
    monkeypatch.setattr(large, "BOUND", 15)
    monkeypatch.setattr(postgres, "PHRASE_PROBE", probe)
    with pg_ctx.db.session() as session:
        for body in BODIES:
            doc = Document(text=body, source_name="s.pdf", access_level="public", state="published")
            session.add(doc)
            session.flush()
            pg_ctx.index.upsert(session, document_index_doc(doc))
    for query in ("hoa giai", "giai"):
        for limit, offset in ((5, 0), (4, 3), (3, 9), (20, 0)):
            with pg_ctx.db.session() as session:
                found = pg_ctx.index.search(session, query, None, limit=limit, offset=offset)
            want = _tiers_from_the_index(pg_ctx, query, limit=limit, offset=offset)
            assert [(h.document_id, h.exact) for h in found.hits] == want, (query, limit, offset)
            assert not found.total_exact
    with pg_ctx.db.session() as session:
        first = pg_ctx.index.search(session, "hoa giai", None, limit=5).hits
    assert [h.exact for h in first] == [True, True, True, False, False]  # the text typed as the query, first
