"""Whether images cover a PDF page whatever is painted over them (``pdfimage.covered_by_image``): a scan
cut into strips, a scan wrapped in a form XObject by a tool that re-saved the file, a scan with a stamp
written over it are scans; a born-digital page with a logo is not (issue #12 item 1)."""

from __future__ import annotations

from pathlib import Path

import pikepdf
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from sohoa.engines.pdfimage import covered_by_image, find_page_image

WIDTH, HEIGHT = A4


def _image(path: Path, size: tuple[int, int]) -> Path:
    Image.new("L", size, 200).save(path)
    return path


def _page(pdf: Path, draw: list[tuple[Path, float, float, float, float]], stamp: bool) -> pikepdf.Pdf:
    c = canvas.Canvas(str(pdf), pagesize=A4)
    for image, x, y, w, h in draw:
        c.drawImage(ImageReader(str(image)), x, y, w, h)
    if stamp:
        c.setFont("Helvetica", 6)
        c.drawString(440, 830, "Signed by: People's Committee")
    c.save()
    return pikepdf.open(pdf)


def test_a_scan_cut_into_strips_with_a_stamp_is_covered(tmp_path: Path) -> None:
    strip = _image(tmp_path / "strip.png", (620, 220))
    bands = [(strip, 0.0, HEIGHT - (k + 1) * HEIGHT / 4, WIDTH, HEIGHT / 4) for k in range(4)]
    with _page(tmp_path / "strips.pdf", bands, stamp=True) as pdf:
        assert covered_by_image(pdf.pages[0]) and find_page_image(pdf.pages[0]) is None


def test_a_scan_wrapped_in_a_form_xobject_is_covered(tmp_path: Path) -> None:
    scan = _image(tmp_path / "scan.png", (620, 877))
    with _page(tmp_path / "scan.pdf", [(scan, 0.0, 0.0, WIDTH, HEIGHT)], stamp=False) as source:
        assert find_page_image(source.pages[0]) is not None
        wrapped = pikepdf.new()
        wrapped.add_blank_page(page_size=(WIDTH, HEIGHT))
        page = wrapped.pages[0]
        form = wrapped.copy_foreign(source.pages[0].as_form_xobject())
        page.obj.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Fx0=form))
        page.obj.Contents = wrapped.make_stream(b"q 1 0 0 1 0 0 cm /Fx0 Do Q")
        assert covered_by_image(page) and find_page_image(page) is None


def test_a_page_with_a_logo_or_half_a_page_of_image_is_not_covered(tmp_path: Path) -> None:
    logo = _image(tmp_path / "logo.png", (80, 80))
    with _page(tmp_path / "logo.pdf", [(logo, 60.0, 740.0, 60.0, 60.0)], stamp=True) as pdf:
        assert not covered_by_image(pdf.pages[0])
    half = _image(tmp_path / "half.png", (620, 430))
    with _page(tmp_path / "half.pdf", [(half, 0.0, 0.0, WIDTH, HEIGHT / 2)], stamp=True) as pdf:
        assert not covered_by_image(pdf.pages[0])
