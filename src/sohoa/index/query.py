"""Parse a user query into exact-tone and tone-folded forms, phrases, and số/ký hiệu lookups."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sohoa.domain.text import canonical_text, fold

__all__ = ["ParsedQuery", "code_tokens", "fold_aligned", "parse_query"]

_SIGN = re.compile(
    r"^\s*(?:s[ốôo6]\s*:?\s*)?(\d{1,6})\s*(?:/\s*(\d{4})\s*)?/\s*([A-ZĐa-zđ][A-Za-zĐđ0-9]*(?:\s*-\s*[A-ZĐa-zđ][A-Za-zĐđ0-9]*)*)\s*$",
    re.IGNORECASE,
)
_PARTY_SIGN = re.compile(r"^\s*(\d{1,6})\s*-\s*([A-ZĐa-zđ]+)\s*/\s*([A-ZĐa-zđ0-9]+(?:\s*-\s*[A-ZĐa-zđ0-9]+)*)\s*$")
_TERM = re.compile(r'"([^"]+)"|(\S+)')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class ParsedQuery:
    """Phrases (each a list of words) in exact canonical form and tone-folded form."""

    exact: list[list[str]]
    folded: list[list[str]]
    code: list[str] | None = None

    @property
    def empty(self) -> bool:
        return not self.exact and not self.code


def code_tokens(sign: str) -> list[str]:
    """Tokens of a số/ký hiệu in any spacing: '155 / KH - UBND' → ['155', 'kh', 'ubnd']."""
    return _WORD.findall(fold(sign))


def parse_query(query: str) -> ParsedQuery:
    """Split a query into phrases; a query that is a số/ký hiệu becomes a sign lookup."""
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
    folded = [[fold(w) for w in phrase] for phrase in exact]
    return ParsedQuery(exact=exact, folded=folded)


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
