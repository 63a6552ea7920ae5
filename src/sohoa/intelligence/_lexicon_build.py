"""Build the syllable unigram/bigram counts in ``sohoa/lexicon/`` from official Vietnamese texts.

Run: ``python -m sohoa.intelligence._lexicon_build SOURCE.jsonl [MORE.txt …]``. JSON Lines files
contribute their ``text`` field, other files their whole text. Only counts are written, never text.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from sohoa.domain.text import canonical_text

from .syllables import is_valid_syllable

__all__ = ["build", "count_texts", "read_texts"]

LEXICON_DIR = Path(__file__).resolve().parent.parent / "lexicon"
_TOKEN = re.compile(r"[^\W\d_]+|[^\w\s]|\d+", re.UNICODE)
MIN_UNIGRAM = 1
MIN_BIGRAM = 2
SEED_WEIGHT = 5


def read_texts(paths: Iterable[Path]) -> Iterator[tuple[str, int]]:
    """(text, weight): hand-written seed files (``seed_*.txt``) count ``SEED_WEIGHT`` times, because
    the fixed phrases of the genre (type names, signer titles) are rare in any sample of bodies."""
    for path in paths:
        if path.suffix == ".jsonl":
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    yield str(json.loads(line).get("text") or ""), 1
        else:
            yield path.read_text(encoding="utf-8"), SEED_WEIGHT if path.name.startswith("seed_") else 1


def count_texts(texts: Iterable[tuple[str, int]]) -> tuple[Counter[str], Counter[str]]:
    """Lower-case syllable counts; a bigram never spans punctuation, digits or a non-syllable."""
    unigrams: Counter[str] = Counter()
    bigrams: Counter[str] = Counter()
    for text, weight in texts:
        previous: str | None = None
        for token in _TOKEN.findall(canonical_text(text).lower()):
            if not is_valid_syllable(token):
                previous = None
                continue
            unigrams[token] += weight
            if previous is not None:
                bigrams[f"{previous} {token}"] += weight
            previous = token
    return unigrams, bigrams


def _write(path: Path, counts: Counter[str], minimum: int) -> int:
    rows = [(k, n) for k, n in counts.most_common() if n >= minimum]
    path.write_text("".join(f"{k}\t{n}\n" for k, n in rows), encoding="utf-8")
    return len(rows)


def build(sources: Iterable[Path], out_dir: Path = LEXICON_DIR) -> tuple[int, int]:
    """Write ``unigrams.tsv`` and ``bigrams.tsv``; returns how many rows each got."""
    unigrams, bigrams = count_texts(read_texts(sources))
    out_dir.mkdir(parents=True, exist_ok=True)
    return _write(out_dir / "unigrams.tsv", unigrams, MIN_UNIGRAM), _write(
        out_dir / "bigrams.tsv", bigrams, MIN_BIGRAM
    )


if __name__ == "__main__":
    print(build(Path(p) for p in sys.argv[1:]))
