"""The sign's organ group checked against the organ printed above it (NĐ 30, Phụ lục I, box 3).

A sign names its issuer by the initials of the organ's name: '2827/QĐ-BGDĐT' under 'BỘ GIÁO DỤC VÀ ĐÀO
TẠO', 'QĐ-UBND' under 'ỦY BAN NHÂN DÂN TỈNH …'. A photocopied or faxed sign loses or doubles a stroke
('QĐ-BGDĐDT', 'QĐ-BGDIDT'), and OCR returns the misreading with fair confidence. When no group of the
sign agrees with the organ's initials but one is a slip away from them, the sign is sent to review; it is
mended only towards a well-known abbreviation that the organ's own initials spell, the header being
printed larger and read more surely than the sign.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from sohoa.domain.text import fold, nfc, word_distance

from ._hit import Hit
from ._number import agency_groups
from ._organs import ORGAN_ABBREVIATIONS
from .syllables import is_valid_syllable

__all__ = ["check_agency", "initials"]

_WORD = re.compile(r"[^\W\d_]+")
_SKIP = {"va"}  # 'và' has no letter in an organ's initials: Bộ Giáo dục và Đào tạo → BGDĐT
_SHORTEST = 3  # shorter groups ('VP', 'TH') are units and fields, too short to judge a slip

# Abbreviations a mend may produce: each is an organ's own initials, read often on signs.
KNOWN = frozenset(ORGAN_ABBREVIATIONS) | {
    "UBND", "HĐND", "BTNMT", "BKHĐT", "BNNPTNT", "BNNMT", "BLĐTBXH", "BVHTTDL", "BGTVT", "BTTTT", "BKHCN",
    "BDTTG", "NHNN", "KTNN", "BHXH", "TCT", "TCHQ", "KBNN", "SGDĐT", "SYT", "STC", "SNV", "STP", "SXD", "SCT",
    "SKHCN", "SNNMT", "SVHTT",
}


def _letter(word: str) -> str:
    first = word[0].upper()
    return first if first == "Đ" else unicodedata.normalize("NFD", first)[0]


def initials(name: str) -> str:
    """The initials a sign gives ``name``: one letter per syllable, 'và' left out, an abbreviation kept
    whole ('UBND TỈNH QUẢNG NGÃI' → 'UBNDTQN'; 'Bộ Giáo dục và Đào tạo' → 'BGDĐT')."""
    letters = []
    for word in _WORD.findall(nfc(name)):
        if fold(word) in _SKIP:
            continue
        whole = word.isupper() and len(word) > 1 and not is_valid_syllable(word)
        letters.append(word.upper() if whole else _letter(word))
    return "".join(letters)


def _agrees(group: str, names: list[str]) -> bool:
    """The group is a known abbreviation, or part of the initials of a name (or they of it)."""
    up = group.upper()
    return group in KNOWN or any(up in n or (len(n) >= 2 and n in up) for n in names)


def _slip(group: str, name: str) -> str | None:
    """The stretch of ``name``'s initials ``group`` is a slip from (one edit; two from six letters on)."""
    up, allowed = group.upper(), 1 if len(group) < 6 else 2
    near = {name[i:i + n] for n in (len(up) - 1, len(up), len(up) + 1) if n >= _SHORTEST
            for i in range(len(name) - n + 1)}
    best = min(near, key=lambda s: (word_distance(up, s), -len(s)), default=None)
    return best if best is not None and 0 < word_distance(up, best) <= allowed else None


def check_agency(notation: Hit, organ: Hit | None, parent: Hit | None) -> Hit:
    """``notation`` as it stands when a group agrees with the organ (or its parent organ), or no group is
    near them; otherwise flagged (``.agency_unlike_organ``) and, where the organ's initials spell a known
    abbreviation, the slipped group mended to it."""
    names = [initials(h.value) for h in (organ, parent) if h is not None and h.value]
    groups = [g for g in agency_groups(notation.value or "") if g.isalpha()]
    if not names or not groups or any(_agrees(g, names) for g in groups):
        return notation
    slips = [(g, s) for g in groups if len(g) >= _SHORTEST and g.isupper() for n in names
             if (s := _slip(g, n)) is not None]
    if not slips:
        return notation
    value = notation.value or ""
    group, target = slips[0]
    if len(slips) == 1 and target in KNOWN:
        value = re.sub(rf"(?<![^/-]){re.escape(group)}(?=$|[/-])", target, value, count=1)
    return replace(notation, value=value, needs_review=True, rule=f"{notation.rule}.agency_unlike_organ")
