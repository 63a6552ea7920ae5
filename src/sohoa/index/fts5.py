"""SQLite FTS5 search: a tone-folded column for matching, an exact column ranked first, a sign column."""

from __future__ import annotations

import json
import re
import threading

from sqlalchemy import text
from sqlalchemy.orm import Session

from sohoa.domain.search import IndexDoc, SearchFilters, SearchHit, SearchResult
from sohoa.domain.text import canonical_text, fold
from sohoa.index.columns import SORTS
from sohoa.index.filters import residual_sql
from sohoa.index.large import BOUND, id_list, large_hits
from sohoa.index.partial import PartialQuery, partial_hits, sequence_terms
from sohoa.index.proximity import WINDOW, closeness
from sohoa.index.query import ParsedQuery, code_tokens, parse_query
from sohoa.index.rank import bm25_scores
from sohoa.index.tags import TAGS_SQL, scope_expression

__all__ = ["CODE_MARK", "EXACT_MARK", "JOINED_MAX", "Fts5Index", "code_column", "exact_column", "fts_expression",
           "joined_sign", "order_sql"]

# Every word of the exact column starts with this letter (U+01C0, a letter no Vietnamese text or fold holds):
# the exact and folded columns then share no term, and "exact : khieu" reads the posting list of the exact
# spelling only, not that of every document holding "khieu" in its folded text (FTS5 keeps one list per term
# for all columns and filters columns while walking it).
EXACT_MARK = "\u01c0"
CODE_MARK = "\u01c1"  # the same for the sign column: "816" of a sign is not the "816" of body text
_WORD = re.compile(r"\w+")
_PART = re.compile(r"[^\W_]+")  # a token as FTS5's unicode61 reads it (no underscore)
# The sign column also holds each run of 2..JOINED_MAX consecutive sign tokens as one term ("ǁ816ǁqdǁubnd",
# migration z0d1): a sign looked up whole, or in part, is one posting list instead of an intersection of its
# tokens' ("ǁubnd" is in a sixth of the archive). A run holds the mark before each token, so it is never one
# of the single tokens, and FTS5 matches it exactly where the phrase of those tokens matches.
JOINED_MAX = 6
PROBE = 50  # up to this many matches, the exact-tone ones are found by a seek to each (≈ 25 µs a seek)


def joined_sign(tokens: list[str]) -> str | None:
    """The one term of the sign column standing for these tokens side by side, or None (one token, too many,
    or a token FTS5 reads as several)."""
    if not 2 <= len(tokens) <= JOINED_MAX or not all(_PART.fullmatch(t) for t in tokens):
        return None
    return "".join(CODE_MARK + t for t in tokens)


def _sign_phrase(tokens: list[str]) -> str:
    """The sign column's tokens in order: the joined term when there is one, else the phrase."""
    joined = joined_sign(tokens)
    return _phrase([joined]) if joined else _phrase([CODE_MARK + t for t in tokens])


def _sign_expression(tokens: list[str] | None) -> str | None:
    """The sign column holding these số/ký hiệu tokens in order, or None."""
    return f"code : {_sign_phrase(tokens)}" if tokens else None


def exact_column(canonical: str) -> str:
    """The exact column's text: the canonical text with :data:`EXACT_MARK` before each word."""
    return _WORD.sub(lambda m: EXACT_MARK + m.group(0), canonical)


def code_column(sign: str) -> str:
    """The sign column's text: the sign's tokens (any spacing), each after :data:`CODE_MARK`, then every run of
    2 to :data:`JOINED_MAX` consecutive tokens joined into one term (see :func:`joined_sign`)."""
    tokens = code_tokens(sign)
    parts = [p for t in tokens for p in _PART.findall(t)]  # the tokens FTS5 sees (an underscore splits)
    runs = ["".join(CODE_MARK + p for p in parts[i:j])
            for i in range(len(parts)) for j in range(i + 2, min(len(parts), i + JOINED_MAX) + 1)]
    return " ".join([CODE_MARK + token for token in tokens] + runs)


def _phrase(words: list[str]) -> str:
    return '"' + " ".join(w.replace('"', "") for w in words) + '"'


def fts_expression(column: str, phrases: list[list[str]]) -> str:
    """A column-filtered AND of phrases, e.g. ``folded : ("hoa binh" AND "quyet")``."""
    return f"{column} : (" + " AND ".join(_phrase(p) for p in phrases) + ")"


def order_sql(sort: str, rank: str) -> str:
    """ORDER BY after the exact-tone tier: the sort's columns, or the rank for relevance."""
    extra = SORTS.get(sort)
    if extra is None:
        raise ValueError(f"unknown sort {sort!r}")
    return f"ex DESC, {extra or rank}"


