"""Highlight boxes on page images: the OCR words that make up each match of a query."""

from __future__ import annotations

import re

from sohoa.domain.ocr import BBox, OcrPage
from sohoa.domain.text import fold
from sohoa.index.query import ParsedQuery

__all__ = ["match_boxes"]

_WORD = re.compile(r"\w+")


def _phrases(query: ParsedQuery) -> list[list[str]]:
    return query.folded or ([query.code] if query.code else [])


def match_boxes(page: OcrPage, query: ParsedQuery) -> list[BBox]:
    """One box per matched OCR word (tone-insensitive; a phrase must run over consecutive tokens)."""
    tokens: list[tuple[int, str]] = []  # (word index, folded token); one OCR word may hold several
    for index, word in enumerate(page.words):
        tokens.extend((index, tok) for tok in _WORD.findall(fold(word.text)))
    values = [tok for _, tok in tokens]
    hit_words: set[int] = set()
    for phrase in _phrases(query):
        size = len(phrase)
        for start in range(len(values) - size + 1):
            if values[start:start + size] == phrase:
                hit_words.update(tokens[i][0] for i in range(start, start + size))
    return [page.words[i].bbox for i in sorted(hit_words)]
