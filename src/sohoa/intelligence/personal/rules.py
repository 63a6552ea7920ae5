"""Rules for the structured kinds of personal data (everything but names): cheap, exact where the text says
what a value is, and used as a safety net on any text that leaves the staff.

Not personal data: document numbers ("123/QĐ-UBND"), dates of issue ("Hà Nội, ngày 5 tháng 3 năm 2025"),
legal references ("Luật số 91/2025/QH15"), amounts of money and the addresses of issuing organs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sohoa.domain.personal import PersonalKind, PersonalSpan
from sohoa.domain.text import nfc

from ._numbers import find_numbers
from ._places import find_addresses, find_parcels
from ._text import fold_keep_offsets, select_spans

__all__ = ["detect_rules"]

_DATE = (r"(\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*(?:19|20)\d{2}"
         r"|(?:ngay\s+)?\d{1,2}\s+thang\s+\d{1,2}\s*,?\s+nam\s+(?:19|20)\d{2}"
         r"|(?:19|20)\d{2})(?!\d)")
_DOB = re.compile(r"(?<!\w)(?<!phat )(?<!ve )(?<!hoc )(?<!nu )(?<!san )"
                  r"(?:sinh ngay|ngay,?\s*thang,?\s*nam sinh|ngay sinh|sinh nam|nam sinh|\bsn\b|sinh)"
                  rf"\s*(?:\(\w+\))?\s*:?\s*(?:ngay\s+|nam\s+)?{_DATE}")
# OCR sometimes reads a bracket or a space beside the "@" ("haidd77(@gmail.com").
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+ ?[(\[]?@ ?[\w-]+(?:\.[\w-]+)+(?<![.-])")
_PLATE = re.compile(r"(?<![\w/.\-])(\d{2}\s?-?\s?[A-Z]{1,2}\d?\s?-?\s?(?:\d{3}\.\d{2}|\d{4,5}))(?![\w.]\w|\w)")
_PLATE_LABEL = re.compile(r"bien so|bien kiem soat|\bbks\b|\bbsx\b|xe (?:may|o to|mo to)")


def _dates_of_birth(text: str, folded: str) -> Iterator[PersonalSpan]:
    for match in _DOB.finditer(folded):
        start, end = match.start(1), match.end(1)
        yield PersonalSpan(PersonalKind.DOB, start, end, text[start:end], 0.97)


# The mailboxes of government bodies ("vanthu@bacninh.gov.vn") are an organ's, not a person's.
_ORGAN_MAIL = re.compile(r"\.gov\.vn$", re.IGNORECASE)


def _emails(text: str, folded: str) -> Iterator[PersonalSpan]:
    for match in _EMAIL.finditer(text):
        if _ORGAN_MAIL.search(match.group(0)):
            continue
        yield PersonalSpan(PersonalKind.EMAIL, match.start(), match.end(), match.group(0), 0.99)


def _plates(text: str, folded: str) -> Iterator[PersonalSpan]:
    for match in _PLATE.finditer(text):
        start, end = match.span(1)
        line_start = folded.rfind("\n", 0, start) + 1
        labelled = _PLATE_LABEL.search(folded, max(line_start, start - 40), start) is not None
        yield PersonalSpan(PersonalKind.PLATE, start, end, text[start:end], 0.97 if labelled else 0.85)


# Finders that read a line end as a space (a page wraps "số tài\nkhoản 123…", "thửa số 12, tờ\nbản đồ số 3");
# addresses see the line ends, which may end their clause.
_FLAT_FINDERS = (find_numbers, find_parcels, _dates_of_birth, _emails, _plates)


def detect_rules(text: str) -> list[PersonalSpan]:
    """The structured personal data in ``text`` (NFC): sorted by start, non-overlapping."""
    text = nfc(text)
    folded = fold_keep_offsets(text)
    flat = folded.replace("\n", " ")
    spans = [span for finder in _FLAT_FINDERS for span in finder(text, flat)]
    return select_spans([*spans, *find_addresses(text, folded)])
