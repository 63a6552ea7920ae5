"""Layout-aware field extraction (NĐ 30/2020, TT 01/2011) from the OCR words of one document."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from sohoa.domain.codes import DocumentType, type_by_abbreviation
from sohoa.domain.fields import DocumentFields
from sohoa.domain.ocr import OcrPage
from sohoa.domain.ports import FieldExtractor

from ._agency import check_agency
from ._body import _VV, find_recipients, find_subject, find_title, find_vv
from ._header import find_date, find_organs, find_stamps
from ._hit import Hit
from ._layout import Segment, page_segments
from ._number import NumberMatch, find_number, number_label, repair_with_title
from ._organs import ORGAN_ABBREVIATIONS
from ._signer import find_signer
from ._signer_alone import find_lone_signer, find_unnamed_block
from .review import flag_doubtful

__all__ = ["FieldExtractor", "RuleFieldExtractor", "extract_fields"]

# A sign's tail: the type group and the agency group ('/2020/NĐ-CP', '/QĐ-UBND').
_SIGN = re.compile(r"/(?:(?:19|20)\d{2}/)?[A-ZĐ][A-Za-zĐđ]*-(?P<agency>[A-ZĐ][A-Za-zĐđ0-9]*)\b")

# What a sign is written with; a glyph outside it ('§' for S) was misread and repaired by the number rules.
_SIGN_GLYPHS = re.compile(r"[^0-9A-Za-zĐđ/&.\-]")
_GARBLE_CONF = 0.5
_DIGIT_LOOKALIKE = re.compile(r"(?<=\d)[SOIBZG]|[SOIBZG](?=\d)")  # 'PAS3' for 'PA83': a letter OCR takes for a digit

# Party documents (Hướng dẫn 36-HD/VPTW) write công văn as 'CV' before the slash: '15-CV/TU'.
_PARTY_TYPES = {"CV": "Công văn", "KL": "Kết luận"}


def _type_from_sign(number: NumberMatch | None, has_vv: bool) -> tuple[str | None, float, str]:
    if number is None:
        # NĐ 30 (Phụ lục I, box 5b): only a công văn carries its summary as "V/v …" under the number.
        return ("Công văn", 0.85, "type.vv") if has_vv else (None, 0.0, "")
    abbreviation = number.type_abbreviation
    if number.notation.rule == "notation.party" and abbreviation in _PARTY_TYPES:
        return _PARTY_TYPES[abbreviation], 0.85, "type.party_sign"
    found: DocumentType | None = type_by_abbreviation(abbreviation) if abbreviation else None
    if found is not None and has_vv:
        # Only a công văn carries 'V/v': the sign's first group is then its organ's ('5348/CT-CS': Cục Thuế).
        return "Công văn", 0.8, "type.vv_over_sign"
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
        if "code_notation" in hits:
            organ, parent = (hits[k][0] if k in hits else None for k in ("organ_name", "parent_organ_name"))
            hits["code_notation"] = (check_agency(hits["code_notation"][0], organ, parent), 1)
        self._signer(pages, hits)
        _flag_not_found(hits, first, segments)
        return DocumentFields({k: h.to_field(page) for k, (h, page) in hits.items()})

    def _header(self, page: OcrPage, segments: list[Segment], hits: dict[str, tuple[Hit, int]]) -> None:
        number = find_number(segments, page)
        dated = find_date(segments, page)
        if number is not None:
            hits["code_number"] = (number.number, 1)
            hits["code_notation"] = (_doubt_garbled(number.notation), 1)
        if dated is not None:
            hits["issued_date"] = (dated.issued, 1)
            hits["place"] = (dated.place, 1)
        anchors = [m.segment for m in (number, dated) if m is not None]
        limit = min((s.bbox.y0 for s in anchors), default=0.25 * page.height) + 2
        organ, parent = find_organs(segments, page, limit if number is None else number.segment.bbox.y0 + 2)
        if organ is None:
            organ = _organ_from_notation(number) if number is not None else _organ_from_sign(segments, page, limit)
        for key, hit in (("organ_name", organ), ("parent_organ_name", parent)):
            if hit is not None:
                hits[key] = (hit, 1)
        for key, hit in find_stamps(segments, page).items():
            hits[key] = (hit, 1)
        top = max((s.bbox.y1 for s in anchors), default=0.12 * page.height)
        self._title(page, segments, number, top, hits)

    def _title(self, page: OcrPage, segments: list[Segment], number: NumberMatch | None, top: float,
               hits: dict[str, tuple[Hit, int]]) -> None:
        anchor = number.segment if number is not None else _above_vv(segments, page)
        vv = find_vv(segments, page, anchor) if anchor is not None else None
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
                source = (number.notation.words,) if number is not None else vv.parts[:1] if vv is not None else ()
                # A công văn told by its sign alone, with no V/v line to confirm it: the sign's type group may
                # be a misread abbreviation, so the type goes to review.
                unsure = rule == "type.cong_van_sign" and vv is None
                hits["type_name"] = (Hit(name, source, certainty, rule, needs_review=unsure), 1)
            subject = vv
        subject = subject or vv
        if subject is not None:
            hits["subject"] = (subject, 1)
        recipients = find_recipients(segments, page)
        if recipients is not None:
            hits["recipients"] = (recipients, 1)

    def _signer(self, pages: Sequence[OcrPage], hits: dict[str, tuple[Hit, int]]) -> None:
        # The block sits on the last page; look one or two pages back for a trailing appendix.
        tail = range(len(pages) - 1, max(-1, len(pages) - 4), -1)
        cache: dict[int, list[Segment]] = {}

        def segments(index: int) -> list[Segment]:  # each page laid out once, and only when looked at
            if index not in cache:
                cache[index] = page_segments(pages[index])
            return cache[index]

        for index in tail:
            found = find_signer(pages[index], segments(index))
            if found is not None:
                hits["signer_position"] = (found[0], index + 1)
                hits["signer_full_name"] = (found[1], index + 1)
                hits["signer_block"] = (found[2], index + 1)
                return
        alone = find_lone_signer(pages[-1], segments(len(pages) - 1))
        if alone is not None:
            hits["signer_full_name"] = (alone, len(pages))
            return
        for index in tail:
            title = find_unnamed_block(pages[index], segments(index))
            if title is not None:  # a signed page whose name was not read: the gap goes to review
                hits["signer_position"] = (title, index + 1)
                hits["signer_full_name"] = (Hit(None, (), 0.0, "signer.name_not_found", needs_review=True), index + 1)
                return


# Fields every NĐ 30 document prints in its header (Phụ lục I: boxes 2, 3, 4, 5): left empty, they are flagged;
# and its type, told by its title, its sign or its 'V/v'.
_REQUIRED = ("organ_name", "code_number", "code_notation", "issued_date", "subject", "type_name")


def _doubt_garbled(notation: Hit) -> Hit:
    """A sign OCR read unsurely (under 0.5) with a glyph no sign is written with ('/§GDĐT-CTYTT' for
    '/SGDĐT-CTrTT'): the glyph is repaired, but the other letters of such a reading may be misread too
    (a lower-case 'r' read 'Y'), so the notation goes to review. So does a group that mixes digits with a
    letter of a digit's shape beside one ('CV-PAS3' for the police unit 'CV-PA83'): either may be the other."""
    words = [w for part in notation.parts for w in part]
    if notation.needs_review:
        return notation
    if _DIGIT_LOOKALIKE.search(notation.value or ""):
        return replace(notation, needs_review=True, rule=f"{notation.rule}.lookalike")
    if not any(w.conf < _GARBLE_CONF and _SIGN_GLYPHS.search(w.text) for w in words):
        return notation
    return replace(notation, needs_review=True, rule=f"{notation.rule}.garbled")


