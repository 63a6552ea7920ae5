"""Type title, trích yếu (centred lines or công văn 'V/v' lines) and 'Kính gửi' recipients."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sohoa.domain.codes import DOCUMENT_TYPES, DocumentType
from sohoa.domain.ocr import OcrPage
from sohoa.domain.text import canonical_text, fold

from ._hit import Hit
from ._layout import Segment, is_junk, is_upper_line

__all__ = ["find_recipients", "find_subject", "find_title", "find_vv"]

_TYPES_BY_FOLD = {fold(t.name): t for t in DOCUMENT_TYPES}
_VV = re.compile(r"^v\s*/\s*v\b")
_BODY_START = ("can cu", "kinh gui")


def find_title(segments: Sequence[Segment], page: OcrPage, top: float) -> tuple[DocumentType, Segment] | None:
    """The first centred upper-case line below ``top`` naming a document type ('QUYẾT ĐỊNH').

    A trailing colon marks the body's 'QUYẾT ĐỊNH:' before the articles, not the title.
    """
    for seg in segments:
        if seg.cy <= top or seg.cy > 0.65 * page.height or abs(seg.cx - page.width / 2) > 0.2 * page.width:
            continue
        text = seg.text.strip().rstrip(".")
        if text.endswith(":") or not is_upper_line(seg, 0.9):
            continue
        found = _TYPES_BY_FOLD.get(fold(text))
        if found is not None:
            return found, seg
    return None


def _stops(seg: Segment) -> bool:
    return seg.folded.startswith(_BODY_START) or is_upper_line(seg) or seg.text.endswith(":")


def find_subject(segments: Sequence[Segment], page: OcrPage, title: Segment) -> Hit | None:
    """Centred lines right under the type title, until the rule under them or the first body line."""
    kept: list[Segment] = []
    for seg in segments:
        if seg.cy <= title.cy:
            continue
        last = kept[-1] if kept else title
        if seg.bbox.y0 - last.bbox.y1 > 2.2 * max(seg.height, last.height):
            break
        # Subject lines follow one another closely; the body starts after extra space (and a rule
        # that OCR often drops), so a gap clearly wider than the title→subject one ends the subject.
        if kept and seg.bbox.y0 - last.bbox.y1 > max(0, kept[0].bbox.y0 - title.bbox.y1) + 0.6 * seg.height:
            break
        if is_junk(seg):
            if kept:
                break  # the short rule under the trích yếu ends it
            continue
        # Subject lines are centred like the title; a body paragraph's first line is indented by
        # 1 cm, which moves its centre by about 2.4 % of the page width.
        if abs(seg.cx - title.cx) > 0.015 * page.width or _stops(seg) or len(kept) == 6:
            break
        kept.append(seg)
    if not kept:
        return None
    value = canonical_text(" ".join(s.text for s in kept))
    return Hit(value, tuple(s.words for s in kept), 0.85, "subject.under_title")


def find_vv(segments: Sequence[Segment], page: OcrPage, number: Segment) -> Hit | None:
    """Công văn summary: 'V/v …' under the number in the left column, possibly over several lines."""
    start = next(
        (s for s in segments
         if number.cy < s.cy < number.cy + 8 * number.height and s.cx < 0.5 * page.width
         and _VV.match(s.folded)),
        None,
    )
    if start is None:
        return None
    kept = [start]
    for seg in segments:
        if seg.cy <= start.cy or seg.cx > 0.5 * page.width or seg.bbox.x1 > 0.62 * page.width:
            continue
        last = kept[-1]
        if seg.bbox.y0 - last.bbox.y1 > 1.2 * last.height or _stops(seg) or is_junk(seg) or len(kept) == 5:
            break
        kept.append(seg)
    text = " ".join(s.text for s in kept)
    text = re.sub(r"^([Vv])\s*/\s*([Vv])\s*", lambda m: f"{m.group(1)}/{m.group(2)} ", text)
    return Hit(canonical_text(text), tuple(s.words for s in kept), 0.85, "subject.vv")


def find_recipients(segments: Sequence[Segment], page: OcrPage) -> Hit | None:
    """'Kính gửi: …' and the '- …' lines that follow it (kept in provenance as ``recipients``)."""
    start = next((s for s in segments if s.folded.startswith("kinh gui")), None)
    if start is None:
        return None
    first = re.sub(r"^\S+\s+\S+\s*:?\s*", "", start.text)
    names = [first.strip(" -;.")] if first.strip(" -;.") else []
    kept = [start]
    for seg in segments:
        if seg.cy <= start.cy or not seg.text.startswith(("-", "+", "•")):
            continue
        if seg.bbox.y0 - kept[-1].bbox.y1 > 1.5 * seg.height:
            break
        kept.append(seg)
        names.append(seg.text.strip(" -+•;."))
    if not names:
        return None
    return Hit(canonical_text("; ".join(names)), tuple(s.words for s in kept), 0.8, "recipients.kinh_gui")
