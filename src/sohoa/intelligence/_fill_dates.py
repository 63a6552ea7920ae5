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

A page without a digital signature may still show one: a signed document printed and scanned again keeps its
signature stamps as ink ("Thời gian ký: 12.09.2024 07:49:43 +07:00"). :func:`stamp_dates` reads their dates from
the page's OCR, and from the stamps of a text layer whose signature dictionary is gone (a signed PDF saved
again): a date followed by a time with seconds, which a document's own text never writes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

__all__ = ["WINDOW_DAYS", "Choice", "choose_date", "likelihood", "stamp_dates"]

WINDOW_DAYS = 31
_MISMATCH = 1e-6  # a glyph count no way of writing the value has (a piece lost or split)
_STAMP_TIME = re.compile(r"(?<![\d./-])(\d{1,2})([./-])(\d{1,2})\2(\d{4})\s+\d{1,2}:\d{2}:\d{2}(?!\d)")


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
    month lies in the window before the earliest signature. A signing date before the printed year (and month)
    began cannot be the document's (a misread stamp, a wrong clock) and is passed over."""
    possible = [d for d in signed if d >= date(year, month or 1, 1)]  # never signed before it was dated
    if not possible:
        return None
    last = min(possible)
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


def stamp_dates(text: str) -> tuple[date, ...]:
    """The dates of the signature stamps in ``text`` (a page's OCR: a signed document printed and scanned
    again; or the stamps of a partial text layer): each date followed, on the same line, by a time with
    seconds; a date that is not in the calendar (a digit misread) is left out."""
    found: list[date] = []
    for line in text.splitlines():
        for match in _STAMP_TIME.finditer(line):
            day, month, year = int(match[1]), int(match[3]), int(match[4])
            try:
                found.append(date(year, month, day))
            except ValueError:
                continue
    return tuple(found)
