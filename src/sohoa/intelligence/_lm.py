"""Syllable unigram + bigram language model over the counts shipped in ``sohoa/lexicon/``."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from sohoa.domain.text import fold

__all__ = ["SyllableLM", "load_lm"]

# Dirichlet prior weight: how many pseudo-observations of the unigram back a bigram estimate.
_PRIOR = 5.0


@dataclass(frozen=True)
class SyllableLM:
    """Counts of lower-case NFC syllables; ``variants`` maps a folded key to the syllables sharing it."""

    unigrams: Mapping[str, int]
    bigrams: Mapping[tuple[str, str], int]
    total: int
    variants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_counts(cls, unigrams: Mapping[str, int], bigrams: Mapping[tuple[str, str], int]) -> SyllableLM:
        groups: dict[str, list[str]] = {}
        for word in unigrams:
            groups.setdefault(fold(word), []).append(word)
        variants = {k: tuple(v) for k, v in groups.items()}
        return cls(dict(unigrams), dict(bigrams), max(1, sum(unigrams.values())), variants)

    def unigram(self, word: str) -> float:
        # Half a count for unseen syllables keeps log-probabilities finite but far below seen ones.
        return (self.unigrams.get(word, 0) + 0.5) / (self.total + 0.5 * (len(self.unigrams) + 1))

    def conditional(self, word: str, previous: str | None) -> float:
        prior = self.unigram(word)
        if previous is None:
            return prior
        pair = self.bigrams.get((previous, word), 0)
        return (pair + _PRIOR * prior) / (self.unigrams.get(previous, 0) + _PRIOR)

    def score(self, word: str, previous: str | None, following: str | None) -> float:
        """log P(word | previous) + log P(following | word)."""
        value = math.log(self.conditional(word, previous))
        if following is not None:
            value += math.log(self.conditional(following, word))
        return value

    def candidates(self, word: str) -> tuple[str, ...]:
        """Known syllables written with the same letters, differing only in marks or đ/d."""
        return self.variants.get(fold(word), ())


def _read(name: str) -> list[tuple[str, int]]:
    text = resources.files("sohoa").joinpath("lexicon", name).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        key, _, count = line.rpartition("\t")
        if key:
            rows.append((key, int(count)))
    return rows


@lru_cache(maxsize=1)
def load_lm() -> SyllableLM:
    """The shipped model (loaded once per process)."""
    unigrams = dict(_read("unigrams.tsv"))
    bigrams: dict[tuple[str, str], int] = {}
    for key, count in _read("bigrams.tsv"):
        left, _, right = key.partition(" ")
        bigrams[(left, right)] = count
    return SyllableLM.from_counts(unigrams, bigrams)
