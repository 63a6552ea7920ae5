"""Hybrid PDF pages (a scan with a text layer): the layer is the page's text only when it explains the
scan; a signer's stamp is provenance and words typed over the scan join the OCR text (issue #12 item 1)."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from sqlalchemy import select

from sohoa.db.models import Page
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.engines.pdfimage import covered_by_image, find_page_image
from sohoa.pipeline.hybrid import layer_coverage, merge_typed, split_layer, without_stamps
from sohoa.services.platform.context import AppContext
from sohoa.services.production.ingest import ingest_paths

from ._helpers import FONT
from .test_ingest_fast import fake

BODY = ["ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI", "QUYẾT ĐỊNH", "Về việc giao đất cho hộ gia đình",
        "Điều 1. Giao đất cho các hộ gia đình tại xã Nghĩa Hà.", "Điều 2. Quyết định có hiệu lực kể từ ngày ký."]
STAMP = ["Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi", "Cơ quan: Tỉnh Quảng Ngãi",
         "Thời gian ký: 03.02.2025 14:00:35 +07:00"]


def _text_pdf(path: Path, lines: list[str], *, invisible: bool = False, image: Path | None = None) -> Path:
    pdfmetrics.registerFont(TTFont("LS", FONT))
    c = canvas.Canvas(str(path), pagesize=A4)
    if image is not None:
        c.drawImage(ImageReader(str(image)), 0, 0, *A4)
    text = c.beginText(72, 760)
    text.setFont("LS", 14)
    text.setLeading(28)
    if invisible:
        text.setTextRenderMode(3)
    for line in lines:
        text.textLine(line)
    c.drawText(text)
    c.save()
    return path


def _scan_of(pdf: Path, out: Path) -> Path:
    """The page rendered at 150 dpi: a scan of the typed page."""
    png = subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf)], check=True,
                         capture_output=True).stdout
    Image.open(io.BytesIO(png)).convert("L").save(out, dpi=(150, 150))
    return out


@pytest.fixture
def scan(tmp_path: Path) -> Path:
    return _scan_of(_text_pdf(tmp_path / "typed.pdf", BODY), tmp_path / "scan.png")


def _stamped(path: Path, scan: Path) -> Path:
    """A scan published as the portals do: the page is the scan alone, and the signer's stamp is the
    appearance of a signature widget in the top corner (its text is in the PDF's text layer)."""
    pdfmetrics.registerFont(TTFont("LS", FONT))
    stamp = path.with_name("stamp.pdf")
    c = canvas.Canvas(str(stamp), pagesize=(218, 58))
    c.setFont("LS", 8)
    for n, line in enumerate(STAMP):
        c.drawString(4, 46 - 11 * n, line)
    c.save()
    c = canvas.Canvas(str(path), pagesize=A4)
    c.drawImage(ImageReader(str(scan)), 0, 0, *A4)
    c.save()
    with pikepdf.open(path, allow_overwriting_input=True) as pdf, pikepdf.open(stamp) as source:
        appearance = pdf.copy_foreign(source.pages[0].as_form_xobject())
        widget = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Sig, F=4,
            T=pikepdf.String("Signature1"), Rect=[374, 783, 592, 841], AP=pikepdf.Dictionary(N=appearance)))
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([widget]))
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[widget], SigFlags=3)
        pdf.save(path)
    return path


def _pages(ctx: AppContext) -> list[Page]:
    with ctx.db.session() as session:
        pages = list(session.execute(select(Page)).scalars())
        session.expunge_all()
        return pages


def test_an_ocr_layer_over_its_scan_is_the_page_text(ctx: AppContext, tmp_path: Path, scan: Path) -> None:
    hybrid = _text_pdf(tmp_path / "ocred.pdf", BODY, invisible=True, image=scan)
    report = ingest_paths(ctx, [hybrid], engine_factory=fake)
    assert [i.state for i in report.items] == ["done"]
    (page,) = _pages(ctx)
    assert page.text_source == "pdf" and "Nghĩa Hà" in page.text
    assert page.quality is not None and page.quality["text_layer_coverage"] >= 0.6
    assert "overlay_text" not in page.quality


