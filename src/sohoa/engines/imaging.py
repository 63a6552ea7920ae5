"""Image measurements and corrections on numpy arrays (OpenCV): ink, background, skew, orientation."""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray

__all__ = [
    "Grey",
    "Mask",
    "dark_borders",
    "detect_lines",
    "detect_skew",
    "ink_mask",
    "is_upside_down",
    "luminance",
    "normalise_background",
    "paper_is_even",
    "red_mask",
    "resize",
    "suppress_red",
    "upscale_smooth",
]

Grey = NDArray[np.uint8]
Mask = NDArray[np.bool_]

_INK_LEVEL = 0.6  # a pixel darker than 60 % of its local paper brightness is ink
_BORDER_DARK = 70  # grey level under which a scanner border row/column counts as dark
_MAX_POINTS = 60_000  # ink pixels used for the skew search (a regular subsample)
_MIN_LINE_SCORE = 1.3  # profile sharpness of text lines; a photo or noise stays near 1.0
_MIN_BANDS = 6  # text lines needed to judge a page upside down
_MANY_BANDS = 10  # from this many lines on, a smaller majority of ink above the x-height band decides
_MERGED_BAND = 1.6  # a band this many times taller than the median line holds two lines run together


def resize(image: Grey, factor: float) -> Grey:
    """Scale by ``factor`` (area averaging when shrinking, bilinear when enlarging).

    Shrinking by a whole factor (300 → 100 dpi is 1/3) drops the last partial block of pixels so that
    OpenCV takes its integer area path, 2-3× faster than the general one for the same averages.
    """
    if abs(factor - 1.0) < 1e-3:
        return image
    height, width = image.shape[:2]
    whole = round(1 / factor) if factor < 1 else 0
    if whole >= 2 and abs(1 / factor - whole) < 1e-3 and height >= whole and width >= whole:
        trimmed = image[: height - height % whole, : width - width % whole]
        size = (width // whole, height // whole)
        return np.asarray(cv2.resize(trimmed, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    method = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(image, size, interpolation=method), dtype=np.uint8)


def luminance(rgb: NDArray[np.uint8]) -> Grey:
    """ITU-R BT.601 grey of an RGB array (grey arrays pass through)."""
    if rgb.ndim == 2:
        return rgb
    return np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), dtype=np.uint8)


def suppress_red(rgb: NDArray[np.uint8]) -> Grey:
    """Grey in which red ink (seals, stamps, red signatures) turns pale: max(luminance, red channel).

    Red ink is bright in the red channel while black and blue ink stay dark in both, so black text
    printed over a seal survives. Yellowed paper also turns white, which helps binarisation.
    """
    if rgb.ndim == 2:
        return rgb
    return np.asarray(cv2.max(luminance(rgb), np.ascontiguousarray(rgb[:, :, 0])), dtype=np.uint8)


def red_mask(rgb: NDArray[np.uint8]) -> Mask:
    """Pixels of strongly red ink (hue within ±12° of red, saturated, not dark)."""
    if rgb.ndim == 2:
        return np.zeros(rgb.shape, dtype=np.bool_)
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    hue, sat, val = hsv[:, :, 0], hsv[:, :, 1], hsv[:, :, 2]
    return np.asarray(((hue <= 6) | (hue >= 174)) & (sat >= 90) & (val >= 90), dtype=np.bool_)


def _background(grey: Grey, dpi: int) -> Grey:
    """Paper brightness around each pixel: max filter wider than a stroke, then a median, at ~25 dpi."""
    factor = min(1.0, 25.0 / dpi)
    small = resize(grey, factor)
    closed = cv2.dilate(small, np.ones((3, 3), np.uint8))
    smooth = cv2.medianBlur(closed, 5)
    height, width = grey.shape
    return np.asarray(cv2.resize(smooth, (width, height), interpolation=cv2.INTER_LINEAR), dtype=np.uint8)


def normalise_background(grey: Grey, dpi: int) -> Grey:
    """Divide by the paper estimate so yellowed, stained or unevenly lit paper becomes white."""
    background = np.maximum(_background(grey, dpi), 1)
    return np.asarray(cv2.divide(grey, background, scale=255), dtype=np.uint8)


def paper_is_even(grey: Grey, dpi: int, *, darkest: int = 200, typical: int = 225) -> bool:
    """Whether the paper is already white and evenly lit (nothing for background normalisation to do).

    Measured on the same coarse paper estimate: its 2nd percentile (shadows, stains, yellowed
    corners) and its median. Normalising such a page only sharpens noise and thins strokes; it hurt
    Tesseract on clean and noisy pages and on a low-resolution phone photo.
    """
    if grey.size == 0:
        return True
    factor = min(1.0, 25.0 / dpi)
    closed = cv2.dilate(resize(grey, factor), np.ones((3, 3), np.uint8))
    smooth = cv2.medianBlur(closed, 5) if min(closed.shape[:2]) >= 5 else closed
    low, mid = np.percentile(smooth, (2, 50))
    return bool(low >= darkest and mid >= typical)


def upscale_smooth(grey: Grey, factor: float) -> Grey:
    """Enlarge a low-resolution page (bicubic), then soften the stair-steps of 1-bit or 200 dpi edges
    with a slight Gaussian blur; measured better for Tesseract than bilinear or no smoothing."""
    height, width = grey.shape[:2]
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    big = cv2.resize(grey, size, interpolation=cv2.INTER_CUBIC)
    return np.asarray(cv2.GaussianBlur(big, (0, 0), 0.8), dtype=np.uint8)


def ink_mask(normalised: Grey) -> Mask:
    """Ink pixels of a background-normalised grey image."""
    return np.asarray(normalised < round(255 * _INK_LEVEL), dtype=np.bool_)


