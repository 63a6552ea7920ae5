"""The closed set of Vietnamese syllables, generated from onset × rhyme × tone spelling rules."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from sohoa.domain.text import strip_tone

__all__ = ["is_valid_syllable", "syllable_bases"]

_ONSETS = (
    "", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh", "p",
    "ph", "r", "s", "t", "th", "tr", "v", "x",
)
_RHYME_TEXT = """
a ai ao au ay am an ang anh ap at ac ach ăk ăm ăn ăng ăp ăt ăc âm ân âng âp ât âc âu ây
e em en eng ep et ec eo ê êm ên ênh êp êt êch êu
i im in inh ip it ich iu ia iêm iên iêng iêp iêt iêc iêu
y yêm yên yêng yêt yêu ym yn ynh yt ych
o oi om on ong op ot oc oa oai oao oay oam oan oang oanh oap oat oac oach oăm oăn oăng oăt oăc
oe oen oeo oet oong ooc ô ôi ôm ôn ông ôp ôt ôc ơ ơi ơm ơn ơp ơt ơc
u ui um un ung up ut uc ua uân uâng uât uây uê uênh uêch uy uya uyên uyêt uych uynh uyt uyu
uôi uôm uôn uông uôt uôc uơ
ư ưa ưi ưu ưm ưn ưng ưt ưc ươi ươu ươm ươn ương ươp ươt ươc
"""
_RHYMES = tuple(_RHYME_TEXT.split())
# After "qu" the u-glide is part of the onset: qua, quân, quy, quyết, quốc, quê.
_QU_RHYME_TEXT = """
a ai an ang anh at ac ach ay ăm ăn ăng ăt ăc âm ân âng ât ây e en eo et ê ênh êt êch
y yên yêt ynh yt ych yu ơ ơi ôc
"""
_QU_RHYMES = tuple(_QU_RHYME_TEXT.split())
_FRONT = ("e", "ê", "i", "y")
_STOPS = ("p", "t", "c", "ch", "k")
_CHECKED_TONES = {"\u0301", "\u0323"}  # sắc, nặng: the only tones of syllables ending in p/t/c/ch


def _spelling_ok(onset: str, rhyme: str) -> bool:
    """c/k, g/gh, ng/ngh alternate by the following vowel; gi never takes a second i."""
    front = rhyme.startswith(_FRONT)
    if onset in ("k", "gh", "ngh"):
        return front
    if onset in ("c", "ng"):
        return not front
    if onset == "g":
        return not rhyme.startswith(("e", "ê"))
    if onset == "gi":
        return not rhyme.startswith(("i", "y"))
    return True


@lru_cache(maxsize=1)
def syllable_bases() -> frozenset[str]:
    """Every toneless syllable (NFC, lower case) allowed by the spelling rules."""
    bases = {o + r for o in _ONSETS for r in _RHYMES if _spelling_ok(o, r)}
    bases.update("qu" + r for r in _QU_RHYMES)
    # "gì", "gìn", "giết", "giếng": gi + i-rhymes written with one i.
    bases.update("g" + r for r in _RHYMES if r.startswith("i"))
    bases.add("gi")
    return frozenset(unicodedata.normalize("NFC", b) for b in bases)


@lru_cache(maxsize=65536)
def is_valid_syllable(word: str) -> bool:
    """True for a well-formed Vietnamese syllable, any letter case, any tone placement."""
    lower = unicodedata.normalize("NFC", word.lower())
    if not lower.isalpha():
        return False
    base, tone = strip_tone(lower)
    if base not in syllable_bases():
        return False
    return not (base.endswith(_STOPS) and tone not in _CHECKED_TONES)
