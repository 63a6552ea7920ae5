"""A page turned in review: the PDF/A page carries /Rotate, so image and text layer turn together and the
embedded scan stays as it was; only quarter turns are accepted."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from sohoa.domain.errors import EngineError
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.engines.pdfa import PdfPageInput, write_pdfa


def _page(rotate: int) -> PdfPageInput:
    image = Image.new("L", (600, 800), 255)
    out = io.BytesIO()
    image.save(out, "PNG")
    ocr = OcrPage(600, 800, 300, (Word("Quyết", BBox(60, 60, 180, 100), 0.95, 0, 1),), engine="test")
    return PdfPageInput(image_bytes=out.getvalue(), media_type="image/png", dpi=300, ocr=ocr, rotate=rotate)


def test_a_turned_page_keeps_its_scan_and_its_text(tmp_path: Path) -> None:
    path = tmp_path / "turned.pdf"
    write_pdfa([_page(90), _page(0)], path, title="Thử", fields={})
    with pikepdf.open(path) as pdf:
        assert [int(p.obj.get("/Rotate", 0)) for p in pdf.pages] == [90, 0]
        (image,) = pdf.pages[0].images.values()
        assert (int(image.Width), int(image.Height)) == (600, 800)  # the scan as it was, not re-encoded turned
    shown = subprocess.run(
        ["pdftoppm", "-r", "20", "-f", "1", "-l", "1", "-singlefile", "-png", str(path)],
        check=True,
        capture_output=True,
    ).stdout
    with Image.open(io.BytesIO(shown)) as page:
        assert page.width > page.height  # a reader shows it turned
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "Quyết" in text  # the text layer turned with it


@pytest.mark.parametrize("rotate", [45, -30])
def test_only_quarter_turns(tmp_path: Path, rotate: int) -> None:
    with pytest.raises(EngineError):
        write_pdfa([_page(rotate)], tmp_path / "bad.pdf", title="Thử", fields={})