def dark_borders(grey: Grey) -> tuple[int, int, int, int]:
    """Thickness of dark scanner borders at the top, bottom, left and right, in pixels."""
    dark = grey < _BORDER_DARK
    rows, cols = dark.mean(axis=1), dark.mean(axis=0)

    def run(profile: NDArray[np.float64]) -> int:
        count = 0
        limit = len(profile) // 4  # a border never eats more than a quarter of the page
        while count < limit and profile[count] > 0.5:
            count += 1
        return count

    return run(rows), run(rows[::-1]), run(cols), run(cols[::-1])


def detect_lines(mask: Mask, *, max_degrees: float = 6.0) -> tuple[str | None, float]:
    """Direction of the text lines ('horizontal', 'vertical' or None without text) and their skew.

    The skew is the counter-clockwise angle of the lines once vertical text has been turned
    counter-clockwise by 90°. Both directions are scored by how sharply their projection profile
    alternates between lines and gaps; the coarse search is also the direction test.
    """
    coarse = np.arange(-max_degrees, max_degrees + 1e-9, 0.5)
    candidates = []
    for direction, turned in (("horizontal", mask), ("vertical", np.rot90(mask, 1))):
        points = _points(turned)
        if points is None:
            return None, 0.0
        angle, score = _best_angle(*points, coarse)
        candidates.append((score, direction, angle, points))
    score, direction, angle, points = max(candidates, key=lambda c: c[0])
    if score < _MIN_LINE_SCORE:
        return None, 0.0
    fine, _ = _best_angle(*points, np.arange(angle - 0.5, angle + 0.5 + 1e-9, 0.05))
    return direction, round(fine, 2)


def detect_skew(mask: Mask, *, max_degrees: float = 6.0) -> float:
    """Counter-clockwise angle of horizontal text lines (0 when there are none)."""
    points = _points(mask)
    if points is None:
        return 0.0
    angle, _ = _best_angle(*points, np.arange(-max_degrees, max_degrees + 1e-9, 0.5))
    fine, _ = _best_angle(*points, np.arange(angle - 0.5, angle + 0.5 + 1e-9, 0.05))
    return round(fine, 2)


def _points(mask: Mask) -> tuple[NDArray[np.float64], NDArray[np.float64]] | None:
    """Ink pixel coordinates, x centred, regularly subsampled to bound the cost."""
    ys, xs = np.nonzero(mask)
    if len(xs) < 200:
        return None
    if len(xs) > _MAX_POINTS:
        step = len(xs) // _MAX_POINTS + 1
        ys, xs = ys[::step], xs[::step]
    return xs.astype(np.float64) - mask.shape[1] / 2, ys.astype(np.float64)


def _best_angle(
    xs: NDArray[np.float64], ys: NDArray[np.float64], angles: NDArray[np.float64]
) -> tuple[float, float]:
    """The angle whose row profile is sharpest, and that sharpness (1.0 = no line structure)."""
    best_angle, best_score = 0.0, -1.0
    total = float(len(xs)) ** 2
    for angle in angles:
        theta = math.radians(float(angle))
        rows = ys * math.cos(theta) + xs * math.sin(theta)
        rows -= rows.min()
        profile = np.bincount(rows.astype(np.int64))
        score = float(np.dot(profile, profile)) * len(profile) / total
        if score > best_score:
            best_angle, best_score = float(angle), score
    return best_angle, best_score


def is_upside_down(mask: Mask) -> bool | None:
    """Whether straight horizontal text is upside down (None when it cannot tell).

    Latin script, and Vietnamese even more with its tone marks, puts far more ink above the x-height
    band (ascenders, capitals, diacritics) than below it (descenders, dot below). Vertical rules (table
    grids) are taken out first, since they join every row into one band; with fewer than
    ``_MIN_BANDS`` separate lines the evidence is too thin and the page is never turned.
    """
    ink = mask.astype(np.uint8)
    tall = max(3, mask.shape[0] // 40)  # a rule longer than ~2.5 % of the page height is no letter
    rules = np.asarray(cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((tall, 1), np.uint8)), dtype=np.uint8)
    profile = np.asarray(cv2.subtract(ink, rules), dtype=np.float64).sum(axis=1)
    bands = _line_bands(profile)
    if len(bands) < _MIN_BANDS:
        return None
    # A band much taller than the typical line is two lines run together (a descender touching the
    # next line's accents): its "core" spans both, so its ink above/below says nothing. Left out.
    typical = sorted(bottom - top for top, bottom in bands)[len(bands) // 2]
    lines = [(top, bottom) for top, bottom in bands if bottom - top <= _MERGED_BAND * typical]
    if len(lines) < _MIN_BANDS:
        return None
    above = below = 0.0
    for top, bottom in lines:
        band = profile[top:bottom]
        core = np.nonzero(band >= 0.5 * band.max())[0]
        above += float(band[: core[0]].sum())
        below += float(band[core[-1] + 1 :].sum())
    total = above + below
    if total <= 0:
        return None
    share = above / total
    # A page with few lines (a signature page) needs a clearer majority before it is turned.
    margin = 0.08 if len(lines) >= _MANY_BANDS else 0.15
    if 0.5 - margin <= share <= 0.5 + margin:
        return None
    return share < 0.5


def _line_bands(profile: NDArray[np.float64]) -> list[tuple[int, int]]:
    """Row ranges of text lines: runs of rows holding ink, separated by empty rows."""
    inked = profile > max(1.0, 0.02 * float(profile.max(initial=0.0)))
    bands = []
    start: int | None = None
    for row, flag in enumerate(inked):
        if flag and start is None:
            start = row
        elif not flag and start is not None:
            if row - start >= 4:
                bands.append((start, row))
            start = None
    return bands
