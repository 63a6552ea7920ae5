"""Preprocess: quality metrics, orientation, deskew, red-seal suppression, borders, blank pages."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from sohoa.pipeline.preprocess import PreprocessOptions, measure_quality, prepare_for_ocr

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
LINE = "Ủy ban nhân dân phường Hoàn Kiếm quyết định về việc phê duyệt kế hoạch số hóa tài liệu"
DPI = 200


def text_page(dpi: int = DPI, paper: tuple[int, int, int] = (255, 255, 255), lines: int = 30) -> Image.Image:
    """An A4 page of Vietnamese text lines at ``dpi``."""
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    image = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, round(12 * dpi / 72))
    for row in range(lines):
        draw.text((dpi, dpi + row * round(0.25 * dpi)), LINE, fill=(20, 20, 20), font=font)
    return image


def _digest(array: np.ndarray) -> str:
    return hashlib.sha256(array.tobytes()).hexdigest()


@pytest.mark.parametrize("angle", [2.5, -1.2, 4.0])
def test_skew_detected_within_a_tenth_of_a_degree(angle: float) -> None:
    skewed = text_page().rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor="white")
    quality = measure_quality(skewed, DPI)
    assert abs(quality.skew_degrees - angle) <= 0.15
    assert quality.orientation == 0 and not quality.blank
    prepared = prepare_for_ocr(skewed, DPI, quality)
    assert any(step.startswith("deskew") for step in prepared.steps)
    assert prepared.transform.deskew_degrees == pytest.approx(-quality.skew_degrees)
    straight = measure_quality(prepared.ocr_image, DPI)
    assert abs(straight.skew_degrees) <= 0.15


def test_small_skew_is_left_alone() -> None:
    page = text_page().rotate(0.1, resample=Image.Resampling.BICUBIC, fillcolor="white")
    quality = measure_quality(page, DPI)
    assert abs(quality.skew_degrees) < 0.2
    assert not any(step.startswith("deskew") for step in prepare_for_ocr(page, DPI, quality).steps)


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_orientation_detected_and_corrected(turn: int) -> None:
    upright = text_page()
    turned = upright.rotate(-turn, expand=True)  # PIL turns counter-clockwise; this turns clockwise
    quality = measure_quality(turned, DPI)
    assert quality.orientation == (360 - turn) % 360
    assert f"rotated_{quality.orientation}" in quality.warnings
    prepared = prepare_for_ocr(turned, DPI, quality)
    scale = prepared.transform.scale  # a 200 dpi page is read at 300 dpi
    assert scale == 1.5 and prepared.ocr_dpi == 300
    assert prepared.ocr_image.shape == (round(upright.height * scale), round(upright.width * scale))
    assert measure_quality(prepared.ocr_image, prepared.ocr_dpi).orientation == 0


def test_red_seal_is_suppressed_and_black_text_kept() -> None:
    page = text_page(paper=(240, 228, 195))
    draw = ImageDraw.Draw(page)
    draw.ellipse((500, 300, 1000, 800), outline=(205, 25, 35), width=14)
    draw.text((560, 520), "ỦY BAN NHÂN DÂN", fill=(205, 25, 35), font=ImageFont.truetype(FONT, 40))
    red = np.asarray(page.convert("HSV"))[:, :, 1] > 150  # the seal's pixels in the master
    quality = measure_quality(page, DPI)
    assert quality.red_ratio > 0.001 and "red_ink" in quality.warnings
    assert quality.yellowness > 12 and "yellowed_paper" in quality.warnings
    assert quality.colour_mode == "color"
    same_size = PreprocessOptions(min_dpi=150)  # no upscaling: the same geometry as the master
    prepared = prepare_for_ocr(page, DPI, quality, options=same_size)
    # Red channel and luminance together turn the cream paper white: nothing left to normalise.
    assert prepared.steps == ("suppress_red",)
    assert prepared.ocr_image[red].mean() > 200  # the seal is paper now
    assert prepared.ocr_image[200:260, 200:1500].min() < 80  # the black text is still ink
    unsuppressed = prepare_for_ocr(page, DPI, quality, options=PreprocessOptions(suppress_red=False, min_dpi=150))
    assert unsuppressed.ocr_image[red].mean() < 150


def test_blank_page_detected() -> None:
    rng = np.random.default_rng(1)
    paper = np.full((2339, 1654, 3), (246, 240, 225), dtype=np.uint8)
    speckled = paper.copy()
    speckled[rng.integers(0, 2339, 300), rng.integers(0, 1654, 300)] = 40  # dust specks
    quality = measure_quality(speckled, DPI)
    assert quality.blank and "blank_page" in quality.warnings
    assert not measure_quality(text_page(lines=2), DPI).blank


def test_master_never_modified() -> None:
    page = np.asarray(text_page().rotate(2.0, fillcolor="white")).copy()
    page[:60] = 0  # a dark scanner border to crop
    before = _digest(page)
    pil = Image.fromarray(page)
    pil_before = _digest(np.asarray(pil))
    for image in (page, pil):
        quality = measure_quality(image, DPI)
        prepared = prepare_for_ocr(image, DPI, quality, options=PreprocessOptions(binarize="otsu"))
        assert "crop_borders" in prepared.steps
    assert _digest(page) == before and _digest(np.asarray(pil)) == pil_before


def test_prepared_page_is_picklable_and_owns_its_pixels() -> None:
    page = np.asarray(text_page(lines=3).convert("L"))
    off = PreprocessOptions(normalise_background=False, crop_borders=False, min_dpi=150)
    prepared = prepare_for_ocr(page, DPI, measure_quality(page, DPI), options=off)
    assert prepared.steps == () and not np.shares_memory(prepared.ocr_image, page)
    copy = pickle.loads(pickle.dumps(prepared))
    assert np.array_equal(copy.ocr_image, prepared.ocr_image) and copy.transform == prepared.transform
    assert copy.quality == prepared.quality


def test_tiny_images_do_not_fail() -> None:
    for shape in [(1, 1), (3, 5), (10, 10, 3)]:
        image = np.full(shape, 200, np.uint8)
        quality = measure_quality(image, 300)
        assert quality.blank and prepare_for_ocr(image, 300, quality).ocr_image.shape[:2] == shape[:2]


def test_dark_border_cropped_and_reported() -> None:
    page = np.asarray(text_page()).copy()
    page[:, :50] = 10
    page[-40:, :] = 10
    quality = measure_quality(page, DPI)
    assert "dark_border" in quality.warnings
    prepared = prepare_for_ocr(page, DPI, quality)
    x0, y0, _, y1 = prepared.transform.crop
    assert 50 <= x0 <= 53 and y0 == 0 and y1 <= page.shape[0] - 40
    assert prepared.ocr_image[:, :5].mean() > 200


def test_quality_metrics_of_a_low_resolution_grey_scan() -> None:
    page = text_page(dpi=150).convert("L")
    quality = measure_quality(page, 150)
    assert quality.bit_depth == 8 and quality.colour_mode == "gray"
    assert {"dpi_below_200", "not_24bit_colour"} <= set(quality.warnings)
    assert quality.contrast > 0.5 and 0.005 < quality.ink_ratio < 0.2
    assert quality.width == page.width and quality.height == page.height
    bw = measure_quality(page.convert("1"), 150)
    assert bw.colour_mode == "bw" and bw.bit_depth == 1


def test_blur_metric_drops_on_blurred_scan() -> None:
    page = np.asarray(text_page())
    blurred = np.asarray(Image.fromarray(page).resize((413, 585)).resize((1654, 2339)))
    sharp, soft = measure_quality(page, DPI), measure_quality(blurred, DPI)
    assert soft.blur < sharp.blur / 3


def test_high_resolution_is_scaled_for_ocr() -> None:
    page = text_page(dpi=600, lines=4)
    quality = measure_quality(page, 600)
    prepared = prepare_for_ocr(page, 600, quality)
    assert prepared.ocr_dpi == 300 and prepared.transform.scale == 0.5
    assert prepared.ocr_image.shape[1] == round(page.width / 2)


@pytest.mark.parametrize("method", ["otsu", "adaptive"])
def test_binarisation_gives_two_levels(method: str) -> None:
    page = text_page(lines=5)
    options = PreprocessOptions(binarize=method)
    prepared = prepare_for_ocr(page, DPI, measure_quality(page, DPI), options=options)
    assert set(np.unique(prepared.ocr_image)) <= {0, 255}
    assert f"binarize_{method}" in prepared.steps


def _shadowed(page: Image.Image) -> np.ndarray:
    """The page under uneven light: a dark band along its left edge fading out over a third."""
    grey = np.asarray(page.convert("L")).astype(np.float32)
    ramp = np.clip(np.linspace(0.55, 1.6, grey.shape[1]), 0.55, 1.0)
    return np.asarray(grey * ramp[None, :], dtype=np.uint8)


def test_background_is_normalised_only_on_uneven_or_dark_paper() -> None:
    white = np.asarray(text_page().convert("L"))
    assert "normalise_background" not in prepare_for_ocr(white, DPI, measure_quality(white, DPI)).steps
    shadow = _shadowed(text_page())
    prepared = prepare_for_ocr(shadow, DPI, measure_quality(shadow, DPI))
    assert "normalise_background" in prepared.steps
    assert np.percentile(prepared.ocr_image, 50) > 240  # the shadow is gone, the paper is white
    grey_paper = np.asarray(text_page(paper=(205, 205, 205)).convert("L"))
    assert "normalise_background" in prepare_for_ocr(grey_paper, DPI, measure_quality(grey_paper, DPI)).steps


def test_low_resolution_and_1bit_pages_are_enlarged_and_smoothed_for_ocr() -> None:
    page = text_page().convert("1")  # 200 dpi, 1-bit
    prepared = prepare_for_ocr(page, DPI, measure_quality(page, DPI))
    assert prepared.steps[0] == "scale_1.500" and prepared.ocr_dpi == 300
    values = np.unique(prepared.ocr_image)
    assert len(values) > 20  # grey edges, not stair-steps
    # The way back: OCR pixel (300, 450) is master pixel (200, 300).
    assert prepared.transform.map_point(300, 450) == pytest.approx((200, 300))
    kept = prepare_for_ocr(page, 300, measure_quality(page, 300))
    assert not any(s.startswith("scale") for s in kept.steps)  # 300 dpi stays as it is


def _table_page(rows: int = 10) -> Image.Image:
    """An appendix page: a heading and a ruled table whose vertical lines join every row."""
    width, height = round(8.27 * DPI), round(11.69 * DPI)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, round(12 * DPI / 72))
    draw.text((DPI * 2, DPI), "DANH MỤC NHIỆM VỤ", fill=0, font=font)
    top, pitch, edges = round(1.6 * DPI), round(0.45 * DPI), [DPI, 2 * DPI, 5 * DPI, 7 * DPI]
    for row in range(rows + 1):
        draw.line((edges[0], top + row * pitch, edges[-1], top + row * pitch), fill=0, width=3)
    for x in edges:
        draw.line((x, top, x, top + rows * pitch), fill=0, width=3)
    for row in range(rows):
        for left, text in zip(edges, (str(row + 1), "Rà soát hồ sơ lưu trữ", "Phòng Nội vụ"), strict=False):
            draw.text((left + 20, top + row * pitch + 25), text, fill=0, font=font)
    return image.convert("1")


def test_table_pages_and_thin_pages_are_never_turned_upside_down() -> None:
    """Grid lines join the rows into one band and a few lines are too little evidence: no turn."""
    assert measure_quality(_table_page(), DPI).orientation == 0
    few = text_page(lines=3).rotate(180)
    assert measure_quality(few, DPI).orientation == 0


def test_a_short_signature_page_is_not_turned_by_two_lines_run_together(tmp_path: Path) -> None:
    """Found in the accuracy corpus (clean200, seed 4242): on this 7-line page two lines touch at
    100 dpi and their joint band has most of its ink below its core. That band must not decide."""
    from sohoa.samples import generate_corpus

    corpus = generate_corpus(tmp_path / "c", documents=3, seed=4242, condition="clean200", multipage=True,
                             separators=True)
    page = Image.open(corpus.pages[5])
    quality = measure_quality(page, corpus.dpi)
    assert quality.orientation == 0 and "rotated_180" not in quality.warnings
