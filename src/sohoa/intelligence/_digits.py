"""The digit recognizer of handwritten fill-ins: ink glyphs → 16×16 features → a small MLP (NumPy only).

The weights (``digits.npz``, about 100 kB) are made by ``scripts/train_digits.py`` from digits the
project draws itself (``sohoa.samples._hand``: pen strokes, slant, jitter, pen widths, blur and noise)
and printed digits of the sample fonts; class 10 is "not one digit" (dots, dashes, fragments, two
touching digits), so junk is refused instead of read as a digit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from sohoa.domain.ocr import BBox

__all__ = ["FEATURES", "GUESS", "MODEL_FILE", "DigitModel", "glyph_features", "load_model", "split_touching"]

SIDE = 16
FEATURES = SIDE * SIDE + 1
MODEL_FILE = Path(__file__).with_name("digits.npz")
REJECT = 10
GUESS = 0.5  # every glyph a digit this probable: proposed, flagged; also what each half of a cut glyph needs


def glyph_features(mask: np.ndarray) -> np.ndarray:
    """One glyph's ink (bool or 0/1 array, cropped to its box) as SIDE² values plus its log aspect."""
    h, w = mask.shape
    scale = (SIDE - 2) / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = cv2.resize(mask.astype(np.float32), (nw, nh), interpolation=cv2.INTER_AREA)
    out = np.zeros((SIDE, SIDE), np.float32)
    top, left = (SIDE - nh) // 2, (SIDE - nw) // 2
    out[top:top + nh, left:left + nw] = small
    peak = float(out.max())
    if peak > 0:
        out /= peak
    return np.concatenate([out.ravel(), [np.log(w / h)]]).astype(np.float32)


@dataclass(frozen=True)
class DigitModel:
    """A one-hidden-layer perceptron: features → ReLU → 11 classes (0–9, not a digit)."""

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        hidden = np.maximum(features @ self.w1 + self.b1, 0.0)
        logits = hidden @ self.w2 + self.b2
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        return np.asarray(p / p.sum(axis=1, keepdims=True))

    def read(self, glyphs: list[np.ndarray]) -> list[tuple[int, float]]:
        """(digit or REJECT, probability) per glyph."""
        if not glyphs:
            return []
        p = self.probabilities(np.stack([glyph_features(g) for g in glyphs]))
        best = p.argmax(axis=1)
        return [(int(k), float(p[i, k])) for i, k in enumerate(best)]


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_FILE) -> DigitModel | None:
    """The shipped weights, or None when the file is missing (fill-ins are then only flagged)."""
    if not path.exists():
        return None
    with np.load(path) as data:
        return DigitModel(*(np.asarray(data[k], np.float32) for k in ("w1", "b1", "w2", "b2")))


def split_touching(glyphs: list[np.ndarray], boxes: list[BBox], model: DigitModel,
                   ) -> tuple[list[np.ndarray], list[BBox]]:
    """A glyph wider than tall (two digits run together, '57') cut at its thinnest column between 30 and
    70 % of its width, when both halves read as digits; else kept whole (and then never read)."""
    out_glyphs: list[np.ndarray] = []
    out_boxes: list[BBox] = []
    for glyph, box in zip(glyphs, boxes, strict=True):
        pieces = _halves(glyph, box) if box.width > 1.1 * box.height else None
        if pieces is not None:
            read = model.read([p for p, _ in pieces])
            if all(k != REJECT and p >= GUESS for k, p in read):
                out_glyphs.extend(p for p, _ in pieces)
                out_boxes.extend(b for _, b in pieces)
                continue
        out_glyphs.append(glyph)
        out_boxes.append(box)
    return out_glyphs, out_boxes


def _halves(glyph: np.ndarray, box: BBox) -> list[tuple[np.ndarray, BBox]] | None:
    width = glyph.shape[1]
    lo, hi = int(0.3 * width), int(0.7 * width)
    if hi - lo < 2:
        return None
    cut = lo + int(np.argmin(glyph[:, lo:hi].sum(axis=0)))
    pieces = []
    for x0, x1 in ((0, cut), (cut, width)):
        part = glyph[:, x0:x1]
        rows, cols = np.nonzero(part)
        if rows.size == 0:
            return None
        y0, y1, c0, c1 = int(rows.min()), int(rows.max()) + 1, int(cols.min()), int(cols.max()) + 1
        pieces.append((part[y0:y1, c0:c1], BBox(box.x0 + x0 + c0, box.y0 + y0, box.x0 + x0 + c1, box.y0 + y1)))
    return pieces
