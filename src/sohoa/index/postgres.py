"""PostgreSQL full-text search with the same semantics as the FTS5 index (folded match, exact first).

Bounded work as FTS5's (:mod:`sohoa.index.large`): the matches in scope are read up to ``BOUND + 1``
(no count of every match; ``total_exact`` False past it). Up to the bound they are ranked in SQL (exact
tones, closeness, ``ts_rank``); past it a page is read tier by tier (exact tones first; for relevance, the
whole query side by side first in each tier), each tier a ``LIMIT`` over the GIN index, never a sort of
every match (a query typed without tones takes its second tier from the matches already read). Scope and the
user's filters come from ``search_docs.tags`` (:mod:`sohoa.index.pg_tags`); so do the facets, counted from the
tags of the matches the first statement reads (:mod:`sohoa.index.pg_facets`).
"""

from __future__ import annotations

import re
import threading
from dataclasses import replace

from sqlalchemy import text
from sqlalchemy.orm import Session

from sohoa.domain.search import IndexDoc, SearchFilters, SearchHit, SearchResult
from sohoa.domain.text import canonical_text, fold
from sohoa.index import large
from sohoa.index.columns import SORTS
from sohoa.index.fts5 import order_sql
from sohoa.index.pg_facets import ROW_SEPARATOR, count_facets
from sohoa.index.pg_tags import TAGS_PG_SQL, needs_documents, pg_filter_sql
from sohoa.index.proximity import SIGN_WEIGHT
from sohoa.index.query import ParsedQuery, code_tokens, parse_query
from sohoa.index.rank import RARE_DOCS

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


# For this transaction (search, facets, did you mean): no JIT (it compiles for the planner's guess of rows, tens
# of ms lost on a query that stops at a LIMIT), a plan for each query's own words (a generic plan of a prepared
# statement cannot see how common a word is), room for the bitmap of a common word's matches, and no parallel
# workers (a search is one of many at once; workers only add start-up time on a busy machine).
_SETTINGS = text("SELECT set_config('jit', 'off', true), set_config('plan_cache_mode', 'force_custom_plan', true), "
                 "set_config('work_mem', '16MB', true), set_config('max_parallel_workers_per_gather', '0', true)")
_SOURCE = "FROM search_docs s"
PHRASE_PROBE = 200  # past the bound, the whole query side by side is looked for among a tier's first matches
_JOINED = "FROM search_docs s JOIN documents d ON d.id = s.document_id"


def _ids(session: Session, sql: str, params: dict[str, object]) -> list[int]:
    """The ids a one-column SELECT returns, in its order, as one array (one row, not thousands) sent as text: the
    driver's array parsing in Python cost ≈ 3 ms a search for 2,001 ids."""
    found = session.execute(text(f"SELECT CAST(array_agg(i ORDER BY n) AS text) FROM (SELECT q.*, row_number() "
                                 f"OVER () AS n FROM ({sql}) AS q(i)) AS o"), params).scalar()
    return _parse_ids(found)


def _parse_ids(found: object) -> list[int]:
    """An integer array's text ('{3,1,2}', or NULL when no row) as a list."""
    return [int(i) for i in str(found).strip("{}").split(",")] if found and found != "{}" else []


def _ids_and_tags(session: Session, sql: str, params: dict[str, object]) -> tuple[list[int], str | None]:
    """:func:`_ids` of a two-column SELECT (id, tags), with the tags of its first ``BOUND`` rows as one text
    (:data:`sohoa.index.pg_facets.ROW_SEPARATOR` between rows): the facets' values, read with the matches."""
    found, tags = session.execute(text(
        f"SELECT CAST(array_agg(i ORDER BY n) AS text), string_agg(CAST(t AS text), chr({ord(ROW_SEPARATOR)})) "
        f"FILTER (WHERE n <= {large.BOUND}) FROM (SELECT q.*, row_number() OVER () AS n FROM ({sql}) AS q(i, t)) AS o"),
        params).one()
    return _parse_ids(found), tags


def _whole_first(session: Session, rows: str, count: int, params: dict[str, object]) -> list[int]:
    """The first ``count`` ids of ``rows`` (a SELECT of id and whether the row holds the whole query side by side,
    in the index's order) with the rows holding it among the first :data:`PHRASE_PROBE` put first: one statement
    (the rows after those are the tier's next ones in order, so ``PHRASE_PROBE + count`` rows are enough)."""
    return _ids(session, f"SELECT r.i FROM (SELECT t.i, t.w, row_number() OVER () AS n FROM ({rows} "
                         f"LIMIT {PHRASE_PROBE + count}) AS t(i, w)) AS r ORDER BY (r.w AND r.n <= {PHRASE_PROBE}) "
                         f"DESC, r.n LIMIT {count}", params)


