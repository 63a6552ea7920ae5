"""OCR stage: run the engine it is given on the prepared image and map words back to master pixels."""

from __future__ import annotations

from dataclasses import replace

from sohoa.domain.ocr import OcrPage
from sohoa.domain.ports import OcrEngine
from sohoa.pipeline.types import PreparedPage

__all__ = ["ocr_page"]


def ocr_page(prepared: PreparedPage, engine: OcrEngine) -> OcrPage:
    """Words of the page with boxes in master pixels (crop, scale, turn and deskew undone).

    A page measured as blank is not sent to the engine: it would only return specks as text.
    """
    quality = prepared.quality
    if quality.blank:
        return OcrPage(quality.width, quality.height, quality.dpi, (), source="ocr", engine=engine.name)
    raw = engine.recognize(prepared.ocr_image, prepared.ocr_dpi)
    words = tuple(replace(word, bbox=prepared.transform.map_box(word.bbox)) for word in raw.words)
    return OcrPage(
        quality.width, quality.height, quality.dpi, words, source="ocr", engine=raw.engine or engine.name
    )
