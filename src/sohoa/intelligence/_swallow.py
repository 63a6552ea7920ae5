"""Handwriting that OCR's box of a printed anchor swallowed: 'ngày' drawn over the pen's '1' of '15'.

Tesseract sometimes stretches the box of the printed word before a blank ('Số:', 'ngày', 'tháng') over
the first handwritten glyph when the pen starts right after the word's last letter. The line's other
words tell how wide the anchor's letters are (their median width per letter); a box wider than that
may reach into the blank. The slot reader then looks into the excess: an ink component there that
the box's left edge (set half a letter before where the letters should end) does not cut, that is,
one separated from the word's last letter by a gap, belongs to the blank; what the edge cuts within a
letter of it is the letter itself and is dropped (a letter glued to the pen is kept whole: the model
refuses it and the reading stays unsure).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sohoa.domain.ocr import BBox, Word

__all__ = ["drop_cut", "fits", "pitch", "reach", "swallowed"]

_MIN_EXCESS = 0.2  # of a letter: a box this much wider than its letters need may hold the pen's first glyph
_FIT = 0.25  # of a letter: a word's box from a blank's edge fits its letters if at most this much wider
_NARROW = 0.8  # an anchor's letters ('t', 'n', 'm') run narrower than the line's median letter, to this share


def pitch(words: Sequence[Word]) -> float:
    """The line's median width per letter, from its words of three letters or more."""
    widths = sorted(w.bbox.width / len(w.text) for w in words if len(w.text) >= 3 and w.text.isalpha())
    return widths[len(widths) // 2] if widths else 0.0


def swallowed(word: Word, per_letter: float) -> int:
    """How many pixels of ``word``'s box are more than its letters need (0 when it is not 15 % too wide)."""
    need = per_letter * len(word.text)
    return round(word.bbox.width - need) if per_letter and word.bbox.width > 1.15 * need else 0


def reach(anchor: Word, line: Sequence[Word]) -> tuple[int, float]:
    """Pixels left of ``anchor``'s right edge that a blank after it may take, from half a letter before where
    its letters end (at the pitch of the line's other words) when its box is wider than that (else 0), and
    that pitch."""
    per_letter = pitch([w for w in line if w is not anchor])
    letters = sum(1 for c in anchor.text if c.isalpha())
    if not per_letter or not letters:
        return 0, per_letter
    need = per_letter * letters
    if anchor.bbox.width < need + _MIN_EXCESS * per_letter:
        return 0, per_letter
    return max(0, anchor.bbox.x1 + 1 - (anchor.bbox.x0 + round(need - 0.5 * per_letter))), per_letter


def fits(word: Word, cut: int, edge: int, per_letter: float) -> bool:
    """Whether ``word`` (its first ``cut`` characters the pen OCR glued to it), from a blank's right ``edge``
    to its box's right end, is as wide as its letters at ``per_letter``: at most a quarter of a letter wider
    (no pen ink hides in its box, so ink reaching the edge is the pen touching the word's first letter) and
    not narrower than its letters run (:data:`_NARROW`: the edge is not inside them)."""
    letters = sum(1 for c in word.text[cut:] if c.isalpha())
    if not per_letter or not letters:
        return False
    need, span = per_letter * letters, word.bbox.x1 - edge
    return _NARROW * need <= span <= need + _FIT * per_letter


def drop_cut(glyphs: list[np.ndarray], boxes: list[BBox], lead: int, letter: float,
             ) -> tuple[list[np.ndarray], list[BBox]]:
    """The glyphs of a slot reaching ``lead`` pixels into its anchor's box without those the box's left
    edge cuts that end within a ``letter`` of it (the anchor's last letter; one running further on is the
    letter glued to the pen, kept: the reading is then unsure)."""
    if lead <= 0:
        return glyphs, boxes
    keep = [i for i, b in enumerate(boxes) if b.x0 > 0 or b.x1 > letter]
    return [glyphs[i] for i in keep], [boxes[i] for i in keep]
