"""PostgreSQL full-text search with the same semantics as the FTS5 index (folded match, exact first)."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.orm import Session

from sohoa.domain.search import IndexDoc, SearchFilters, SearchHit, SearchResult
from sohoa.domain.text import canonical_text, fold
from sohoa.index.filters import filter_sql
from sohoa.index.fts5 import order_sql
from sohoa.index.proximity import SIGN_WEIGHT
from sohoa.index.query import ParsedQuery, code_tokens, parse_query

__all__ = ["PostgresIndex", "index_words"]

_WORD = re.compile(r"\w+")


def index_words(text: str) -> str:
    """The text's words separated by spaces, as FTS5's tokenizer splits them: PostgreSQL's parser would keep
    "84/2025/qd-ubnd" or "v/v" as one token that the query's words "84 2025 qd ubnd" never match."""
    return " ".join(_WORD.findall(text))


def _tsquery(phrases: list[list[str]], joiner: str = " & ") -> str:
    return joiner.join("(" + " <-> ".join(w.replace("'", "") for w in p) + ")" for p in phrases)


def _closeness_sql(parsed: ParsedQuery, params: dict[str, object], *, terms: bool = False) -> str:
    """The closeness of :mod:`sohoa.index.proximity` as SQL over ``s`` (word pairs side by side, the query's
    own sign weighing :data:`SIGN_WEIGHT`); ``terms``: the order of partial matches (own sign, then the terms
    held, each weighing :data:`SIGN_WEIGHT`, then the pairs), as one number."""
    parts = ["0"]
    sign_weight = SIGN_WEIGHT ** 3 if terms else SIGN_WEIGHT
    if parsed.embedded_code:
        params["sg"] = _tsquery([parsed.embedded_code])
        parts.append(f"CASE WHEN s.tsv_code @@ to_tsquery('simple', :sg) THEN {sign_weight} ELSE 0 END")
    for n, pair in enumerate(parsed.pairs()):
        params[f"pp{n}"] = _tsquery([pair])
        parts.append(f"(s.tsv_folded @@ to_tsquery('simple', :pp{n}))::int")
    if terms:
        for n, phrase in enumerate(parsed.folded):
            params[f"pt{n}"] = _tsquery([phrase])
            parts.append(f"(s.tsv_folded @@ to_tsquery('simple', :pt{n}))::int * {SIGN_WEIGHT}")
    return " + ".join(parts)


