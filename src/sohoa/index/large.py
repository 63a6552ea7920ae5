"""Bounded work for queries that match very many documents (FTS5).

Counting and BM25-ranking every match costs time in proportion to the matches (a common word in a
million records: tens of thousands of rows, hundreds of milliseconds). Past :data:`BOUND` matches the
index answers with a lower-bound total and orders each exact-tone tier by recency (or by the chosen date
sort) walking an index, which touches only about ``limit / selectivity`` rows. Below the bound nothing
changes: exact count, exact tones first, then BM25.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from sohoa.index.base import SearchHit

__all__ = ["BOUND", "bounded_count", "large_hits"]

BOUND = 2000

# The order inside each tier; every one can be produced by walking an index (no sort of all matches).
_ORDERS = {
    "relevance": "d.id DESC",
    "newest": "d.id DESC",
    "date_desc": "d.issued_date DESC, d.id DESC",
    "date_asc": "d.issued_date ASC, d.id ASC",
}


def bounded_count(session: Session, base: str, params: dict[str, object]) -> int:
    """The number of matches, counted up to ``BOUND + 1``."""
    return int(session.execute(text(f"SELECT count(*) FROM (SELECT 1 {base} LIMIT {BOUND + 1})"), params)
               .scalar_one())


def _tier(session: Session, filters_sql: str, params: dict[str, object], match: str, exclude: str | None,
          order: str, count: int) -> list[int]:
    if count <= 0:
        return []
    # Walk documents in the wanted order and probe the set of matching ids (built once from the doclist).
    not_exact = f" AND d.id NOT IN (SELECT rowid FROM doc_fts WHERE doc_fts MATCH :{exclude})" if exclude else ""
    sql = (f"SELECT d.id FROM documents d WHERE d.id IN (SELECT rowid FROM doc_fts WHERE doc_fts MATCH :{match})"
           f"{not_exact}{filters_sql} ORDER BY {order} LIMIT {int(count)}")
    return [int(r[0]) for r in session.execute(text(sql), params)]


def large_hits(session: Session, filters_sql: str, params: dict[str, object], *, limit: int, offset: int,
               sort: str) -> list[SearchHit]:
    """One page: exact-tone matches first, then the others, each tier in ``sort`` order (recency for relevance)."""
    order = _ORDERS.get(sort)
    if order is None:
        raise ValueError(f"unknown sort {sort!r}")
    wanted = offset + limit
    exact = _tier(session, filters_sql, params, "x", None, order, wanted)
    rest = _tier(session, filters_sql, params, "m", "x", order, wanted - len(exact))
    ranked = [(i, True) for i in exact] + [(i, False) for i in rest]
    return [SearchHit(document_id=i, score=0.0, exact=ex) for i, ex in ranked[offset:offset + limit]]
