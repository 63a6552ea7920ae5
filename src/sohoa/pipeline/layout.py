"""Reading order: lines that Tesseract reads across two columns (NĐ 30 header, signature block) are
split at the column gap, and each run of such lines is read left column first, then right column."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sohoa.domain.ocr import OcrPage, Word

__all__ = ["reading_order"]

_MIN_GAP = 0.06  # of the page width: wider than any word space, narrower than the column gutter


def _split(line: Sequence[Word], width: int) -> tuple[list[Word], list[Word]] | None:
    """The line cut at its widest gap, when that gap looks like a column gutter."""
    if len(line) < 2:
        return None
    gaps = [(line[i + 1].bbox.x0 - line[i].bbox.x1, i) for i in range(len(line) - 1)]
    gap, at = max(gaps)
    if gap < _MIN_GAP * width:
        return None
    return list(line[: at + 1]), list(line[at + 1:])


def _emit(rows: list[list[Word]], block: int, start_line: int) -> tuple[list[Word], int]:
    words: list[Word] = []
    line_no = start_line
    for row in rows:
        if row:
            words.extend(replace(w, block=block, line=line_no) for w in row)
            line_no += 1
    return words, line_no


def reading_order(page: OcrPage) -> OcrPage:
    """Re-number blocks and lines so two-column runs read left column, then right column."""
    if page.source != "ocr" or not page.words:
        return page
    out: list[Word] = []
    block = line_no = 0
    left: list[list[Word]] = []
    right: list[list[Word]] = []

    def flush() -> None:
        nonlocal block, line_no
        if left or right:
            for column in (left, right):
                block += 1
                emitted, line_no = _emit(column, block, line_no)
                out.extend(emitted)
            left.clear()
            right.clear()

    last_block = None
    for line in page.lines():
        cut = _split(line, page.width)
        if cut is not None:
            left.append(cut[0])
            right.append(cut[1])
            continue
        flush()
        if line[0].block != last_block:
            block += 1
            last_block = line[0].block
        emitted, line_no = _emit([list(line)], block, line_no)
        out.extend(emitted)
    flush()
    return replace(page, words=tuple(out))
