"""Text accuracy measures shared by the accuracy harness and the tests: edit distance and CER."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np

from sohoa.domain.text import nfc

__all__ = ["cer", "edit_distance"]


def edit_distance(a: Sequence[Hashable], b: Sequence[Hashable]) -> int:
    """Levenshtein distance, one numpy row at a time (whole pages are thousands of characters)."""
    if not a or not b:
        return max(len(a), len(b))
    codes: dict[Hashable, int] = {}
    xs = np.array([codes.setdefault(x, len(codes)) for x in a], dtype=np.int64)
    ys = np.array([codes.setdefault(y, len(codes)) for y in b], dtype=np.int64)
    steps = np.arange(len(ys) + 1, dtype=np.int64)
    previous = steps.copy()
    for i, x in enumerate(xs, 1):
        best = np.empty_like(previous)
        best[0] = i
        best[1:] = np.minimum(previous[1:] + 1, previous[:-1] + (ys != x))
        # Insertions chain along the row: best[j] = min_k(best[k] + j - k), a running minimum.
        previous = np.minimum.accumulate(best - steps) + steps
    return int(previous[-1])


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate after NFC and whitespace normalisation (edit distance / reference length)."""
    ref, hyp = " ".join(nfc(reference).split()), " ".join(nfc(hypothesis).split())
    return edit_distance(ref, hyp) / max(1, len(ref))
