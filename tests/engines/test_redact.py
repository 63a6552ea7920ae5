"""Burned-in masks: boxes painted opaque on page images of any size and quarter turn, pixels outside untouched,
and the masked PDF/A (rasterised from the staff PDF, masked text layer, pages still turned as shown)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from pikepdf import pdfa as pikepdf_pdfa
from PIL import Image, ImageChops, ImageDraw, ImageFont
from reportlab.pdfgen import canvas

from sohoa.domain.errors import EngineError
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.engines.pdfa import PdfPageInput, write_pdfa
from sohoa.engines.redact import MaskedPage, burn_boxes, image_box, masked_jpeg, masked_pdf, pdf_title
from sohoa.engines.tesseract import TesseractEngine

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
_TRANSPOSE = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180, 270: Image.Transpose.ROTATE_90}
CCCD = "001085012345"
PHONE = "0912345678"


def _noise(width: int = 300, height: int = 200, mode: str = "RGB") -> Image.Image:
    rng = np.random.default_rng(7)
    shape = (height, width, 3) if mode == "RGB" else (height, width)
    return Image.fromarray(rng.integers(1, 255, shape, dtype=np.uint8), mode)


def _inside(size: tuple[int, int], box: BBox) -> np.ndarray:
    mask = np.zeros((size[1], size[0]), dtype=bool)
    mask[box.y0:box.y1, box.x0:box.x1] = True
    return mask


@pytest.mark.parametrize("mode", ["RGB", "L"])
def test_boxes_are_black_and_every_other_pixel_is_as_it_was(mode: str) -> None:
    image = _noise(mode=mode)
    boxes = [BBox(20, 30, 80, 50), BBox(250, 180, 330, 260)]  # the second runs off the page: clamped
    burned = burn_boxes(image, boxes, pad=2)
    assert burned.size == image.size and burned.mode == mode
    before, after = np.asarray(image), np.asarray(burned)
    covered = _inside(image.size, BBox(18, 28, 82, 52)) | _inside(image.size, BBox(248, 178, 300, 200))
    assert (after[covered] == 0).all()
    assert (after[~covered] == before[~covered]).all()
    assert np.asarray(image).any()  # the input was not painted over


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_a_turned_image_is_masked_where_the_scan_box_went(turn: int) -> None:
    scan = _noise(400, 240)
    box = BBox(30, 40, 110, 70)
    expected = burn_boxes(scan, [box], pad=0)
    shown = scan.transpose(_TRANSPOSE[turn]) if turn else scan
    burned = burn_boxes(shown, [box], rotation=turn, pad=0)
    assert burned.tobytes() == (expected.transpose(_TRANSPOSE[turn]) if turn else expected).tobytes()


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_a_smaller_image_gets_its_box_rounded_outwards(turn: int) -> None:
    scan_size = (2480, 3508)
    box = BBox(1001, 2003, 1399, 2049)
    placed = image_box(box, scan_size, (160, 226) if turn % 180 == 0 else (226, 160), rotation=turn, pad=4)
    assert placed is not None
    # scaled back to the scan, the placed box holds the whole padded box
    factor = 2480 / 160
    back = [v * factor for v in placed.as_list()]
    shown_w, shown_h = scan_size if turn % 180 == 0 else scan_size[::-1]
    corners = {0: (997, 1999, 1403, 2053), 90: (shown_w - 2053, 997, shown_w - 1999, 1403),
               180: (shown_w - 1403, shown_h - 2053, shown_w - 997, shown_h - 1999),
               270: (1999, shown_h - 1403, 2053, shown_h - 997)}[turn]
    assert back[0] <= corners[0] and back[1] <= corners[1] and back[2] >= corners[2] and back[3] >= corners[3]
    assert placed.width <= 28 and placed.height <= 28  # and not much more


def test_a_box_off_the_image_paints_nothing_and_a_bad_turn_is_refused() -> None:
    assert image_box(BBox(500, 500, 600, 600), (400, 300), (400, 300)) is None
    image = _noise()
    assert burn_boxes(image, [BBox(900, 900, 950, 950)]).tobytes() == image.tobytes()
    with pytest.raises(EngineError):
        image_box(BBox(0, 0, 5, 5), (400, 300), (400, 300), rotation=45)


def test_masked_jpeg_of_a_thumbnail() -> None:
    thumb = Image.new("RGB", (160, 226), (250, 250, 250))
    out = io.BytesIO()
    thumb.save(out, "JPEG", quality=95)
    data = masked_jpeg(out.getvalue(), [BBox(1000, 2000, 1400, 2050)], scan_size=(2480, 3508))
    with Image.open(io.BytesIO(data)) as masked:
        assert masked.format == "JPEG" and masked.size == (160, 226)
        pixels = np.asarray(masked.convert("L"))
    assert pixels[129:132, 65:90].max() < 30  # the box, scaled (2000/3508·226 ≈ 129)
    assert pixels[:100].min() > 200  # the rest of the page stays white
    with pytest.raises(EngineError):
        masked_jpeg(b"not an image", [], scan_size=(10, 10))


def _text_page(width: int = 1240, height: int = 1754) -> tuple[Image.Image, OcrPage]:
    """A page with three lines of large print and the words' boxes measured from the drawing."""
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 48)
    words: list[Word] = []
    lines = [["Ông", "Nguyễn", "Văn", "An"], ["Số", "CCCD:", CCCD], ["Điện", "thoại:", PHONE]]
    for line_no, line in enumerate(lines, start=1):
        x, y = 120, 200 + line_no * 120
        for text in line:
            left, top, right, bottom = (round(v) for v in draw.textbbox((x, y), text, font=font))
            draw.text((x, y), text, font=font, fill=0)
            words.append(Word(text, BBox(left, top, right, bottom), 0.95, 1, line_no))
            x = right + 28
    return image, OcrPage(width, height, 150, tuple(words), engine="test")


