"""OCR result formats: hOCR (XHTML), ALTO 4 (XML) and compact JSON for storage."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from sohoa.domain.ocr import BBox, OcrPage, Word

__all__ = ["ocr_page_from_json", "ocr_page_to_json", "to_alto", "to_hocr"]

_JSON_VERSION = 1


def _blocks(page: OcrPage) -> Iterator[list[tuple[Word, ...]]]:
    """Lines grouped by block, in reading order."""
    current: list[tuple[Word, ...]] = []
    for line in page.lines():
        if current and line[0].block != current[0][0].block:
            yield current
            current = []
        current.append(line)
    if current:
        yield current


def _union(words: tuple[Word, ...] | list[Word]) -> BBox:
    box = words[0].bbox
    for word in words[1:]:
        box = box.union(word.bbox)
    return box


def _title(box: BBox, extra: str = "") -> str:
    return quoteattr(f"bbox {box.x0} {box.y0} {box.x1} {box.y1}{extra}")


def to_hocr(page: OcrPage) -> str:
    """The page as hOCR 1.2: ocr_page > ocr_carea > ocr_line > ocrx_word with bbox and x_wconf."""
    page_title = _title(BBox(0, 0, page.width, page.height), f"; scan_res {page.dpi} {page.dpi}")
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="vi" lang="vi">',
        '<head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>',
        f"<meta name='ocr-system' content={quoteattr(page.engine or page.source)}/>",
        "<meta name='ocr-capabilities' content='ocr_page ocr_carea ocr_line ocrx_word'/>",
        "<title>OCR</title></head><body>",
        f"<div class='ocr_page' id='page_1' title={page_title}>",
    ]
    for number, block in enumerate(_blocks(page), start=1):
        block_box = _union([w for line in block for w in line])
        out.append(f"<div class='ocr_carea' id='block_{number}' title={_title(block_box)}>")
        out.extend(_hocr_line(line) for line in block)
        out.append("</div>")
    out.append("</div></body></html>")
    return "\n".join(out)


def _hocr_line(line: tuple[Word, ...]) -> str:
    words = "".join(
        f"<span class='ocrx_word' title={_title(w.bbox, f'; x_wconf {round(w.conf * 100)}')}>"
        f"{escape(w.text)}</span> "
        for w in line
    )
    line_title = _title(_union(line))
    return f"<span class='ocr_line' id='line_{line[0].line}' title={line_title}>{words.rstrip()}</span>"


def _alto_box(box: BBox) -> str:
    return f'HPOS="{box.x0}" VPOS="{box.y0}" WIDTH="{box.width}" HEIGHT="{box.height}"'


def to_alto(page: OcrPage) -> str:
    """The page as ALTO 4 (pixel units): TextBlock > TextLine > String with WC (0..1) and SP."""
    software = escape(page.engine or page.source)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#">',
        "<Description><MeasurementUnit>pixel</MeasurementUnit>",
        "<OCRProcessing ID='ocr'><ocrProcessingStep><processingSoftware>",
        f"<softwareName>{software}</softwareName>",
        "</processingSoftware></ocrProcessingStep></OCRProcessing></Description>",
        f'<Layout><Page ID="page_1" PHYSICAL_IMG_NR="1" WIDTH="{page.width}" HEIGHT="{page.height}">',
        f"<PrintSpace {_alto_box(BBox(0, 0, page.width, page.height))}>",
    ]
    for number, block in enumerate(_blocks(page), start=1):
        block_box = _union([w for line in block for w in line])
        out.append(f'<TextBlock ID="block_{number}" {_alto_box(block_box)}>')
        out.extend(_alto_line(line) for line in block)
        out.append("</TextBlock>")
    out.append("</PrintSpace></Page></Layout></alto>")
    return "\n".join(out)


def _alto_line(line: tuple[Word, ...]) -> str:
    strings = "<SP/>".join(
        f'<String CONTENT={quoteattr(w.text)} {_alto_box(w.bbox)} WC="{w.conf:.2f}"/>' for w in line
    )
    return f'<TextLine ID="line_{line[0].line}" {_alto_box(_union(line))}>{strings}</TextLine>'


def ocr_page_to_json(page: OcrPage) -> str:
    """Compact JSON: one array per word [text, x0, y0, x1, y1, conf, block, line]."""
    data: dict[str, Any] = {
        "v": _JSON_VERSION,
        "width": page.width,
        "height": page.height,
        "dpi": page.dpi,
        "source": page.source,
        "engine": page.engine,
        "words": [[w.text, *w.bbox.as_list(), w.conf, w.block, w.line] for w in page.words],
    }
    if page.text_override is not None:
        data["text"] = page.text_override
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def ocr_page_from_json(text: str) -> OcrPage:
    """Inverse of :func:`ocr_page_to_json`."""
    data = json.loads(text)
    if data.get("v") != _JSON_VERSION:
        raise ValueError(f"unknown OCR JSON version {data.get('v')!r}")
    words = tuple(
        Word(str(t), BBox(int(x0), int(y0), int(x1), int(y1)), float(c), int(b), int(ln))
        for t, x0, y0, x1, y1, c, b, ln in data["words"]
    )
    return OcrPage(
        int(data["width"]), int(data["height"]), int(data["dpi"]), words,
        source=str(data["source"]), engine=str(data["engine"]), text_override=data.get("text"),
    )  # fmt: skip
