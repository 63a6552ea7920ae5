"""The OCR of a page as IIIF annotations, and search within a document (IIIF Content Search 2.0).

A page's AnnotationPage holds one ``supplementing`` annotation per OCR line and per word, each a
TextualBody targeting ``canvas#xywh=…`` in the page's pixels (``textGranularity`` line or word). Search
finds the words matching a query as the rest of Sohoa does (tone-insensitive phrases, ``highlight_boxes``)
and answers an AnnotationPage of ``highlighting`` annotations on those boxes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.domain.text import canonical_text
from sohoa.engines.ocr_formats import ocr_page_from_json
from sohoa.services.catalogue.documents import highlight_boxes, page_ocr, require_visible
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.sharing.iiif import PRESENTATION_CONTEXT, IiifUrls

__all__ = ["SEARCH_CONTEXT", "page_annotations", "search_within"]

SEARCH_CONTEXT = "http://iiif.io/api/search/2/context.json"


def _xywh(box: BBox | list[int]) -> str:
    x0, y0, x1, y1 = (box.x0, box.y0, box.x1, box.y1) if isinstance(box, BBox) else box
    return f"xywh={x0},{y0},{max(1, x1 - x0)},{max(1, y1 - y0)}"


def _union(words: tuple[Word, ...]) -> BBox:
    return BBox(min(w.bbox.x0 for w in words), min(w.bbox.y0 for w in words),
                max(w.bbox.x1 for w in words), max(w.bbox.y1 for w in words))


def _text_annotation(anno_id: str, text: str, granularity: str, target: str) -> dict[str, Any]:
    return {"id": anno_id, "type": "Annotation", "motivation": "supplementing", "textGranularity": granularity,
            "body": {"type": "TextualBody", "value": text, "format": "text/plain", "language": "vi"},
            "target": target}


def _annotations(ocr: OcrPage, page_id: str, canvas: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for number, line in enumerate(ocr.lines(), start=1):
        text = " ".join(w.text for w in line)
        items.append(_text_annotation(f"{page_id}/line-{number}", text, "line", f"{canvas}#{_xywh(_union(line))}"))
    for number, word in enumerate(ocr.words, start=1):
        items.append(_text_annotation(f"{page_id}/word-{number}", word.text, "word", f"{canvas}#{_xywh(word.bbox)}"))
    return items


def page_annotations(ctx: AppContext, principal: Principal | None, document_id: int, page_no: int,
                     urls: IiifUrls) -> dict[str, Any]:
    """The OCR lines and words of a page of a visible document (NotFound otherwise, or without OCR)."""
    content, _media_type = page_ocr(ctx, principal, document_id, page_no, "json", channel="iiif")
    ocr = ocr_page_from_json(content.decode("utf-8"))
    page_id = urls.annotations(document_id, page_no)
    return {"@context": PRESENTATION_CONTEXT, "id": page_id, "type": "AnnotationPage",
            "items": _annotations(ocr, page_id.removesuffix(".json"), urls.canvas(document_id, page_no))}


def search_within(ctx: AppContext, principal: Principal | None, document_id: int, query: str,
                  urls: IiifUrls) -> dict[str, Any]:
    """The words of a visible document matching ``query``, as IIIF Content Search 2.0 hits."""
    require_visible(ctx, principal, document_id)
    query = canonical_text(query).strip()
    found = highlight_boxes(ctx, principal, document_id, query) if query else []
    search_id = f"{urls.search(document_id)}?q={quote(query)}"
    items = [{"id": f"{urls.search(document_id)}/hit/{hit.page}-{number}", "type": "Annotation",
              "motivation": "highlighting",
              "body": {"type": "TextualBody", "value": query, "format": "text/plain", "language": "vi"},
              "target": f"{urls.canvas(document_id, hit.page)}#{_xywh(box)}"}
             for hit in found for number, box in enumerate(hit.boxes, start=1)]
    return {"@context": SEARCH_CONTEXT, "id": search_id, "type": "AnnotationPage", "items": items}
