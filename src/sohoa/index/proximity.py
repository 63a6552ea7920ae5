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
from sohoa.index.rank import rare_phrases

__all__ = ["PROBE", "SEEKS", "SIGN_WEIGHT", "WINDOW", "closeness", "members"]

PROBE = 50  # up to this many ids, membership is found by a seek to each
SIGN_WEIGHT = 100  # the document's own sign in the query outweighs any number of word pairs
# Closeness reorders the best WINDOW matches by BM25 (then recency). A pair holding a word of at most
# RARE_DOCS documents is found by walking its posting lists (cheap: FTS5 skips through the longer list);
# a pair of two common words ("to chuc", "thuc hien": 15 ms a pair on 100,000 documents, ten times that
# on a million) only by seeks to the best SEEKS matches (a phrase seek measured ≈ 0.5 ms).
WINDOW = 50
SEEKS = 10


def members(session: Session, expression: str, ids: Sequence[int], *, seek: bool = False) -> set[int]:
    """Which of ``ids`` match the FTS5 ``expression``: by a seek to each id (``seek``), else by walking the
    expression's posting lists and keeping the ids."""
    if not ids:
        return set()
    if seek:
        sql = "SELECT rowid FROM doc_fts WHERE doc_fts MATCH :e AND rowid IN (SELECT value FROM json_each(:ids))"
    else:  # "+ 0": the list filters FTS5's output instead of one seek per id
        sql = "SELECT rowid FROM doc_fts WHERE doc_fts MATCH :e AND rowid + 0 IN (SELECT value FROM json_each(:ids))"
    return set(id_list(session, sql, {"e": expression, "ids": json.dumps(list(ids))}))


def _phrase(words: Sequence[str]) -> str:
    return '"' + " ".join(w.replace('"', "") for w in words) + '"'


def closeness(session: Session, pairs: Sequence[Sequence[str]], sign: str | None,
              ids: Sequence[int]) -> dict[int, int]:
    """Document id → closeness: :data:`SIGN_WEIGHT` when ``sign`` (a sign-column expression) matches, plus
    one for each of ``pairs`` (folded word pairs) it holds side by side; ids with nothing are left out.
    Give it a bounded list (:data:`WINDOW`)."""
    words = sorted({w for pair in pairs for w in pair})
    rare = {phrase.strip('"') for phrase in rare_phrases(session, "folded", [_phrase([w]) for w in words])} \
        if words else set()
    checks = [(f"folded : {_phrase(pair)}", 1, not rare & set(pair)) for pair in pairs]
    checks += [(sign, SIGN_WEIGHT, False)] if sign else []
    score: dict[int, int] = {}
    for expression, weight, common in checks:
        for i in members(session, expression, ids[:SEEKS] if common else ids, seek=common):
            score[i] = score.get(i, 0) + weight
    return score
