"""The copy-based PDF/A-2b writer: born-digital pages copied with their fonts, no raster, PDF/A checks."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pikepdf
import pytest
from pikepdf import pdfa as pikepdf_pdfa
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from sohoa.domain.errors import EngineError
from sohoa.engines import pdfa_copy
from sohoa.engines.pdfa_copy import copy_blocker, page_copy_blocker, page_copy_check, write_pdfa_copy

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
LINES = ("ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI", "Quyết định về việc phê duyệt kế hoạch số hóa",
         "Hà Nội, ngày 19 tháng 4 năm 2025")
FIELDS = {"code_number": "2112", "code_notation": "QĐ-UBND", "subject": "Về việc phê duyệt"}
_EXTENSION_FINDING = re.compile(r"XMP (namespace (pdfaExtension|pdfaSchema|pdfaProperty|sohoa)=|property "
                                r"(pdfaExtension|sohoa):)")


def text_pdf(path: Path, pages: int = 2, *, font: str = "LS", cmyk: bool = False) -> Path:
    """A ReportLab PDF of Vietnamese lines in ``font`` (Liberation Serif embedded, or a base-14 name)."""
    if font == "LS":
        pdfmetrics.registerFont(TTFont("LS", FONT))
    c = canvas.Canvas(str(path), pagesize=A4)
    for n in range(pages):
        if cmyk:
            c.setFillColorCMYK(0, 0, 0, 1)
        c.setFont(font, 12)
        for i, line in enumerate(LINES):
            c.drawString(60, 780 - 18 * i, f"{line} — trang {n + 1}")
        c.linkURL("https://example.vn", (60, 700, 200, 720))
        c.showPage()
    c.save()
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pdftotext(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, check=True,
                          capture_output=True).stdout.decode("utf-8")


def copy(source: Path, pages: list[int]) -> bytes:
    out = io.BytesIO()
    write_pdfa_copy(source, pages, out, title="Quyết định 2112/QĐ-UBND", fields=FIELDS)
    return out.getvalue()


def fonts_of(page: pikepdf.Page) -> list[pikepdf.Dictionary]:
    return list(page.Resources.Font.values())


def _embedded(font: pikepdf.Object) -> bool:
    if font.Subtype == pikepdf.Name.Type0:
        font = font.DescendantFonts[0]
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return text_pdf(tmp_path_factory.mktemp("copy") / "luat.pdf", pages=3)


def test_embedded_text_pages_can_be_copied(source: Path) -> None:
    with pikepdf.open(source) as pdf:
        assert [copy_blocker(page) for page in pdf.pages] == [None, None, None]


def test_page_check_plans_the_copy(source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ReportLab selects a Helvetica it never shows and does not embed: the check plans to point it at the
    embedded font; the copy applies that plan without reading the page's content again, and the result is
    the same PDF/A as the copy that audits every page itself."""
    blocker, plan = page_copy_check(source, 0)
    second = page_copy_check(source, 1)[1]
    assert blocker is None and plan is not None and len(plan) == 1
    with pikepdf.open(source) as pdf:
        fonts = pdf.pages[0].Resources.Font
        assert not _embedded(fonts[plan[0][0]]) and _embedded(fonts[plan[0][1]])
    audited: list[int] = []
    real = pdfa_copy._check_page
    monkeypatch.setattr(pdfa_copy, "_check_page", lambda page, audit: audited.append(1) or real(page, audit))
    planned, audited_copy = io.BytesIO(), io.BytesIO()
    created = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    write_pdfa_copy(source, [0, 1], planned, title="t", fields=FIELDS, created=created,
                    mends=[plan, second])
    assert audited == []
    write_pdfa_copy(source, [0, 1], audited_copy, title="t", fields=FIELDS, created=created)
    assert audited == [1, 1]
    assert _without_ids(planned.getvalue()) == _without_ids(audited_copy.getvalue())
    with pikepdf.open(source) as pdf:  # a plan that no longer fits the page is refused, never half applied
        pdf.pages[0].Resources.Font = pikepdf.Dictionary()
        pdf.save(tmp_path / "changed.pdf")
    with pytest.raises(EngineError):
        write_pdfa_copy(tmp_path / "changed.pdf", [0], io.BytesIO(), title="t", fields=FIELDS, mends=[plan])


