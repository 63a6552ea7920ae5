"""Parse a user query into exact-tone and tone-folded forms, phrases, and số/ký hiệu lookups."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sohoa.domain.errors import ValidationFailed
from sohoa.domain.search import MAX_QUERY_CHARS
from sohoa.domain.text import canonical_text, fold

__all__ = ["MAX_PAIRS", "MAX_QUERY_CHARS", "MAX_QUERY_WORDS", "ParsedQuery", "QueryTooLarge", "check_query_length",
           "code_tokens", "fold_aligned", "parse_query"]

# Bounded work whatever the caller: every phrase is one more posting list to walk, snippet pattern and
# highlight scan, and every word one more "did you mean" probe. The operator's limit on characters
# (``SOHOA_MAX_QUERY_CHARS``, at most :data:`MAX_QUERY_CHARS`) is checked by the services; the parser's own
# ceilings hold for every caller.
MAX_QUERY_WORDS = 32      # words in all phrases together (so at most 32 phrases)
MAX_PAIRS = 8             # adjacent word pairs checked for proximity (one index probe each)

_SIGN = re.compile(
    r"^\s*(?:s[ốôo6]\s*:?\s*)?(\d{1,6})\s*(?:/\s*(\d{4})\s*)?/\s*([A-ZĐa-zđ][A-Za-zĐđ0-9]*(?:\s*-\s*[A-ZĐa-zđ][A-Za-zĐđ0-9]*)*)\s*$",
    re.IGNORECASE,
)
_PARTY_SIGN = re.compile(r"^\s*(\d{1,6})\s*-\s*([A-ZĐa-zđ]+)\s*/\s*([A-ZĐa-zđ0-9]+(?:\s*-\s*[A-ZĐa-zđ0-9]+)*)\s*$")
_TERM = re.compile(r'"([^"]+)"|(\S+)')
# A số/ký hiệu written inside a longer query ("Quyết định 84/2025/QĐ-UBND Tỉnh Hà Tĩnh", "Chỉ thị 15-CT/TU").
_EMBEDDED_SIGN = re.compile(r"(?<![\w/])(\d{1,6}(?:/\d{4})?/[A-ZĐa-zđ][A-Za-zĐđ0-9]*(?:-[A-ZĐa-zđ0-9]+)*"
                            r"|\d{1,6}-[A-ZĐa-zđ]+/[A-ZĐa-zđ0-9]+(?:-[A-ZĐa-zđ0-9]+)*)(?![\w/])")
_WORD = re.compile(r"\w+")


class QueryTooLarge(ValidationFailed):
    """A query longer, or with more words, than the search accepts (a 400 on every front door)."""


def check_query_length(query: str, limit: int = MAX_QUERY_CHARS) -> None:
    """Refuse a query of more than ``limit`` characters (at most :data:`MAX_QUERY_CHARS`) before any work."""
    limit = min(limit, MAX_QUERY_CHARS)
    if len(query) > limit:
        raise QueryTooLarge(f"Câu tìm kiếm quá dài: {len(query)} ký tự (tối đa {limit})",
                            f"The query is too long: {len(query)} characters (at most {limit})")


@dataclass(frozen=True)
class ParsedQuery:
    """Phrases (each a list of words) in exact canonical form and tone-folded form."""

    exact: list[list[str]]
    folded: list[list[str]]
    code: list[str] | None = None
    embedded_code: list[str] | None = None  # the tokens of a số/ký hiệu written among other words
    sign_at: int | None = None  # the phrase that is that sign ("84/2025/QĐ-UBND" is one term, one phrase)

    @property
    def empty(self) -> bool:
        return not self.exact and not self.code

    def split_sign(self, phrases: list[list[str]]) -> tuple[list[list[str]], list[list[str]]]:
        """``phrases`` (exact or folded) as (the others, those of the embedded sign): the sign's words may be
        found in the text or, instead, in the document's own sign."""
        if self.sign_at is None:
            return phrases, []
        return phrases[:self.sign_at] + phrases[self.sign_at + 1:], [phrases[self.sign_at]]

    def pairs(self) -> list[list[str]]:
        """The words side by side in the query across its terms (folded), the first :data:`MAX_PAIRS`, without
        repeats: a document holding such a pair side by side is closer to the query than one holding the words
        apart. Pairs inside a quoted phrase are left out (every match holds them)."""
        out: list[list[str]] = []
        for left, right in zip(self.folded, self.folded[1:], strict=False):
            pair = [left[-1], right[0]]
            if pair not in out:
                out.append(pair)
        return out[:MAX_PAIRS]


def code_tokens(sign: str) -> list[str]:
    """Tokens of a số/ký hiệu in any spacing: '155 / KH - UBND' → ['155', 'kh', 'ubnd']."""
    return _WORD.findall(fold(sign))


def parse_query(query: str) -> ParsedQuery:
    """Split a query into phrases; a query that is a số/ký hiệu becomes a sign lookup.

    Raises :class:`QueryTooLarge` past :data:`MAX_QUERY_CHARS` characters or :data:`MAX_QUERY_WORDS` words.
    """
    check_query_length(query)
    text = canonical_text(query).strip()
    sign = _SIGN.match(text) or _PARTY_SIGN.match(text)
    if sign:
        groups = " ".join(g for g in sign.groups() if g)
        return ParsedQuery(exact=[], folded=[], code=code_tokens(groups))
    exact: list[list[str]] = []
    for match in _TERM.finditer(text):
        words = _WORD.findall((match.group(1) or match.group(2)).lower())
        if words:
            exact.append(words)
    count = sum(len(phrase) for phrase in exact)
    if count > MAX_QUERY_WORDS:
        raise QueryTooLarge(f"Câu tìm kiếm có quá nhiều từ: {count} (tối đa {MAX_QUERY_WORDS})",
                            f"The query has too many words: {count} (at most {MAX_QUERY_WORDS})")
    folded = [[fold(w) for w in phrase] for phrase in exact]
    written = _EMBEDDED_SIGN.search(text) if len(exact) > 1 else None
    tokens = code_tokens(written.group(1)) if written else None
    return ParsedQuery(exact=exact, folded=folded, embedded_code=tokens, sign_at=_position(folded, tokens))


def _position(folded: list[list[str]], sign: list[str] | None) -> int | None:
    """The phrase whose words are the sign's tokens, if one is."""
    return folded.index(sign) if sign and sign in folded else None


class _CharFolds(dict[int, str]):
    """Code point → its one-character fold, computed on first sight (``str.translate`` table)."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        folded = (fold(ch) or ch)[:1] if ch.isalpha() else ch.lower()
        self[code] = folded
        return folded


_CHAR_FOLDS = _CharFolds()


def fold_aligned(text: str) -> str:
    """Fold each character separately so offsets in the result match offsets in ``text`` (NFC)."""
    # translate runs in C over a growing table: snippets of long OCR texts stay well under a millisecond.
    return text.translate(_CHAR_FOLDS)