class Fts5Index:
    """Search over the ``doc_fts`` virtual table (migration 0002; ``tags`` column and triggers: 0003)."""

    def __init__(self) -> None:
        # The bounded matches of this thread's last search past the bound (BOUND + 1, in FTS5's order): the facets
        # of the same request (sampled over the first BOUND matches) count them instead of a second MATCH.
        self._recent = threading.local()

    def upsert(self, session: Session, doc: IndexDoc) -> None:
        exact = canonical_text(doc.text)
        session.execute(text("DELETE FROM doc_fts WHERE rowid = :id"), {"id": doc.document_id})
        # The tags come from the documents row itself (one SQL expression: upsert, triggers, backfill).
        session.execute(
            text("INSERT INTO doc_fts(rowid, exact, folded, code, tags) VALUES (:id, :exact, :folded, :code, "
                 f"coalesce((SELECT {TAGS_SQL} FROM documents d WHERE d.id = :id), ''))"),
            {"id": doc.document_id, "exact": exact_column(exact), "folded": fold(exact),
             "code": code_column(doc.codes)},
        )

    def delete(self, session: Session, document_id: int) -> None:
        session.execute(text("DELETE FROM doc_fts WHERE rowid = :id"), {"id": document_id})

    def _match(self, parsed: ParsedQuery, filters: SearchFilters | None, params: dict[str, object]) -> str:
        """Sets ``:m`` (folded match), ``:x`` (exact tones), ``:mx`` (folded, not exact), all in scope;
        returns the SQL residue of the filters (``AND …`` over ``d``)."""
        if parsed.code:
            match = exact = str(_sign_expression(parsed.code))
        else:
            marked = [[EXACT_MARK + w for w in phrase] for phrase in parsed.exact]
            match, exact = _text_match(parsed, "folded", parsed.folded), _text_match(parsed, "exact", marked)
        scoped = scope_expression(match, filters)
        params.update(m=scoped, x=scope_expression(exact, filters), mx=f"({scoped}) NOT ({exact})", xt=exact)
        return residual_sql(filters, params)

    def base_sql(self, query: str, filters: SearchFilters | None, params: dict[str, object]) -> str | None:
        """``FROM … WHERE …`` over the matching documents (alias ``d``); ``:x`` is the exact-tone match."""
        parsed = parse_query(query)
        if parsed.empty:
            return None
        recent = getattr(self._recent, "matches", None)
        if recent is not None and recent[0] == (query, repr(filters)):
            self._recent.matches = None  # once: for the facets of that search
            params["sampled"] = json.dumps(recent[1][:BOUND])
            # the same rows, in the same order, as the MATCH below (they were read in scope by it)
            return "FROM documents d WHERE d.id IN (SELECT value FROM json_each(:sampled))"
        residual = self._match(parsed, filters, params)
        return f"FROM doc_fts JOIN documents d ON d.id = doc_fts.rowid WHERE doc_fts MATCH :m{residual}"

    def search(self, session: Session, query: str, filters: SearchFilters | None = None, *, limit: int = 20,
               offset: int = 0, sort: str = "relevance", facets: bool = False) -> SearchResult:
        """Tone-insensitive match; rows whose tones match as typed come first, then by BM25 (or ``sort``).
        ``facets`` changes nothing here: :func:`sohoa.index.facets.facet_counts` counts them (over the bounded
        matches this search keeps, past the bound)."""
        order_sql(sort, "r")  # unknown sorts fail before any work
        parsed = parse_query(query)
        if parsed.empty:
            return SearchResult(total=0)
        params: dict[str, object] = {}
        residual = self._match(parsed, filters, params)
        # documents is joined only for what the tags cannot answer (SQL filters) and for date orders.
        source = "FROM doc_fts" + (" JOIN documents d ON d.id = doc_fts.rowid" if residual or sort != "relevance"
                                   else "")
        ids = id_list(session, f"SELECT doc_fts.rowid {source} WHERE doc_fts MATCH :m{residual} LIMIT {BOUND + 1}",
                      params)
        self._recent.matches = ((query, repr(filters)), ids) if len(ids) > BOUND else None
        if not ids and len(parsed.folded) > 1:  # no document holds every term: the best partial matches
            return partial_hits(session, _partial_query(parsed, filters), source, residual, params, limit=limit,
                                offset=offset)
        if len(ids) > BOUND:  # bounded work for very common words: see sohoa.index.large
            # relevance: the whole query as typed, side by side, first in each tone tier
            tiers = _phrase_tiers(session, parsed, params) if sort == "relevance" and len(parsed.folded) > 1 \
                else None
            hits = large_hits(session, source, residual, params, limit=limit, offset=offset, sort=sort, tiers=tiers)
            return SearchResult(total=len(ids), hits=hits, total_exact=False)
        exact = set(ids) if parsed.code else _exact_ids(session, source, residual, params, ids)
        scores, ordered = _order(session, parsed, ids, exact, sort)
        hits = [SearchHit(document_id=i, score=scores.get(i, 0.0), exact=i in exact)
                for i in ordered[offset:offset + limit]]
        return SearchResult(total=len(ids), hits=hits)


