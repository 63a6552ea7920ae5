"""A handwritten day (and month) the digit model could not read for sure, chosen among the dates a PDF's
digital signature allows.

An agency signs the scan of a document after the paper was signed and dated: the issue date is never after
the earliest signing time, and usually falls on it or a day or two before. The candidates are the dates of
the printed year (and printed month, when printed) from :data:`WINDOW_DAYS` days before the earliest
signing date up to it. Each is scored by how likely the digit model finds its day (and month) written in
the slot's glyphs, times a prior that falls with the distance to the signing day: flat over the signing
day and the day before (documents are often signed and scanned the next morning), then ``2 / (1 + days)``.
The best one is proposed, always flagged for review: the signing day alone equals the issue day too
rarely to be trusted (docs/fields.md, "Dates from a digital signature").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

__all__ = ["WINDOW_DAYS", "Choice", "choose_date", "likelihood"]

WINDOW_DAYS = 31
_MISMATCH = 1e-6  # a glyph count no way of writing the value has (a piece lost or split)


@dataclass(frozen=True)
class Choice:
    """The proposed date and its share of the candidates' total score (how clear the choice was)."""

    value: date
    share: float


def likelihood(probs: np.ndarray | None, value: int) -> float:
    """How likely the glyphs (rows of class probabilities, left to right) spell ``value`` as written on a
    form ('5' or '05'); 1.0 without glyph probabilities (nothing read: every value alike)."""
    if probs is None:
        return 1.0
    best = _MISMATCH
    for text in {str(value), f"{value:02d}"}:
        if len(text) == len(probs):
            best = max(best, float(np.prod([probs[i, int(ch)] for i, ch in enumerate(text)])))
    return best


def choose_date(signed: Sequence[date], year: int, month: int | None, day_probs: np.ndarray | None,
                month_probs: np.ndarray | None) -> Choice | None:
    """The likeliest issue date given the signing dates, the printed year (and month, None when written by
    hand) and the glyph probabilities of the day and month slots; None when no date of the printed year and
    month lies in the window before the earliest signature."""
    if not signed:
        return None
    last = min(signed)
    scores: list[tuple[float, date]] = []
    for back in range(WINDOW_DAYS + 1):
        candidate = last - timedelta(days=back)
        if candidate.year != year or (month is not None and candidate.month != month):
            continue
        score = likelihood(day_probs, candidate.day) * min(1.0, 2 / (1 + back))
        if month is None:
            score *= likelihood(month_probs, candidate.month)
        scores.append((score, candidate))
    if not scores:
        return None
    total = sum(s for s, _ in scores)
    score, best = max(scores, key=lambda item: (item[0], item[1]))
    return Choice(best, round(score / total, 4) if total > 0 else 0.0)
