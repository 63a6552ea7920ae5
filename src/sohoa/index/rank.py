"""BM25 for a bounded set of FTS5 matches, at a cost that does not grow with the size of the archive.

FTS5's ``bm25()`` first counts, for every phrase of the MATCH expression, the documents holding it: a
walk over the phrase's whole posting list (about 30 ns a document). With the scope tags in the expression
that walk covers most of the archive (``lvpublic``: 60 % of a million documents) on every query. So the
score is computed by a second statement whose expression holds only the query's own phrases, and only
those held by at most :data:`RARE_DOCS` documents; rows outside the given matches are skipped before the
score is computed. A phrase found in more documents adds little to BM25 (its IDF is low) and would cost
its whole posting list. When every phrase is that common the caller orders by recency instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

__all__ = ["RARE_DOCS", "bm25_scores", "rare_phrases"]

RARE_DOCS = 5_000
_RARE_KEY = "sohoa.index.rank.rare"  # session.info: FTS5 expression → held by at most RARE_DOCS


def rare_phrases(session: Session, column: str, phrases: Sequence[str]) -> list[str]:
    """The phrases held by at most RARE_DOCS documents (each counted only that far). The counts are kept for the
    session (one search): BM25 and closeness ask about the same words."""
    known: dict[str, bool] = session.info.setdefault(_RARE_KEY, {})
    asked = [f"{column} : {p}" for p in phrases]
    missing = list(dict.fromkeys(e for e in asked if e not in known))
    if missing:
        params = {f"p{i}": e for i, e in enumerate(missing)}
        counts = ", ".join(f"(SELECT count(*) FROM (SELECT 1 FROM doc_fts WHERE doc_fts MATCH :p{i} "
                           f"LIMIT {RARE_DOCS + 1}))" for i in range(len(missing)))
        row = session.execute(text(f"SELECT {counts}"), params).one()
        known.update((e, int(n) <= RARE_DOCS) for e, n in zip(missing, row, strict=True))
    return [p for p, e in zip(phrases, asked, strict=True) if known[e]]


def bm25_scores(session: Session, column: str, phrases: Sequence[str], ids: Sequence[int], *,
                any_phrase: bool = False) -> dict[int, float]:
    """Document id → BM25 (higher is better) over the rare ``phrases`` (FTS5-quoted) in ``column``;
    empty when no phrase is rare enough. ``any_phrase``: a document need not hold them all (partial matches)."""
    if not ids or not phrases:
        return {}
    rare = rare_phrases(session, column, phrases)
    if not rare:
        return {}
    joined = (" OR " if any_phrase else " AND ").join(rare)
    # "+ 0" keeps the id list a filter on FTS5's output, not a lookup per id (each would redo the counts).
    found = session.execute(text(
        # MATERIALIZED: bm25() works only in the FTS5 query itself, not flattened into the aggregate.
        "WITH s(i, r) AS MATERIALIZED (SELECT doc_fts.rowid, bm25(doc_fts, 4.0, 1.0, 8.0, 0.0) FROM doc_fts "
        "WHERE doc_fts MATCH :r AND doc_fts.rowid + 0 IN (SELECT value FROM json_each(:ids))) "
        "SELECT json_group_object(i, r) FROM s"),
        {"r": f"{column} : ({joined})", "ids": json.dumps(list(ids))}).scalar_one()
    return {int(i): round(-float(r), 4) for i, r in json.loads(found).items()}
