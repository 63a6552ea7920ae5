"""Accuracy metrics: CER/WER after NFC, diacritic-only error share, field comparison, split precision/recall."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sohoa.domain.ocr import Word
from sohoa.domain.text import canonical_text, fold
from sohoa.intelligence._number import format_so_ky_hieu

_SPACES = re.compile(r"\s+")
_YEAR_PREFIX = re.compile(r"^(?:19|20)\d{2}/")
_VV = re.compile(r"^[Vv]\s*/\s*[Vv]\s*")


def normal(text: str) -> str:
    """NFC, canonical tone placement, whitespace collapsed: both sides of every comparison."""
    return _SPACES.sub(" ", canonical_text(text)).strip()


def edit_distance(a: Sequence[str], b: Sequence[str]) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


@dataclass
class TextScore:
    """Summed edit counts over pages; rates are computed at the end."""

    chars: int = 0
    char_errors: int = 0
    folded_errors: int = 0
    words: int = 0
    word_errors: int = 0

    def add(self, truth: str, hypothesis: str) -> None:
        ref, hyp = normal(truth), normal(hypothesis)
        self.chars += len(ref)
        self.char_errors += edit_distance(ref, hyp)
        # Errors that vanish once diacritics are dropped were only tone/diacritic errors.
        self.folded_errors += edit_distance(fold(ref), fold(hyp))
        self.words += len(ref.split())
        self.word_errors += edit_distance(ref.split(), hyp.split())

    def add_lines(self, truth: str, words: Sequence[Word], boxes: Sequence[Sequence[int]]) -> None:
        """Score a page line by line against its truth line boxes (see :func:`by_truth_lines`)."""
        texts, extra = by_truth_lines(words, boxes)
        for reference, hypothesis in zip(truth.split("\n"), texts, strict=False):
            self.add(reference, hypothesis)
        if extra.strip():
            self.add("", extra)

    def as_dict(self) -> dict[str, float]:
        cer = self.char_errors / self.chars if self.chars else 0.0
        wer = self.word_errors / self.words if self.words else 0.0
        tone = (self.char_errors - self.folded_errors) / self.char_errors if self.char_errors else 0.0
        return {
            "cer_pct": round(100 * cer, 2),
            "wer_pct": round(100 * wer, 2),
            "diacritic_only_error_share_pct": round(100 * max(0.0, tone), 1),
            "chars": self.chars,
        }


def by_truth_lines(words: Sequence[Word], boxes: Sequence[Sequence[int]]) -> tuple[list[str], str]:
    """OCR words assigned to the truth line whose box holds their centre; and the words left over.

    Scoring line by line makes CER independent of reading order (Tesseract reads the two header
    columns as one line, the truth lists the left column first); leftovers count as insertions.
    """
    lines: list[list[Word]] = [[] for _ in boxes]
    extra: list[str] = []
    for word in words:
        cx, cy = (word.bbox.x0 + word.bbox.x1) / 2, (word.bbox.y0 + word.bbox.y1) / 2
        inside = [i for i, b in enumerate(boxes) if b[0] - 5 <= cx <= b[2] + 5 and b[1] - 5 <= cy <= b[3] + 5]
        if inside:
            lines[inside[0]].append(word)
        else:
            extra.append(word.text)
    texts = [" ".join(w.text for w in sorted(line, key=lambda w: w.bbox.x0)) for line in lines]
    return texts, " ".join(extra)


def field_equal(name: str, truth: str | None, found: str | None) -> bool:
    """Exact match after NFC/tone placement/whitespace; conventions that differ only in form are aligned.

    code_notation: Sohoa keeps a legal-normative year in the notation ('2025/QĐ-UBND', so that
    number + '/' + notation rebuilds the printed sign); a truth without it ('QĐ-UBND') still matches.
    subject: the công văn marker 'V/v' is printed, and a truth may or may not include it.
    organ names are compared case-insensitively (printed in capitals, labelled in title case).
    """
    if truth is None or found is None:
        return truth is None and found is None
    a, b = normal(truth), normal(found)
    if name == "code_notation":
        a, b = _YEAR_PREFIX.sub("", a), _YEAR_PREFIX.sub("", b)
    if name == "subject":
        a, b = _VV.sub("", a), _VV.sub("", b)
        return a.rstrip(".") == b.rstrip(".")
    if name in ("organ_name", "parent_organ_name", "signer_position", "signer_block"):
        return a.casefold() == b.casefold()
    return a == b


def sign_of(values: dict[str, str | None]) -> str | None:
    return format_so_ky_hieu(values.get("code_number"), values.get("code_notation"))


@dataclass
class FieldScore:
    """Per-field exact-match counts."""

    hits: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, ok: bool) -> None:
        self.total[name] = self.total.get(name, 0) + 1
        self.hits[name] = self.hits.get(name, 0) + int(ok)

    def as_dict(self) -> dict[str, float]:
        return {n: round(100 * self.hits[n] / self.total[n], 1) for n in self.total}


def split_scores(truth: Iterable[Sequence[int]], found: Iterable[Sequence[int]]) -> dict[str, float]:
    """A predicted document counts when its page set equals a true document's exactly."""
    true_sets = {tuple(sorted(d)) for d in truth}
    found_sets = [tuple(sorted(d)) for d in found]
    correct = sum(1 for d in found_sets if d in true_sets)
    precision = correct / len(found_sets) if found_sets else 0.0
    recall = correct / len(true_sets) if true_sets else 0.0
    return {
        "precision_pct": round(100 * precision, 1),
        "recall_pct": round(100 * recall, 1),
        "documents": len(true_sets),
    }
