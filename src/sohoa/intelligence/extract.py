"""Layout-aware field extraction (NĐ 30/2020, TT 01/2011) from the OCR words of one document."""

from __future__ import annotations

from collections.abc import Sequence

from sohoa.domain.codes import DocumentType, type_by_abbreviation
from sohoa.domain.fields import DocumentFields
from sohoa.domain.ocr import OcrPage
from sohoa.domain.ports import FieldExtractor

from ._body import find_recipients, find_subject, find_title, find_vv
from ._header import find_date, find_organs, find_stamps
from ._hit import Hit
from ._layout import Segment, page_segments
from ._number import NumberMatch, find_number, repair_with_title
from ._organs import ORGAN_ABBREVIATIONS
from ._signer import find_signer
from .review import flag_doubtful

__all__ = ["FieldExtractor", "RuleFieldExtractor", "extract_fields"]

# Party documents (Hướng dẫn 36-HD/VPTW) write công văn as 'CV' before the slash: '15-CV/TU'.
_PARTY_TYPES = {"CV": "Công văn", "KL": "Kết luận"}


def _type_from_sign(number: NumberMatch | None, has_vv: bool) -> tuple[str | None, float, str]:
    if number is None:
        return ("Công văn", 0.7, "type.vv") if has_vv else (None, 0.0, "")
    abbreviation = number.type_abbreviation
    if number.notation.rule == "notation.party" and abbreviation in _PARTY_TYPES:
        return _PARTY_TYPES[abbreviation], 0.85, "type.party_sign"
    found: DocumentType | None = type_by_abbreviation(abbreviation) if abbreviation else None
    if found is not None:
        return found.name, 0.85, "type.sign_abbreviation"
    # NĐ 30: a sign whose first group is not a type abbreviation belongs to a công văn.
    return "Công văn", 0.8 if has_vv else 0.65, "type.cong_van_sign"


class RuleFieldExtractor:
    """Rules over word boxes: header columns split by x position, blocks found by geometry."""

    name = "rules"

    def extract(self, pages: Sequence[OcrPage]) -> DocumentFields:
        """The fields of one document, every doubtful one flagged for review (:mod:`.review`)."""
        return flag_doubtful(self.read(pages))

    def read(self, pages: Sequence[OcrPage]) -> DocumentFields:
        """The rules' findings, flagged only where a rule itself doubts them."""
        if not pages:
            return DocumentFields({})
        hits: dict[str, tuple[Hit, int]] = {}
        first = pages[0]
        segments = page_segments(first)
        self._header(first, segments, hits)
        self._signer(pages, hits)
        return DocumentFields({k: h.to_field(page) for k, (h, page) in hits.items()})

    def _header(self, page: OcrPage, segments: list[Segment], hits: dict[str, tuple[Hit, int]]) -> None:
        number = find_number(segments, page)
        dated = find_date(segments, page)
        if number is not None:
            hits["code_number"] = (number.number, 1)
            hits["code_notation"] = (number.notation, 1)
        if dated is not None:
            hits["issued_date"] = (dated.issued, 1)
            hits["place"] = (dated.place, 1)
        anchors = [m.segment for m in (number, dated) if m is not None]
        limit = min((s.bbox.y0 for s in anchors), default=0.25 * page.height) + 2
        organ, parent = find_organs(segments, page, limit if number is None else number.segment.bbox.y0 + 2)
        if organ is None and number is not None:
            organ = _organ_from_notation(number)
        for key, hit in (("organ_name", organ), ("parent_organ_name", parent)):
            if hit is not None:
                hits[key] = (hit, 1)
        for key, hit in find_stamps(segments, page).items():
            hits[key] = (hit, 1)
        top = max((s.bbox.y1 for s in anchors), default=0.12 * page.height)
        self._title(page, segments, number, top, hits)

    def _title(self, page: OcrPage, segments: list[Segment], number: NumberMatch | None, top: float,
               hits: dict[str, tuple[Hit, int]]) -> None:
        vv = find_vv(segments, page, number.segment) if number is not None else None
        title = find_title(segments, page, top)
        if title is not None:
            doc_type, seg = title
            agrees = number is not None and number.type_abbreviation == doc_type.abbreviation
            repaired = repair_with_title(number, doc_type.abbreviation) if number and doc_type.abbreviation else None
            if repaired is not None:
                hits["code_notation"] = (repaired, 1)
            hits["type_name"] = (Hit(doc_type.name, (seg.words,), 0.98 if agrees else 0.9, "type.title"), 1)
            subject = find_subject(segments, page, seg)
        else:
            name, certainty, rule = _type_from_sign(number, vv is not None)
            if name is not None:
                source = (number.notation.words,) if number is not None else ()
                hits["type_name"] = (Hit(name, source, certainty, rule), 1)
            subject = vv
        subject = subject or vv
        if subject is not None:
            hits["subject"] = (subject, 1)
        recipients = find_recipients(segments, page)
        if recipients is not None:
            hits["recipients"] = (recipients, 1)

    def _signer(self, pages: Sequence[OcrPage], hits: dict[str, tuple[Hit, int]]) -> None:
        # The block sits on the last page; look one or two pages back for a trailing appendix.
        for index in range(len(pages) - 1, max(-1, len(pages) - 4), -1):
            found = find_signer(pages[index], page_segments(pages[index]))
            if found is not None:
                hits["signer_position"] = (found[0], index + 1)
                hits["signer_full_name"] = (found[1], index + 1)
                hits["signer_block"] = (found[2], index + 1)
                return


def _organ_from_notation(number: NumberMatch) -> Hit | None:
    """When the header is cut off, the agency group of the sign names the issuer ('NĐ-CP' → CHÍNH PHỦ)."""
    notation = number.notation.value or ""
    agency = notation.replace("/", "-").split("-")[-1]
    name = ORGAN_ABBREVIATIONS.get(agency)
    if name is None:
        return None
    return Hit(name, number.notation.parts, 0.6, "organ.from_notation")


def extract_fields(pages: Sequence[OcrPage]) -> DocumentFields:
    """Fields of one document (its pages in order) with the default layout-aware rules."""
    return RuleFieldExtractor().extract(pages)