def test_a_stamp_over_a_scan_is_provenance_and_the_scan_is_read(ctx: AppContext, tmp_path: Path,
                                                                scan: Path) -> None:
    report = ingest_paths(ctx, [_stamped(tmp_path / "signed.pdf", scan)], engine_factory=fake)
    assert [i.state for i in report.items] == ["done"]
    (page,) = _pages(ctx)
    assert page.text_source == "ocr"
    assert page.text == "Quyết định về việc hòa giải"  # what the (fake) OCR engine read on the scan
    assert "Ký bởi" not in page.text and "+07:00" not in page.text
    assert page.quality is not None and page.quality["text_layer_coverage"] < 0.6
    assert "Ký bởi: Ủy ban nhân dân tỉnh Quảng Ngãi" in page.quality["overlay_text"]
    assert "text_layer_partial" in page.quality["warnings"]
    assert json.dumps(page.quality, ensure_ascii=False)  # stored as JSON


def test_a_stamp_written_into_the_page_over_a_scan_is_provenance_too(ctx: AppContext, tmp_path: Path,
                                                                     scan: Path) -> None:
    # Some signing tools write the stamp into the page's own content, visible, over the scan: the page is
    # no longer one image alone, but its text is the stamp's, not the document's.
    drawn = tmp_path / "drawn.pdf"
    pdfmetrics.registerFont(TTFont("LS", FONT))
    c = canvas.Canvas(str(drawn), pagesize=A4)
    c.drawImage(ImageReader(str(scan)), 0, 0, *A4)
    c.setFont("LS", 6)
    for n, line in enumerate(STAMP):  # in the top right corner, as the signing tools put it
        c.drawString(440, 830 - 7 * n, line)
    c.save()
    with pikepdf.open(drawn) as pdf:
        assert find_page_image(pdf.pages[0]) is None and covered_by_image(pdf.pages[0])
    report = ingest_paths(ctx, [drawn], engine_factory=fake)
    assert [i.state for i in report.items] == ["done"]
    (page,) = _pages(ctx)
    assert page.text_source == "ocr" and page.text == "Quyết định về việc hòa giải"
    assert page.quality is not None and "text_layer_partial" in page.quality["warnings"]
    assert "Thời gian ký: 03.02.2025 14:00:35 +07:00" in page.quality["overlay_text"]


def test_text_typed_over_a_page_sized_background_is_still_born_digital_text(ctx: AppContext,
                                                                            tmp_path: Path) -> None:
    # A born-digital page over a page-sized pale background image (a letterhead tint, a watermark): the
    # page is rendered and the layer explains its ink, so the layer stays the text and nothing is OCRed.
    background = tmp_path / "tint.png"
    Image.new("L", (620, 877), 246).save(background, dpi=(75, 75))
    typed = _text_pdf(tmp_path / "typed-on-tint.pdf", BODY, image=background)
    report = ingest_paths(ctx, [typed], engine_factory=fake)
    assert [i.state for i in report.items] == ["done"]
    (page,) = _pages(ctx)
    assert page.text_source == "pdf" and "Nghĩa Hà" in page.text
    assert page.quality is not None and page.quality["text_layer_coverage"] >= 0.6


