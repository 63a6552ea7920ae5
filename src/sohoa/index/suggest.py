""""Did you mean": when a query word is rare (only OCR-misspelled forms carry it), offer a frequent
word one edit away, written with the tones found in the documents.

Every count and the toned form come from the caller's scope (the ``SearchFilters`` of the access policy):
a word that occurs only in documents the caller may not see is never counted, so never suggested. The
whole index is read only to learn which neighbours exist at all (absent words are the common case and
cost nothing); their frequency is then counted in scope.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

from sohoa.domain.search import SearchFilters
from sohoa.index.filters import residual_sql
from sohoa.index.fts5 import EXACT_MARK
from sohoa.index.pg_tags import needs_documents, pg_filter_sql
from sohoa.index.query import fold_aligned, parse_query
from sohoa.index.tags import scope_expression

__all__ = ["edit_candidates", "suggest_query", "term_doc_counts"]

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
# Letter shapes Tesseract confuses beyond single edits (folded forms).
_OCR_SWAPS = (("rn", "m"), ("m", "rn"), ("cl", "d"), ("d", "cl"), ("li", "h"), ("h", "li"), ("vv", "w"))
RARE = 3        # a word in at most this many documents may be a misspelling
FACTOR = 3      # ... when a neighbour is in at least FACTOR times as many
COUNT_CAP = 20_000  # counts stop here: past it a neighbour is just "very frequent" (ties: by the word)
# Bounded work: each probed word costs one count per edit candidate (≈ 72 × its length), so only the first
# few rare words, of a length a misspelled word has, are probed.
MAX_PROBED_WORDS = 4
MAX_PROBED_CHARS = 20
SPELLING_SAMPLE = 25  # documents read to learn how the archive spells a suggested word


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


def term_doc_counts(session: Session, terms: Iterable[str], *, cap: int = COUNT_CAP,
                    scope: SearchFilters | None = None) -> dict[str, int]:
    """How many documents (of ``scope``; None: the whole index) hold each folded term, counted up to
    ``cap`` (absent terms left out).

    Counting stops at ``cap`` because a full count walks the term's whole posting list (a common word:
    most of the archive, tens of milliseconds at a million documents) and the rules below only compare
    rare words with much more frequent ones.
    """
    wanted = sorted(set(terms))
    if not wanted:
        return {}
    if scope is not None:
        return _scoped_counts(session, wanted, cap, scope)
    if session.get_bind().dialect.name == "sqlite":
        rows = session.execute(text(
            "SELECT t.value, (SELECT count(*) FROM (SELECT 1 FROM doc_fts WHERE doc_fts MATCH "
            "('folded : \"' || replace(t.value, '\"', '\"\"') || '\"') LIMIT :cap)) AS n "
            "FROM json_each(:terms) AS t"), {"terms": json.dumps(wanted), "cap": cap}).all()
        return {str(t): int(n) for t, n in rows if n}
    rows = session.execute(text(  # PostgreSQL: the same bounded count (LIMIT inside, as FTS5's)
        "SELECT t, (SELECT count(*) FROM (SELECT 1 FROM search_docs s WHERE s.tsv_folded @@ to_tsquery('simple', t) "
        "LIMIT :cap) AS hits) FROM unnest(CAST(:terms AS text[])) AS t"), {"terms": wanted, "cap": cap}).all()
    return {str(t): int(n) for t, n in rows if n}


def _term_sql(session: Session, term: str, scope: SearchFilters | None, params: dict[str, object]) -> str:
    """``FROM … WHERE …`` over the index rows of ``scope`` that hold the folded ``term`` (column ``exact``)."""
    if session.get_bind().dialect.name == "sqlite":  # as Fts5Index matches: tags, then the SQL residue
        params["m"] = scope_expression(f'folded : "{term.replace(chr(34), "")}"', scope)
        residue = residual_sql(scope, params)
        return f"FROM doc_fts JOIN documents d ON d.id = doc_fts.rowid WHERE doc_fts MATCH :m{residue}"
    params["m"] = term  # PostgreSQL: the scope from the index row's tags (pg_tags), documents only if needed
    source = "search_docs s JOIN documents d ON d.id = s.document_id" if needs_documents(scope) else "search_docs s"
    return f"FROM {source} WHERE s.tsv_folded @@ to_tsquery('simple', :m)" + pg_filter_sql(scope, params)


def _scoped_counts(session: Session, terms: list[str], cap: int, scope: SearchFilters) -> dict[str, int]:
    """Counts within ``scope`` of the terms the whole index holds (the others cost one cheap look-up)."""
    present = term_doc_counts(session, terms, cap=1)
    out: dict[str, int] = {}
    for term in sorted(present):
        params: dict[str, object] = {"cap": cap}
        found = session.execute(text(f"SELECT count(*) FROM (SELECT 1 {_term_sql(session, term, scope, params)} "
                                     "LIMIT :cap) AS hits"), params).scalar_one()
        if found:
            out[term] = int(found)
    return out


def _toned_form(session: Session, word: str, scope: SearchFilters | None = None) -> str:
    """The word as the documents (of ``scope``) spell it (tones and all): the most frequent spelling among the
    first :data:`SPELLING_SAMPLE` documents that hold it (ties: the one with more marks), not whichever document
    the index hands out first — that one may be the lone page that lost its tones."""
    params: dict[str, object] = {}
    column = "exact" if session.get_bind().dialect.name == "sqlite" else "s.exact"
    samples = session.execute(text(f"SELECT {column} {_term_sql(session, word, scope, params)} "
                                   f"LIMIT {SPELLING_SAMPLE}"), params).scalars().all()
    forms: Counter[str] = Counter()
    for sample in samples:
        flat = str(sample or "").replace(EXACT_MARK, "")
        found = re.search(rf"\b{re.escape(word)}\b", fold_aligned(flat))
        if found:
            forms[flat[found.start():found.end()].lower()] += 1
    if not forms:
        return word
    return max(forms.items(), key=lambda kv: (kv[1], sum(not c.isascii() for c in kv[0]), kv[0]))[0]


def suggest_query(session: Session, query: str, scope: SearchFilters | None = None) -> str | None:
    """A corrected query when some word is rare and a neighbour is far more frequent, both counted in
    ``scope`` (the caller's access scope; None: the whole index, for the local operator); else None."""
    parsed = parse_query(query)
    if parsed.empty or parsed.code:
        return None
    words = [w for phrase in parsed.folded for w in phrase]
    counts = term_doc_counts(session, words, scope=scope)
    replaced: dict[str, str] = {}
    rare = [w for w in dict.fromkeys(words) if counts.get(w, 0) <= RARE and not w.isdigit()
            and len(w) <= MAX_PROBED_CHARS]
    for word in rare[:MAX_PROBED_WORDS]:
        seen = counts.get(word, 0)
        neighbours = term_doc_counts(session, edit_candidates(word), scope=scope)
        best = max(neighbours.items(), key=lambda kv: (kv[1], kv[0]), default=None)
        if best and best[1] >= FACTOR * max(seen, 1):
            replaced[word] = _toned_form(session, best[0], scope)
    if not replaced:
        return None
    out = []
    for exact_phrase, folded_phrase in zip(parsed.exact, parsed.folded, strict=True):
        words_out = [replaced.get(f, e) for e, f in zip(exact_phrase, folded_phrase, strict=True)]
        out.append(" ".join(words_out) if len(words_out) == 1 else '"' + " ".join(words_out) + '"')
    return " ".join(out)
