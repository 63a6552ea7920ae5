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

from ._features import _CLAUSE_STARTS, Token, features, name_lists, run_bounds, tokenize, wrap_plausible
from ._not_names import not_a_name

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
    """Personal names in ``text``: runs of two or more words tagged B, I…, and a known given name alone
    after a title ("ông An")."""
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
            if tokens[j + 1].newline_before and not wrap_plausible(tokens, j + 1, j - i + 1):
                break  # "… ông Nguyễn Văn Bình\nCăn cứ …": the next line starts a clause
            j += 1
        if j > i and not _in_heading(text, tokens[i].start, tokens[j].end) and not not_a_name(
                text, tokens[i].start, tokens[j].end):
            start, end = tokens[i].start, tokens[j].end
            spans.append(PersonalSpan(PersonalKind.NAME, start, end, text[start:end], 0.9))
        i = j + 1
    return _with_single_names(tokens, tags, spans)


# Titles that name a person by their given name alone in running text ("ông An", "chị Lan").
_SINGLE_TITLES = frozenset({"ông", "bà", "anh", "chị", "cô", "chú", "cụ", "em", "cháu", "bác", "dì", "cậu"})
# Words before a title that make "Bà Triệu", "Ông Lãnh" a place: "phố Bà Triệu", "chợ Ông Lãnh", "Hai Bà Trưng".
_PLACE_BEFORE = frozenset({"phố", "đường", "chợ", "núi", "đền", "chùa", "cầu", "bến", "sông", "hồ", "ngõ",
                           "phường", "xã", "quận", "huyện", "tỉnh", "thôn", "ấp", "làng", "hai", "miếu"})
# Words that are places or things after a title: "Bà Rịa", "Bà Đen", "cô Tô", "Bà Chiểu", "Ông Công".
_NOT_SINGLE = frozenset({"rịa", "đen", "tô", "chiểu", "triệu", "trưng", "lãnh", "điểm", "hạt", "quẹo", "công"})
_SINGLE_CONFIDENCE = 0.8


def _with_single_names(tokens: list[Token], tags: list[str], spans: list[PersonalSpan]) -> list[PersonalSpan]:
    """``spans`` and the names given by one word after a title in running text ("ông An", "Bà Hoa đã nộp…"):
    a known given name, or a word the tagger marks as a name that is no office, clause or place word;
    "ông Chủ tịch", "bà Trưởng phòng", "anh hùng", "phố Bà Triệu" are not names."""
    given = name_lists()["given"]
    taken = [(s.start, s.end) for s in spans]
    out = list(spans)
    for i in range(len(tokens) - 1):
        title, word = tokens[i], tokens[i + 1]
        if title.lower not in _SINGLE_TITLES or title.shape == "U" or word.shape != "T":
            continue
        known = word.lower in given
        if word.lower in _NOT_SINGLE or not (known or (tags[i + 1] == "B" and _may_be_given(word))):
            continue
        after = tokens[i + 2] if i + 2 < len(tokens) else None
        if after is not None and after.shape in ("T", "U", "D", "M") and not after.newline_before:
            continue  # part of a longer run: the tagger's business
        if i > 0 and (tokens[i - 1].lower in _PLACE_BEFORE or (tokens[i - 1].shape in ("T", "U")
                                                                 and not title.newline_before)):
            continue
        if any(word.start < end and start < word.end for start, end in taken):
            continue
        confidence = _SINGLE_CONFIDENCE if known else _SINGLE_CONFIDENCE - 0.1
        out.append(PersonalSpan(PersonalKind.NAME, word.start, word.end, word.text, confidence))
    return sorted(out, key=lambda s: s.start)


# Capitalised words after a title that name an office, a relation or a body, not a person.
_NOT_GIVEN = frozenset({"chủ", "phó", "trưởng", "giám", "bộ", "hiệu", "tổ", "thủ", "kế", "chuyên", "đại", "bí",
                        "chánh", "ủy", "uỷ", "cán", "công", "mẹ", "cha", "bố", "con", "các", "nội", "ngoại",
                        "trợ", "thẩm", "kiểm", "thanh", "luật", "bác", "đồng", "viện", "tiến", "thạc"})


def _may_be_given(word: Token) -> bool:
    return word.lower not in _NOT_GIVEN and word.lower not in _CLAUSE_STARTS
