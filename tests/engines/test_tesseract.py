"""Tesseract adapters: tessdata discovery, TSV parsing, the CLI engine."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from sohoa.domain.errors import EngineError
from sohoa.engines.tesseract import (
    DEFAULT_VARIABLES,
    TesseractCliEngine,
    TesseractEngine,
    find_tessdata,
    parse_tsv,
    parse_variables,
)

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
TSV = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    "1\t1\t0\t0\t0\t0\t0\t0\t2480\t3508\t-1\t\n"
    "4\t1\t1\t1\t1\t0\t300\t400\t400\t40\t-1\t\n"
    "5\t1\t1\t1\t1\t1\t300\t400\t80\t40\t96.5\tSố:\n"
    "5\t1\t1\t1\t1\t2\t390\t400\t310\t40\t88.0\t162/UBND-VP\n"
    "5\t1\t1\t2\t1\t1\t300\t480\t90\t40\t91.0\tÐộc\n"
    "5\t1\t2\t1\t1\t1\t1500\t400\t60\t40\t90.0\tHa\u0300\n"
    "5\t1\t2\t1\t1\t2\t1570\t400\t60\t40\t12.0\t \n"
)


def test_parse_tsv_words_lines_and_text() -> None:
    words = parse_tsv(TSV)
    assert [w.text for w in words] == ["Số:", "162/UBND-VP", "Độc", "Hà"]
    assert words[2].text == "\u0110\u1ed9c"  # Ð (U+00D0) read as Đ
    assert words[3].text == unicodedata.normalize("NFC", "Ha\u0300")
    assert [w.line for w in words] == [1, 1, 2, 3]  # page-unique across paragraphs and blocks
    assert [w.block for w in words] == [1, 1, 1, 2]
    assert words[0].bbox.as_list() == [300, 400, 380, 440] and words[0].conf == 0.965


def test_find_tessdata_explicit_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "tessdata").mkdir()
    (tmp_path / "tessdata" / "vie.traineddata").write_bytes(b"x")
    assert find_tessdata(tmp_path, "vie") == tmp_path / "tessdata"
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path / "tessdata"))
    assert find_tessdata(None, "vie") == tmp_path / "tessdata"
    with pytest.raises(EngineError) as info:
        find_tessdata(tmp_path, "vie+eng")
    assert "vie+eng" in info.value.en and "Thiếu" in info.value.vi


def test_engine_sets_single_thread_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    TesseractEngine()
    import os

    assert os.environ["OMP_THREAD_LIMIT"] == "1"


@pytest.mark.tesseract
def test_cli_engine_reads_a_line() -> None:
    image = Image.new("L", (2400, 300), 255)
    ImageDraw.Draw(image).text((100, 100), "Ủy ban nhân dân thành phố Hà Nội", font=ImageFont.truetype(FONT, 58))
    page = TesseractCliEngine().recognize(np.asarray(image), 300)
    assert page.text == "Ủy ban nhân dân thành phố Hà Nội"
    assert page.words[0].bbox.x0 >= 95 and page.words[0].bbox.y0 >= 95 and page.width == 2400
    rgb = TesseractCliEngine().recognize(image.convert("RGB"), 300)
    assert rgb.text == page.text


@pytest.mark.tesseract
def test_engine_returns_an_empty_page_for_a_blank_sheet() -> None:
    """tesserocr raises "No text returned" on an empty result; a blank page is an empty OcrPage."""
    engine = TesseractEngine()
    page = engine.recognize(np.full((1200, 900), 255, dtype=np.uint8), 300)
    assert page.words == () and (page.width, page.height, page.dpi) == (900, 1200, 300)
    image = Image.new("L", (2400, 300), 255)
    ImageDraw.Draw(image).text((100, 100), "Quyết định số 12", font=ImageFont.truetype(FONT, 58))
    assert engine.recognize(np.asarray(image), 300).text == "Quyết định số 12"  # the API still works after


def test_parse_variables() -> None:
    assert parse_variables("") == ()
    assert parse_variables(" textord_disable_pitch_test=1 , tessedit_do_invert = 0,") == (
        ("textord_disable_pitch_test", "1"), ("tessedit_do_invert", "0"))
    for bad in ("textord_disable_pitch_test", "=1", "x="):
        with pytest.raises(EngineError) as info:
            parse_variables(bad)
        assert "name=value" in info.value.en and "tên=giá_trị" in info.value.vi


def test_the_setting_reaches_the_worker_engine() -> None:
    from sohoa.services.platform.pool import tesseract_factory
    from sohoa.settings import Settings

    # The setting's default is written out in settings.py (which must not import the engines): same pairs.
    assert parse_variables(Settings.model_fields["tesseract_variables"].default) == DEFAULT_VARIABLES
    engine = tesseract_factory("vie", None, "tessedit_do_invert=0")()
    assert isinstance(engine, TesseractEngine) and engine.variables == (("tessedit_do_invert", "0"),)
    with pytest.raises(EngineError):
        tesseract_factory("vie", None, "nonsense")


@pytest.mark.tesseract
def test_engine_parameters_are_applied_and_checked() -> None:
    image = Image.new("L", (2400, 300), 255)
    ImageDraw.Draw(image).text((100, 100), "Quyết định số 12", font=ImageFont.truetype(FONT, 58))
    for variables in ((), DEFAULT_VARIABLES):
        assert TesseractEngine(variables=variables).recognize(np.asarray(image), 300).text == "Quyết định số 12"
        assert TesseractCliEngine(variables=variables).recognize(np.asarray(image), 300).text == "Quyết định số 12"
    with pytest.raises(EngineError) as info:
        TesseractEngine(variables=(("no_such_parameter", "1"),)).recognize(np.asarray(image), 300)
    assert "no_such_parameter=1" in info.value.en  # (the CLI only warns about an unknown name)
