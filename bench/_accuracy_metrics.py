"""Accuracy metrics: in-order and line-aligned CER/WER, tone-only error share, fields, split P/R/F1."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sohoa.domain.fields import DocumentFields
from sohoa.domain.metrics import edit_distance
from sohoa.domain.ocr import OcrPage, Word
from sohoa.domain.text import canonical_text, fold
from sohoa.intelligence._number import format_so_ky_hieu

_SPACES = re.compile(r"\s+")
_MATCH = 0.3  # share of a truth line's character pairs an OCR line must hold to be its reading
Box = Sequence[int]


def normal(text: str) -> str:
    """NFC, canonical tone placement, whitespace collapsed: both sides of every comparison."""
    return _SPACES.sub(" ", canonical_text(text)).strip()


def _pairs(text: str) -> Counter[str]:
    """Character pairs of the folded text (tone errors do not hide a line's identity)."""
    folded = f" {fold(text).lower()} "
    return Counter(folded[i : i + 2] for i in range(len(folded) - 1))


def _best(want: Counter[str], grams: Sequence[Counter[str]], near: Sequence[bool]) -> int | None:
    """The candidate holding the largest share of ``want`` (among near ones), if it holds enough."""
    size = max(1, sum(want.values()))
    shares = [sum((want & g).values()) / size if ok else 0.0 for g, ok in zip(grams, near, strict=True)]
    best = max(range(len(shares)), key=shares.__getitem__, default=None)
    return best if best is not None and shares[best] >= _MATCH else None


def _root(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _ordered(items: list[int], ys: Sequence[float] | None, xs: Sequence[float] | None, height: float) -> list[int]:
    """Side by side (one row): left to right; otherwise in the given reading order."""
    if ys is None or xs is None or max(ys[i] for i in items) - min(ys[i] for i in items) > height:
        return items
    return sorted(items, key=lambda i: xs[i])


def align_lines(
    truth: Sequence[str],
    ocr: Sequence[str],
    *,
    truth_y: Sequence[float] | None = None,
    ocr_y: Sequence[float] | None = None,
    truth_x: Sequence[float] | None = None,
    ocr_x: Sequence[float] | None = None,
    height: float = 40.0,
) -> list[tuple[str, str]]:
    """(truth text, OCR text) pairs that make CER independent of reading order and skew.

    Every line is linked to the line of the other side that holds most of its characters (a near one
    when positions are known, so skew and column order do not matter); linked lines form groups, each
    compared as a whole: an OCR line across both header columns against both truth lines, a table row
    that OCR cut into cells against the row, OCR lines against a truth paragraph reflowed into one
    line. A line linked to nothing is a pure deletion (truth) or insertion (OCR).
    """
    t_grams, o_grams = [_pairs(t) for t in truth], [_pairs(o) for o in ocr]
    positions = truth_y is not None and ocr_y is not None

    def near(ty: float, oy: float) -> bool:
        return not positions or abs(ty - oy) <= 3 * height  # 3° of skew over a column

    parent = list(range(len(truth) + len(ocr)))
    for i, want in enumerate(t_grams):
        j = _best(want, o_grams, [near(truth_y[i], y) for y in ocr_y] if positions else [True] * len(ocr))
        if j is not None:
            parent[_root(parent, i)] = _root(parent, len(truth) + j)
    for j, want in enumerate(o_grams):
        i = _best(want, t_grams, [near(y, ocr_y[j]) for y in truth_y] if positions else [True] * len(truth))
        if i is not None:
            parent[_root(parent, len(truth) + j)] = _root(parent, i)
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for node in range(len(parent)):
        side = groups.setdefault(_root(parent, node), ([], []))
        side[node >= len(truth)].append(node if node < len(truth) else node - len(truth))
    pairs = []
    for t_items, o_items in groups.values():
        t_text = " ".join(truth[i] for i in _ordered(t_items, truth_y, truth_x, height)) if t_items else ""
        o_text = " ".join(ocr[j] for j in _ordered(o_items, ocr_y, ocr_x, height)) if o_items else ""
        pairs.append((t_text, o_text))
    return pairs


@dataclass
class TextScore:
    """Summed edit counts: line-aligned (chars, errors, tone-only, words) and raw in reading order."""

    chars: int = 0
    char_errors: int = 0
    folded_errors: int = 0
    words: int = 0
    word_errors: int = 0
    raw_chars: int = 0
    raw_errors: int = 0

    def add(self, truth: str, hypothesis: str) -> None:
        """One aligned piece of text."""
        ref, hyp = normal(truth), normal(hypothesis)
        self.chars += len(ref)
        self.char_errors += edit_distance(ref, hyp)
        # Errors that vanish once tone marks and diacritics are dropped were only mark errors.
        self.folded_errors += edit_distance(fold(ref), fold(hyp))
        self.words += len(ref.split())
        self.word_errors += edit_distance(ref.split(), hyp.split())

    def add_raw(self, truth: str, hypothesis: str) -> None:
        """A whole page compared in the order each side reads it."""
        ref, hyp = normal(truth), normal(hypothesis)
        self.raw_chars += len(ref)
        self.raw_errors += edit_distance(ref, hyp)

    def add_page(self, truth: str, page: OcrPage, boxes: Sequence[Box] | None = None) -> None:
        """A page: raw in-order comparison, then line by line after :func:`align_lines` (using the
        truth line boxes when known)."""
        self.add_raw(truth, page.text)
        lines = [line for line in truth.split("\n") if line.strip() or boxes is not None]
        ocr_lines = [line for line in page.lines() if " ".join(w.text for w in line).strip()]
        texts = [" ".join(w.text for w in line) for line in ocr_lines]
        if boxes is not None and len(boxes) == len(lines) and lines:
            heights = sorted(b[3] - b[1] for b in boxes)
            pairs = align_lines(lines, texts, truth_y=[(b[1] + b[3]) / 2 for b in boxes],
                                ocr_y=[_cy(line) for line in ocr_lines], truth_x=[float(b[0]) for b in boxes],
                                ocr_x=[float(min(w.bbox.x0 for w in line)) for line in ocr_lines],
                                height=float(heights[len(heights) // 2]))
        else:
            pairs = align_lines(lines, texts)
        for reference, hypothesis in pairs:
            self.add(reference, hypothesis)

    def as_dict(self) -> dict[str, float]:
        cer = self.char_errors / self.chars if self.chars else 0.0
        wer = self.word_errors / self.words if self.words else 0.0
        tone = (self.char_errors - self.folded_errors) / self.char_errors if self.char_errors else 0.0
        raw = self.raw_errors / self.raw_chars if self.raw_chars else 0.0
        return {
            "cer_pct": round(100 * cer, 2),
            "cer_in_order_pct": round(100 * raw, 2),
            "wer_pct": round(100 * wer, 2),
            "tone_only_error_share_pct": round(100 * max(0.0, tone), 1),
            "chars": self.chars,
        }


def _cy(line: Sequence[Word]) -> float:
    return sum((w.bbox.y0 + w.bbox.y1) / 2 for w in line) / len(line)


def field_equal(name: str, truth: str | None, found: str | None) -> bool:
    """Exact match after NFC, canonical tone placement and whitespace; nothing else is forgiven.

    Organ and signer-position labels are title case where the page prints capitals, so those (and
    only those) compare case-insensitively; a subject's final full stop is punctuation, not content.
    """
    if truth is None or found is None:
        return truth is None and found is None
    a, b = normal(truth), normal(found)
    if name == "subject":
        return a.rstrip(".") == b.rstrip(".")
    if name in ("organ_name", "parent_organ_name", "signer_position"):
        return a.casefold() == b.casefold()
    return a == b


def outcome(name: str, truth: str | None, found: str | None, flagged: bool) -> str:
    """One labelled value's outcome, the only per-item trace a committed results file keeps: right,
    wrong or empty, each with whether the value was sent to review."""
    state = "right" if field_equal(name, truth, found) else "empty" if found is None else "wrong"
    if flagged:
        return f"{state}, flagged"
    return {"wrong": "WRONG, NOT FLAGGED", "empty": "empty, not flagged"}.get(state, state)


def item_record(truth: dict[str, str | None], fields: DocumentFields) -> dict[str, dict[str, str | None]]:
    """One scored item's values: each labelled field's outcome, its truth and what was found (marked
    ' [review]' where flagged); :func:`without_values` keeps only the outcomes."""
    values, flags = field_values(fields)
    return {"outcome": {n: outcome(n, t, values.get(n), flags.get(n, False)) for n, t in truth.items()},
            "truth": dict(truth),
            "found": {n: f"{values.get(n)}{' [review]' if flags.get(n) else ''}" for n in truth}}


VALUE_KEYS = ("truth", "found", "read")


def without_values(results: Any) -> Any:
    """``results`` less every labelled value and every value read (keys ``truth``, ``found``, ``read``):
    the real documents' labels stay out of the repository (their README asks it); outcomes stay."""
    if isinstance(results, dict):
        return {k: without_values(v) for k, v in results.items() if k not in VALUE_KEYS}
    if isinstance(results, list):
        return [without_values(v) for v in results]
    return results


def sign_of(values: dict[str, str | None]) -> str | None:
    return format_so_ky_hieu(values.get("code_number"), values.get("code_notation"))


def field_values(fields: DocumentFields) -> tuple[dict[str, str | None], dict[str, bool]]:
    """Values (plus the rebuilt ``so_ky_hieu``) and which of them the extractor flagged for review."""
    values: dict[str, str | None] = fields.as_fields()
    values["so_ky_hieu"] = sign_of(values)
    flags = {n: v.needs_review for n, v in fields.values.items()}
    flags["so_ky_hieu"] = flags.get("code_number", False) or flags.get("code_notation", False)
    return values, flags


@dataclass
class FieldScore:
    """Per-field exact-match counts; a miss is flagged (sent to review), empty, or silently wrong.

    ``flags`` counts every value sent to review (right or wrong), ``flag_hits`` the right ones among them:
    enough to tell the accuracy of the values a reviewer is *not* pointed to and the share that is."""

    hits: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    flagged: dict[str, int] = field(default_factory=dict)
    empty: dict[str, int] = field(default_factory=dict)
    flags: dict[str, int] = field(default_factory=dict)
    flag_hits: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, ok: bool, *, flagged: bool = False, empty: bool = False) -> None:
        self.total[name] = self.total.get(name, 0) + 1
        self.hits[name] = self.hits.get(name, 0) + int(ok)
        self.flagged[name] = self.flagged.get(name, 0) + int(not ok and flagged)
        self.empty[name] = self.empty.get(name, 0) + int(not ok and empty and not flagged)
        self.flags[name] = self.flags.get(name, 0) + int(flagged)
        self.flag_hits[name] = self.flag_hits.get(name, 0) + int(flagged and ok)

    def score(self, truth: dict[str, str | None], fields: DocumentFields) -> None:
        """Compare every labelled field of one document."""
        found, flags = field_values(fields)
        for name, expected in truth.items():
            value = found.get(name)
            self.add(name, field_equal(name, expected, value), flagged=flags.get(name, False),
                     empty=value is None and expected is not None)

    def as_dict(self) -> dict[str, float]:
        return {n: round(100 * self.hits[n] / self.total[n], 1) for n in self.total}

    def overall(self, names: Iterable[str] | None = None) -> dict[str, float]:
        """All scored values of ``names`` (default: every field) pooled: right %, and the review figures."""
        keep = [n for n in self.total if names is None or n in set(names)]
        pooled = FieldScore()
        for attr in ("hits", "total", "flagged", "empty", "flags", "flag_hits"):
            getattr(pooled, attr)["all"] = sum(getattr(self, attr).get(n, 0) for n in keep)
        if not pooled.total["all"]:
            return {"values": 0}
        return {"right_pct": pooled.as_dict()["all"], **pooled.review()["all"]}

    def misses(self) -> dict[str, dict[str, int]]:
        """Per field: wrong but flagged, left empty, wrong and unflagged (the harmful kind)."""
        return {n: {"flagged": self.flagged[n], "empty": self.empty[n],
                    "unflagged": self.total[n] - self.hits[n] - self.flagged[n] - self.empty[n]}
                for n in self.total}

    def review(self) -> dict[str, dict[str, float]]:
        """Per field: values scored, share flagged for review, accuracy of the unflagged values (an
        unflagged empty value is right only where nothing is printed) and unflagged wrong: wrong values
        returned without a flag over all values scored (an empty one is not counted there; see misses)."""
        out: dict[str, dict[str, float]] = {}
        for n, total in self.total.items():
            unflagged = total - self.flags[n]
            wrong = total - self.hits[n] - self.flagged[n] - self.empty[n]
            out[n] = {"values": total, "flagged_pct": round(100 * self.flags[n] / total, 1),
                      "unflagged_right_pct": round(100 * (self.hits[n] - self.flag_hits[n]) / unflagged, 1)
                      if unflagged else 100.0,
                      "unflagged_wrong_pct": round(100 * wrong / total, 1), "unflagged_wrong": wrong}
        return out


def split_scores(truth: Iterable[Sequence[int]], found: Iterable[Sequence[int]]) -> dict[str, float]:
    """A predicted document counts when its page set equals a true document's exactly."""
    true_sets = {tuple(sorted(d)) for d in truth}
    found_sets = [tuple(sorted(d)) for d in found]
    correct = sum(1 for d in found_sets if d in true_sets)
    precision = correct / len(found_sets) if found_sets else 0.0
    recall = correct / len(true_sets) if true_sets else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision_pct": round(100 * precision, 1),
        "recall_pct": round(100 * recall, 1),
        "f1": round(f1, 3),
        "documents": len(true_sets),
        "multi_page_documents": sum(1 for d in true_sets if len(d) > 1),
    }
