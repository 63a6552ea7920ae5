"""Abbreviations in a trích yếu, read against the ones administrative texts use: 'Chương trình MIQG' is 'MTQG'.

The syllable lexicon never sees an abbreviation (only Vietnamese syllables are counted), so OCR's slip in one
('MIQG' for 'MTQG', 'BHXN' for 'BHXH') passes correction and the flags unseen. The abbreviations subjects
use are few and well known: an upper-case word of four letters or more that is no known abbreviation and no
Vietnamese syllable, but one letter from exactly one of them, is that abbreviation, and the field goes to
review; one letter from two of them ('BHXN': BHXH or BHTN?), it is kept, and the field goes to review too.
Shorter words are left alone (one letter from too many), and so is any upper-case word near none (a
name, an unknown unit).
"""

from __future__ import annotations

from collections.abc import Sequence

from sohoa.domain.text import word_distance

from ._agency import KNOWN
from .syllables import is_valid_syllable

__all__ = ["SUBJECT_ABBREVIATIONS", "mend_abbreviations"]

# Abbreviations common in trích yếu (NĐ 30 lets a subject use the well-known ones), besides the organs' own.
SUBJECT_ABBREVIATIONS = KNOWN | {
    "MTQG", "MTTQ", "UBMTTQ", "TNHH", "BHYT", "BHTN", "THPT", "THCS", "NSNN", "QSDĐ", "CNTT", "PCCC", "ATGT",
    "ATTP", "CCHC", "TTHC", "CBCCVC", "CBCC", "GPMB", "DTTS", "PCTT", "TKCN", "XDCB", "ĐTXD", "QLNN", "CSDL",
    "OCOP", "ASEAN", "EVFTA", "CPTPP", "UNESCO", "ĐBQH", "ĐBSCL", "THADS", "HSSV", "KTXH", "PCCCCNCH",
    "COVID", "BCĐ", "BCH", "HTX", "KCN", "CCN", "NTM", "ODA", "PPP", "BOT", "MTV", "TĐC", "DVC", "HCC",
    # departments (Sở) and bodies whose initials are one letter from a ministry's or another's
    "STTTT", "SGTVT", "STNMT", "SLĐTBXH", "SKHĐT", "SVHTTDL", "SNNPTNT", "UBKT", "HĐTV", "BQLDA", "MTTQVN",
    "VNPT", "EVN",
}
_EDGE = "()[],.;:!?\"'“”‘’"
_SHORTEST = 4


def mend_abbreviations(words: Sequence[str]) -> tuple[list[str], bool]:
    """``words`` with an abbreviation OCR slipped one letter of mended (see the module doc), and whether any
    word was one letter from a known abbreviation (mended, or kept when two are as near): the field then goes
    to review."""
    out, mended = list(words), False
    for i, word in enumerate(out):
        core = word.strip(_EDGE)
        if (len(core) < _SHORTEST or not core.isalpha() or not core.isupper() or core in SUBJECT_ABBREVIATIONS
                or is_valid_syllable(core)):  # a word in capitals ('TỈNH', 'CHÍNH') is no abbreviation
            continue
        near = [known for known in SUBJECT_ABBREVIATIONS
                if len(known) >= _SHORTEST and word_distance(core, known) == 1]
        if len(near) == 1:
            out[i] = word.replace(core, near[0], 1)
        mended = mended or bool(near)  # one letter from two ('BHXN': BHXH or BHTN?): kept, for review
    return out, mended
