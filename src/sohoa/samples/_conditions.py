"""Scan conditions applied to a clean render (noise, blur, skew, yellowed paper, JPEG, 1-bit, photocopy,
fax) and saving."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image

CONDITIONS: tuple[str, ...] = ("clean300", "clean200", "noise_blur", "skew", "yellow_seal", "jpeg", "bw1bit",
                               "photocopy", "fax")
LOW_DPI = {"clean200", "bw1bit", "fax"}

Affine = np.ndarray  # 2×3 matrix mapping clean-page pixels to output pixels


def dpi_of(condition: str) -> int:
    return 200 if condition in LOW_DPI else 300


def suffix_of(condition: str) -> str:
    return ".jpg" if condition == "jpeg" else ".png"


def degrade(image: Image.Image, condition: str, rng: np.random.Generator) -> tuple[Image.Image, Affine]:
    """The page as scanned under ``condition``, and the affine map from clean to scanned pixels."""
    identity = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    if condition == "noise_blur":
        return _noise_blur(image, rng), identity
    if condition == "skew":
        return _skew(image, rng)
    if condition == "yellow_seal":
        return _yellow(image, rng), identity
    if condition == "bw1bit":
        grey = np.asarray(image.convert("L"))
        return Image.fromarray(grey > 150).convert("1"), identity
    if condition == "photocopy":
        return _photocopy(image, rng), identity
    if condition == "fax":
        return _fax(image, rng), identity
    return image, identity


def _photocopy(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A copy of a copy: grey, harder contrast (thin strokes fill in), a greyish ground, toner specks and
    the dark band of the copier lid along an edge. Returned as RGB like a colour scan of it."""
    grey: np.ndarray = cv2.GaussianBlur(np.asarray(image.convert("L"), dtype=np.float32) / 255.0, (0, 0),
                                        rng.uniform(0.6, 1.0))
    contrast = np.clip((grey - 0.35) * rng.uniform(1.5, 1.9) + 0.35, 0.0, 1.0)
    ground = contrast * rng.uniform(0.84, 0.92) * 255.0
    specks = rng.random(ground.shape, dtype=np.float32) < rng.uniform(0.0004, 0.0012)
    ground[specks] = rng.uniform(20, 90)
    ground = np.asarray(cv2.GaussianBlur(ground, (0, 0), 0.7), dtype=np.float64)
    band = int(ground.shape[1] * rng.uniform(0.01, 0.025))
    side = slice(0, band) if rng.random() < 0.5 else slice(ground.shape[1] - band, ground.shape[1])
    ground[:, side] *= np.float32(rng.uniform(0.15, 0.35))
    out = ground.clip(0, 255).astype(np.uint8)
    return Image.fromarray(np.stack([out] * 3, axis=-1))


def _fax(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A fax at standard resolution: half the vertical resolution (rows doubled back), thresholded to
    1 bit, a few dropped scan lines (white) and streaks of black noise."""
    grey = np.asarray(image.convert("L"))
    coarse = cv2.resize(grey, (grey.shape[1], grey.shape[0] // 2), interpolation=cv2.INTER_AREA)
    tall = np.repeat(coarse, 2, axis=0)
    if tall.shape[0] < grey.shape[0]:
        tall = np.vstack([tall, tall[-1:]])
    ink = tall < rng.uniform(140, 175)
    for row in rng.choice(ink.shape[0], size=int(rng.integers(2, 6)), replace=False):
        ink[row, :] = False  # a dropped line
    specks = rng.random(ink.shape, dtype=np.float32) < rng.uniform(0.0002, 0.0006)
    return Image.fromarray(~(ink | specks)).convert("1")


def _noise_blur(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    sigma = rng.uniform(0.9, 1.4)
    pixels: np.ndarray = cv2.GaussianBlur(np.asarray(image), (0, 0), sigma)
    noise = rng.standard_normal(pixels.shape[:2], dtype=np.float32) * rng.uniform(7.0, 11.0)
    noisy = pixels.astype(np.int16) + noise.astype(np.int16)[..., None]
    return Image.fromarray(noisy.clip(0, 255).astype(np.uint8))


def _skew(image: Image.Image, rng: np.random.Generator) -> tuple[Image.Image, Affine]:
    # At least 0.3° so every skewed page really needs deskewing; at most 3° as scanners feed paper.
    angle = float(rng.uniform(0.3, 3.0) * (1 if rng.random() < 0.5 else -1))
    centre = (image.width / 2, image.height / 2)
    matrix = cv2.getRotationMatrix2D(centre, angle, 1.0)
    pixels = cv2.warpAffine(np.asarray(image), matrix, image.size, flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255))
    return Image.fromarray(pixels), matrix


def _yellow(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Aged paper: a diagonal gradient between two cream tones, multiplied under the ink."""
    light = np.array([249, 242, 218], dtype=np.float32) - rng.uniform(0, 6, 3).astype(np.float32)
    dark = np.array([236, 222, 182], dtype=np.float32) - rng.uniform(0, 10, 3).astype(np.float32)
    # A coarse gradient resized to the page: same look, a fraction of the cost of full-size float maths.
    ys = np.linspace(0.0, 1.0, 32, dtype=np.float32)[:, None]
    xs = np.linspace(0.0, 1.0, 24, dtype=np.float32)[None, :]
    t = (0.6 * ys + 0.4 * xs) if rng.random() < 0.5 else (0.6 * ys + 0.4 * (1 - xs))
    coarse = (light + (dark - light) * t[..., None]).astype(np.uint8)
    paper = cv2.resize(coarse, image.size, interpolation=cv2.INTER_LINEAR)
    return Image.fromarray(cv2.multiply(np.asarray(image), paper, scale=1 / 255))


def save(image: Image.Image, path: Path, condition: str) -> None:
    """Write the page with its DPI in the metadata (JPEG quality ~40 for ``jpeg``)."""
    dpi = (dpi_of(condition), dpi_of(condition))
    if condition == "jpeg":
        image.save(path, "JPEG", quality=40, dpi=dpi)
    else:
        image.save(path, "PNG", dpi=dpi, compress_level=1)


def map_box(box: tuple[int, int, int, int], matrix: Affine, scale: float,
            dx: float = 0.0) -> tuple[int, int, int, int]:
    """A layout box scaled to the output DPI, moved ``dx`` output pixels right (the right page of a
    two-up scan) and by the condition's affine map (bounding box)."""
    x0, y0, x1, y1 = (v * scale for v in box)
    x0, x1 = x0 + dx, x1 + dx
    corners = np.array([[x0, y0, 1.0], [x1, y0, 1.0], [x0, y1, 1.0], [x1, y1, 1.0]]) @ matrix.T
    return (int(corners[:, 0].min()), int(corners[:, 1].min()), int(np.ceil(corners[:, 0].max())),
            int(np.ceil(corners[:, 1].max())))