def _without_ids(data: bytes) -> bytes:
    """The file without its random document ids and instance ids (they differ between two writes)."""
    data = re.sub(rb"/ID \[<[0-9a-f]+> <[0-9a-f]+>\]", b"", data)
    return re.sub(rb"uuid:[0-9a-f-]+", b"", data)


def test_copy_is_pdfa_2b_with_fonts_copied_and_no_raster(source: Path, tmp_path: Path) -> None:
    before = sha256(source)
    data = copy(source, [0, 2])
    report = pikepdf_pdfa.validate_written(io.BytesIO(data), "2b")
    assert [f.message for f in report.findings if not _EXTENSION_FINDING.match(f.message)] == []
    out = tmp_path / "out.pdf"
    out.write_bytes(data)
    checked = subprocess.run(["qpdf", "--check", str(out)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    with pikepdf.open(out) as pdf, pikepdf.open(source) as src:
        assert pdf.pdf_version == "1.7" and not pdf.is_encrypted and len(pdf.pages) == 2
        assert str(pdf.Root.Lang) == "vi-VN"
        assert pdf.Root.OutputIntents[0].S == pikepdf.Name.GTS_PDFA1
        with pdf.open_metadata() as meta:
            assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert str(pdf.docinfo.Title) == "Quyết định 2112/QĐ-UBND"
        for page in pdf.pages:
            assert "/XObject" not in page.Resources  # no image: the page is drawn as in the source
            assert "/Annots" not in page.obj  # links pointed into the source: dropped
            assert all(_embedded(f) for f in fonts_of(page))
        program = next(f for f in fonts_of(pdf.pages[0]) if _embedded(f)).FontDescriptor.FontFile2.read_bytes()
        source_program = next(f for f in fonts_of(src.pages[0]) if _embedded(f)).FontDescriptor.FontFile2
        assert program == source_program.read_bytes()  # the font program itself, untouched
        assert "/OpenAction" not in pdf.Root and "/Names" not in pdf.Root and "/AcroForm" not in pdf.Root
    text = pdftotext(data)
    assert text == unicodedata.normalize("NFC", text)
    for line in LINES:
        assert f"{line} — trang 1" in text and f"{line} — trang 3" in text
    assert "trang 2" not in text
    assert sha256(source) == before  # the master is only read


def test_base14_font_is_a_blocker_with_a_reason(tmp_path: Path) -> None:
    helvetica = text_pdf(tmp_path / "helvetica.pdf", pages=1, font="Helvetica")
    blocker = page_copy_blocker(helvetica, 0)
    assert blocker is not None and blocker.code == "font_not_embedded"
    assert "Helvetica" in blocker.vi and "Helvetica" in blocker.en and "nhúng" in blocker.vi
    with pytest.raises(EngineError, match="not embedded"):
        copy(helvetica, [0])


def test_cmyk_is_a_blocker(tmp_path: Path) -> None:
    blocker = page_copy_blocker(text_pdf(tmp_path / "cmyk.pdf", pages=1, cmyk=True), 0)
    assert blocker is not None and blocker.code == "cmyk"


def test_owner_password_javascript_and_inherited_resources(source: Path, tmp_path: Path) -> None:
    """An owner-password PDF with an open action in JavaScript, its resources on the page tree."""
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(source) as pdf:
        resources = pdf.pages[0].obj.Resources
        for page in pdf.pages:
            del page.obj["/Resources"]
        pdf.Root.Pages.Resources = resources  # inherited by every page
        pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                                                   JS=pikepdf.String("app.alert(1)")))
        pdf.save(locked, encryption=pikepdf.Encryption(user="", owner="chu-so-huu"))
    assert page_copy_blocker(locked, 1) is None
    data = copy(locked, [1])
    assert b"JavaScript" not in data
    report = pikepdf_pdfa.validate_written(io.BytesIO(data), "2b")
    assert [f.message for f in report.findings if not _EXTENSION_FINDING.match(f.message)] == []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert not pdf.is_encrypted and "/Font" in pdf.pages[0].Resources
    assert f"{LINES[1]} — trang 2" in pdftotext(data)


def test_no_pages_is_an_error(source: Path) -> None:
    with pytest.raises(EngineError):
        copy(source, [])