def test_a_poor_ocr_layer_over_its_scan_gives_way_to_our_reading(ctx: AppContext, tmp_path: Path,
                                                                  scan: Path) -> None:
    # Another tool's OCR lost the marks and swapped letters: the layer covers the lines but reads badly.
    poor = ["UY BAN NHAN DAN TINH QUANG NGAI Hcok xA HQI CHiJ NGHiA", "QUYET DJNH Dc 1p - Ty do - Hph phtic",
            "Ve viec giao dat cho hq gia dinh tqi xa Nghia Ha", "Dieu 1. Giao dat cho cac hq gia dinh",
            "Dieu 2. Quyet dinh co hieu lyc ke tir ngay ky"]
    hybrid = _text_pdf(tmp_path / "poor.pdf", poor, invisible=True, image=scan)
    report = ingest_paths(ctx, [hybrid], engine_factory=fake)
    assert [i.state for i in report.items] == ["done"]
    (page,) = _pages(ctx)
    assert page.text_source == "ocr" and page.text == "Quyết định về việc hòa giải"
    assert page.quality is not None
    notes = [w for w in page.quality["warnings"] if w.startswith("text_layer_poor")]
    assert len(notes) == 1 and "OCR kept" in notes[0]


def test_coverage_split_and_merge() -> None:
    pixels = Image.new("L", (800, 1000), 255)
    pixels.paste(0, (100, 100, 700, 140))  # one dark line of "text"
    array = np.asarray(pixels)
    over = OcrPage(800, 1000, 100, (Word("dòng", BBox(100, 100, 700, 140), 1.0, 1, 1),), "pdf")
    beside = OcrPage(800, 1000, 100, (Word("khác", BBox(100, 500, 700, 540), 1.0, 1, 1),), "pdf")
    assert layer_coverage(array, 100, over) > 0.9 and layer_coverage(array, 100, beside) == 0.0
    layer = OcrPage(800, 1000, 100, (Word("Ký", BBox(500, 900, 530, 915), 1.0, 0, 1),
                                     Word("bởi:", BBox(535, 900, 570, 915), 1.0, 0, 1),
                                     Word("UBND", BBox(575, 900, 640, 915), 1.0, 0, 1),
                                     Word("Số:", BBox(100, 300, 140, 320), 1.0, 1, 2),
                                     Word("15", BBox(150, 300, 180, 320), 1.0, 1, 2)), "pdf")
    split = split_layer(layer)
    assert split.stamp_text == "Ký bởi: UBND" and [w.text for w in split.typed] == ["Số:", "15"]
    ocr = OcrPage(800, 1000, 100, (Word("Quyết", BBox(100, 100, 300, 140), 0.9, 0, 0),
                                   Word("15", BBox(152, 301, 178, 319), 0.5, 0, 1)))
    merged = merge_typed(ocr, split.typed)
    assert merged.text == "Quyết\n15\n\nSố:"  # the OCR's own "15" stays; the typed "Số:" is added


def test_the_ocrs_reading_of_a_stamp_written_into_the_page_is_dropped() -> None:
    def line(texts: str, x: int, y: int, block: int, line_no: int, conf: float = 1.0) -> list[Word]:
        return [Word(t, BBox(x + 80 * i, y, x + 80 * i + 70, y + 24), conf, block, line_no)
                for i, t in enumerate(texts.split())]

    layer = OcrPage(2480, 3508, 300, tuple(line("TRUNG TÂM CÔNG BÁO VÀ TIN HỌC", 1350, 50, 0, 0)
                                           + line("congbao@portal.gov.vn", 1350, 80, 0, 1)
                                           + line("Số: 15", 300, 400, 1, 2)), "pdf")
    split = split_layer(layer)
    assert [w.text for w in split.stamps][-1] == "congbao@portal.gov.vn" and [w.text for w in split.typed] == [
        "Số:", "15"]
    ocr = OcrPage(2480, 3508, 300, tuple(line("TRUNG TÂM CÔNG BÁO VÀ TIN HỌC", 1352, 52, 0, 0, 0.9)
                                         + line("congbao@)portal.gov.vn", 1352, 82, 0, 1, 0.9)
                                         + line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA", 1300, 112, 1, 2, 0.9)))
    # The stamp's words go (one edit allowed in a long word); the motto's right under them stays, though
    # 'HÒA', 'XÃ', 'HỘI' are each one letter from a stamp word.
    assert without_stamps(ocr, split.stamps).text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA"
    assert without_stamps(ocr, ()) is ocr
