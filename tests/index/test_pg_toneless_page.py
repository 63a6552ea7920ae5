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
    """The page as both tiers read from the index (what the search did before it used the candidates)."""
    index = ctx.index
    assert isinstance(index, postgres.PostgresIndex)
    parsed = parse_query(query)
    with ctx.db.session() as session:
        params: dict[str, object] = {"limit": limit, "offset": offset}
        match, exact = index._conditions(parsed, params)
        tiers = postgres._tiers(parsed, f"({exact})", f"({match}) AND NOT ({exact})", params, "relevance")
        hits = index._large(session, postgres._SOURCE, tiers, "relevance", params, limit=limit, offset=offset)
    return [(h.document_id, h.exact) for h in hits]


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
