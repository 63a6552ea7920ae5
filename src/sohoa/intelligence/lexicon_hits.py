"""Dictionary hits: whether an OCR word is a syllable of the shipped Vietnamese lexicon (``sohoa/lexicon/``).

A page read well is mostly known syllables; a page read badly (noise read as letters, marks lost or
invented) is not. The page worker compares two readings of one page by these hits and the engine's
confidence (:mod:`sohoa.pipeline.reading_choice`).
"""

from __future__ import annotations

import re

from sohoa.domain.text import canonical_text

from ._lm import load_lm

__all__ = ["is_known_word"]

_EDGES = re.compile(r"^\W+|\W+$", re.UNICODE)


def is_known_word(text: str) -> bool | None:
    """True for a known syllable, False for letters that are none, None for what is not a word at all
    (numbers, signs, punctuation: '12/2025/QĐ-UBND' is neither). A lone ASCII letter is never known:
    specks read as 'i' or 'l' must not count as words read."""
    core = _EDGES.sub("", text)
    if not core or not any(ch.isalpha() for ch in core) or any(ch.isdigit() for ch in core):
        return None
    if len(core) == 1 and core.isascii():
        return False
    return canonical_text(core.lower()) in load_lm().unigrams
