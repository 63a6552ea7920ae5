"""OCR stage: engines through the protocol, blank pages, boxes mapped back to master pixels."""

from __future__ import annotations

import pickle
import unicodedata

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from sohoa.domain.errors import EngineError
from sohoa.domain.metrics import cer
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.engines.fakes import CrashingOcrEngine, FakeOcrEngine
from sohoa.engines.tesseract import TesseractEngine
from sohoa.pipeline.ocr import ocr_page
from sohoa.pipeline.preprocess import measure_quality, prepare_for_ocr

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
LINES = (
    "Cộng hòa xã hội chủ nghĩa Việt Nam",
    "Độc lập - Tự do - Hạnh phúc",
    "Ủy ban nhân dân phường Hoàn Kiếm quyết định",
    "về việc phê duyệt kế hoạch số hóa tài liệu lưu trữ",
)


def render(lines: tuple[str, ...], dpi: int = 300, size: tuple[float, float] = (8.27, 5.0)) -> Image.Image:
    image = Image.new("RGB", (round(size[0] * dpi), round(size[1] * dpi)), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, round(14 * dpi / 72))
    for row, line in enumerate(lines):
        draw.text((dpi, dpi * (0.8 + 0.35 * row)), line, fill="black", font=font)
    return image


def _prepared(image: Image.Image | np.ndarray, dpi: int = 300):  # type: ignore[no-untyped-def]
    return prepare_for_ocr(image, dpi, measure_quality(image, dpi))


def test_fake_engine_words_keep_their_boxes_on_a_straight_page() -> None:
    word = Word("Hà Nội", BBox(100, 200, 300, 260), 0.9, block=1, line=1)
    prepared = _prepared(render(LINES))
    assert prepared.steps == ()  # white, straight, 300 dpi: nothing to do
    page = ocr_page(prepared, FakeOcrEngine((word,)))
    assert page.words == (word,) and page.engine == "fake" and page.source == "ocr"
    assert (page.width, page.height, page.dpi) == (2481, 1500, 300)


def test_crashing_engine_raises_engine_error() -> None:
    with pytest.raises(EngineError) as info:
        ocr_page(_prepared(render(LINES)), CrashingOcrEngine())
    assert info.value.vi != info.value.en


def test_blank_page_skips_the_engine() -> None:
    blank = np.full((1500, 2481, 3), 250, dtype=np.uint8)
    page = ocr_page(_prepared(blank), CrashingOcrEngine())
    assert page.words == () and (page.width, page.height) == (2481, 1500)


def test_engines_are_picklable() -> None:
    fake = FakeOcrEngine((Word("a", BBox(0, 0, 1, 1), 1.0),))
    for engine in (TesseractEngine(), fake, CrashingOcrEngine()):
        assert pickle.loads(pickle.dumps(engine)) == engine


def _largest_blob(grey: np.ndarray) -> BBox:
    _, _, stats, _ = cv2.connectedComponentsWithStats((grey < 128).astype(np.uint8))
    x, y, w, h, _ = stats[1 + int(np.argmax(stats[1:, 4]))]
    return BBox(int(x), int(y), int(x + w), int(y + h))


def test_boxes_map_back_after_crop_scale_turn_and_deskew() -> None:
    # Eight lines: enough text for the upside-down test, which never turns a page on less than six.
    upright = render(LINES + LINES, dpi=500, size=(7.0, 4.5))
    ImageDraw.Draw(upright).rectangle((3000, 1900, 3300, 2150), fill="black")  # a mark to follow
    master = np.asarray(upright.rotate(2.5, resample=Image.Resampling.BICUBIC, fillcolor="white"))
    master = np.ascontiguousarray(np.rot90(master, 1))  # lying on its side
    master[:, :80] = 0  # dark scanner border
    prepared = _prepared(master, dpi=500)
    assert prepared.transform.rotation == 90 and prepared.transform.scale == 0.6
    assert any(s.startswith("deskew") for s in prepared.steps) and "crop_borders" in prepared.steps
    in_ocr = _largest_blob(prepared.ocr_image)
    page = ocr_page(prepared, FakeOcrEngine((Word("mark", in_ocr, 1.0),)))
    unbordered = cv2.cvtColor(master, cv2.COLOR_RGB2GRAY)
    unbordered[:, :80] = 255
    expected = _largest_blob(unbordered)
    got = page.words[0].bbox
    assert max(abs(a - b) for a, b in zip(got.as_list(), expected.as_list(), strict=True)) <= 6


@pytest.mark.tesseract
def test_tesseract_reads_vietnamese_lines() -> None:
    image = render(LINES)
    page = ocr_page(_prepared(image), TesseractEngine())
    assert cer("\n".join(LINES), page.text) < 0.05
    assert page.text == unicodedata.normalize("NFC", page.text) and "Ð" not in page.text
    assert all(0.0 <= w.conf <= 1.0 for w in page.words) and page.mean_confidence > 0.8
    assert len({w.line for w in page.words}) == len(LINES)
    assert page.engine.startswith("tesseract")


@pytest.mark.tesseract
def test_tesseract_boxes_align_with_a_turned_master() -> None:
    upright = render(LINES)
    straight = ocr_page(_prepared(upright), TesseractEngine())
    turned = np.ascontiguousarray(np.rot90(np.asarray(upright), -1))  # 90° clockwise
    page = ocr_page(_prepared(turned), TesseractEngine())
    assert (page.width, page.height) == (upright.height, upright.width)
    texts = [w.text for w in straight.words]
    expected = {w.text: w.bbox for w in straight.words if texts.count(w.text) == 1}
    matched = 0
    for word in page.words:
        box = expected.get(word.text)
        if box is None:
            continue
        rotated = BBox(upright.height - box.y1, box.x0, upright.height - box.y0, box.x1)
        assert max(abs(a - b) for a, b in zip(word.bbox.as_list(), rotated.as_list(), strict=True)) <= 3
        matched += 1
    assert matched >= 18


@pytest.mark.tesseract
def test_tesseract_api_is_created_once_per_process() -> None:
    from sohoa.engines import tesseract

    engine = TesseractEngine()
    image = np.asarray(render(LINES[:1], size=(8.27, 1.5)).convert("L"))
    engine.recognize(image, 300)
    apis = dict(tesseract._APIS)
    TesseractEngine().recognize(image, 300)
    assert apis == tesseract._APIS


@pytest.mark.tesseract
def test_missing_language_data_is_a_clear_error() -> None:
    with pytest.raises(EngineError) as info:
        TesseractEngine(lang="xyz").recognize(np.full((50, 50), 255, np.uint8), 300)
    assert "xyz" in info.value.vi and "missing" in info.value.en


def test_ocr_page_result_is_an_ocr_page() -> None:
    page = ocr_page(_prepared(render(LINES)), FakeOcrEngine())
    assert isinstance(page, OcrPage) and page.words == ()
