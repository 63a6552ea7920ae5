"""A PDF text layer judged by its words: a poor OCR layer by another tool gives way to our reading."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.pipeline.layer_quality import MIN_WORDS, known_share, layer_is_poor, prefer_ocr
from sohoa.pipeline.triage import page_draws_images
from sohoa.pipeline.types import SourcePage

# What a poor OCR tool leaves over a Vietnamese letter: marks lost, letters swapped, noise.
POOR = ("UBND THANH PHO DA NANG CONG Hcok xA HQI CHiJ NGHiA VIVT NAM Dc 1p - Ty do - Hph phtic SO GIAO DVC vA "
        "DA° TAO S6: 463Y SGDDT -CTrTT V/v bao dam TTATGT cho HS, SV trong dip nghi he va kt thi THPT")
GOOD = ("UBND THÀNH PHỐ ĐÀ NẴNG CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc SỞ GIÁO DỤC "
        "VÀ ĐÀO TẠO Số: 1595/SGDĐT-CTrTT V/v bảo đảm trật tự an toàn giao thông cho học sinh trong dịp nghỉ hè")
ENGLISH = ("The committee decided to approve the annual plan for the district schools and the budget of the "
           "year with all members present")


def _page(text: str, engine: str = "pdftotext") -> OcrPage:
    words = tuple(Word(t, BBox(10 * i, 0, 10 * i + 8, 10), 1.0, 0, 0) for i, t in enumerate(text.split()))
    return OcrPage(1000, 1000, 100, words, "pdf", engine)


def test_a_layer_read_without_its_marks_is_poor_and_a_good_one_is_not() -> None:
    assert known_share(_page(POOR)) < 0.6 < 0.9 < known_share(_page(GOOD))
    assert layer_is_poor(_page(POOR)) and not layer_is_poor(_page(GOOD))


def test_a_short_layer_is_not_judged_by_its_words() -> None:
    stamp = " ".join(POOR.split()[: MIN_WORDS - 1])
    assert not layer_is_poor(_page(stamp))


def test_the_ocr_replaces_a_poor_layer_only_when_it_reads_clearly_better() -> None:
    better = prefer_ocr(_page(POOR), _page(GOOD, "tesseract"))
    assert better.use_ocr and better.layer < better.ocr
    assert better.describe().startswith("text_layer_poor: ") and "OCR kept" in better.describe()
    # A page in another language reads as badly by OCR as in its layer: the layer, drawn by its author, stays.
    english = prefer_ocr(_page(ENGLISH), _page(ENGLISH, "tesseract"))
    assert not english.use_ocr and "layer kept" in english.describe()


def test_only_pages_that_draw_an_image_can_have_their_layer_doubted(tmp_path: Path) -> None:
    picture = tmp_path / "scan.png"
    Image.new("L", (200, 280), 255).save(picture)
    c = canvas.Canvas(str(tmp_path / "two.pdf"), pagesize=A4)
    c.drawString(72, 760, "Dieu 1. Van ban chi co chu")  # a page of text alone
    c.showPage()
    c.drawImage(str(picture), 0, 0, *A4)  # a scan with text drawn over it
    c.drawString(72, 760, "SAO Y")
    c.save()
    pages = [SourcePage(str(tmp_path / "two.pdf"), i, "pdf", 300) for i in (0, 1)]
    assert [page_draws_images(p) for p in pages] == [False, True]
    assert not page_draws_images(SourcePage(str(picture), 0, "image", 300))
