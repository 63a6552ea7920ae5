"""Legacy Vietnamese 8-bit encodings (TCVN3/ABC '.VnTime', VNI-Windows 'VNI-Times') → Unicode NFC.

Text extracted from old born-digital PDFs and Word files arrives as Latin-1 look-alikes:
TCVN3 "Hµ Néi" and VNI "Haø Noäi" both mean "Hà Nội".
"""

from __future__ import annotations

import re
import unicodedata

from .syllables import is_valid_syllable

__all__ = ["ENCODINGS", "decode_legacy", "detect_legacy_encoding"]

ENCODINGS = ("tcvn3", "vni")

# TCVN 5712:1993 VN3 (ABC): one byte per lower-case toned letter; upper case only for the seven
# base letters Ă Â Ê Ô Ơ Ư Đ (.VnTimeH fonts draw the lower-case codes as capitals).
_TCVN3_ROWS = (
    ("µ¸¶·¹", "àáảãạ"), ("¨»¾¼½Æ", "ăằắẳẵặ"), ("©ÇÊÈÉË", "âầấẩẫậ"), ("ÌÐÎÏÑ", "èéẻẽẹ"),
    ("ªÒÕÓÔÖ", "êềếểễệ"), ("×ÝØÜÞ", "ìíỉĩị"), ("ßãáâä", "òóỏõọ"), ("«åèæçé", "ôồốổỗộ"),
    ("¬êíëìî", "ơờớởỡợ"), ("ïóñòô", "ùúủũụ"), ("\xadõøö÷ù", "ưừứửữự"), ("úýûüþ", "ỳýỷỹỵ"),
    ("®", "đ"), ("¡¢£¤¥¦§", "ĂÂÊÔƠƯĐ"),
)
_TCVN3 = str.maketrans({k: v for src, dst in _TCVN3_ROWS for k, v in zip(src, dst, strict=True)})

# VNI-Windows: a base letter followed by a mark character; a few letters are single characters.
_TONES = {"ù": "\u0301", "ø": "\u0300", "û": "\u0309", "õ": "\u0303", "ï": "\u0323"}
_CIRCUMFLEX = {"â": "", "á": "\u0301", "à": "\u0300", "å": "\u0309", "ã": "\u0303", "ä": "\u0323"}
_BREVE = {"ê": "", "é": "\u0301", "è": "\u0300", "ú": "\u0309", "ü": "\u0303", "ë": "\u0323"}
_VNI_SINGLE = {"æ": "ỉ", "ó": "ĩ", "ò": "ị", "î": "ỵ", "ñ": "đ", "ô": "ơ", "ö": "ư"}


def _vni_pairs() -> dict[str, str]:
    pairs: dict[str, str] = {}

    def add(base: str, mark: str, combining: str) -> None:
        for b, m in ((base, mark), (base.upper(), mark.upper())):
            pairs[b + m] = unicodedata.normalize("NFC", _decompose(b) + combining)

    for base in "aeouyôö":
        for mark, tone in _TONES.items():
            add(base, mark, tone)
    for base in "aeo":
        for mark, tone in _CIRCUMFLEX.items():
            add(base, mark, "\u0302" + tone)
    for mark, tone in _BREVE.items():
        add("a", mark, "\u0306" + tone)
    return pairs


def _decompose(letter: str) -> str:
    """The Unicode letter a VNI base stands for ('ô' is ơ, 'ö' is ư in VNI)."""
    mapped = _VNI_SINGLE.get(letter.lower(), letter.lower())
    mapped = mapped if letter.islower() else mapped.upper()
    return unicodedata.normalize("NFD", mapped)


_VNI_MAP = _vni_pairs()
_VNI_MAP.update(_VNI_SINGLE)
_VNI_MAP.update({k.upper(): v.upper() for k, v in _VNI_SINGLE.items()})
_VNI_RE = re.compile("|".join(sorted(map(re.escape, _VNI_MAP), key=len, reverse=True)))
_WORD = re.compile(r"\S+")
_VNI_MARKS = "ùøûõïâáàåãäêéèúüëæóòîñôö"
_MARKERS = {"tcvn3": set("".join(src for src, _ in _TCVN3_ROWS)), "vni": set(_VNI_MARKS + _VNI_MARKS.upper())}


def decode_legacy(text: str, encoding: str) -> str:
    """Convert TCVN3 ('tcvn3') or VNI ('vni') text to Unicode NFC."""
    if encoding == "tcvn3":
        decoded = text.translate(_TCVN3)
    elif encoding == "vni":
        decoded = _VNI_RE.sub(lambda m: _VNI_MAP[m.group(0)], text)
    else:
        raise ValueError(f"unknown legacy encoding {encoding!r}; expected one of {ENCODINGS}")
    return unicodedata.normalize("NFC", decoded)


def _valid_share(text: str) -> float:
    words = [w.strip(".,;:()[]\"'!?-") for w in _WORD.findall(text)]
    words = [w for w in words if w.isalpha()]
    return sum(is_valid_syllable(w) for w in words) / len(words) if words else 0.0


def detect_legacy_encoding(text: str) -> str | None:
    """'tcvn3', 'vni' or None, by which decoding turns the most words into valid syllables.

    A candidate must change the text, make clearly more words valid than the text as it is, and
    leave most words valid: plain Unicode Vietnamese, English or French text stays None.
    """
    if not any(ch in _MARKERS["tcvn3"] or ch in _MARKERS["vni"] for ch in text):
        return None
    current = _valid_share(text)
    best: tuple[float, str] | None = None
    for encoding in ENCODINGS:
        if not any(ch in _MARKERS[encoding] for ch in text):
            continue
        decoded = decode_legacy(text, encoding)
        share = _valid_share(decoded)
        if decoded != text and share >= 0.6 and share > current + 0.15 and (best is None or share > best[0]):
            best = (share, encoding)
    return best[1] if best else None
