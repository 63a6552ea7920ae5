"""How close a match is to the query as typed (FTS5): its words side by side, its own số/ký hiệu.

A query of several words matches every document that holds them all, anywhere: "quyết định" matches a
text about "giải quyết … quy định". Among the matches (after the exact-tone tier) documents are ordered
by *closeness*: the number of the query's neighbouring word pairs found side by side in the document
(tone-insensitive; "quyết định" → the pair "quyet dinh"), and, before that, whether the document's own
số/ký hiệu (sign column) is the one written in the query. PostgreSQL computes the same number in SQL
(:mod:`sohoa.index.postgres`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlalchemy.orm import Session

from sohoa.index.large import id_list

__all__ = ["PROBE", "SIGN_WEIGHT", "WINDOW", "closeness", "members"]

PROBE = 50  # up to this many ids, membership is found by a seek to each (≈ 25 µs a seek)
SIGN_WEIGHT = 100  # the document's own sign in the query outweighs any number of word pairs
# Closeness is computed for the best WINDOW matches by BM25 (then recency), by seeks: at most WINDOW × 9
# seeks whatever the size of the archive. Walking a pair of common words ("to chuc", "thuc hien") over the
# whole archive instead cost 15 ms a pair on 100,000 documents, ten times that on a million.
WINDOW = 50


def members(session: Session, expression: str, ids: Sequence[int], *, seek: bool = False) -> set[int]:
    """Which of ``ids`` match the FTS5 ``expression``: seeks for a few ids (or with ``seek``), a walk of its
    posting lists for more."""
    if not ids:
        return set()
    if seek or len(ids) <= PROBE:
        sql = "SELECT rowid FROM doc_fts WHERE doc_fts MATCH :e AND rowid IN (SELECT value FROM json_each(:ids))"
    else:  # "+ 0": the list filters FTS5's output instead of one seek per id
        sql = "SELECT rowid FROM doc_fts WHERE doc_fts MATCH :e AND rowid + 0 IN (SELECT value FROM json_each(:ids))"
    return set(id_list(session, sql, {"e": expression, "ids": json.dumps(list(ids))}))


def closeness(session: Session, pairs: Sequence[str], sign: str | None, ids: Sequence[int]) -> dict[int, int]:
    """Document id → closeness: :data:`SIGN_WEIGHT` when ``sign`` (a sign-column expression) matches, plus
    one for each of ``pairs`` (FTS5 phrase expressions) it holds; ids with nothing are left out. One seek
    per id and expression: give it a bounded list (:data:`WINDOW`)."""
    score: dict[int, int] = {}
    for expression, weight in [(p, 1) for p in pairs] + ([(sign, SIGN_WEIGHT)] if sign else []):
        for i in members(session, expression, ids, seek=True):
            score[i] = score.get(i, 0) + weight
    return score
