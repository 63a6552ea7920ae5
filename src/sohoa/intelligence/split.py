"""Split a scanned file (a run of pages) into documents by first-page layout, appendices and separators."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from sohoa.domain.ocr import OcrPage
from sohoa.domain.ports import DocumentSplitter, PageRole

from ._body import find_title
from ._header import find_date, is_motto
from ._layout import Segment, letters, page_segments
from ._number import find_number

__all__ = ["DocumentSplitter", "LayoutSplitter", "PageRole", "page_role", "split_documents"]

_PAGE_NUMBER = re.compile(r"^[-–(]?\s*\d{1,3}\s*[-–)]?$")
_MIN_WORDS = 3


def _is_blank(page: OcrPage) -> bool:
    real = [w for w in page.words if w.conf >= 0.3 and len(letters(w.text)) >= 2]
    return len(real) < _MIN_WORDS


def _top(segments: Sequence[Segment], page: OcrPage, share: float) -> list[Segment]:
    return [s for s in segments if s.cy < share * page.height]


def _page_number_on_top(segments: Sequence[Segment], page: OcrPage) -> bool:
    """NĐ 30: pages from 2 on carry their number centred in the top margin; page 1 has none."""
    for seg in _top(segments, page, 0.1):
        if _PAGE_NUMBER.match(seg.text) and abs(seg.cx - page.width / 2) < 0.2 * page.width:
            digits = re.sub(r"\D", "", seg.text)
            return int(digits) >= 2
    return False


def page_role(page: OcrPage) -> PageRole:
    """Score first-page evidence: the national motto counts double, then 'Số:', date line, type title."""
    if _is_blank(page):
        return PageRole(True, 0, False, False)
    segments = page_segments(page)
    top = _top(segments, page, 0.35)
    score = 2 if any(is_motto(s) for s in top) else 0
    number = find_number(segments, page)
    dated = find_date(segments, page)
    score += (number is not None and number.segment.cy < 0.4 * page.height) + (dated is not None)
    anchor = max((m.segment.bbox.y1 for m in (number, dated) if m is not None), default=0.0)
    score += find_title(segments, page, anchor) is not None and score > 0
    appendix = any(s.folded.startswith("phu luc") for s in _top(segments, page, 0.3))
    return PageRole(False, int(score), _page_number_on_top(segments, page), appendix)


class LayoutSplitter:
    """Default splitter; ``separator_pages`` (QR sheets found with ``find_separator``) always cut."""

    def __init__(self, separator_pages: Collection[int] = ()) -> None:
        self.separator_pages = frozenset(separator_pages)

    def split(self, pages: Sequence[OcrPage], roles: Sequence[PageRole | None] = (), *,
              separator_pages: Collection[int] = ()) -> list[list[int]]:
        """``roles`` may hold each page's ``page_role`` computed earlier (the page workers do it);
        ``separator_pages`` cut as well as those given to the constructor."""
        cuts = self.separator_pages | frozenset(separator_pages)
        documents: list[list[int]] = []
        cut = True  # the next non-blank page opens a document unless it clearly continues one
        hard = True  # after a QR separator sheet it opens one whatever it looks like
        for index, page in enumerate(pages):
            if index in cuts:
                cut = hard = True
                continue
            known = roles[index] if index < len(roles) else None
            role = known if known is not None else page_role(page)
            if role.blank:
                # A blank sheet between documents separates them; one inside a document (an empty
                # back side) does not, which the next page's own evidence decides.
                cut = cut or bool(documents)
                continue
            continues = role.appendix or role.page_number_on_top
            if hard or role.starts_document or (cut and not continues):
                documents.append([index])
            else:
                documents[-1].append(index)
            cut = hard = False
        return documents


def split_documents(pages: Sequence[OcrPage], *, separator_pages: Collection[int] = (),
                    roles: Sequence[PageRole | None] = ()) -> list[list[int]]:
    """0-based page indexes per document; blank and separator pages belong to no document.

    ``roles``: ``page_role`` of each page when already known (the page worker computes it in parallel).
    """
    return LayoutSplitter(separator_pages).split(pages, roles)
