"""Finding personal data (Luật 91/2025/QH15) in the text of documents and on their pages.

``detect_rules`` finds the structured kinds (CCCD, CMND, dates of birth, phones, e-mail, addresses, bank
accounts, licence plates, land parcels); ``detect`` adds personal names found by a tagger the project trains
on documents it generates (``names``); ``detect_page`` maps the spans of an OCR page to its words and boxes.
"""

from __future__ import annotations

from sohoa.domain.ocr import OcrPage
from sohoa.domain.personal import PersonalSpan
from sohoa.domain.text import nfc

from ._text import select_spans
from .names import detect_names
from .page import PageSpan, map_spans, page_text, word_offsets
from .rules import detect_rules

__all__ = ["PageSpan", "detect", "detect_page", "detect_rules", "page_text"]


def detect(text: str) -> list[PersonalSpan]:
    """Every kind of personal data in ``text`` (NFC): rules and names, sorted by start, non-overlapping."""
    text = nfc(text)
    return select_spans([*detect_rules(text), *detect_names(text)])


def detect_page(ocr: OcrPage) -> list[PageSpan]:
    """The personal data of an OCR page, with the words and boxes of each span; offsets refer to
    ``page_text(ocr)``."""
    text, offsets = word_offsets(ocr)
    return map_spans(ocr, detect(text), offsets)
