"""The personal-name recognizer: an averaged perceptron that tags tokens B/I/O, trained by the project on
documents it generates (``scripts/train_names.py``) and shipped as ``names_model.json.gz``.

Citizens named in context are names ("ông/bà …", "Họ và tên: …", household lists, "cấp cho …"); officials
in their office and signers, streets, places and organisations named after people are not.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from sohoa.domain.personal import PersonalKind, PersonalSpan

from ._features import Token, features, run_bounds, tokenize

__all__ = ["NameTagger", "detect_names", "shipped_tagger", "train_tagger"]

TAGS = ("O", "B", "I")
MODEL_FILE = "names_model.json.gz"
MODEL_FORMAT = "sohoa-names/1"
_PACKAGE = "sohoa.intelligence.personal"


@dataclass
class NameTagger:
    """Weights per feature and tag; ``tag`` returns one tag per token."""

    weights: dict[str, list[float]] = field(default_factory=dict)

    def _scores(self, feats: Sequence[str], previous: str) -> list[float]:
        scores = [0.0, 0.0, 0.0]
        for feat in (*feats, f"t:{previous}"):
            row = self.weights.get(feat)
            if row is not None:
                scores[0] += row[0]
                scores[1] += row[1]
                scores[2] += row[2]
        return scores

    def tag(self, tokens: list[Token]) -> list[str]:
        out: list[str] = []
        previous = "O"
        for token, feats in zip(tokens, features(tokens), strict=True):
            scores = self._scores(feats, previous)
            allowed = _allowed(token, previous)
            best = max(allowed, key=lambda t: scores[TAGS.index(t)])
            out.append(best)
            previous = best
        return out

    def save(self, path: Path) -> None:
        """Write the weights (rounded, sorted, gzip without a time stamp: the same model, the same bytes)."""
        rows = {k: [round(v, 3) for v in row] for k, row in sorted(self.weights.items())}
        rows = {k: row for k, row in rows.items() if any(row)}
        data = json.dumps({"format": MODEL_FORMAT, "tags": TAGS, "weights": rows}, ensure_ascii=False,
                          separators=(",", ":"))
        path.write_bytes(gzip.compress(data.encode("utf-8"), compresslevel=9, mtime=0))

    @classmethod
    def load_bytes(cls, raw: bytes) -> NameTagger:
        data = json.loads(gzip.decompress(raw).decode("utf-8"))
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"not a Sohoa name model: {data.get('format')!r}")
        return cls({k: [float(v) for v in row] for k, row in data["weights"].items()})


def _allowed(token: Token, previous: str) -> tuple[str, ...]:
    if token.shape not in ("T", "U"):
        return ("O",)
    return ("O", "B", "I") if previous != "O" else ("O", "B")


def gold_tags(tokens: list[Token], spans: Iterable[tuple[int, int]]) -> list[str]:
    """B/I/O tags of ``tokens`` for name spans given as (start, end) offsets."""
    tags = ["O"] * len(tokens)
    for start, end in spans:
        inside = [i for i, t in enumerate(tokens) if t.start >= start and t.end <= end]
        for n, i in enumerate(inside):
            tags[i] = "B" if n == 0 else "I"
    return tags


def train_tagger(examples: Sequence[tuple[str, list[tuple[int, int]]]], epochs: int = 6,
                 seed: int = 16, dropout: float = 0.3) -> NameTagger:
    """An averaged perceptron trained on (text, name spans) examples, in a fixed shuffled order. Each
    feature of each token is left out with probability ``dropout`` at each step, so that no single context
    word carries a decision alone (the phrasings of real documents are not those of the generator)."""
    prepared = []
    for text, spans in examples:
        tokens = tokenize(text)
        prepared.append((tokens, features(tokens), gold_tags(tokens, spans)))
    weights: dict[str, list[float]] = {}
    totals: dict[str, list[float]] = {}
    stamps: dict[str, list[int]] = {}
    step = 0
    order = list(range(len(prepared)))
    shuffle = random.Random(seed)
    for _ in range(epochs):
        shuffle.shuffle(order)
        for index in order:
            tokens, feats, gold = prepared[index]
            previous = "O"
            for token, all_feats, truth in zip(tokens, feats, gold, strict=True):
                step += 1
                token_feats = [f for f in all_feats if shuffle.random() >= dropout]
                row_feats = (*token_feats, f"t:{previous}")
                scores = NameTagger(weights)._scores(token_feats, previous)
                guess = max(_allowed(token, previous), key=lambda t: scores[TAGS.index(t)])
                if guess != truth:
                    for feat in row_feats:
                        _update(weights, totals, stamps, feat, TAGS.index(truth), 1.0, step)
                        _update(weights, totals, stamps, feat, TAGS.index(guess), -1.0, step)
                previous = truth
    return NameTagger(_averaged(weights, totals, stamps, step))


def _update(weights: dict[str, list[float]], totals: dict[str, list[float]], stamps: dict[str, list[int]],
            feat: str, tag: int, delta: float, step: int) -> None:
    row = weights.setdefault(feat, [0.0, 0.0, 0.0])
    total = totals.setdefault(feat, [0.0, 0.0, 0.0])
    stamp = stamps.setdefault(feat, [0, 0, 0])
    total[tag] += (step - stamp[tag]) * row[tag]
    stamp[tag] = step
    row[tag] += delta


def _averaged(weights: dict[str, list[float]], totals: dict[str, list[float]], stamps: dict[str, list[int]],
              step: int) -> dict[str, list[float]]:
    out = {}
    for feat, row in weights.items():
        out[feat] = [(totals[feat][t] + (step - stamps[feat][t]) * row[t]) / step for t in range(3)]
    return out


@lru_cache(maxsize=1)
def shipped_tagger() -> NameTagger:
    """The tagger shipped with Sohoa."""
    return NameTagger.load_bytes(resources.files(_PACKAGE).joinpath(MODEL_FILE).read_bytes())


_WHOLE_RUN = 4


def _whole_runs(tokens: list[Token], tags: list[str]) -> list[str]:
    """A name covers its whole run of capitalised words on its line when the run is short (2–4 words): the
    tagger sometimes stops one word early before an unseen given name or punctuation."""
    tags = list(tags)
    for first, last in run_bounds(tokens):
        inside = tags[first:last + 1]
        if "B" not in inside or inside.count("B") > 1 or last - first + 1 > _WHOLE_RUN:
            continue
        start = first + inside.index("B")
        end = start
        while end + 1 <= last and tags[end + 1] == "I":
            end += 1
        while start > first and not tokens[start].newline_before:
            start -= 1
        while end < last and not tokens[end + 1].newline_before:
            end += 1
        tags[start:end + 1] = ["B"] + ["I"] * (end - start)
    return tags


def _in_heading(text: str, start: int, end: int) -> bool:
    """An upper-case span on an upper-case line is part of a heading ("DANH MỤC NHIỆM VỤ …, CHỐNG LÃNG PHÍ"),
    not a name ("Họ và tên: NGUYỄN VĂN AN; CCCD …" keeps its name)."""
    if not text[start:end].isupper():
        return False
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    rest = text[line_start:start] + " " + text[end:line_end if line_end >= 0 else len(text)]
    words = [word for word in re.findall(r"\w+", rest) if word.isalpha()]
    return any(len(word) > 1 and word.isupper() for word in words) and not any(
        not word.isupper() for word in words)


def detect_names(text: str, tagger: NameTagger | None = None) -> list[PersonalSpan]:
    """Personal names in ``text``: runs of two or more words tagged B, I…"""
    tokens = tokenize(text)
    tags = _whole_runs(tokens, (tagger or shipped_tagger()).tag(tokens))
    spans: list[PersonalSpan] = []
    i = 0
    while i < len(tokens):
        if tags[i] != "B":
            i += 1
            continue
        j = i
        while j + 1 < len(tokens) and tags[j + 1] == "I":
            j += 1
        if j > i and not _in_heading(text, tokens[i].start, tokens[j].end):
            start, end = tokens[i].start, tokens[j].end
            spans.append(PersonalSpan(PersonalKind.NAME, start, end, text[start:end], 0.9))
        i = j + 1
    return spans
