"""Born-digital PDFs through `ingest`: text layer words, copied PDF/A, fast thumbnails, raster fallback."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
from pathlib import Path

import pikepdf
from pikepdf import pdfa as pikepdf_pdfa
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from sqlalchemy import select

from sohoa.db.models import Document, Page, StoredObject
from sohoa.engines.ocr_formats import ocr_page_from_json
from sohoa.pipeline.triage import page_text_layer, triage
from sohoa.services.catalogue.catalog import search_documents
from sohoa.services.platform.context import AppContext
from sohoa.services.production.ingest import ingest_paths

from ._helpers import FONT, text_page
from .test_ingest_fast import fake

HEADER = ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ HÀ NỘI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
          "Độc lập - Tự do - Hạnh phúc", "Số: 2112/QĐ-UBND", "Hà Nội, ngày 19 tháng 4 năm 2025", "QUYẾT ĐỊNH",
          "Về việc phê duyệt kế hoạch số hóa tài liệu lưu trữ")
BODY = tuple(f"Điều {n}. Các cơ quan, đơn vị thực hiện việc chỉnh lý và bảo quản hồ sơ theo quy định."
             for n in range(1, 9))
_EXTENSION_FINDING = re.compile(r"XMP (namespace (pdfaExtension|pdfaSchema|pdfaProperty|sohoa)=|property "
                                r"(pdfaExtension|sohoa):)")


def legal_pdf(path: Path, *, font: str = "LS", scan: Path | None = None, password: bool = False) -> Path:
    """A two-page decision in ``font`` (Liberation Serif embedded, or base-14 Helvetica); ``scan``
    adds a scanned page (an image filling the page) at the end."""
    if font == "LS":
        pdfmetrics.registerFont(TTFont("LS", FONT))
    c = canvas.Canvas(str(path), pagesize=A4)
    for lines in (HEADER + BODY, BODY):
        c.setFont(font, 11)
        for i, line in enumerate(lines):
            c.drawString(60, 790 - 16 * i, line)
        c.showPage()
    if scan is not None:
        c.drawImage(ImageReader(str(scan)), 0, 0, *A4)
        c.showPage()
    c.save()
    if password:
        with pikepdf.open(path, allow_overwriting_input=True) as pdf:
            pdf.save(path, encryption=pikepdf.Encryption(user="", owner="chu-so-huu"))
    return path


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _stored(ctx: AppContext, object_id: int | None) -> bytes:
    with ctx.db.session() as session:
        row = session.get(StoredObject, object_id)
        assert row is not None
        return ctx.store.read(row.sha256)


def _documents(ctx: AppContext) -> list[tuple[Document, list[Page]]]:
    with ctx.db.session() as session:
        docs = session.execute(select(Document).order_by(Document.id)).scalars().all()
        result = []
        for doc in docs:
            pages = session.execute(select(Page).where(Page.document_id == doc.id)
                                    .order_by(Page.page_no)).scalars().all()
            session.expunge_all()
            result.append((doc, list(pages)))
        return result


def _images(pdf: pikepdf.Pdf) -> int:
    return sum(1 for page in pdf.pages for x in page.Resources.get("/XObject", {}).values()
               if x.get("/Subtype") == pikepdf.Name.Image)


def _pdfa_findings(data: bytes) -> list[str]:
    report = pikepdf_pdfa.validate_written(io.BytesIO(data), "2b")
    return [f.message for f in report.findings if not _EXTENSION_FINDING.match(f.message)]


def _text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, check=True,
                          capture_output=True).stdout.decode("utf-8")


def test_born_digital_pdf_is_copied_not_rasterised(any_ctx: AppContext, tmp_path: Path) -> None:
    master = legal_pdf(tmp_path / "qd.pdf")
    before = _sha(master)
    report = ingest_paths(any_ctx, [master], engine_factory=fake)
    assert [(i.state, i.pages, i.warnings) for i in report.items] == [("done", 2, [])]
    [(doc, pages)] = _documents(any_ctx)
    assert (doc.code_number, doc.code_notation, doc.type_name) == ("2112", "QĐ-UBND", "Quyết định")
    assert doc.provenance["_pdfa"] == {"mode": "copy"}
    data = _stored(any_ctx, doc.pdf_object_id)
    assert _pdfa_findings(data) == []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 2 and _images(pdf) == 0  # no raster: the pages are the source's
        fonts = [f for page in pdf.pages for f in page.Resources.Font.values()]
        assert fonts and all("/FontFile2" in f.FontDescriptor for f in fonts)
    text = _text(data)
    assert "Số: 2112/QĐ-UBND" in text and BODY[3] in text
    for page in pages:
        assert page.text_source == "pdf" and page.dpi == 300
        assert page.quality["colour_mode"] == "digital" and page.quality["warnings"] == ["born_digital"]
        assert not page.blank
        thumb = Image.open(io.BytesIO(_stored(any_ctx, page.thumbnail_object_id)))
        assert thumb.format == "JPEG" and max(thumb.size) == 320
        assert abs(thumb.width / thumb.height - 595.28 / 841.89) < 0.01
        assert abs(page.width / page.height - 595.28 / 841.89) < 0.001
    ocr = ocr_page_from_json(_stored(any_ctx, pages[0].ocr_object_id).decode("utf-8"))
    assert (ocr.width, ocr.height, ocr.source) == (pages[0].width, pages[0].height, "pdf")
    word = next(w for w in ocr.words if w.text == "2112/QĐ-UBND")
    x0, y0 = word.bbox.x0, word.bbox.y0  # master pixels at 300 dpi; drawn at x ≈ 60 pt + "Số: ", baseline 726 pt
    assert abs(y0 - (841.89 - 790 + 16 * 4 - 11) * 300 / 72) < 25 and 300 < x0 < 400
    assert search_documents(any_ctx, "chỉnh lý và bảo quản hồ sơ").total == 1
    assert ingest_paths(any_ctx, [master], engine_factory=fake).items[0].state == "duplicate"
    assert len(_documents(any_ctx)) == 1
    assert _sha(master) == before


def test_non_embedded_font_is_rasterised_with_the_reason(any_ctx: AppContext, tmp_path: Path) -> None:
    master = legal_pdf(tmp_path / "helvetica.pdf", font="Helvetica")
    report = ingest_paths(any_ctx, [master], engine_factory=fake)
    [item] = report.items
    assert item.state == "done"
    assert len(item.warnings) == 1 and "font_not_embedded" in item.warnings[0] and "Helvetica" in item.warnings[0]
    [(doc, pages)] = _documents(any_ctx)
    assert doc.provenance["_pdfa"]["mode"] == "raster"
    assert doc.provenance["_pdfa"]["code"] == "font_not_embedded" and "nhúng" in doc.provenance["_pdfa"]["vi"]
    assert all(p.quality["warnings"] == ["born_digital", "pdfa_rasterised: font_not_embedded"] for p in pages)
    data = _stored(any_ctx, doc.pdf_object_id)
    assert _pdfa_findings(data) == []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert _images(pdf) == 2  # one page image each, with the text layer under it
    assert "2112/Q" in _text(data)


def test_mixed_pdf_with_a_scanned_page(ctx: AppContext, tmp_path: Path) -> None:
    scan = text_page(tmp_path / "scan.png", ["Trang quét kèm theo"], dpi=150)
    master = legal_pdf(tmp_path / "mixed.pdf", scan=scan)
    report = ingest_paths(ctx, [master], engine_factory=fake)
    assert [(i.state, i.pages) for i in report.items] == [("done", 3)]
    assert "mixed" in report.items[0].warnings[0]  # one document of the three pages: rasterised, saying why
    documents = _documents(ctx)
    assert len(documents) == 1
    pages = [p for _, ps in documents for p in ps]
    assert sorted(p.source_index for p in pages) == [0, 1, 2]
    by_index = {p.source_index: p for p in pages}
    assert by_index[2].text_source == "ocr" and by_index[2].quality["colour_mode"] != "digital"
    assert by_index[0].text_source == by_index[1].text_source == "pdf"
    for doc, doc_pages in documents:
        data = _stored(ctx, doc.pdf_object_id)
        assert _pdfa_findings(data) == []
        mode = doc.provenance["_pdfa"]
        if any(p.source_index == 2 for p in doc_pages):
            assert mode["mode"] == "raster" and mode["code"] == "mixed"  # the scan needs the image path
            with pikepdf.open(io.BytesIO(data)) as pdf:
                assert _images(pdf) == len(doc_pages)
        else:
            assert mode == {"mode": "copy"}
    assert "Điều 3." in _text(_stored(ctx, documents[0][0].pdf_object_id))


def test_owner_password_pdf_is_copied_unencrypted(ctx: AppContext, tmp_path: Path) -> None:
    master = legal_pdf(tmp_path / "locked.pdf", password=True)
    before = _sha(master)
    report = ingest_paths(ctx, [master], engine_factory=fake)
    assert [(i.state, i.warnings) for i in report.items] == [("done", [])]
    [(doc, _)] = _documents(ctx)
    assert doc.provenance["_pdfa"] == {"mode": "copy"}
    data = _stored(ctx, doc.pdf_object_id)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert not pdf.is_encrypted and _images(pdf) == 0
    assert _pdfa_findings(data) == [] and BODY[0] in _text(data)
    assert _sha(master) == before


def test_triage_tells_born_digital_from_scans_and_hybrids(tmp_path: Path) -> None:
    """A short page with an image stays on the scan path; a scan with an invisible OCR layer is a hybrid."""
    scan = text_page(tmp_path / "scan.png", ["Trang quét"], dpi=150)
    path = tmp_path / "pages.pdf"
    pdfmetrics.registerFont(TTFont("LS", FONT))
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setFont("LS", 11)
    c.drawString(60, 790, "Nơi nhận")  # little text and a picture beside it: not trusted alone
    c.drawImage(ImageReader(str(scan)), 60, 400, 300, 150)
    c.showPage()
    c.drawImage(ImageReader(str(scan)), 0, 0, *A4)  # a scan …
    text = c.beginText(60, 790)
    text.setTextRenderMode(3)  # … with an invisible OCR layer
    text.setFont("LS", 11)
    for line in BODY:
        text.textLine(line)
    c.drawText(text)
    c.showPage()
    c.save()
    short, hybrid = triage(path, max_pixels=10**9).pages
    assert not short.born_digital and page_text_layer(short) is None
    assert not hybrid.born_digital and page_text_layer(hybrid) is not None and hybrid.dpi == 145  # 1200 px on A4
