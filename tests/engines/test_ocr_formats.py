"""hOCR, ALTO and JSON exports of an OCR page."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.engines.ocr_formats import ocr_page_from_json, ocr_page_to_json, to_alto, to_hocr

XHTML = "{http://www.w3.org/1999/xhtml}"
ALTO = "{http://www.loc.gov/standards/alto/ns-v4#}"
PAGE = OcrPage(
    2480,
    3508,
    300,
    (
        Word("Số:", BBox(300, 400, 380, 440), 0.97, block=1, line=1),
        Word("162/UBND-VP", BBox(390, 400, 700, 440), 0.88, block=1, line=1),
        Word("Hà", BBox(1500, 400, 1560, 440), 0.91, block=2, line=2),
        Word("Nội,", BBox(1570, 400, 1660, 440), 0.9, block=2, line=2),
        Word("<a&b>", BBox(300, 500, 420, 540), 0.5, block=2, line=3),
    ),
    engine="tesseract 5.5.4 vie",
)


def test_hocr_is_xml_with_words_boxes_and_confidences() -> None:
    root = ET.fromstring(to_hocr(PAGE))
    page = root.find(f".//{XHTML}div[@class='ocr_page']")
    assert page is not None and page.get("title", "").startswith("bbox 0 0 2480 3508")
    words = root.findall(f".//{XHTML}span[@class='ocrx_word']")
    assert [w.text for w in words] == [w.text for w in PAGE.words]
    assert words[1].get("title") == "bbox 390 400 700 440; x_wconf 88"
    assert len(root.findall(f".//{XHTML}span[@class='ocr_line']")) == 3
    assert len(root.findall(f".//{XHTML}div[@class='ocr_carea']")) == 2


def test_alto_is_xml_with_strings_and_wc() -> None:
    root = ET.fromstring(to_alto(PAGE))
    strings = root.findall(f".//{ALTO}String")
    assert [s.get("CONTENT") for s in strings] == [w.text for w in PAGE.words]
    first = strings[0].attrib
    assert (first["HPOS"], first["VPOS"], first["WIDTH"], first["HEIGHT"], first["WC"]) == (
        "300", "400", "80", "40", "0.97",
    )  # fmt: skip
    assert len(root.findall(f".//{ALTO}SP")) == 2
    assert len(root.findall(f".//{ALTO}TextLine")) == 3
    page = root.find(f".//{ALTO}Page")
    assert page is not None and page.get("WIDTH") == "2480"


def test_empty_page_exports() -> None:
    empty = OcrPage(100, 200, 300)
    assert ET.fromstring(to_hocr(empty)).find(f".//{XHTML}span") is None
    assert ET.fromstring(to_alto(empty)).find(f".//{ALTO}String") is None


def test_json_round_trip() -> None:
    assert ocr_page_from_json(ocr_page_to_json(PAGE)) == PAGE
    text_page = OcrPage(10, 10, 300, source="pdf", engine="pdftotext", text_override="Văn bản")
    back = ocr_page_from_json(ocr_page_to_json(text_page))
    assert back == text_page and back.text == "Văn bản"
    assert "Hà" in ocr_page_to_json(PAGE)  # UTF-8, not \\u escapes
