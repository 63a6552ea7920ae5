"""Image measurements: line direction, skew, borders, background normalisation."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from sohoa.engines import imaging

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"


def _mask(angle: float = 0.0) -> np.ndarray:
    image = Image.new("L", (800, 1100), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 17)
    for row in range(30):
        draw.text((90, 100 + 30 * row), "Độc lập - Tự do - Hạnh phúc, ngày 05 tháng 6 năm 2025", font=font)
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    return imaging.ink_mask(imaging.normalise_background(np.asarray(image), 100))


def test_detect_lines_direction_and_skew() -> None:
    assert imaging.detect_lines(_mask(1.5)) == ("horizontal", 1.5)
    direction, skew = imaging.detect_lines(np.rot90(_mask(-2.0), -1))
    assert direction == "vertical" and abs(skew + 2.0) <= 0.1
    assert imaging.is_upside_down(_mask()) is False
    assert imaging.is_upside_down(np.rot90(_mask(), 2)) is True


def test_noise_and_blank_have_no_lines() -> None:
    rng = np.random.default_rng(0)
    assert imaging.detect_lines(rng.random((1100, 800)) < 0.05) == (None, 0.0)
    assert imaging.detect_lines(np.zeros((1100, 800), dtype=bool)) == (None, 0.0)
    assert imaging.detect_skew(np.zeros((100, 100), dtype=bool)) == 0.0


def test_dark_borders() -> None:
    grey = np.full((400, 300), 230, dtype=np.uint8)
    grey[:20] = 5
    grey[:, -35:] = 30
    assert imaging.dark_borders(grey) == (20, 0, 0, 35)


def test_background_normalisation_whitens_a_gradient_and_keeps_ink() -> None:
    paper = np.tile(np.linspace(90, 240, 1000).astype(np.uint8), (500, 1))
    paper[200:204, 100:900] = (paper[200:204, 100:900] * 0.3).astype(np.uint8)  # a stroke of ink
    flat = imaging.normalise_background(paper, 100)
    assert flat[100].min() > 235
    assert flat[201, 120] < 120 and flat[201, 880] < 120


def test_suppress_red_keeps_black_and_blue() -> None:
    pixels = np.array([[[0, 0, 0], [200, 30, 40], [30, 40, 160], [250, 240, 200]]], dtype=np.uint8)
    grey = imaging.suppress_red(pixels)[0]
    assert grey[0] == 0 and grey[1] >= 200 and grey[2] < 80 and grey[3] >= 240
    assert imaging.red_mask(pixels)[0].tolist() == [False, True, False, False]
