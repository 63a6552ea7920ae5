"""Abbreviations in a trích yếu, read against the ones administrative texts use: 'Chương trình MIQG' is 'MTQG'.

The syllable lexicon never sees an abbreviation (only Vietnamese syllables are counted), so OCR's slip in one
('MIQG' for 'MTQG', 'UBNO' for 'UBND') passes correction and the flags unseen. The abbreviations subjects
use are few and well known, but the ones they do not list are many ('GTGT', 'TNCN', 'KTTH' are each one
letter from a listed one), so only a slip print and OCR make is undone: an upper-case word of four letters
or more, no known abbreviation and no Vietnamese syllable, that is one of them with one capital turned into
its look-alike (T's bar lost: 'MIQG'; D read O: 'UBNO') is that abbreviation, and the field goes to review;
such a slip from two of them leaves the word as read, and the field goes to review too. Shorter words are
left alone (one letter from too many), and so is any upper-case word no such slip explains. A quoted Party
sign ('66-NQ/TW') whose issuer group is none of the few Party issuers is doubted, and mended when one of them
is a letter away ('66-NQ/LW').
"""

from __future__ import annotations

import re
from collections.abc import Sequence

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
# Capitals a worn print or a photocopy turns into each other (a stroke lost or added: T's bar, L's foot,
# D's bowl closed on O, C's spur on G …). A slip between any other two letters is more likely a real
# abbreviation the list lacks ('GTGT', 'TNCN', 'KTTH' are one letter from 'ATGT', 'TKCN', 'KTXH').
_SLIPS = frozenset(frozenset(pair) for pair in ("IT", "IL", "IJ", "OQ", "OD", "CG", "EF", "PR", "UV", "DĐ"))


def _one_glyph_slip(read: str, known: str) -> bool:
    """Whether ``read`` is ``known`` with one capital turned into a look-alike (:data:`_SLIPS`)."""
    diff = [frozenset((a, b)) for a, b in zip(read, known, strict=True) if a != b]
    return len(diff) == 1 and diff[0] in _SLIPS


# A Party document's sign quoted in a subject ('Nghị quyết số 66-NQ/TW'): number, hyphen, type, slash, and an
# issuer; those of two letters are a closed list (Trung ương; tỉnh or thành, huyện, quận, đảng ủy). Longer
# issuers ('VPTU', 'BTGTU') are many, and left alone.
_PARTY_SIGN = re.compile(r"^(\d{1,4}-[A-ZĐ]{1,4}/)([A-ZĐƯ]{2})$")
_PARTY_ISSUERS = frozenset({"TW", "TƯ", "TU", "HU", "QU", "ĐU"})


def _party_issuer(word: str) -> tuple[str, bool]:
    """A quoted Party sign whose issuer group is no Party issuer: the issuer one letter away when only one
    is, else as read; and whether the sign was doubted ('66-NQ/LW' → '66-NQ/TW')."""
    core = word.strip(_EDGE)
    match = _PARTY_SIGN.match(core)
    if match is None or match.group(2) in _PARTY_ISSUERS:
        return word, False
    issuer = match.group(2)
    near = [k for k in _PARTY_ISSUERS
            if len(k) == len(issuer) and sum(a != b for a, b in zip(k, issuer, strict=True)) == 1]
    return (word.replace(core, match.group(1) + near[0], 1) if len(near) == 1 else word), True


def mend_abbreviations(words: Sequence[str]) -> tuple[list[str], bool]:
    """``words`` with an abbreviation OCR slipped one letter of mended (see the module doc), and whether any
    word was a look-alike slip from a known abbreviation (mended, or kept when two are as near): the field
    then goes to review."""
    out, mended = list(words), False
    for i, word in enumerate(out):
        out[i], doubted = _party_issuer(word)
        mended = mended or doubted
        core = word.strip(_EDGE)
        if (len(core) < _SHORTEST or not core.isalpha() or not core.isupper() or core in SUBJECT_ABBREVIATIONS
                or is_valid_syllable(core)):  # a word in capitals ('TỈNH', 'CHÍNH') is no abbreviation
            continue
        near = [known for known in SUBJECT_ABBREVIATIONS if len(known) == len(core) and _one_glyph_slip(core, known)]
        if len(near) == 1:
            out[i] = word.replace(core, near[0], 1)
        mended = mended or bool(near)  # one letter from two ('BHXN': BHXH or BHTN?): kept, for review
    return out, mended