def _exact_ids(session: Session, source: str, residual: str, params: dict[str, object],
               ids: list[int]) -> set[int]:
    """Which of the matches have the tones as typed: a few are probed one by one (FTS5 seeks to each id);
    more are found by running the exact-tone match in scope (cheaper than thousands of seeks)."""
    if len(ids) <= PROBE:
        probe = {"xt": params["xt"], "ids": json.dumps(ids)}
        return set(id_list(session, "SELECT rowid FROM doc_fts WHERE doc_fts MATCH :xt AND rowid IN "
                                    "(SELECT value FROM json_each(:ids))", probe))
    return set(id_list(session, f"SELECT doc_fts.rowid {source} WHERE doc_fts MATCH :x{residual}", params))


def _text_match(parsed: ParsedQuery, column: str, phrases: list[list[str]]) -> str:
    """Every phrase in ``column``; the words of a sign written in the query may be the document's own sign."""
    rest, sign = parsed.split_sign(phrases)
    if not sign:
        return fts_expression(column, phrases)
    return f"({fts_expression(column, rest)}) AND ({fts_expression(column, sign)} OR " \
           f"{_sign_expression(parsed.embedded_code)})"


def _partial_query(parsed: ParsedQuery, filters: SearchFilters | None) -> PartialQuery:
    phrases = [_phrase(p) for p in parsed.folded]
    return PartialQuery(terms=sequence_terms("folded", phrases), phrases=phrases,
                        pairs=parsed.pairs(),
                        sign=_sign_expression(parsed.embedded_code),
                        scope=lambda expression: scope_expression(expression, filters))


def _phrase_tiers(session: Session, parsed: ParsedQuery, params: dict[str, object]) -> list[tuple[str, bool]] | None:
    """The tiers of :func:`sohoa.index.large.large_hits` split by the whole query as one phrase; None (the two tone
    tiers) when no document at all holds that phrase: finding that out is one walk of the phrase's own doclists
    (forwards, stopping at the first match), several times cheaper than FTS5's walk of "exact tones AND the
    phrase, in scope, newest first" to find nothing (a name of two common words: 12–26 ms against 77–89 ms at
    500,000 documents)."""
    whole = fts_expression("folded", [[w for p in parsed.folded for w in p]])
    if session.execute(text("SELECT 1 FROM doc_fts WHERE doc_fts MATCH :w LIMIT 1"), {"w": whole}).first() is None:
        return None
    exact, folded = str(params["x"]), str(params["mx"])
    return [(f"({exact}) AND ({whole})", True), (f"({exact}) NOT ({whole})", True),
            (f"({folded}) AND ({whole})", False), (f"({folded}) NOT ({whole})", False)]


def _order(session: Session, parsed: ParsedQuery, ids: list[int], exact: set[int],
           sort: str) -> tuple[dict[int, float], list[int]]:
    """Exact tones first; then closeness (words side by side, the query's own sign: sohoa.index.proximity),
    then BM25 (recency when every word is common, see sohoa.index.rank), or ``sort``."""
    if sort == "relevance":
        column, phrases = (("code", [_sign_phrase(parsed.code)]) if parsed.code
                           else ("folded", [_phrase(p) for p in parsed.split_sign(parsed.folded)[0]]))
        scores = bm25_scores(session, column, phrases, ids)  # the sign in a longer query: by closeness
        ranked = sorted(ids, key=lambda i: (i not in exact, -scores.get(i, 0.0), -i))
        window = ranked[:WINDOW]  # bounded work: closeness reorders the best WINDOW (sohoa.index.proximity)
        close = closeness(session, parsed.pairs(), _sign_expression(parsed.embedded_code), window)
        head = sorted(window, key=lambda i: (i not in exact, -close.get(i, 0), -scores.get(i, 0.0), -i))
        return scores, head + ranked[WINDOW:]
    rows = session.execute(text(f"SELECT d.id FROM documents d WHERE d.id IN (SELECT value FROM json_each(:ids)) "
                                f"ORDER BY {SORTS[sort]}"), {"ids": json.dumps(ids)})
    position = {int(r[0]): n for n, r in enumerate(rows)}
    return {}, sorted(ids, key=lambda i: (i not in exact, position.get(i, len(position))))
