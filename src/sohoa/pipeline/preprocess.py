"""Preprocess: measure a master's quality and derive the OCR input; the master itself never changes."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

from sohoa.engines import imaging
from sohoa.engines.imaging import Grey
from sohoa.pipeline.types import PageTransform, PreparedPage, QualityMetrics

__all__ = ["PreprocessOptions", "measure_quality", "pixel_array", "prepare_for_ocr"]

_ANALYSIS_DPI = 100  # orientation, skew, ink and colour are measured on a copy at this resolution
_BLUR_DPI = 150
_MIN_SKEW = 0.2  # smaller skew does not hurt Tesseract; rotating would only blur the strokes
_RED_SHARE = 0.0005  # share of red pixels from which the seal/stamp suppression is used
_BLANK_COMPONENTS = 5  # fewer ink blobs than this (at 100 dpi, ≥ 8 px each) is a blank page
_BLUR_LIMIT = 300.0  # Laplacian variance at 150 dpi under which text is visibly soft


@dataclass(frozen=True)
class PreprocessOptions:
    """Switches for each step (all on by default) so the accuracy harness can compare them."""

    orientation: bool = True
    deskew: bool = True
    crop_borders: bool = True
    normalise_background: bool = True
    suppress_red: bool = True
    binarize: str = "none"  # "none" (Tesseract binarises), "otsu" or "adaptive"
    # OCR input outside [min_dpi, max_dpi] is rescaled to target_dpi: Tesseract reads 200 dpi and
    # 1-bit scans better once enlarged to 300 dpi and smoothed (measured on the generated corpus).
    min_dpi: int = 250
    max_dpi: int = 400
    target_dpi: int = 300


def pixel_array(image: Image.Image | NDArray[np.uint8], depth: int | None = None) -> tuple[NDArray[np.uint8], int]:
    """A read-only grey or RGB array view of the master, and the master's bit depth (``depth`` when an
    array is given with it; an array alone cannot tell a 1-bit scan from a grey one).

    The page worker converts a decoded page once and hands the array to ``measure_quality`` (with
    the depth) and ``prepare_for_ocr``: converting a PIL image copies the whole page.
    """
    if isinstance(image, np.ndarray):
        array, depth = image, depth or (24 if image.ndim == 3 else 8)
    else:
        depth = {"1": 1, "L": 8, "RGB": 24}.get(image.mode, 24)
        source = image if image.mode in ("L", "RGB") else image.convert("L" if depth <= 8 else "RGB")
        array = np.asarray(source, dtype=np.uint8)
    if array.ndim == 3 and array.shape[2] == 4:
        array = array[:, :, :3]
    view = array.view()
    view.flags.writeable = False  # any accidental in-place edit of the master fails loudly
    return view, depth


def measure_quality(image: Image.Image | NDArray[np.uint8], dpi: int, *, depth: int | None = None) -> QualityMetrics:
    """Quality metrics of a master image as scanned (dpi, colour, blur, skew, orientation, blank...).

    ``depth``: the master's bit depth when ``image`` is an array from ``pixel_array`` (an array
    alone cannot tell a 1-bit scan from a grey one).
    """
    array, depth = pixel_array(image, depth)
    height, width = array.shape[:2]
    small = imaging.resize(array, _ANALYSIS_DPI / dpi)
    grey = imaging.luminance(small)
    top, bottom, left, right = imaging.dark_borders(grey)
    inner = _inner(small, (top, bottom, left, right))
    inner_grey = imaging.luminance(inner)
    normalised = imaging.normalise_background(inner_grey, _ANALYSIS_DPI)
    ink = imaging.ink_mask(normalised)
    red_ratio = float(imaging.red_mask(inner).mean())
    components = _ink_components(ink)
    blank = components < _BLANK_COMPONENTS
    orientation, skew = (0, 0.0) if blank else _geometry(inner, red_ratio)
    paper = float(np.median(inner_grey))
    ink_level = float(np.median(inner_grey[ink])) if ink.any() else paper
    metrics = QualityMetrics(
        dpi=dpi,
        width=width,
        height=height,
        colour_mode=_colour_mode(small, depth),
        bit_depth=depth,
        blur=_blur(array, dpi),
        skew_degrees=skew,
        orientation=orientation,
        blank=blank,
        contrast=round(max(0.0, paper - ink_level) / 255, 3),
        ink_ratio=round(float(ink.mean()), 5),
        red_ratio=round(red_ratio, 5),
        yellowness=_yellowness(inner, ink),
    )
    return _with_warnings(metrics, borders=any((top, bottom, left, right)))


def _inner(array: NDArray[np.uint8], borders: tuple[int, int, int, int]) -> NDArray[np.uint8]:
    """The page without its dark borders and a 3 % margin, where edge shadows and punch holes live."""
    top, bottom, left, right = borders
    height, width = array.shape[:2]
    my, mx = round(height * 0.03), round(width * 0.03)
    y0, x0 = top + my, left + mx
    return array[y0 : max(y0 + 1, height - bottom - my), x0 : max(x0 + 1, width - right - mx)]


def _ink_components(ink: imaging.Mask) -> int:
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    return int((stats[1:, 4] >= 8).sum()) if count > 1 else 0


def _geometry(small: NDArray[np.uint8], red_ratio: float) -> tuple[int, float]:
    """(clockwise quarter-turn that makes the page upright, skew in degrees after that turn)."""
    grey = imaging.suppress_red(small) if red_ratio >= _RED_SHARE else imaging.luminance(small)
    ink = imaging.ink_mask(imaging.normalise_background(grey, _ANALYSIS_DPI))
    direction, skew = imaging.detect_lines(ink)
    if direction is None:
        return 0, 0.0
    quarter = 0
    if direction == "vertical":
        ink, quarter = np.rot90(ink, 1), 270  # turning counter-clockwise = 270° clockwise
    height, width = ink.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), -skew, 1.0)
    straight = cv2.warpAffine(ink.astype(np.uint8), matrix, (width, height)) > 0
    if imaging.is_upside_down(straight):
        quarter = (quarter + 180) % 360
    return quarter, skew


def _colour_mode(small: NDArray[np.uint8], depth: int) -> str:
    if depth == 1:
        return "bw"
    if small.ndim == 3:
        red, green, blue = (np.ascontiguousarray(small[::2, ::2, i]) for i in range(3))
        chroma = cv2.subtract(cv2.max(cv2.max(red, green), blue), cv2.min(cv2.min(red, green), blue))
        if float((chroma > 40).mean()) > 0.001:
            return "color"
    grey = imaging.luminance(small)
    extremes = float(((grey < 16) | (grey > 239)).mean())
    return "bw" if extremes > 0.995 else "gray"


def _blur(array: NDArray[np.uint8], dpi: int) -> float:
    """Variance of the Laplacian on the page centre resampled to 150 dpi (so scans compare)."""
    height, width = array.shape[:2]
    centre = array[height // 4 : height * 3 // 4, width // 4 : width * 3 // 4]
    if centre.size == 0:  # a few pixels wide: measure all of it
        centre = array
    grey = imaging.resize(imaging.luminance(np.ascontiguousarray(centre)), _BLUR_DPI / dpi)
    return round(float(cv2.Laplacian(grey, cv2.CV_64F).var()), 1)


def _yellowness(small: NDArray[np.uint8], ink: imaging.Mask) -> float:
    """Median b* (CIELAB) of the paper: 0 is neutral, higher is yellower."""
    if small.ndim == 2 or ink.all():
        return 0.0
    lab = cv2.cvtColor(np.ascontiguousarray(small[::2, ::2]), cv2.COLOR_RGB2LAB)
    paper = np.ascontiguousarray(lab[:, :, 2])[~ink[::2, ::2]]
    counts = np.cumsum(np.bincount(paper, minlength=256))  # the median of 8-bit values by histogram
    return round(float(np.searchsorted(counts, (counts[-1] + 1) // 2)) - 128.0, 1)


def _with_warnings(metrics: QualityMetrics, *, borders: bool) -> QualityMetrics:
    checks = {
        "dpi_below_200": metrics.dpi < 200,
        "not_24bit_colour": metrics.bit_depth < 24,
        "blank_page": metrics.blank,
        "blurry": not metrics.blank and metrics.blur < _BLUR_LIMIT,
        "skewed": abs(metrics.skew_degrees) >= 1.0,
        f"rotated_{metrics.orientation}": metrics.orientation != 0,
        "low_contrast": not metrics.blank and metrics.contrast < 0.25,
        "yellowed_paper": metrics.yellowness >= 12,
        "red_ink": metrics.red_ratio >= _RED_SHARE,
        "dark_border": borders,
    }
    warnings = tuple(name for name, failed in checks.items() if failed)
    return replace(metrics, warnings=warnings)


@dataclass
class _Work:
    """The OCR image being built, the master→OCR pixel matrix so far and the steps applied."""

    grey: Grey
    matrix: NDArray[np.float64]
    steps: list[str]

    def apply(self, grey: Grey, matrix: NDArray[np.float64] | None, step: str) -> None:
        self.grey = grey
        if matrix is not None:
            self.matrix = matrix @ self.matrix
        self.steps.append(step)


def prepare_for_ocr(
    image: Image.Image | NDArray[np.uint8],
    dpi: int,
    quality: QualityMetrics,
    *,
    options: PreprocessOptions = PreprocessOptions(),
) -> PreparedPage:
    """Derive the grey OCR input (crop, scale, clean, turn upright, straighten) and the way back."""
    array, _ = pixel_array(image)
    work = _Work(imaging.luminance(array), np.eye(3), [])
    if options.suppress_red and quality.red_ratio >= _RED_SHARE:
        work.apply(imaging.suppress_red(array), None, "suppress_red")
    crop = (0, 0, array.shape[1], array.shape[0])
    # measure_quality looked for the same dark borders: a page without them has nothing to crop.
    if options.crop_borders and "dark_border" in quality.warnings:
        grey, crop = _crop_borders(work.grey, dpi)
        if crop != (0, 0, array.shape[1], array.shape[0]):
            work.apply(grey, _translation(-crop[0], -crop[1]), "crop_borders")
    scale = 1.0 if options.min_dpi <= dpi <= options.max_dpi else options.target_dpi / dpi
    if scale != 1.0:
        scaled = imaging.upscale_smooth(work.grey, scale) if scale > 1 else imaging.resize(work.grey, scale)
        work.apply(scaled, np.diag([scale, scale, 1.0]), f"scale_{scale:.3f}")
    ocr_dpi = round(dpi * scale)
    # Only yellowed, stained or unevenly lit paper is normalised; white even paper is left alone.
    if options.normalise_background and not imaging.paper_is_even(work.grey, ocr_dpi):
        work.apply(imaging.normalise_background(work.grey, ocr_dpi), None, "normalise_background")
    rotation = quality.orientation if options.orientation else 0
    if rotation:
        work.apply(*_quarter_turn(work.grey, rotation), f"rotate_{rotation}")
    deskew = -quality.skew_degrees if options.deskew and abs(quality.skew_degrees) >= _MIN_SKEW else 0.0
    if deskew:
        work.apply(*_rotate(work.grey, deskew), f"deskew_{deskew:+.2f}")
    if options.binarize != "none":
        work.apply(_binarize(work.grey, options.binarize, ocr_dpi), None, f"binarize_{options.binarize}")
    back = np.linalg.inv(work.matrix)  # OCR pixels → master pixels
    to_master = (back[0, 0], back[0, 1], back[0, 2], back[1, 0], back[1, 1], back[1, 2])
    transform = PageTransform(to_master, quality.width, quality.height, rotation, deskew, scale, crop)
    # Never hand out a view of the master (a grey master with every step off would be one).
    ocr_image = work.grey.copy() if np.shares_memory(work.grey, array) else np.ascontiguousarray(work.grey)
    return PreparedPage(quality, ocr_image, ocr_dpi, transform, tuple(work.steps))


def _translation(dx: float, dy: float) -> NDArray[np.float64]:
    return np.array([[1.0, 0.0, dx], [0.0, 1.0, dy], [0.0, 0.0, 1.0]])


def _crop_borders(grey: Grey, dpi: int) -> tuple[Grey, tuple[int, int, int, int]]:
    factor = _ANALYSIS_DPI / dpi
    borders = imaging.dark_borders(imaging.resize(grey, factor))
    top, bottom, left, right = (math.ceil(v / factor) for v in borders)
    height, width = grey.shape
    box = (left, top, max(left + 1, width - right), max(top + 1, height - bottom))
    return grey[box[1] : box[3], box[0] : box[2]], box


def _quarter_turn(grey: Grey, clockwise: int) -> tuple[Grey, NDArray[np.float64]]:
    """Turn by a multiple of 90° clockwise (exact, no resampling) and the matching pixel-edge matrix."""
    height, width = grey.shape
    turns = {
        90: np.array([[0.0, -1.0, height], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
        180: np.array([[-1.0, 0.0, width], [0.0, -1.0, height], [0.0, 0.0, 1.0]]),
        270: np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, width], [0.0, 0.0, 1.0]]),
    }
    return np.ascontiguousarray(np.rot90(grey, -clockwise // 90)), turns[clockwise]


def _rotate(grey: Grey, degrees: float) -> tuple[Grey, NDArray[np.float64]]:
    """Rotate counter-clockwise by ``degrees`` on a canvas grown to keep every corner, paper-white."""
    height, width = grey.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_width, new_height = math.ceil(width * cos + height * sin), math.ceil(width * sin + height * cos)
    matrix[0, 2] += new_width / 2 - width / 2
    matrix[1, 2] += new_height / 2 - height / 2
    rotated = cv2.warpAffine(
        grey, matrix, (new_width, new_height), flags=cv2.INTER_LINEAR, borderValue=(255,)
    )
    return np.asarray(rotated, dtype=np.uint8), np.vstack([matrix, [0.0, 0.0, 1.0]])


def _binarize(grey: Grey, method: str, dpi: int) -> Grey:
    if method == "otsu":
        _, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    elif method == "adaptive":
        block = (dpi // 10) | 1  # a tenth of an inch: wider than a stroke, narrower than a paragraph
        gaussian = cv2.ADAPTIVE_THRESH_GAUSSIAN_C
        binary = cv2.adaptiveThreshold(grey, 255, gaussian, cv2.THRESH_BINARY, block, 15)
    else:
        raise ValueError(f"unknown binarisation {method!r}")
    return np.asarray(binary, dtype=np.uint8)
