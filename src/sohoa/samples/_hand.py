"""Digits written "by hand": strokes of each digit, bent, slanted and jittered, drawn with a pen.

Used by the sample generator to fill the number and the day of a printed form, and by
``scripts/train_digits.py`` to make the training data of the digit recognizer
(``sohoa.intelligence.handwriting``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PIL import ImageDraw

from sohoa.samples._typeset import Mark, Page, width

__all__ = ["HAND_INKS", "LEAD_IN_ONES", "digit_strokes", "draw_digits", "fill_by_hand"]

Stroke = list[tuple[float, float]]

# Each digit as pen strokes in a unit box (x right, y down), several ways of writing some of them.
_SHAPES: dict[str, tuple[tuple[Stroke, ...], ...]] = {
    "1": (([(0.25, 0.25), (0.6, 0.0), (0.6, 1.0)],), ([(0.55, 0.0), (0.5, 1.0)],),
          ([(0.3, 0.2), (0.6, 0.0), (0.6, 1.0)], [(0.3, 1.0), (0.9, 1.0)])),
    "2": (([(0.1, 0.25), (0.3, 0.03), (0.7, 0.03), (0.88, 0.25), (0.8, 0.5), (0.1, 1.0), (0.95, 1.0)],),
          ([(0.12, 0.2), (0.5, 0.0), (0.85, 0.2), (0.7, 0.55), (0.15, 0.95), (0.4, 0.88), (0.95, 0.98)],)),
    "3": (([(0.1, 0.1), (0.5, 0.0), (0.85, 0.2), (0.45, 0.45), (0.9, 0.7), (0.55, 1.0), (0.1, 0.9)],),
          ([(0.1, 0.0), (0.85, 0.0), (0.4, 0.4), (0.85, 0.6), (0.7, 0.95), (0.1, 0.9)],)),
    "4": (([(0.7, 1.0), (0.7, 0.0), (0.05, 0.7), (0.95, 0.7)],),
          ([(0.3, 0.0), (0.1, 0.6), (0.9, 0.6)], [(0.7, 0.3), (0.7, 1.0)])),
    "5": (([(0.85, 0.0), (0.2, 0.0), (0.15, 0.45), (0.6, 0.38), (0.9, 0.65), (0.6, 1.0), (0.1, 0.9)],),
          ([(0.2, 0.0), (0.15, 0.45), (0.6, 0.38), (0.9, 0.65), (0.6, 1.0), (0.1, 0.9)], [(0.2, 0.0), (0.9, 0.0)])),
    "6": (([(0.75, 0.0), (0.3, 0.3), (0.12, 0.7), (0.35, 1.0), (0.75, 0.95), (0.85, 0.7), (0.55, 0.5),
            (0.2, 0.65)],),),
    "7": (([(0.05, 0.0), (0.95, 0.0), (0.4, 1.0)],),
          ([(0.05, 0.1), (0.1, 0.0), (0.95, 0.0), (0.45, 1.0)], [(0.35, 0.5), (0.85, 0.5)])),
    "8": (([(0.55, 0.48), (0.15, 0.25), (0.5, 0.0), (0.85, 0.22), (0.5, 0.5), (0.1, 0.78), (0.5, 1.0),
            (0.9, 0.78), (0.55, 0.48)],),),
    "9": (([(0.85, 0.3), (0.5, 0.5), (0.15, 0.3), (0.45, 0.0), (0.85, 0.15), (0.85, 0.5), (0.7, 1.0)],),
          ([(0.85, 0.25), (0.5, 0.45), (0.15, 0.25), (0.5, 0.0), (0.85, 0.2), (0.8, 1.0)],)),
}
HAND_INKS = ((28, 48, 150), (20, 20, 60), (35, 35, 40))  # blue ballpoint, dark blue, black
LEAD_IN_ONES = 0.3  # of the training hand's '1's: the Vietnamese lead-in '1' (``_lead_in_one``)
# More ways seen in Vietnamese offices, for the recognizer's training only (``extra=True``; the sample
# pages keep the shapes above): a '2' whose foot starts with a loop, a '1' with a long lead-in stroke
# (from as low as three quarters of its height, or from the baseline to a sharp peak) or a flag that
# meets the stem below its top, a '7' whose
# bar crosses its stem (its top hooked or wavy), a '5' whose flag is a separate stroke off its body (as
# long as one and a half bodies), a '9' and a '4' with a straight stem, a '4' closed at its top with its
# bar running on past the stem or rising, a '9' whose tail curls back left, a '3' with a flat top, a '6'
# whose top comes down steeply to a low loop. Any digit may run on towards the next (``_joined``).
_MORE: dict[str, tuple[tuple[Stroke, ...], ...]] = {
    "2": (([(0.1, 0.25), (0.35, 0.0), (0.75, 0.03), (0.85, 0.3), (0.5, 0.65), (0.15, 0.95), (0.02, 0.85),
            (0.2, 0.72), (0.45, 0.9), (0.95, 1.0)],),
          ([(0.15, 0.2), (0.5, 0.0), (0.85, 0.2), (0.65, 0.55), (0.2, 0.9), (0.05, 1.0), (0.0, 0.85), (0.3, 0.78),
            (0.6, 0.95), (1.0, 0.92)],)),
    "1": (([(0.0, 0.45), (0.6, 0.0), (0.6, 1.0)],), ([(0.05, 0.35), (0.55, 0.0), (0.5, 1.0)],),
          ([(0.0, 0.55), (0.35, 0.3), (0.75, 0.0), (0.65, 1.0)],), ([(0.0, 0.7), (0.4, 0.3), (0.8, 0.0), (0.7, 1.0)],),
          ([(0.0, 0.78), (0.45, 0.32), (0.85, 0.0), (0.72, 1.0)],),
          ([(0.05, 0.6), (0.3, 0.4), (0.75, 0.0), (0.7, 0.5), (0.62, 1.0)],),
          ([(0.0, 0.4), (0.3, 0.32), (0.62, 0.18)], [(0.7, 0.0), (0.55, 1.0)]),
          # The lead-in from the baseline: a sharp peak, its stem straight or bowed.
          ([(0.0, 0.95), (0.8, 0.0), (0.72, 1.0)],),
          ([(0.05, 0.85), (0.45, 0.4), (0.85, 0.0), (0.8, 0.5), (0.7, 1.0)],)),
    "3": (([(0.05, 0.05), (0.85, 0.0), (0.35, 0.42), (0.7, 0.45), (0.92, 0.7), (0.6, 1.0), (0.1, 0.85)],),),
    "4": (([(0.6, 1.0), (0.62, 0.0), (0.0, 0.68), (1.0, 0.66)],),
          ([(0.55, 0.0), (0.0, 0.62), (1.0, 0.58)], [(0.72, 0.05), (0.62, 1.0)]),
          ([(0.5, 0.0), (0.05, 0.68), (0.95, 0.5)], [(0.7, 0.15), (0.66, 1.0)]),
          ([(0.62, 1.0), (0.66, -0.05), (0.0, 0.66), (0.45, 0.64), (1.0, 0.55)],),
          ([(0.3, 0.0), (0.05, 0.62), (1.0, 0.6)], [(0.72, 0.2), (0.68, 1.0)])),
    "5": (([(0.25, 0.05), (0.2, 0.45), (0.6, 0.38), (0.9, 0.65), (0.6, 1.0), (0.1, 0.9)], [(0.4, 0.0), (1.0, -0.05)]),
          ([(0.25, 0.0), (0.2, 0.45), (0.55, 0.35), (0.85, 0.6), (0.6, 1.0), (0.1, 0.9)], [(0.25, 0.0), (1.5, -0.08)]),
          ([(0.85, 0.0), (0.2, 0.0), (0.15, 0.45), (0.6, 0.38), (0.9, 0.65), (0.6, 1.0), (0.1, 0.9)],
           [(0.85, 0.0), (1.3, -0.05)])),
    "6": (([(0.85, 0.0), (0.45, 0.15), (0.15, 0.5), (0.12, 0.75), (0.4, 1.0), (0.8, 0.92), (0.88, 0.68), (0.55, 0.48),
            (0.15, 0.62)],),),
    "7": (([(0.0, 0.05), (0.9, 0.0), (0.75, 1.0)], [(0.2, 0.55), (0.95, 0.5)]),
          ([(0.05, 0.0), (0.95, 0.02), (0.55, 1.0)], [(0.25, 0.5), (0.9, 0.5)]),
          ([(0.0, 0.2), (0.1, 0.0), (0.95, 0.0), (0.6, 1.0)], [(0.3, 0.52), (0.95, 0.48)]),
          ([(0.0, 0.18), (0.08, 0.0), (0.5, 0.06), (1.0, 0.0), (0.45, 1.0)], [(0.15, 0.55), (1.0, 0.45)]),
          ([(0.0, 0.1), (0.35, 0.0), (0.65, 0.05), (1.0, 0.0), (0.7, 0.5), (0.5, 1.0)], [(0.3, 0.5), (1.05, 0.5)])),
    "9": (([(0.85, 0.3), (0.5, 0.5), (0.15, 0.3), (0.45, 0.0), (0.85, 0.15), (0.85, 1.0)],),
          ([(0.85, 0.25), (0.5, 0.42), (0.2, 0.28), (0.4, 0.0), (0.8, 0.05), (0.85, 0.4), (0.75, 0.85), (0.45, 1.0),
            (0.15, 0.9)],)),
}


def _oval(rng: np.random.Generator) -> Stroke:
    start = rng.uniform(-0.5, 0.5)
    t = np.linspace(start, start + 2 * np.pi + rng.uniform(0.1, 0.5), 28)
    return [(0.5 + 0.45 * float(np.sin(a)), 0.5 - 0.5 * float(np.cos(a))) for a in t]


def _chaikin(points: np.ndarray, rounds: int = 2) -> np.ndarray:
    for _ in range(rounds):
        if len(points) < 3:
            return points
        q = 0.75 * points[:-1] + 0.25 * points[1:]
        r = 0.25 * points[:-1] + 0.75 * points[1:]
        points = np.vstack([points[:1], np.column_stack([q, r]).reshape(-1, 2), points[-1:]])
    return points


def _joined(strokes: list[Stroke], rng: np.random.Generator) -> list[Stroke]:
    """A digit of a hand that joins its digits (training only): its last stroke sometimes runs on to the right,
    level or rising, towards where the next digit starts (as left of it after a cut through the joining
    stroke)."""
    strokes = [list(s) for s in strokes]
    if rng.random() < 0.12:
        x, y = strokes[-1][-1]
        strokes[-1].append((x + float(rng.uniform(0.2, 0.45)), y - float(rng.uniform(-0.1, 0.4))))
    return strokes


def _lead_in_one(rng: np.random.Generator) -> list[Stroke]:
    """A '1' as many Vietnamese hands write it (training only): a long, straight lead-in from low on the left
    (half its height down to below the stem's foot) up to a sharp peak at the right, then the stem down,
    leaning a little and often shorter than the lead-in. Two strokes meeting at the peak keep its corner sharp
    (smoothing rounds a corner inside a stroke) and may differ in pressure. A lead-in as long and as heavy as
    the stem turns the glyph's principal axis, so the features' shear stands the lead-in up, not the stem:
    the fixed shapes of ``_MORE`` never did that, and a model taught them refused such real '1's as "not a
    digit"."""
    peak = (float(rng.uniform(0.75, 1.0)), float(rng.uniform(-0.03, 0.05)))
    start = (float(rng.uniform(0.0, 0.2)), float(rng.uniform(0.5, 1.05)))
    foot = (float(rng.uniform(0.4, 0.8)), float(rng.uniform(0.8, 1.0)))
    return [[start, peak], [peak, foot]]


def digit_strokes(digit: str, rng: np.random.Generator, extra: bool = False, lead_in: bool = False,
                  ) -> list[np.ndarray]:
    """One way of writing ``digit``: strokes as (n, 2) arrays in a unit box, perturbed and smoothed
    (``extra``: the training-only shapes and joining strokes too; ``lead_in``: a '1' by ``_lead_in_one``,
    which leans already, so little slant is added)."""
    shapes = _SHAPES.get(digit, ())
    if lead_in:
        shapes = (tuple(_lead_in_one(rng)),)
    elif extra and digit in _MORE and rng.random() < 0.5:  # the plain shapes stay half of the training hand
        shapes = _MORE[digit]
    strokes = [_oval(rng)] if digit == "0" else list(shapes[int(rng.integers(len(shapes)))])
    if extra:
        strokes = _joined(strokes, rng)
    slant = rng.uniform(-0.1, 0.2) if lead_in else rng.uniform(-0.15, 0.55) if extra else rng.uniform(-0.1, 0.35)
    angle = rng.uniform(-0.12, 0.12)
    sx = rng.uniform(0.6, 1.2) if extra else rng.uniform(0.75, 1.1)
    cos, sin = np.cos(angle), np.sin(angle)
    out = []
    for stroke in strokes:
        p = np.asarray(stroke, dtype=float) + rng.normal(0.0, 0.035, (len(stroke), 2))
        p[:, 0] = (p[:, 0] - 0.5) * sx + slant * (0.5 - p[:, 1])
        p[:, 1] -= 0.5
        p = np.column_stack([cos * p[:, 0] - sin * p[:, 1], sin * p[:, 0] + cos * p[:, 1]]) + 0.5
        out.append(_chaikin(p, 1 if digit == "0" else 2))
    return out


def draw_digits(draw: ImageDraw.ImageDraw, text: str, x: float, baseline: float, height: float,
                rng: np.random.Generator, ink: tuple[int, int, int], pen: float,
                extra: bool = False) -> tuple[float, float, float, float]:
    """Write ``text`` (digits) from ``x`` with its bottom near ``baseline``; returns the box written
    (``extra``: the training-only shapes too)."""
    box = [x, baseline, x, baseline]
    cursor = x
    for digit in text:
        h = height * rng.uniform(0.88, 1.1)
        # A '1' written with a lead-in stroke is as wide as the other digits (``extra``); a Vietnamese one
        # (``_lead_in_one``) wider than most.
        lead_in = extra and digit == "1" and rng.random() < LEAD_IN_ONES
        if lead_in:
            w = h * rng.uniform(0.55, 0.9)
        else:
            w = h * (rng.uniform(0.3, 0.9) if extra else 0.35) if digit == "1" else h * rng.uniform(0.55, 0.72)
        top = baseline - h + rng.normal(0.0, 0.05 * height)
        for stroke in digit_strokes(digit, rng, extra, lead_in):
            points = [(float(cursor + px * w), float(top + py * h)) for px, py in stroke]
            width = pen * rng.uniform(0.5, 1.3) if extra else pen  # pressure differs stroke to stroke
            draw.line(points, fill=ink, width=max(1, round(width)), joint="curve")
            r = width / 2
            for px, py in (points[0], points[-1]):
                draw.ellipse((px - r, py - r, px + r, py + r), fill=ink)
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            box = [min(box[0], *xs), min(box[1], *ys), max(box[2], *xs), max(box[3], *ys)]
        cursor += w + height * rng.uniform(0.12, 0.3)
    return box[0], box[1], box[2], box[3]


def _hand_mark(text: str, x: float, baseline: float, px: int, rng: np.random.Generator) -> Mark:
    height = px * rng.uniform(0.95, 1.35)
    return Mark("hand", (x, baseline + 0.1 * px - height, x + len(text) * 1.05 * height, baseline + 0.1 * px), text,
                px)


def fill_by_hand(page: Page, rng: np.random.Generator) -> Page:
    """The first page as a printed form whose number ('Số: __/QĐ-UBND') and day ('ngày __ tháng') were
    left blank and written in by hand; the truth (the page's lines) is unchanged."""
    texts = list(page.texts)
    marks = list(page.marks)
    done: set[str] = set()  # only the header's number and date line, never a date quoted in the body
    for i in range(1, len(texts)):
        prev, t = texts[i - 1], texts[i]
        if prev.text == "Số:" and t.y == prev.y and "number" not in done:
            done.add("number")
            cut = min((k for k in (t.text.find("/"), t.text.find("-")) if k > 0), default=-1)
            if cut <= 0 or not t.text[:cut].isdigit():
                continue
            mark = _hand_mark(t.text[:cut], t.x + t.px * rng.uniform(0.1, 0.4), t.y, t.px, rng)
            texts[i] = replace(t, x=mark.box[2] + t.px * rng.uniform(0.2, 0.8), text=t.text[cut:])
            marks.append(mark)
        elif prev.text == "ngày" and t.y == prev.y and t.text.isdigit() and "day" not in done:
            done.add("day")
            written = t.text.lstrip("0") if rng.random() < 0.6 else t.text
            mark = _hand_mark(written, t.x + t.px * rng.uniform(0.1, 0.4), t.y, t.px, rng)
            extra = max(0.0, mark.box[2] - t.x - width(t.text, t.style, t.px)) + t.px * rng.uniform(0.2, 0.8)
            for k in range(i + 1, len(texts)):
                if texts[k].y == t.y:
                    texts[k] = replace(texts[k], x=texts[k].x + extra)
            texts[i] = replace(t, text="")
            marks.append(mark)
    return replace(page, texts=[t for t in texts if t.text], marks=marks)
