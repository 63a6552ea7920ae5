"""Benchmark baseline: the standard's regexes over the plain OCR text, with no layout and no repair."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sohoa.domain.codes import DOCUMENT_TYPES
from sohoa.domain.fields import DocumentFields, FieldValue
from sohoa.domain.ocr import OcrPage
from sohoa.domain.text import nfc

__all__ = ["BaselineFieldExtractor"]

_NUMBER = re.compile(r"Số\s*:\s*(\d+)\s*/\s*([A-ZĐ0-9][A-Za-zĐđ0-9/-]*)")
_DATE = re.compile(r"([^\d,\n]+),\s*ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})")
_TYPES = {t.name.upper(): t.name for t in DOCUMENT_TYPES}
_NAME = re.compile(r"^(?:[A-ZĐÀ-Ỹ][a-zà-ỹđ]+ ){1,4}[A-ZĐÀ-Ỹ][a-zà-ỹđ]+$")


def _value(value: str | None, rule: str) -> FieldValue:
    return FieldValue(value=value, confidence=0.5 if value else 0.0, page=1, rule=rule)


class BaselineFieldExtractor:
    """What a first attempt does: regexes on ``page.text`` of the first and last page."""

    name = "baseline"

    def extract(self, pages: Sequence[OcrPage]) -> DocumentFields:
        if not pages:
            return DocumentFields({})
        text = nfc(pages[0].text)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        values: dict[str, FieldValue] = {}
        if (number := _NUMBER.search(text)) is not None:
            values["code_number"] = _value(number.group(1), "baseline.regex")
            values["code_notation"] = _value(number.group(2), "baseline.regex")
        if (dated := _DATE.search(text)) is not None:
            day, month, year = (int(dated.group(i)) for i in (2, 3, 4))
            values["issued_date"] = _value(f"{year:04d}-{month:02d}-{day:02d}", "baseline.regex")
            values["place"] = _value(dated.group(1).strip().split("  ")[-1], "baseline.regex")
        if lines:
            values["organ_name"] = _value(lines[0], "baseline.first_line")
        for i, line in enumerate(lines):
            if line in _TYPES:
                values["type_name"] = _value(_TYPES[line], "baseline.title_line")
                if i + 1 < len(lines):
                    values["subject"] = _value(lines[i + 1], "baseline.line_after_title")
                break
        last = [line.strip() for line in nfc(pages[-1].text).splitlines() if line.strip()]
        names = [line for line in last if _NAME.match(line)]
        if names:
            values["signer_full_name"] = _value(names[-1], "baseline.name_regex")
        return DocumentFields(values)