class PostgresIndex:
    """Search over the ``search_docs`` table (created by migration 0002 on PostgreSQL)."""

    def upsert(self, session: Session, doc: IndexDoc) -> None:
        exact = canonical_text(doc.text)
        session.execute(text(
            "INSERT INTO search_docs(document_id, exact, folded, code, tsv_exact, tsv_folded, tsv_code) "
            "VALUES (:id, :exact, :folded, :code, to_tsvector('simple', :exact_words), "
            "to_tsvector('simple', :folded_words), to_tsvector('simple', :code)) "
            "ON CONFLICT (document_id) DO UPDATE SET exact = EXCLUDED.exact, folded = EXCLUDED.folded, "
            "code = EXCLUDED.code, tsv_exact = EXCLUDED.tsv_exact, tsv_folded = EXCLUDED.tsv_folded, "
            "tsv_code = EXCLUDED.tsv_code"),
            {"id": doc.document_id, "exact": exact.lower(), "folded": fold(exact),
             "exact_words": index_words(exact.lower()), "folded_words": index_words(fold(exact)),
             "code": " ".join(code_tokens(doc.codes))})

    def delete(self, session: Session, document_id: int) -> None:
        session.execute(text("DELETE FROM search_docs WHERE document_id = :id"), {"id": document_id})

    def _conditions(self, parsed: ParsedQuery, params: dict[str, object]) -> tuple[str, str]:
        """SQL over ``s``: (the match, its tones as typed); ``:m`` is the query the text rank scores."""
        if parsed.code:
            params.update(m=_tsquery([parsed.code]))
            return "s.tsv_code @@ to_tsquery('simple', :m)", "true"
        (rest, sign), (rest_x, sign_x) = parsed.split_sign(parsed.folded), parsed.split_sign(parsed.exact)
        params.update(m=_tsquery(rest), x=_tsquery(rest_x))
        match, exact = "s.tsv_folded @@ to_tsquery('simple', :m)", "s.tsv_exact @@ to_tsquery('simple', :x)"
        if sign:  # the words of a sign written in the query may be the document's own sign instead
            params.update(ms=_tsquery(sign), xs=_tsquery(sign_x), mc=_tsquery([parsed.embedded_code or []]))
            own = "s.tsv_code @@ to_tsquery('simple', :mc)"
            match += f" AND (s.tsv_folded @@ to_tsquery('simple', :ms) OR {own})"
            exact += f" AND (s.tsv_exact @@ to_tsquery('simple', :xs) OR {own})"
        return match, exact

    def base_sql(self, query: str, filters: SearchFilters | None, params: dict[str, object]) -> str | None:
        """``FROM … WHERE …`` over the matching documents (alias ``d``)."""
        parsed = parse_query(query)
        if parsed.empty:
            return None
        match, _ = self._conditions(parsed, params)
        where = f"({match})" + filter_sql(filters, params)
        return f"FROM search_docs s JOIN documents d ON d.id = s.document_id WHERE {where}"

    def search(self, session: Session, query: str, filters: SearchFilters | None = None, *, limit: int = 20,
               offset: int = 0, sort: str = "relevance") -> SearchResult:
        parsed = parse_query(query)
        params: dict[str, object] = {"limit": limit, "offset": offset}
        base = self.base_sql(query, filters, params)
        if base is None:
            return SearchResult(total=0)
        column = "tsv_code" if parsed.code else "tsv_folded"
        _, exact = self._conditions(parsed, params)
        total = session.execute(text(f"SELECT count(*) {base}"), params).scalar_one()
        if not total and len(parsed.folded) > 1:  # no document holds every term: the best partial matches
            return self._partial(session, parsed, filters, limit=limit, offset=offset)
        close = _closeness_sql(parsed, params)
        rows = session.execute(text(
            f"SELECT s.document_id, ts_rank(s.{column}, to_tsquery('simple', :m)) AS r, "
            f"({exact}) AS ex, {close} AS c "
            f"{base} ORDER BY {order_sql(sort, 'c DESC, r DESC, s.document_id DESC')} LIMIT :limit OFFSET :offset"),
            params).all()
        hits = [SearchHit(document_id=int(r[0]), score=round(float(r[1]), 4), exact=bool(r[2])) for r in rows]
        return SearchResult(total=int(total), hits=hits)

    def _partial(self, session: Session, parsed: ParsedQuery, filters: SearchFilters | None, *, limit: int,
                 offset: int) -> SearchResult:
        """Documents holding some terms (or the query's sign), ranked as :mod:`sohoa.index.partial` ranks them:
        own sign, terms held, closeness, then the text rank of the terms."""
        params: dict[str, object] = {"limit": limit, "offset": offset, "any": _tsquery(parsed.folded, " | ")}
        score = _closeness_sql(parsed, params, terms=True)
        sign = " OR s.tsv_code @@ to_tsquery('simple', :sg)" if parsed.embedded_code else ""
        base = (f"FROM search_docs s JOIN documents d ON d.id = s.document_id "
                f"WHERE (s.tsv_folded @@ to_tsquery('simple', :any){sign}){filter_sql(filters, params)}")
        total = session.execute(text(f"SELECT count(*) {base}"), params).scalar_one()
        rows = session.execute(text(
            f"SELECT s.document_id, {score} AS c, ts_rank(s.tsv_folded, to_tsquery('simple', :any)) AS r {base} "
            f"ORDER BY c DESC, r DESC, s.document_id DESC LIMIT :limit OFFSET :offset"), params).all()
        hits = [SearchHit(document_id=int(r[0]), score=round(float(r[2]), 4), exact=False) for r in rows]
        return SearchResult(total=int(total), hits=hits, partial=True)
