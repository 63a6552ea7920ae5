"""OCR output clean-up before post-correction: junk from strokes and seals dropped, Roman numerals read.

Tesseract turns signature strokes, seal rims, underlines and specks into "words" such as ``ÀxÃ-``,
``>H*¿>`` or a lone ``l``, always at very low confidence. They are noise in the text layer and in
search, so they are dropped; a doubtful word that is a Vietnamese syllable, a number or a sign is
always kept, because losing a real word costs more than keeping a wrong one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from sohoa.domain.ocr import Word

from .syllables import is_valid_syllable

__all__ = ["drop_junk", "is_junk_word", "read_roman_heading"]

_JUNK_CONF = 0.3  # below this a non-syllable is a stroke, a speck or a seal fragment
_SYMBOL_CONF = 0.5  # below this a word without any letter or digit is a rule or a smudge
# A letter or two whose box is under this share of the line's median word height is a speck or a piece of
# an underline OCR read as 'c' or 'l' (a real letter is at least x-height: about half the median).
_FLAT = 0.25
_CORE = re.compile(r"^\W*(.*?)\W*$", re.DOTALL)
_NUMERIC = re.compile(r"^[\d./,:-]+$")
_CODE = re.compile(r"^[A-ZĐ0-9][A-ZĐ0-9/.-]*$")
# Section headings 'I.', 'II.', 'III.' … which Tesseract reads 'H.' (II), 'HI.' or 'IH.' (III).
_ROMAN_READ = re.compile(r"^[IHl1]{1,4}\.$")
_VV_WORD = re.compile(r"^\W?[Vv]/[VvYyWw]$")
_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def is_junk_word(word: Word) -> bool:
    """A word that is not text: very unsure and not a syllable, number or sign; or a stray symbol. The
    công văn formula 'V/v' is kept however unsure ('V/y' at 0: its line is the summary's first)."""
    text = word.text.strip()
    if not any(ch.isalnum() for ch in text):
        return word.conf < _SYMBOL_CONF
    if word.conf >= _JUNK_CONF or _VV_WORD.match(text):
        return False
    core = _CORE.match(text)
    inner = core.group(1) if core else text
    return not (is_valid_syllable(inner) or _NUMERIC.match(inner) or (len(inner) > 1 and _CODE.match(inner)))


def drop_junk(line: Sequence[Word]) -> list[Word]:
    """The line without junk words, nor specks read as a letter (a box far flatter than the line's words)."""
    heights = sorted(w.bbox.height for w in line if any(ch.isalnum() for ch in w.text))
    median = heights[len(heights) // 2] if len(heights) >= 3 else 0
    return [w for w in line if not is_junk_word(w) and not _speck(w, median)]


def _speck(word: Word, median: int) -> bool:
    text = word.text.strip()
    return 0 < len(text) <= 2 and any(ch.isalnum() for ch in text) and word.bbox.height < _FLAT * median


def read_roman_heading(line: Sequence[Word]) -> list[Word]:
    """'H. NỘI DUNG' → 'II. NỘI DUNG': a line-initial numeral read with H for II, before a heading
    in capitals (the only place such a token occurs, so ordinary words are never touched)."""
    if len(line) < 2 or not _ROMAN_READ.match(line[0].text) or "H" not in line[0].text:
        return list(line)
    following = line[1].text
    if not (following[:1].isalpha() and following.isupper()):
        return list(line)
    numeral = line[0].text[:-1].replace("H", "II").replace("l", "I").replace("1", "I")
    if numeral not in _ROMAN:
        return list(line)
    return [replace(line[0], text=numeral + "."), *line[1:]]
