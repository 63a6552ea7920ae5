"""Triage: format sniffing, every class of bad input, multi-page TIFF, born-digital and scanned PDFs."""

from __future__ import annotations

import io
import struct
import unicodedata
import zipfile
import zlib
from pathlib import Path

import img2pdf
import pikepdf
import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from sohoa.domain.errors import InputRejected
from sohoa.engines import poppler
from sohoa.pipeline.triage import (
    load_page_image,
    master_bytes_for_pdf,
    page_text_layer,
    sniff_media_type,
    triage,
)
from sohoa.pipeline.types import PendingTextLayer, SourcePage

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
MAX_PIXELS = 200_000_000
VI_TEXT = "Ủy ban nhân dân phường Hoàn Kiếm — Quyết định về việc phê duyệt kế hoạch số hóa tài liệu lưu trữ"


def _page_image(size: tuple[int, int] = (620, 877)) -> Image.Image:
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 18)
    for row in range(8):
        draw.text((40, 60 + row * 40), "Cộng hòa xã hội chủ nghĩa Việt Nam", fill="black", font=font)
    return image


def _save(image: Image.Image, path: Path, fmt: str, **kwargs: object) -> Path:
    image.save(path, fmt, **kwargs)
    return path


def _reason(path: Path, **kwargs: int) -> str:
    with pytest.raises(InputRejected) as info:
        triage(path, max_pixels=kwargs.pop("max_pixels", MAX_PIXELS), **kwargs)
    assert info.value.vi and info.value.en and info.value.vi != info.value.en
    return str(info.value.code)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def test_sniffs_by_magic_not_extension(tmp_path: Path) -> None:
    path = _save(_page_image(), tmp_path / "scan.jpg", "PNG")
    assert triage(path, max_pixels=MAX_PIXELS).media_type == "image/png"
    assert sniff_media_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert sniff_media_type(b"MM\x00*\x00\x00") == "image/tiff"
    assert sniff_media_type(b"junk\n%PDF-1.7") == "application/pdf"


