"""The PDF/A-2b writer: structure, metadata, lossless images, an invisible text layer that extracts well."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from pikepdf import pdfa as pikepdf_pdfa
from pikepdf.models.image import PdfImage as PikeImage
from PIL import Image, ImageCms, ImageDraw, ImageFont

from sohoa.domain.errors import EngineError
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.engines.pdfa import PdfPageInput, write_pdfa
from sohoa.engines.pdfa_font import GLYPH_WIDTH, glyphless_font

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
LINES = ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ HÀ NỘI", "Quyết định về việc phê duyệt kế hoạch",
         "Hà Nội, ngày 19 tháng 4 năm 2025")
FIELDS = {"code_number": "2112", "code_notation": "QĐ-UBND", "issued_date": "2025-04-19",
          "organ_name": "Ủy ban nhân dân thành phố Hà Nội",
          "subject": unicodedata.normalize("NFD", "Về việc phê duyệt Đề án số hóa"), "urgency": None}
TIME = datetime(2025, 6, 5, 9, 30, tzinfo=timezone(timedelta(hours=7)))
NS = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "sohoa": "https://sohoa.vn/ns/1.0/",
      "pdfaid": "http://www.aiim.org/pdfa/ns/id/", "dc": "http://purl.org/dc/elements/1.1/",
      "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
      "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#"}


@dataclass(frozen=True)
class Scan:
    """A synthetic page: the PIL image, its encoded bytes, and OCR words where the text was drawn."""

    image: Image.Image
    data: bytes
    media_type: str
    dpi: int
    ocr: OcrPage

    @property
    def page(self) -> PdfPageInput:
        return PdfPageInput(self.data, self.media_type, self.dpi, self.ocr)


def draw_page(mode: str, size: tuple[int, int], dpi: int,
              lines: Sequence[str] = LINES) -> tuple[Image.Image, OcrPage]:
    """Vietnamese lines drawn with Liberation Serif, and their word boxes from ImageDraw.textbbox."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, dpi // 7)
    words: list[Word] = []
    y = dpi // 3
    for number, line in enumerate(lines):
        x = dpi // 3
        for text in line.split():
            box = draw.textbbox((x, y), text, font=font)
            draw.text((x, y), text, font=font, fill=(20, 20, 120))
            words.append(Word(text, BBox(*(int(v) for v in box)), 0.95, 0, number))
            x = int(box[2] + font.getlength(" "))
        y += int(dpi / 7 * 1.6)
    draw.rectangle((size[0] - 60, size[1] - 60, size[0] - 10, size[1] - 10), fill=(200, 30, 30))
    return image.convert(mode), OcrPage(size[0], size[1], dpi, tuple(words), engine="test")


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def make_scan(mode: str, fmt: str, dpi: int = 300, size: tuple[int, int] = (1300, 700)) -> Scan:
    image, ocr = draw_page(mode, size, dpi)
    media = {"PNG": "image/png", "JPEG": "image/jpeg", "TIFF": "image/tiff"}[fmt]
    return Scan(image, encode(image, fmt), media, dpi, ocr)


@pytest.fixture(scope="module")
def scans() -> list[Scan]:
    return [make_scan("RGB", "PNG"), make_scan("RGB", "JPEG", dpi=200), make_scan("L", "PNG"),
            make_scan("1", "PNG")]


