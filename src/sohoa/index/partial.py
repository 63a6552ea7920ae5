"""Partial matches (FTS5): when no document holds every word of the query, the ones holding most of them.

A citizen types the number, sign and issuer ("Công văn 5348/CT-CS Cục Thuế") and the text lacks its
header: the AND of the words finds nothing. Then each term of the query (a word, or a quoted phrase) is
looked up alone, in the caller's scope, and the documents are ranked by: their own số/ký hiệu is the one
in the query; how many terms they hold; how close (:mod:`sohoa.index.proximity`); BM25 over the terms.

Bounded work: a term held by more than :data:`~sohoa.index.rank.RARE_DOCS` documents in scope does not
bring candidates (its newest matches are read up to that bound and kept only when no term is rarer); it
is counted for the best :data:`~sohoa.index.proximity.PROBE` candidates only. PostgreSQL ranks by the
same keys in SQL (:mod:`sohoa.index.postgres`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from sohoa.domain.search import SearchHit, SearchResult
from sohoa.index.large import BOUND, id_list
from sohoa.index.proximity import PROBE, SIGN_WEIGHT, closeness, members
from sohoa.index.rank import RARE_DOCS, bm25_scores

__all__ = ["PartialQuery", "partial_hits"]


@dataclass(frozen=True)
class PartialQuery:
    """The query's terms as FTS5 expressions (column-filtered), its word pairs, and its embedded sign."""

    terms: list[str]          # e.g. 'folded : "quyet"'
    phrases: list[str]        # the same terms, FTS5-quoted, without the column (for BM25)
    pairs: list[list[str]]    # the query's neighbouring words (folded): [["quyet", "dinh"], …]
    sign: str | None          # 'code : "ǁ84 ǁ2025 ǁqd ǁubnd"' or None
    scope: Callable[[str], str]  # an expression → the same in the caller's scope (tags)


def _matches(session: Session, source: str, residual: str, params: dict[str, object], expression: str) -> list[int]:
    """The newest matches of ``expression`` in scope, at most RARE_DOCS + 1 of them."""
    sql = (f"SELECT doc_fts.rowid {source} WHERE doc_fts MATCH :pt{residual} "
           f"ORDER BY doc_fts.rowid DESC LIMIT {RARE_DOCS + 1}")
    return id_list(session, sql, {**params, "pt": expression})


def _candidates(session: Session, query: PartialQuery, source: str, residual: str,
                params: dict[str, object]) -> tuple[dict[int, int], list[str], bool]:
    """Candidate → score (sign weight + rare terms held), the common terms, and whether the set is complete."""
    score: dict[int, int] = {}
    common: list[str] = []
    fallback: list[int] = []
    for term in query.terms:
        found = _matches(session, source, residual, params, query.scope(term))
        if len(found) > RARE_DOCS:
            common.append(term)
            fallback = fallback or found
            continue
        for i in found:
            score[i] = score.get(i, 0) + 1
    if query.sign:
        for i in _matches(session, source, residual, params, query.scope(query.sign))[:RARE_DOCS]:
            score[i] = score.get(i, 0) + SIGN_WEIGHT
    complete = not common
    if not score and fallback:  # every term is common: the newest documents holding the first of them
        score = {i: 0 for i in fallback[:BOUND]}
    return score, common, complete


def partial_hits(session: Session, query: PartialQuery, source: str, residual: str, params: dict[str, object], *,
                 limit: int, offset: int) -> SearchResult:
    """One page of partial matches, best first (``partial=True``); empty when no term matches at all."""
    score, common, complete = _candidates(session, query, source, residual, params)
    if not score:
        return SearchResult(total=0, partial=True)
    ids = list(score)
    bm25 = bm25_scores(session, "folded", query.phrases, ids, any_phrase=True)
    ranked = sorted(ids, key=lambda i: (-score[i], -bm25.get(i, 0.0), -i))
    top = ranked[:PROBE]
    for term in common:  # counted for the best candidates only (bounded work)
        for i in members(session, term, top):
            score[i] += 1
    close = closeness(session, query.pairs, None, top)
    head = sorted(top, key=lambda i: (-score[i], -close.get(i, 0), -bm25.get(i, 0.0), -i))
    ordered = head + ranked[len(top):]
    hits = [SearchHit(document_id=i, score=float(score[i]), exact=False) for i in ordered[offset:offset + limit]]
    return SearchResult(total=len(ids), hits=hits, total_exact=complete, partial=True)


def sequence_terms(column: str, phrases: Sequence[str]) -> list[str]:
    """``column : phrase`` for each FTS5-quoted phrase."""
    return [f"{column} : {p}" for p in phrases]