def test_zero_bytes_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    assert _reason(path) == "empty"


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_image(tmp_path: Path, fmt: str) -> None:
    buffer = io.BytesIO()
    _page_image().save(buffer, fmt)
    data = buffer.getvalue()
    path = tmp_path / f"cut.{fmt.lower()}"
    path.write_bytes(data[: len(data) * 2 // 3])
    assert _reason(path) == "truncated"


def test_corrupt_png_data(tmp_path: Path) -> None:
    header = struct.pack(">IIBBBBB", 100, 100, 8, 2, 0, 0, 0)
    garbage = _png_chunk(b"IDAT", b"not zlib at all" * 20)
    body = _png_chunk(b"IHDR", header) + garbage + _png_chunk(b"IEND", b"")
    path = tmp_path / "bad.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    # Chunk structure and CRCs are fine, so triage (which does not inflate PNG data) lets it through;
    # decoding the page then fails, and the worker turns that into a quarantine (tests/ingest).
    result = triage(path, max_pixels=MAX_PIXELS)
    with pytest.raises(OSError):
        load_page_image(result.pages[0])


@pytest.mark.parametrize(
    "name,data",
    [
        ("random.png", bytes(range(256)) * 40),
        ("notes.txt", "Biên bản giao nhận hồ sơ\n".encode() * 10),
        ("anim.gif", b"GIF89a" + b"\x00" * 100),
    ],
)
def test_unsupported_bytes(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert _reason(path) == "unsupported"


def test_docx_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(InputRejected) as info:
        triage(path, max_pixels=MAX_PIXELS)
    assert info.value.code == "unsupported" and "ZIP" in info.value.en


def test_bomb_header_rejected_before_decoding(tmp_path: Path) -> None:
    header = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1000)
    body = _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")
    path = tmp_path / "bomb.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    assert _reason(path) == "too_large"


def test_our_pixel_limit_applies(tmp_path: Path) -> None:
    path = _save(_page_image((1000, 1000)), tmp_path / "big.png", "PNG")
    assert _reason(path, max_pixels=999_999) == "too_large"
    assert triage(path, max_pixels=1_000_000).pages


def test_multipage_tiff(tmp_path: Path) -> None:
    frames = [_page_image(), _page_image().convert("L"), _page_image().convert("1")]
    path = tmp_path / "file.tif"
    frames[0].save(path, "TIFF", save_all=True, append_images=frames[1:], dpi=(200, 200))
    result = triage(path, max_pixels=MAX_PIXELS)
    assert result.media_type == "image/tiff"
    assert [p.page_index for p in result.pages] == [0, 1, 2]
    assert all(p.dpi == 200 and p.kind == "image" for p in result.pages)
    image, dpi = load_page_image(result.pages[2])
    assert image.mode == "1" and dpi == 200
    assert _reason(path, max_pages=2) == "too_many_pages"


def test_missing_dpi_defaults_with_warning(tmp_path: Path) -> None:
    path = _save(_page_image(), tmp_path / "nodpi.png", "PNG")
    result = triage(path, max_pixels=MAX_PIXELS)
    assert result.pages[0].dpi is None and any("dpi_missing" in w for w in result.warnings)
    assert load_page_image(result.pages[0])[1] == 300
    assert len(result.sha256) == 64 and result.size == path.stat().st_size


def test_jpeg_exif_orientation_is_applied_and_master_reencoded(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    path = _save(_page_image(), tmp_path / "phone.jpg", "JPEG", exif=exif, dpi=(300, 300))
    page = triage(path, max_pixels=MAX_PIXELS).pages[0]
    image, dpi = load_page_image(page)
    assert image.size == (877, 620) and dpi == 300
    assert master_bytes_for_pdf(page, image)[1] == "image/png"


def test_plain_jpeg_master_bytes_are_the_original(tmp_path: Path) -> None:
    path = _save(_page_image(), tmp_path / "scan.jpg", "JPEG", dpi=(300, 300))
    page = triage(path, max_pixels=MAX_PIXELS).pages[0]
    image, _ = load_page_image(page)
    assert master_bytes_for_pdf(page, image) == (path.read_bytes(), "image/jpeg")


def _pdf(tmp_path: Path, name: str = "doc.pdf") -> Path:
    pdfmetrics.registerFont(TTFont("LiberationSerif", FONT))
    path = tmp_path / name
    sheet = canvas.Canvas(str(path), pagesize=(595.0, 842.0))
    sheet.setFont("LiberationSerif", 12)
    for row in range(4):
        sheet.drawString(72, 760 - 18 * row, VI_TEXT)
    sheet.showPage()
    sheet.setFont("LiberationSerif", 12)
    sheet.drawString(72, 760, "Trang hai")  # little text, but nothing else drawn: born-digital too
    sheet.showPage()
    sheet.save()
    return path


def test_born_digital_pdf_has_text_layer(tmp_path: Path) -> None:
    result = triage(_pdf(tmp_path), max_pixels=MAX_PIXELS)
    assert result.media_type == "application/pdf" and len(result.pages) == 2
    first, second = result.pages
    assert first.born_digital and second.born_digital and second.dpi == 300
    assert first.text_layer is None and first.pending_layer is not None  # parsed by the page's worker
    second_layer = page_text_layer(second)
    assert second_layer is not None and second_layer.text == "Trang hai"
    layer = page_text_layer(first)
    assert layer is not None and layer.source == "pdf" and layer.dpi == 300
    assert layer.text == unicodedata.normalize("NFC", layer.text)
    assert "Ủy ban nhân dân phường Hoàn Kiếm" in layer.text
    assert all(w.conf == 1.0 for w in layer.words)
    first_word = layer.words[0]
    assert abs(first_word.bbox.x0 - 300) <= 2  # 72 pt from the left at 300 dpi
    image, dpi = load_page_image(first)
    assert image.size == (layer.width, layer.height) == (2480, 3509) and dpi == 300


def test_text_layer_fragments_match_the_whole_parse(tmp_path: Path) -> None:
    """The unparsed page fragments give the same character counts and, parsed, the same words as the
    parse of the whole file; a page's markup cut short or not pdftotext's parses to no layer at all."""
    path = _pdf(tmp_path)
    whole = poppler.read_text_layer(path)
    fragments = poppler.read_text_fragments(path)
    assert all(isinstance(f, poppler.PdfTextFragment) for f in fragments)
    assert [f.char_count for f in fragments] == [p.char_count for p in whole] and whole[0].char_count > 80
    assert [f.parse() for f in fragments if isinstance(f, poppler.PdfTextFragment)] == whole
    page = triage(path, max_pixels=MAX_PIXELS).pages[0]
    assert page.pending_layer is not None
    broken = SourcePage(page.source_path, 0, "pdf", 300, born_digital=True,
                        pending_layer=PendingTextLayer(page.pending_layer.markup[:200], 2480, 3509))
    assert page_text_layer(broken) is None  # the worker then renders and OCRs the page


def test_unusual_pdftotext_output_is_parsed_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output not in poppler's one-element-per-line form is never cut into pages: the XML parser reads it."""
    data = ('<html xmlns="http://www.w3.org/1999/xhtml"><body><doc><page width="100" height="200"><flow><block '
            'xMin="1" yMin="1" xMax="9" yMax="9"><line xMin="1" yMin="1" xMax="9" yMax="9"><word xMin="1" '
            'yMin="2" xMax="3" yMax="4" >Hòa&amp;Bình</word></line></block></flow></page></doc></body></html>')
    monkeypatch.setattr(poppler, "_bbox_layout", lambda _path, _timeout: data.encode("utf-8"))
    pages = poppler.read_text_fragments("any.pdf")
    assert len(pages) == 1 and isinstance(pages[0], poppler.PdfTextPage)
    assert [w.text for w in pages[0].words] == ["Hòa&Bình"] and pages[0].char_count == 8


def test_encrypted_pdf_rejected(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    with pikepdf.open(_pdf(tmp_path)) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user="u", owner="o"))
    assert _reason(path) == "encrypted"


def test_owner_password_only_pdf_is_read_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "restricted.pdf"
    with pikepdf.open(_pdf(tmp_path)) as pdf:
        no_copy = pikepdf.Permissions(extract=False)
        pdf.save(path, encryption=pikepdf.Encryption(user="", owner="o", allow=no_copy))
    result = triage(path, max_pixels=MAX_PIXELS)
    assert "encrypted_owner_password_only" in result.warnings
    assert page_text_layer(result.pages[0]) is not None


def test_zero_page_pdf_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "nopages.pdf"
    pikepdf.new().save(path)
    assert _reason(path) == "empty"


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF\n")
    assert _reason(path) == "corrupt"


def test_truncated_pdf(tmp_path: Path) -> None:
    data = _pdf(tmp_path).read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 2])
    assert _reason(path) == "truncated"