def _flag_not_found(hits: dict[str, tuple[Hit, int]], page: OcrPage, segments: Sequence[Segment]) -> None:
    """On a document whose header was read (a type or a sign found, a 'Số:' label in the header's left
    column whose number line did not parse, or both the organ and the date line), a required field no rule
    found is added empty and flagged (``<field>.not_found``): the reviewer's list then names every gap, not
    only the values read with doubt. A page without any (a signature page, an appendix) is left as it is."""
    if ("type_name" not in hits and "code_notation" not in hits and not {"organ_name", "issued_date"} <= hits.keys()
            and number_label(segments, page, 0.4) is None):
        return
    for name in _REQUIRED:
        if name not in hits:
            hits[name] = (Hit(None, (), 0.0, f"{name}.not_found", needs_review=True), 1)


def _organ_from_notation(number: NumberMatch) -> Hit | None:
    """When the header is cut off, the agency group of the sign names the issuer ('NĐ-CP' → CHÍNH PHỦ)."""
    notation = number.notation.value or ""
    agency = notation.replace("/", "-").split("-")[-1]
    name = ORGAN_ABBREVIATIONS.get(agency)
    if name is None:
        return None
    return Hit(name, number.notation.parts, 0.6, "organ.from_notation")


def _organ_from_sign(segments: Sequence[Segment], page: OcrPage, limit_y: float) -> Hit | None:
    """When neither the organ lines nor the 'Số:' line were read (a cropped top, a handwritten number), a
    sign left in the header's left column ('/2020/NĐ-CP'), level with the date line or above ``limit_y``,
    still names the issuer by its agency group."""
    for seg in segments:
        if seg.bbox.y0 > limit_y + 3 * seg.height or seg.cx > 0.5 * page.width:
            continue
        found = _SIGN.search(seg.text)
        name = ORGAN_ABBREVIATIONS.get(found.group("agency")) if found else None
        if name is not None:
            return Hit(name, (seg.words,), 0.6, "organ.from_notation")
    return None


def _above_vv(segments: Sequence[Segment], page: OcrPage) -> Segment | None:
    """Without a 'Số:' line, the left-column line right above a 'V/v …' line in the upper part of the page:
    the anchor :func:`find_vv` reads the công văn's summary under."""
    start = next((s for s in segments if s.cy < 0.45 * page.height and s.cx < 0.5 * page.width
                  and _VV.match(s.folded)), None)
    if start is None:
        return None
    above = [s for s in segments if s.cy < start.cy - 0.5 * start.height and s.cx < 0.5 * page.width]
    return max(above, key=lambda s: s.cy) if above else None


def extract_fields(pages: Sequence[OcrPage]) -> DocumentFields:
    """Fields of one document (its pages in order) with the default layout-aware rules."""
    return RuleFieldExtractor().extract(pages)