@pytest.fixture(scope="module")
def pdf_path(scans: list[Scan], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdfa") / "doc.pdf"
    write_pdfa([s.page for s in scans], path, title="Quyết định 2112/QĐ-UBND", fields=FIELDS,
               extra_xmp={"document_id": "H49.01-2025-000123"}, created=TIME)
    return path


@pytest.fixture(scope="module")
def pdf(pdf_path: Path) -> pikepdf.Pdf:
    return pikepdf.open(pdf_path)


def xmp_tree(pdf: pikepdf.Pdf) -> ET.Element:
    return ET.fromstring(pdf.Root.Metadata.read_bytes())


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_file_structure(pdf: pikepdf.Pdf, pdf_path: Path) -> None:
    assert pdf_path.read_bytes().startswith(b"%PDF-1.7\n%")
    assert pdf.pdf_version == "1.7"
    assert len(pdf.trailer.ID) == 2
    assert not pdf.is_encrypted
    assert len(pdf.pages) == 4
    assert not list(pdf_path.parent.glob("*.part"))
    result = subprocess.run(["qpdf", "--check", str(pdf_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


# pikepdf's PDF/A checker (veraPDF's rules in Python) accepts no XMP extension schema at all, which
# veraPDF and ISO 19005-2 6.6.2.3 do accept; these are its only findings we expect.
_EXTENSION_FINDING = re.compile(r"XMP (namespace (pdfaExtension|pdfaSchema|pdfaProperty|sohoa)=|property "
                                r"(pdfaExtension|sohoa):)")


def test_pikepdf_pdfa_checker_finds_nothing_but_the_extension_schema(pdf_path: Path) -> None:
    report = pikepdf_pdfa.validate_written(pdf_path, "2b")
    others = [f for f in report.findings if not _EXTENSION_FINDING.match(f.message)]
    assert others == []
    assert report.findings  # the sohoa fields are there, so is the schema the checker does not know


def test_document_without_fields_passes_the_pikepdf_pdfa_checker(scans: list[Scan]) -> None:
    out = io.BytesIO()
    write_pdfa([s.page for s in scans], out, title="Hồ sơ", fields={})
    out.seek(0)
    report = pikepdf_pdfa.validate_written(out, "2b")
    assert report.findings == []
    assert report.passed


def test_xmp_identifies_pdfa_2b_and_carries_fields(pdf: pikepdf.Pdf) -> None:
    tree = xmp_tree(pdf)
    assert tree.findtext(".//pdfaid:part", namespaces=NS) == "2"
    assert tree.findtext(".//pdfaid:conformance", namespaces=NS) == "B"
    assert tree.findtext(".//dc:title/rdf:Alt/rdf:li", namespaces=NS) == "Quyết định 2112/QĐ-UBND"
    assert tree.findtext(".//dc:language/rdf:Bag/rdf:li", namespaces=NS) == "vi-VN"
    for name, value in FIELDS.items():
        found = tree.findtext(f".//sohoa:{name}", namespaces=NS)
        assert found == (unicodedata.normalize("NFC", value) if value is not None else None)
    assert tree.findtext(".//sohoa:subject", namespaces=NS) == "Về việc phê duyệt Đề án số hóa"
    assert tree.findtext(".//sohoa:document_id", namespaces=NS) == "H49.01-2025-000123"


def test_xmp_declares_every_sohoa_property_in_an_extension_schema(pdf: pikepdf.Pdf) -> None:
    tree = xmp_tree(pdf)
    schema = tree.find(".//pdfaSchema:namespaceURI/..", namespaces=NS)
    assert schema is not None
    assert schema.findtext("pdfaSchema:namespaceURI", namespaces=NS) == NS["sohoa"]
    assert schema.findtext("pdfaSchema:prefix", namespaces=NS) == "sohoa"
    declared = {el.text for el in schema.iterfind(".//pdfaProperty:name", namespaces=NS)}
    used = {el.tag.split("}")[1] for el in tree.iter() if el.tag.startswith("{" + NS["sohoa"])}
    assert used <= declared
    assert declared == {*FIELDS, "document_id"}


def test_info_dictionary_agrees_with_xmp(pdf: pikepdf.Pdf) -> None:
    meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)  # read only
    assert str(pdf.docinfo["/Title"]) == meta["dc:title"] == "Quyết định 2112/QĐ-UBND"
    assert [str(pdf.docinfo["/Author"])] == meta["dc:creator"] == [FIELDS["organ_name"]]
    assert str(pdf.docinfo["/Producer"]) == meta["pdf:Producer"]
    assert str(pdf.docinfo["/Creator"]) == meta["xmp:CreatorTool"] == "Sohoa"
    assert meta["xmp:CreateDate"] == meta["xmp:ModifyDate"] == "2025-06-05T09:30:00+07:00"
    assert str(pdf.docinfo["/CreationDate"]) == "D:20250605093000+07'00'"
    assert pdf.Root.Metadata.get("/Filter") is None  # PDF/A: metadata stays readable as plain XML


def test_output_intent_is_srgb(pdf: pikepdf.Pdf) -> None:
    (intent,) = pdf.Root.OutputIntents
    assert intent.S == pikepdf.Name.GTS_PDFA1
    profile = intent.DestOutputProfile
    assert profile.N == 3
    parsed = ImageCms.ImageCmsProfile(io.BytesIO(profile.read_bytes())).profile
    assert parsed.xcolor_space.strip() == "RGB"


def test_page_size_follows_pixels_and_dpi(pdf: pikepdf.Pdf, scans: list[Scan]) -> None:
    for page, scan in zip(pdf.pages, scans, strict=True):
        width, height = scan.image.size
        box = [float(v) for v in page.MediaBox]
        assert box == pytest.approx([0, 0, width / scan.dpi * 72, height / scan.dpi * 72], abs=1e-3)


def test_jpeg_is_embedded_byte_for_byte(pdf: pikepdf.Pdf, scans: list[Scan]) -> None:
    stream = pdf.pages[1].Resources.XObject["/Im0"]
    assert stream.Filter == pikepdf.Name.DCTDecode
    assert stream.read_raw_bytes() == scans[1].data


@pytest.mark.parametrize(("index", "colorspace", "bits"), [(0, "/DeviceRGB", 8), (2, "/DeviceGray", 8),
                                                           (3, "/DeviceGray", 1)])
def test_png_pixels_colour_and_depth_survive(pdf: pikepdf.Pdf, scans: list[Scan], index: int,
                                             colorspace: str, bits: int) -> None:
    stream = pdf.pages[index].Resources.XObject["/Im0"]
    assert str(stream.ColorSpace) == colorspace
    assert stream.BitsPerComponent == bits
    decoded = PikeImage(stream).as_pil_image()
    original = scans[index].image
    assert np.array_equal(np.asarray(decoded.convert(original.mode)), np.asarray(original))


def test_pdftotext_reads_vietnamese_lines_in_order(pdf_path: Path) -> None:
    pages = pdftotext(pdf_path).split("\f")
    for page_text in pages[:4]:
        lines = [line for line in page_text.splitlines() if line.strip()]
        assert lines == list(LINES)


def test_pdftotext_word_boxes_match_the_drawn_words(pdf_path: Path, scans: list[Scan]) -> None:
    html = pdftotext(pdf_path, "-bbox", "-f", "1", "-l", "2")
    pages = html.split("<page ")[1:]
    for page_html, scan in zip(pages, scans, strict=False):
        found = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)<',
                           page_html)
        assert [text for *_, text in found] == [w.text for w in scan.ocr.words]
        points = 72 / scan.dpi
        line_boxes = {w.line: w.bbox for w in scan.ocr.words}
        for w in scan.ocr.words:
            line_boxes[w.line] = line_boxes[w.line].union(w.bbox)
        for (x0, y0, x1, y1, _), word in zip(found, scan.ocr.words, strict=True):
            assert float(x0) == pytest.approx(word.bbox.x0 * points, abs=0.3)
            assert float(x1) == pytest.approx(word.bbox.x1 * points, abs=0.3)
            # Words share their line's height and baseline, so the text box spans the line's box.
            assert float(y0) == pytest.approx(line_boxes[word.line].y0 * points, abs=0.3)
            assert float(y1) == pytest.approx(line_boxes[word.line].y1 * points, abs=0.3)


def test_text_layer_is_invisible_and_image_fills_the_page(pdf_path: Path, scans: list[Scan],
                                                          tmp_path: Path) -> None:
    subprocess.run(["pdftoppm", "-r", "50", "-f", "1", "-l", "1", "-png", str(pdf_path), str(tmp_path / "r")],
                   check=True)
    rendered = Image.open(next(tmp_path.glob("r*.png"))).convert("RGB")
    expected = scans[0].image.resize(rendered.size, Image.Resampling.BOX)
    difference = np.abs(np.asarray(rendered, dtype=int) - np.asarray(expected, dtype=int))
    assert difference.mean() < 3


def test_font_is_embedded_with_widths_matching_the_program(pdf: pikepdf.Pdf) -> None:
    ttlib = pytest.importorskip("fontTools.ttLib", reason="fontTools parses the embedded font program")
    font = pdf.pages[0].Resources.Font["/F1"]
    assert font.Encoding == pikepdf.Name("/Identity-H")
    assert b"beginbfrange" in font.ToUnicode.read_bytes()
    cid_font = font.DescendantFonts[0]
    program = cid_font.FontDescriptor.FontFile2.read_bytes()
    assert program == glyphless_font()
    parsed = ttlib.TTFont(io.BytesIO(program))
    assert parsed["head"].unitsPerEm == 1000
    assert parsed["hmtx"][parsed.getGlyphOrder()[1]][0] == cid_font.DW == GLYPH_WIDTH


def test_ocr_from_a_resampled_copy_is_scaled_onto_the_page(tmp_path: Path) -> None:
    scan = make_scan("RGB", "JPEG")
    half = OcrPage(scan.ocr.width // 2, scan.ocr.height // 2, 150, tuple(
        Word(w.text, BBox(*(v // 2 for v in w.bbox.as_list())), w.conf, w.block, w.line)
        for w in scan.ocr.words))
    path = tmp_path / "half.pdf"
    write_pdfa([PdfPageInput(scan.data, "image/jpeg", 300, half)], path, title="t", fields={})
    first = re.search(r'xMin="([\d.]+)"', pdftotext(path, "-bbox"))
    assert first is not None
    assert float(first.group(1)) == pytest.approx(scan.ocr.words[0].bbox.x0 * 72 / 300, abs=1)


def test_words_without_line_numbers_still_form_lines(tmp_path: Path) -> None:
    scan = make_scan("L", "PNG")
    flat = OcrPage(scan.ocr.width, scan.ocr.height, 300, tuple(
        Word(w.text, w.bbox, w.conf) for w in scan.ocr.words))
    path = tmp_path / "flat.pdf"
    write_pdfa([PdfPageInput(scan.data, "image/png", 300, flat)], path, title="t", fields={})
    assert [line for line in pdftotext(path).splitlines() if line.strip()] == list(LINES)


def test_page_without_ocr_has_no_font(tmp_path: Path) -> None:
    scan = make_scan("RGB", "PNG")
    out = io.BytesIO()
    write_pdfa([PdfPageInput(scan.data, "image/png", 300, None)], out, title="t", fields={})
    with pikepdf.open(io.BytesIO(out.getvalue())) as pdf:
        assert "/Font" not in pdf.pages[0].Resources
        assert pdf.pages[0].Resources.XObject["/Im0"].Width == scan.image.width


def embedded(image: Image.Image, fmt: str, **options: object) -> tuple[pikepdf.Pdf, pikepdf.Stream]:
    """Write ``image`` alone into a PDF/A; return the PDF (which must outlive it) and its image stream."""
    return embed_data(encode(image, fmt, **options), f"image/{fmt.lower()}")


def embed_data(data: bytes, media_type: str) -> tuple[pikepdf.Pdf, pikepdf.Stream]:
    """Write one page around ``data``, check it with pikepdf's PDF/A-2b checker, return its image."""
    out = io.BytesIO()
    write_pdfa([PdfPageInput(data, media_type, 300, None)], out, title="t", fields={})
    out.seek(0)
    assert pikepdf_pdfa.validate_written(out, "2b").findings == []
    pdf = pikepdf.open(io.BytesIO(out.getvalue()))
    return pdf, pdf.pages[0].Resources.XObject["/Im0"]


def test_alpha_is_flattened_onto_white() -> None:
    image = Image.new("RGBA", (40, 30), (255, 0, 0, 0))
    image.paste((0, 0, 255, 255), (0, 0, 20, 30))
    _pdf, stream = embedded(image, "PNG")
    pixels = np.asarray(PikeImage(stream).as_pil_image())
    assert str(stream.ColorSpace) == "/DeviceRGB"
    assert pixels[0, 0].tolist() == [0, 0, 255]
    assert pixels[0, 39].tolist() == [255, 255, 255]


def test_palette_png_stays_indexed_and_lossless() -> None:
    image = draw_page("RGB", (300, 200), 300, ["Hà Nội"])[0].quantize(16)
    _pdf, stream = embedded(image, "PNG")
    assert stream.ColorSpace[0] == pikepdf.Name.Indexed
    decoded = PikeImage(stream).as_pil_image().convert("RGB")
    assert np.array_equal(np.asarray(decoded), np.asarray(image.convert("RGB")))


def test_sixteen_bit_grey_keeps_its_depth() -> None:
    ramp = (np.arange(64 * 32).reshape(32, 64) * 31).astype(np.uint16)
    _pdf, stream = embedded(Image.fromarray(ramp), "PNG")
    assert stream.BitsPerComponent == 16
    raw = np.frombuffer(stream.read_bytes(), dtype=">u2").reshape(32, 64)
    assert np.array_equal(raw, ramp)


@pytest.mark.parametrize(("mode", "fmt", "options"), [
    ("RGB", "TIFF", {"compression": "tiff_lzw"}),
    ("1", "TIFF", {"compression": "group4", "tiffinfo": {278: 64}}),  # several strips
    ("RGB", "PNG", {"optimize": False, "interlace": 1}),
])
def test_other_encodings_are_decoded_losslessly(mode: str, fmt: str, options: dict[str, object]) -> None:
    image = draw_page(mode, (320, 200), 300, ["Quyết định"])[0]
    _pdf, stream = embedded(image, fmt, **options)
    assert stream.Filter == pikepdf.Name.FlateDecode
    decoded = PikeImage(stream).as_pil_image().convert(mode)
    assert np.array_equal(np.asarray(decoded), np.asarray(image))


@pytest.mark.parametrize("photometric", [0, 1])
def test_single_strip_group4_tiff_is_embedded_as_ccitt(photometric: int) -> None:
    image = draw_page("1", (640, 300), 300, ["Ủy ban"])[0]
    data = encode(image, "TIFF", compression="group4", tiffinfo={278: 300, 262: photometric})
    truth = Image.open(io.BytesIO(data))  # the file as libtiff reads it, whatever PIL wrote
    _pdf, stream = embed_data(data, "image/tiff")
    assert stream.Filter == pikepdf.Name.CCITTFaxDecode
    assert stream.BitsPerComponent == 1
    assert stream.read_raw_bytes() in data
    decoded = PikeImage(stream).as_pil_image().convert("1")
    assert np.array_equal(np.asarray(decoded), np.asarray(truth.convert("1")))


def test_multi_frame_image_is_refused() -> None:
    frames = [Image.new("L", (20, 20), shade) for shade in (0, 255)]
    out = io.BytesIO()
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:])
    with pytest.raises(EngineError, match="2 frames"):
        embed_data(out.getvalue(), "image/tiff")


def test_cmyk_jpeg_becomes_rgb_for_the_srgb_intent() -> None:
    image = Image.new("CMYK", (50, 40), (0, 255, 255, 0))
    _pdf, stream = embedded(image, "JPEG")
    assert str(stream.ColorSpace) == "/DeviceRGB"
    assert PikeImage(stream).as_pil_image().getpixel((25, 20))[0] > 200


def test_embedded_icc_profile_is_kept() -> None:
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = draw_page("RGB", (200, 100), 300, ["Hà"])[0]
    _pdf, stream = embedded(image, "JPEG", icc_profile=icc)
    assert stream.ColorSpace[0] == pikepdf.Name.ICCBased
    assert stream.ColorSpace[1].N == 3


@pytest.mark.parametrize(("pages", "kwargs", "needle"), [
    ([], {}, "No pages"),
    ([PdfPageInput(b"not an image", "image/png", 300, None)], {}, "Page 1"),
    ([PdfPageInput(encode(Image.new("RGB", (50, 50)), "PNG")[:-30], "image/png", 300, None)], {}, "Page 1"),
    ([PdfPageInput(encode(Image.new("L", (8, 8)), "PNG"), "image/png", 0, None)], {}, "dpi"),
    ([PdfPageInput(encode(Image.new("L", (8, 8)), "PNG"), "image/png", 300, None)],
     {"fields": {"số hiệu": "1"}}, "Invalid metadata field name"),
    ([PdfPageInput(encode(Image.new("L", (8, 8)), "PNG"), "image/png", 300, None)],
     {"fields": {"place": "Hà Nội"}, "extra_xmp": {"place": "x"}}, "given twice"),
])
def test_bad_input_raises_engine_error(pages: list[PdfPageInput], kwargs: dict[str, object], needle: str,
                                       tmp_path: Path) -> None:
    arguments: dict[str, object] = {"title": "t", "fields": {}, **kwargs}
    with pytest.raises(EngineError) as caught:
        write_pdfa(pages, tmp_path / "x.pdf", **arguments)  # type: ignore[arg-type]
    assert needle in caught.value.en
    assert caught.value.vi != caught.value.en
    assert not list(tmp_path.iterdir())