def test_pdf_too_many_pages(tmp_path: Path) -> None:
    assert _reason(_pdf(tmp_path), max_pages=1) == "too_many_pages"


def test_scanned_pdf_extracts_native_image(tmp_path: Path) -> None:
    jpeg = io.BytesIO()
    _page_image((1240, 1754)).save(jpeg, "JPEG", quality=85)
    path = tmp_path / "scan.pdf"
    layout = img2pdf.get_layout_fun((img2pdf.mm_to_pt(210), img2pdf.mm_to_pt(297)))
    path.write_bytes(img2pdf.convert(jpeg.getvalue(), layout_fun=layout))
    page = triage(path, max_pixels=MAX_PIXELS).pages[0]
    assert page_text_layer(page) is None and page.dpi == 150
    image, dpi = load_page_image(page)
    assert image.size == (1240, 1754) and dpi == 150 and image.mode == "RGB"
    assert master_bytes_for_pdf(page, image) == (jpeg.getvalue(), "image/jpeg")


def test_pdf_with_image_and_drawing_is_rasterised(tmp_path: Path) -> None:
    png = tmp_path / "logo.png"
    _page_image((300, 300)).save(png)
    path = tmp_path / "mixed.pdf"
    sheet = canvas.Canvas(str(path), pagesize=(595.0, 842.0))
    sheet.drawImage(str(png), 0, 0, width=595, height=842)
    sheet.rect(100, 100, 50, 50, fill=1)
    sheet.save()
    page = triage(path, max_pixels=MAX_PIXELS, render_dpi=100).pages[0]
    image, dpi = load_page_image(page, render_dpi=100)
    assert dpi == 100 and image.size == (827, 1170)
    assert master_bytes_for_pdf(page, image)[1] == "image/png"
