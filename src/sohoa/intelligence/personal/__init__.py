"""Finding personal data (Luật 91/2025/QH15) in the text of documents and on their pages.

``detect_rules`` finds the structured kinds (CCCD, CMND, dates of birth, phones, e-mail, addresses, bank
accounts, licence plates, land parcels); ``detect`` adds personal names found by a tagger the project trains
on documents it generates (``names``); ``detect_page`` maps the spans of an OCR page to its words and boxes.
"""

from __future__ import annotations

import re

from sohoa.domain.ocr import OcrPage
from sohoa.domain.personal import PersonalKind, PersonalSpan
from sohoa.domain.text import nfc

from ._features import name_lists
from ._not_names import not_a_name
from ._text import select_spans
from .names import detect_names
from .page import PageSpan, map_spans, page_text, word_offsets
from .rules import detect_rules

__all__ = ["PageSpan", "detect", "detect_page", "detect_rules", "page_text"]


# A bare year right after a person's name is their year of birth: "Trần Văn An (1955, con)", "Lê Thị Hoa, 1960".
_YEAR_AFTER_NAME = re.compile(r"\s*[(,]\s*((?:19|20)\d{2})(?!\d)")


def _years_after(text: str, names: list[PersonalSpan]) -> list[PersonalSpan]:
    out = []
    for name in names:
        match = _YEAR_AFTER_NAME.match(text, name.end)
        if match:
            out.append(PersonalSpan(PersonalKind.DOB, match.start(1), match.end(1), match.group(1), 0.85))
    return out


def _repeats(text: str, names: list[PersonalSpan]) -> list[PersonalSpan]:
    """Every other mention of a full name found in context: a letter names its citizen in context once
    ("Kính gửi: Bà Lê Thị Hoa") and then bare ("… để độc giả Lê Thị Hoa được biết"). Only full names of three
    or more words that start with a family name spread, so that one doubtful span is not repeated everywhere."""
    family = name_lists()["family"]
    out = []
    for full in {n.text for n in names if len(n.text.split()) >= 3 and n.text.split()[0].lower() in family}:
        for match in re.finditer(rf"(?<!\w){re.escape(full)}(?!\w)", text):
            out.append(PersonalSpan(PersonalKind.NAME, match.start(), match.end(), full, 0.85))
    return out


def _officials(text: str, names: list[PersonalSpan]) -> set[str]:
    """Full names that some mention in ``text`` gives with an office ("ông Lê Văn An, Trưởng phòng …"): the
    person acts in office in this document, every mention of them too."""
    out = set()
    for full in {n.text for n in names if len(n.text.split()) >= 3}:
        for match in re.finditer(rf"(?<!\w){re.escape(full)}(?!\w)", text):
            if not_a_name(text, match.start(), match.end()):
                out.add(full)
                break
    return out


def detect(text: str) -> list[PersonalSpan]:
    """Every kind of personal data in ``text`` (NFC): rules and names, sorted by start, non-overlapping."""
    text = nfc(text)
    names = detect_names(text)
    officials = _officials(text, names)
    names = [n for n in select_spans([*names, *_repeats(text, names)]) if n.text not in officials]
    return select_spans([*detect_rules(text), *names, *_years_after(text, names)])


def detect_page(ocr: OcrPage) -> list[PageSpan]:
    """The personal data of an OCR page, with the words and boxes of each span; offsets refer to
    ``page_text(ocr)``."""
    text, offsets = word_offsets(ocr)
    return map_spans(ocr, detect(text), offsets)