def _id_array(ids: list[int]) -> str:
    """``ids`` as an integer array literal (``CAST(:p AS integer[])``): one string, not 2,001 values to adapt."""
    return "{" + ",".join(str(int(i)) for i in ids) + "}"


class PostgresIndex:
    """Search over the ``search_docs`` table (migration 0002; ``tags`` and its GIN index: z0c1)."""

    def __init__(self) -> None:
        # The bounded matches of this thread's last search past the bound: the facets of the same request
        # (sampled over the first BOUND matches) read them instead of a second scan of the words' index.
        self._recent = threading.local()

    def upsert(self, session: Session, doc: IndexDoc) -> None:
        exact = canonical_text(doc.text)
        session.execute(text(
            "INSERT INTO search_docs(document_id, exact, folded, code, tsv_exact, tsv_folded, tsv_code, tags) "
            "VALUES (:id, :exact, :folded, :code, to_tsvector('simple', :exact_words), "
            "to_tsvector('simple', :folded_words), to_tsvector('simple', :code), "
            f"coalesce((SELECT {TAGS_PG_SQL} FROM documents d WHERE d.id = :id), ''::tsvector)) "
            "ON CONFLICT (document_id) DO UPDATE SET exact = EXCLUDED.exact, folded = EXCLUDED.folded, "
            "code = EXCLUDED.code, tsv_exact = EXCLUDED.tsv_exact, tsv_folded = EXCLUDED.tsv_folded, "
            "tsv_code = EXCLUDED.tsv_code, tags = EXCLUDED.tags"),
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
        """``FROM … WHERE …`` over the matching documents (alias ``d``; ``s`` too unless the matches of the search
        just run are reused)."""
        parsed = parse_query(query)
        if parsed.empty:
            return None
        recent = getattr(self._recent, "matches", None)
        if recent is not None and recent[0] == (query, repr(filters)):
            self._recent.matches = None  # once: for the facets of that search
            params["sampled"] = _id_array(recent[1][:large.BOUND])
            return "FROM documents d WHERE d.id = ANY(CAST(:sampled AS integer[]))"  # in scope: read in it
        match, _ = self._conditions(parsed, params)
        return f"{_JOINED} WHERE ({match}){pg_filter_sql(filters, params)}"

    def search(self, session: Session, query: str, filters: SearchFilters | None = None, *, limit: int = 20,
               offset: int = 0, sort: str = "relevance", facets: bool = False) -> SearchResult:
        """Tone-insensitive match, exact tones first; ``facets``: counted from the tags of the matches read
        (:mod:`sohoa.index.pg_facets`), returned in ``facet_counts``."""
        order_sql(sort, "r")  # unknown sorts fail before any work
        parsed = parse_query(query)
        if parsed.empty:
            return SearchResult(total=0)
        session.execute(_SETTINGS)
        params: dict[str, object] = {"limit": limit, "offset": offset}
        match, exact = self._conditions(parsed, params)
        source = _JOINED if needs_documents(filters) or sort != "relevance" else _SOURCE
        scope = pg_filter_sql(filters, params)
        where = f"({match}){scope}"
        first = f"{source} WHERE {where} LIMIT {large.BOUND + 1}"
        counts, labels = None, None
        if facets:  # the facet values from the tags of the rows read anyway (no second read of documents)
            ids, tags = _ids_and_tags(session, f"SELECT s.document_id, s.tags {first}", params)
            counts, labels = count_facets(session, tags)
        else:
            ids = _ids(session, f"SELECT s.document_id {first}", params)
        self._recent.matches = ((query, repr(filters)), ids) if len(ids) > large.BOUND and not facets else None
        if not ids and len(parsed.folded) > 1:  # no document holds every term: the best partial matches
            return replace(self._partial(session, parsed, filters, limit=limit, offset=offset), facet_counts=counts,
                           facet_labels=labels)
        if len(ids) > large.BOUND:
            # the exact tones imply the folded match: that tier reads the exact words' index alone
            exact_where = f"({match if parsed.code else exact}){scope}"
            tiers = _tiers(parsed, exact_where, f"{where} AND NOT ({exact})", params, sort)
            if sort != "relevance" or parsed.code or offset + limit > len(ids):
                # a date order, a sign, or a page beyond the matches read
                hits = self._large(session, source, tiers, sort, params, limit=limit, offset=offset)
            elif parsed.exact == parsed.folded:  # no tones typed: the (rare) exact tier from its index, the rest
                toned = self._large(session, source, tiers[:1], sort, params, limit=offset + limit, offset=0)
                hits = self._others_page(session, exact, ids, [h.document_id for h in toned], params,
                                         whole=tiers[0][1], limit=limit, offset=offset)
            else:  # relevance with tones: the page from the first matches already read (no second index scan)
                hits = self._candidates_page(session, parsed, exact, ids, params, limit=limit, offset=offset)
            return SearchResult(total=len(ids), hits=hits, total_exact=False, facet_counts=counts,
                                facet_labels=labels)
        column = "tsv_code" if parsed.code else "tsv_folded"
        close = _closeness_sql(parsed, params)
        params["ids"] = _id_array(ids)
        rows = session.execute(text(
            f"SELECT s.document_id, ts_rank(s.{column}, to_tsquery('simple', :m)) AS r, ({exact}) AS ex, {close} "
            f"AS c {source} WHERE s.document_id = ANY(CAST(:ids AS integer[])) "
            f"ORDER BY {order_sql(sort, 'c DESC, r DESC, s.document_id DESC')} LIMIT :limit OFFSET :offset"),
            params).all()
        hits = [SearchHit(document_id=int(r[0]), score=round(float(r[1]), 4), exact=bool(r[2])) for r in rows]
        return SearchResult(total=len(ids), hits=hits, facet_counts=counts, facet_labels=labels)

    def _large(self, session: Session, source: str, tiers: list[tuple[str, str | None, bool]], sort: str,
               params: dict[str, object], *, limit: int, offset: int) -> list[SearchHit]:
        """One page past the bound: each tier (exact tones first) read with a LIMIT, in the sort's order for a
        date sort (over the tier's matches), else as the GIN index hands the matches out. A tier split by the
        whole query side by side checks that phrase among the tier's first PHRASE_PROBE matches only (PostgreSQL
        checks a phrase on each row: bounded work), then the rest of the tier follows."""
        wanted = offset + limit
        ranked: list[tuple[int, bool]] = []
        order = f" ORDER BY {SORTS[sort]}" if SORTS.get(sort) else ""
        for condition, whole, exact in tiers:
            if len(ranked) >= wanted:
                break
            if whole is not None:  # relevance: the whole query side by side first among the tier's first rows
                found = _whole_first(session, f"SELECT s.document_id, {whole} {source} WHERE {condition}",
                                     wanted - len(ranked), params)
            else:
                found = _ids(session, f"SELECT s.document_id {source} WHERE {condition}{order} "
                                      f"LIMIT {wanted - len(ranked)}", params)
            ranked += [(i, exact) for i in found]
        return [SearchHit(document_id=i, score=0.0, exact=ex) for i, ex in ranked[offset:offset + limit]]

    def _candidates_page(self, session: Session, parsed: ParsedQuery, exact: str, ids: list[int],
                         params: dict[str, object], *, limit: int, offset: int) -> list[SearchHit]:
        """One page past the bound ranked over the bounded candidates (the first ``BOUND + 1`` matches in scope,
        in index order): exact tones first, then the others, each with the whole query side by side first
        (looked for among the first :data:`PHRASE_PROBE` candidates)."""
        wanted = offset + limit
        params.update(cand=_id_array(ids), probe=_id_array(ids[:PHRASE_PROBE]))
        whole = "true"
        if not parsed.code and len(parsed.folded) > 1:
            params["whole"] = _tsquery([[w for p in parsed.folded for w in p]])
            whole = "s.tsv_folded @@ to_tsquery('simple', :whole)"
        ranked: list[tuple[int, bool]] = []
        tiers = [(f"({exact}) AND {whole}", "probe", True), (exact, "cand", True),
                 (f"NOT ({exact}) AND {whole}", "probe", False), (f"NOT ({exact})", "cand", False)]
        for condition, among, ex in tiers if whole != "true" else tiers[1::2]:
            if len(ranked) >= wanted:
                break
            seen = "".join(f" AND t.i <> {i}" for i, _ in ranked)
            # each candidate's row read by its key in the candidates' order, until the page is full
            found = _ids(session, f"SELECT t.i FROM (SELECT u.i, (SELECT {condition} FROM search_docs s WHERE "
                                  f"s.document_id = u.i) AS ok FROM unnest(CAST(:{among} AS integer[])) AS u(i)) AS t "
                                  f"WHERE t.ok{seen} LIMIT {wanted - len(ranked)}", params)
            ranked += [(i, ex) for i in found]
        return [SearchHit(document_id=i, score=0.0, exact=e) for i, e in ranked[offset:offset + limit]]

    def _others_page(self, session: Session, exact: str, ids: list[int], first: list[int], params: dict[str, object],
                     *, whole: str | None, limit: int, offset: int) -> list[SearchHit]:
        """A page past the bound for a query typed without tones: the exact tier ``first`` (read from its own
        index), then the tier of the others taken from the bounded candidates ``ids`` (the first matches in
        scope, in the index's order: the same rows, in the same order, as that tier's own scan would give),
        with the whole query side by side first among the tier's first :data:`PHRASE_PROBE` rows."""
        wanted = offset + limit
        ranked = [(i, True) for i in first]
        params["cand"] = _id_array(ids)
        others = (f"FROM unnest(CAST(:cand AS integer[])) AS u(i) CROSS JOIN LATERAL (SELECT {whole or 'true'} AS w "
                  f"FROM search_docs s WHERE s.document_id = u.i AND NOT ({exact})) AS c")
        if len(ranked) < wanted:
            need = wanted - len(ranked)
            found = (_whole_first(session, f"SELECT u.i, c.w {others}", need, params) if whole is not None
                     else _ids(session, f"SELECT u.i {others} LIMIT {need}", params))
            ranked += [(i, False) for i in found]
        return [SearchHit(document_id=i, score=0.0, exact=e) for i, e in ranked[offset:offset + limit]]

    def _partial(self, session: Session, parsed: ParsedQuery, filters: SearchFilters | None, *, limit: int,
                 offset: int) -> SearchResult:
        """Documents holding some terms (or the query's sign), ranked as :mod:`sohoa.index.partial` ranks them:
        own sign, terms held, closeness, then the text rank of the terms. Candidates as FTS5 takes them: the
        matches of each term held by at most RARE_DOCS documents in scope, and of the sign; when every term is
        more common, the first matches of the first term (then ``total_exact`` is False)."""
        params: dict[str, object] = {"limit": limit, "offset": offset, "any": _tsquery(parsed.folded, " | ")}
        score = _closeness_sql(parsed, params, terms=True)
        source = _JOINED if needs_documents(filters) else _SOURCE
        scope = pg_filter_sql(filters, params)
        terms = [f"s.tsv_folded @@ to_tsquery('simple', :pt{n})" for n in range(len(parsed.folded))]
        terms += ["s.tsv_code @@ to_tsquery('simple', :sg)"] if parsed.embedded_code else []
        found: list[int] = []
        fallback: list[int] = []
        complete = True
        for n, term in enumerate(terms):
            ids = _ids(session, f"SELECT s.document_id {source} WHERE {term}{scope} LIMIT {RARE_DOCS + 1}", params)
            if len(ids) > RARE_DOCS and n < len(parsed.folded):  # a common word brings no candidates
                complete, fallback = False, fallback or ids
                continue
            found += ids[:RARE_DOCS]
        ids = list(dict.fromkeys(found)) or fallback[:large.BOUND]
        if not ids:
            return SearchResult(total=0, partial=True)
        params["ids"] = _id_array(ids)
        rows = session.execute(text(
            f"SELECT s.document_id, {score} AS c, ts_rank(s.tsv_folded, to_tsquery('simple', :any)) AS r "
            f"{_SOURCE} WHERE s.document_id = ANY(CAST(:ids AS integer[])) "
            f"ORDER BY c DESC, r DESC, s.document_id DESC LIMIT :limit OFFSET :offset"), params).all()
        hits = [SearchHit(document_id=int(r[0]), score=round(float(r[2]), 4), exact=False) for r in rows]
        return SearchResult(total=len(ids), hits=hits, total_exact=complete, partial=True)


def _tiers(parsed: ParsedQuery, exact: str, others: str, params: dict[str, object],
           sort: str) -> list[tuple[str, str | None, bool]]:
    """The tiers of a page past the bound (condition, whole-query phrase or None, exact tones): the exact tones
    (``exact``), then the others; for relevance of several words, the whole query side by side first in each
    (as FTS5's :func:`sohoa.index.fts5._phrase_tiers`)."""
    whole = None
    if sort == "relevance" and not parsed.code and len(parsed.folded) > 1:
        params["whole"] = _tsquery([[w for p in parsed.folded for w in p]])
        whole = "s.tsv_folded @@ to_tsquery('simple', :whole)"
    return [(exact, whole, True), (others, whole, False)]
