""""Did you mean": when a query word is rare (only OCR-misspelled forms carry it), offer a frequent
word one edit away, written with the tones found in the documents."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

from sohoa.index.fts5 import EXACT_MARK
from sohoa.index.query import fold_aligned, parse_query

__all__ = ["edit_candidates", "suggest_query", "term_doc_counts"]

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
# Letter shapes Tesseract confuses beyond single edits (folded forms).
_OCR_SWAPS = (("rn", "m"), ("m", "rn"), ("cl", "d"), ("d", "cl"), ("li", "h"), ("h", "li"), ("vv", "w"))
RARE = 3        # a word in at most this many documents may be a misspelling
FACTOR = 3      # ... when a neighbour is in at least FACTOR times as many
COUNT_CAP = 20_000  # counts stop here: past it a neighbour is just "very frequent" (ties: by the word)


def edit_candidates(word: str) -> set[str]:
    """Every folded string one edit (delete, transpose, replace, insert) or one OCR swap away."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    out |= {a + c + b for a, b in splits for c in _ALPHABET}
    for wrong, right in _OCR_SWAPS:
        start = word.find(wrong)
        while start >= 0:
            out.add(word[:start] + right + word[start + len(wrong):])
            start = word.find(wrong, start + 1)
    out.discard(word)
    return {w for w in out if w}


def term_doc_counts(session: Session, terms: Iterable[str], *, cap: int = COUNT_CAP) -> dict[str, int]:
    """How many documents hold each folded term, counted up to ``cap`` (absent terms left out).

    Counting stops at ``cap`` because a full count walks the term's whole posting list (a common word:
    most of the archive, tens of milliseconds at a million documents) and the rules below only compare
    rare words with much more frequent ones.
    """
    wanted = sorted(set(terms))
    if not wanted:
        return {}
    if session.get_bind().dialect.name == "sqlite":
        rows = session.execute(text(
            "SELECT t.value, (SELECT count(*) FROM (SELECT 1 FROM doc_fts WHERE doc_fts MATCH "
            "('folded : \"' || replace(t.value, '\"', '\"\"') || '\"') LIMIT :cap)) AS n "
            "FROM json_each(:terms) AS t"), {"terms": json.dumps(wanted), "cap": cap}).all()
        return {str(t): int(n) for t, n in rows if n}
    rows = session.execute(text(
        "SELECT t, (SELECT count(*) FROM search_docs s WHERE s.tsv_folded @@ to_tsquery('simple', t)) "
        "FROM unnest(CAST(:terms AS text[])) AS t"), {"terms": wanted}).all()
    return {str(t): min(int(n), cap) for t, n in rows if n}


def _toned_form(session: Session, word: str) -> str:
    """The word as the documents spell it (tones and all), from one document that has it."""
    if session.get_bind().dialect.name == "sqlite":
        sample = session.execute(text("SELECT exact FROM doc_fts WHERE doc_fts MATCH :m LIMIT 1"),
                                 {"m": f'folded : "{word}"'}).scalar()
    else:
        sample = session.execute(text("SELECT exact FROM search_docs WHERE tsv_folded @@ "
                                      "to_tsquery('simple', :m) LIMIT 1"), {"m": word}).scalar()
    if not sample:
        return word
    flat = str(sample).replace(EXACT_MARK, "")
    found = re.search(rf"\b{re.escape(word)}\b", fold_aligned(flat))
    return flat[found.start():found.end()].lower() if found else word


def suggest_query(session: Session, query: str) -> str | None:
    """A corrected query when some word is rare and a neighbour is far more frequent; else None."""
    parsed = parse_query(query)
    if parsed.empty or parsed.code:
        return None
    words = [w for phrase in parsed.folded for w in phrase]
    counts = term_doc_counts(session, words)
    replaced: dict[str, str] = {}
    for word in set(words):
        seen = counts.get(word, 0)
        if seen > RARE or word.isdigit():
            continue
        neighbours = term_doc_counts(session, edit_candidates(word))
        best = max(neighbours.items(), key=lambda kv: (kv[1], kv[0]), default=None)
        if best and best[1] >= FACTOR * max(seen, 1):
            replaced[word] = _toned_form(session, best[0])
    if not replaced:
        return None
    out = []
    for exact_phrase, folded_phrase in zip(parsed.exact, parsed.folded, strict=True):
        words_out = [replaced.get(f, e) for e, f in zip(exact_phrase, folded_phrase, strict=True)]
        out.append(" ".join(words_out) if len(words_out) == 1 else '"' + " ".join(words_out) + '"')
    return " ".join(out)
