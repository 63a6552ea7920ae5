"""PostgreSQL full-text search with the same semantics as the FTS5 index (folded match, exact first)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from sohoa.domain.search import IndexDoc, SearchFilters, SearchHit, SearchResult
from sohoa.domain.text import canonical_text, fold
from sohoa.index.filters import filter_sql
from sohoa.index.fts5 import order_sql
from sohoa.index.query import ParsedQuery, code_tokens, parse_query

__all__ = ["PostgresIndex"]


def _tsquery(phrases: list[list[str]]) -> str:
    return " & ".join("(" + " <-> ".join(w.replace("'", "") for w in p) + ")" for p in phrases)


class PostgresIndex:
    """Search over the ``search_docs`` table (created by migration 0002 on PostgreSQL)."""

    def upsert(self, session: Session, doc: IndexDoc) -> None:
        exact = canonical_text(doc.text)
        session.execute(text(
            "INSERT INTO search_docs(document_id, exact, folded, code, tsv_exact, tsv_folded, tsv_code) "
            "VALUES (:id, :exact, :folded, :code, to_tsvector('simple', :exact), "
            "to_tsvector('simple', :folded), to_tsvector('simple', :code)) "
            "ON CONFLICT (document_id) DO UPDATE SET exact = EXCLUDED.exact, folded = EXCLUDED.folded, "
            "code = EXCLUDED.code, tsv_exact = EXCLUDED.tsv_exact, tsv_folded = EXCLUDED.tsv_folded, "
            "tsv_code = EXCLUDED.tsv_code"),
            {"id": doc.document_id, "exact": exact.lower(), "folded": fold(exact),
             "code": " ".join(code_tokens(doc.codes))})

    def delete(self, session: Session, document_id: int) -> None:
        session.execute(text("DELETE FROM search_docs WHERE document_id = :id"), {"id": document_id})

    def _queries(self, parsed: ParsedQuery) -> tuple[str, str, str]:
        if parsed.code:
            return "tsv_code", _tsquery([parsed.code]), _tsquery([parsed.code])
        return "tsv_folded", _tsquery(parsed.folded), _tsquery(parsed.exact)

    def base_sql(self, query: str, filters: SearchFilters | None, params: dict[str, object]) -> str | None:
        """``FROM … WHERE …`` over the matching documents (alias ``d``); ``:x`` is the exact-tone query."""
        parsed = parse_query(query)
        if parsed.empty:
            return None
        column, match, exact = self._queries(parsed)
        params.update(m=match, x=exact)
        where = f"s.{column} @@ to_tsquery('simple', :m)" + filter_sql(filters, params)
        return f"FROM search_docs s JOIN documents d ON d.id = s.document_id WHERE {where}"

    def search(self, session: Session, query: str, filters: SearchFilters | None = None, *, limit: int = 20,
               offset: int = 0, sort: str = "relevance") -> SearchResult:
        parsed = parse_query(query)
        params: dict[str, object] = {"limit": limit, "offset": offset}
        base = self.base_sql(query, filters, params)
        if base is None:
            return SearchResult(total=0)
        column = "tsv_code" if parsed.code else "tsv_folded"
        exact_column = "tsv_code" if parsed.code else "tsv_exact"
        total = session.execute(text(f"SELECT count(*) {base}"), params).scalar_one()
        rows = session.execute(text(
            f"SELECT s.document_id, ts_rank(s.{column}, to_tsquery('simple', :m)) AS r, "
            f"s.{exact_column} @@ to_tsquery('simple', :x) AS ex "
            f"{base} ORDER BY {order_sql(sort, 'r DESC, s.document_id')} LIMIT :limit OFFSET :offset"),
            params).all()
        hits = [SearchHit(document_id=int(r[0]), score=round(float(r[1]), 4), exact=bool(r[2])) for r in rows]
        return SearchResult(total=int(total), hits=hits)
