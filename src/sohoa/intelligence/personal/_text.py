"""Text helpers of personal-data detection: a tone fold that keeps offsets, and span selection."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from sohoa.domain.personal import PersonalSpan
from sohoa.domain.text import fold

__all__ = ["fold_keep_offsets", "select_spans"]


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    folded = fold(char)
    return folded if len(folded) == 1 else char.lower()[:1] or char


def fold_keep_offsets(text: str) -> str:
    """``fold(text)`` character by character, so that offsets in the result are offsets in ``text``."""
    return "".join(_fold_char(ch) if ord(ch) > 127 else ch.lower() for ch in text)


def select_spans(candidates: Iterable[PersonalSpan]) -> list[PersonalSpan]:
    """The most confident, then longest, non-overlapping candidates, sorted by start."""
    taken: list[PersonalSpan] = []
    for span in sorted(candidates, key=lambda s: (-s.confidence, -(s.end - s.start), s.start)):
        if span.end <= span.start:
            continue
        if all(span.end <= other.start or span.start >= other.end for other in taken):
            taken.append(span)
    return sorted(taken, key=lambda s: s.start)
