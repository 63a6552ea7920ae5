"""Small helpers over a seeded numpy Generator so every random choice in the generator is reproducible."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def pick(rng: np.random.Generator, items: Sequence[T]) -> T:
    """One item, uniformly."""
    return items[int(rng.integers(len(items)))]


def sample(rng: np.random.Generator, items: Sequence[T], k: int) -> list[T]:
    """``k`` distinct items (fewer when there are not enough), in random order."""
    k = min(k, len(items))
    return [items[int(i)] for i in rng.permutation(len(items))[:k]]


def chance(rng: np.random.Generator, p: float) -> bool:
    return bool(rng.random() < p)


def between(rng: np.random.Generator, low: int, high: int) -> int:
    """An integer in [low, high], both included."""
    return int(rng.integers(low, high + 1))


def day_between(rng: np.random.Generator, start: date, end: date) -> date:
    """A day in [start, end]."""
    return start + timedelta(days=between(rng, 0, (end - start).days))


def short_date(value: date) -> str:
    """'05/6/2025' as written inside running text (NĐ 30 padding for days < 10 and months 1–2)."""
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"{value.day:02d}/{month}/{value.year}"

