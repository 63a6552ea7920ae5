"""Bounded work for queries that match very many documents (FTS5).

Counting and BM25-ranking every match costs time in proportion to the matches (a common word in a
million records: tens of thousands of rows, hundreds of milliseconds). Past :data:`BOUND` matches the
index answers with a lower-bound total and gives each exact-tone tier in recency order, streamed by
FTS5 itself (``ORDER BY rowid DESC LIMIT n``: it stops after ``n`` matches in scope), or in the chosen
date order by walking the ``issued_date`` index. Below the bound: exact count, exact tones first, then
BM25 (see :mod:`sohoa.index.rank`).
"""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.orm import Session

from sohoa.domain.search import SearchHit

__all__ = ["BOUND", "id_list", "large_hits"]

BOUND = 2000

# The order inside each tier; every one can be produced by walking an index (no sort of all matches).
_ORDERS = {
    "relevance": "d.id DESC",
    "newest": "d.id DESC",
    "date_desc": "d.issued_date DESC, d.id DESC",
    "date_asc": "d.issued_date ASC, d.id ASC",
}


def id_list(session: Session, select: str, params: dict[str, object]) -> list[int]:
    """The ids a one-column SELECT returns, in its order, fetched as one JSON array (one row, not thousands)."""
    found = session.execute(text(f"WITH q(i) AS ({select}) SELECT json_group_array(i) FROM q"), params).scalar_one()
    return [int(i) for i in json.loads(found)]


def _tier(session: Session, source: str, residual: str, params: dict[str, object], match: str, order: str,
          count: int) -> list[int]:
    """The first ``count`` matches of the expression ``params[match]`` in ``order``."""
    if count <= 0:
        return []
    if order == "d.id DESC":
        # FTS5 hands its matches out by rowid, newest first, and stops at the limit: no set is built.
        sql = (f"SELECT doc_fts.rowid {source} WHERE doc_fts MATCH :{match}{residual} "
               f"ORDER BY doc_fts.rowid DESC LIMIT {int(count)}")
    else:
        # Walk documents in date order and probe the set of matching ids (built once from the doclist).
        sql = (f"SELECT d.id FROM documents d WHERE d.id IN (SELECT rowid FROM doc_fts WHERE doc_fts MATCH "
               f":{match}){residual} ORDER BY {order} LIMIT {int(count)}")
    return id_list(session, sql, params)


def large_hits(session: Session, source: str, residual: str, params: dict[str, object], *, limit: int,
               offset: int, sort: str, tiers: list[tuple[str, bool]] | None = None) -> list[SearchHit]:
    """One page: exact-tone matches first, then the others, each tier in ``sort`` order (recency for relevance).

    ``params`` holds ``:x`` (exact tones, in scope) and ``:mx`` (folded match without the exact ones, in
    scope); ``source`` is ``FROM doc_fts`` with ``documents d`` joined when ``residual`` needs it. ``tiers``
    (FTS5 expressions in scope, and whether their tones match as typed) replaces those two tiers.
    """
    order = _ORDERS.get(sort)
    if order is None:
        raise ValueError(f"unknown sort {sort!r}")
    wanted = offset + limit
    ranked: list[tuple[int, bool]] = []
    for n, (expression, exact) in enumerate(tiers or [(str(params["x"]), True), (str(params["mx"]), False)]):
        found = _tier(session, source, residual, {**params, f"t{n}": expression}, f"t{n}", order,
                      wanted - len(ranked))
        ranked += [(i, exact) for i in found]
    return [SearchHit(document_id=i, score=0.0, exact=ex) for i, ex in ranked[offset:offset + limit]]