def _masked_ocr(ocr: OcrPage) -> tuple[OcrPage, tuple[BBox, ...]]:
    secret = {CCCD: "[đã che: số CCCD]", PHONE: "[đã che: số điện thoại]"}
    words = tuple(Word(secret.get(w.text, w.text), w.bbox, w.conf, w.block, w.line) for w in ocr.words)
    return OcrPage(ocr.width, ocr.height, ocr.dpi, words, engine="test"), tuple(
        w.bbox for w in ocr.words if w.text in secret)


def _staff_pdf(image: Image.Image, ocr: OcrPage, rotate: int = 0) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    staff = io.BytesIO()
    write_pdfa([PdfPageInput(out.getvalue(), "image/png", 150, ocr, rotate=rotate)], staff,
               title="Quyết định giao đất cho ông Nguyễn Văn An", fields={"subject": "Giao đất"})
    return staff.getvalue()


def _pdftotext(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "in.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def _render(pdf: bytes, tmp_path: Path, dpi: int = 150) -> Image.Image:
    path = tmp_path / "render.pdf"
    path.write_bytes(pdf)
    shown = subprocess.run(["pdftoppm", "-r", str(dpi), "-singlefile", "-gray", "-png", str(path)],
                           check=True, capture_output=True).stdout
    return Image.open(io.BytesIO(shown))


def test_masked_pdf_burns_the_boxes_and_carries_only_masked_words(tmp_path: Path) -> None:
    image, ocr = _text_page()
    staff = _staff_pdf(image, ocr, rotate=90)
    assert CCCD in _pdftotext(staff, tmp_path)
    masked_ocr, boxes = _masked_ocr(ocr)
    out = io.BytesIO()
    masked_pdf(staff, [MaskedPage(image.width, image.height, 150, boxes, masked_ocr, rotate=90)], out,
               title="Quyết định giao đất", fields={"subject": "Giao đất"})
    masked = out.getvalue()
    text = _pdftotext(masked, tmp_path)
    assert CCCD not in text and PHONE not in text
    assert "[đã che: số CCCD]" in text and "Nguyễn" in text
    with pikepdf.open(io.BytesIO(masked)) as pdf:
        assert int(pdf.pages[0].obj.get("/Rotate", 0)) == 90  # shown turned as the staff copy is
        assert str(pdf.docinfo["/Title"]) == "Quyết định giao đất"
    out.seek(0)
    report = pikepdf_pdfa.validate_written(out, "2b")
    assert all("XMP" in finding.message for finding in report.findings)  # only the extension schema
    # drawn upright again (the turn undone), every box is black and the rest of the page as before
    shown = _render(masked, tmp_path).transpose(Image.Transpose.ROTATE_90).convert("L")
    assert shown.size == image.size
    pixels, before = np.asarray(shown).astype(int), np.asarray(image).astype(int)
    for box in boxes:
        assert pixels[box.y0:box.y1, box.x0:box.x1].max() < 40
    words = [w.bbox for w in ocr.words if w.text == "Nguyễn"]
    region = words[0]
    ink, was = pixels[region.y0:region.y1, region.x0:region.x1], before[region.y0:region.y1, region.x0:region.x1]
    assert abs(ink.mean() - was.mean()) < 8 and ink.min() < 60  # the name is still printed there


def test_masked_pdf_of_a_born_digital_page_leaves_no_vector_text(tmp_path: Path) -> None:
    staff = io.BytesIO()
    pdf = canvas.Canvas(staff, pagesize=(595, 842))
    pdf.setFont("Helvetica", 24)
    pdf.drawString(72, 700, f"CCCD {CCCD}")
    pdf.save()
    width, height = 1240, 1754  # 150 dpi
    box = BBox(round(72 * 150 / 72) + 80, round((842 - 700 - 24) * 150 / 72), 800, round((842 - 692) * 150 / 72))
    out = io.BytesIO()
    masked_pdf(staff.getvalue(), [MaskedPage(width, height, 150, (box,))], out, title="T", fields={})
    assert CCCD not in _pdftotext(out.getvalue(), tmp_path)
    with pikepdf.open(io.BytesIO(out.getvalue())) as result:
        assert len(result.pages[0].obj.Resources.XObject) == 1  # one raster, no copied content
        assert "/Font" not in result.pages[0].obj.Resources  # no text layer was given


def test_masked_pdf_refuses_a_page_count_that_does_not_match() -> None:
    image, ocr = _text_page(400, 300)
    with pytest.raises(EngineError):
        masked_pdf(_staff_pdf(image, ocr), [], io.BytesIO(), title="T", fields={})
    with pytest.raises(EngineError):
        masked_pdf(b"%PDF-broken", [MaskedPage(10, 10, 150)], io.BytesIO(), title="T", fields={})
    assert pdf_title(_staff_pdf(image, ocr)).startswith("Quyết định giao đất")


@pytest.mark.tesseract
def test_tesseract_reads_the_values_on_the_staff_pdf_but_not_on_the_masked_one(tmp_path: Path) -> None:
    image, ocr = _text_page()
    staff = _staff_pdf(image, ocr)
    masked_ocr, boxes = _masked_ocr(ocr)
    out = io.BytesIO()
    masked_pdf(staff, [MaskedPage(image.width, image.height, 150, boxes, masked_ocr)], out, title="T", fields={})
    engine = TesseractEngine()
    staff_text = engine.recognize(_render(staff, tmp_path, 300).convert("L"), 300).text
    masked_text = engine.recognize(_render(out.getvalue(), tmp_path, 300).convert("L"), 300).text
    assert CCCD in staff_text.replace(" ", "") and PHONE in staff_text.replace(" ", "")
    digits = "".join(ch for ch in masked_text if ch.isdigit())
    assert CCCD not in digits and PHONE not in digits
    assert "Nguyễn" in masked_text
    assert ImageChops.difference(_render(staff, tmp_path), _render(out.getvalue(), tmp_path)).getbbox()
