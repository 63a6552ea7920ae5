"""Vietnamese text rules: NFC, tone folding, tone-placement normalisation (hoà → hòa), dates."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

__all__ = [
    "canonical_text",
    "fold",
    "format_vn_date",
    "nfc",
    "normalize_tone_placement",
    "strip_tone",
    "tokens",
    "within_one_edit",
    "word_distance",
]

# Combining marks for the five tones (grave, acute, hook above, tilde, dot below).
_TONE_MARKS = {"\u0300", "\u0301", "\u0309", "\u0303", "\u0323"}
_LOOKALIKES = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})  # Ð ð (Icelandic) → Đ đ
_VOWELS = set("aăâeêioôơuưy")
_QUALITY = set("ăâêôơư")
_WORD_RE = re.compile(r"\w+", re.UNICODE)


def nfc(text: str) -> str:
    """NFC-normalise and replace OCR look-alikes (Ð U+00D0 → Đ U+0110)."""
    return unicodedata.normalize("NFC", text).translate(_LOOKALIKES)


class _DropCombining(dict[int, int | None]):
    """``str.translate`` table deleting combining marks, filled per character the first time it is seen."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_DROP_COMBINING = _DropCombining()


def fold(text: str) -> str:
    """Lower-case, drop every diacritic and map đ → d: 'Hòa Đồng' → 'hoa dong'."""
    decomposed = unicodedata.normalize("NFD", nfc(text).lower())
    return decomposed.translate(_DROP_COMBINING).replace("đ", "d")


def strip_tone(syllable: str) -> tuple[str, str | None]:
    """Split a syllable into (toneless NFC form, tone combining mark or None)."""
    decomposed = unicodedata.normalize("NFD", syllable)
    tone = next((ch for ch in decomposed if ch in _TONE_MARKS), None)
    base = "".join(ch for ch in decomposed if ch not in _TONE_MARKS)
    return unicodedata.normalize("NFC", base), tone


def _vowel_span(lower: str) -> tuple[int, int]:
    start = 0
    if lower[:2] in ("qu", "gi") and len(lower) > 2 and lower[2] in _VOWELS:
        start = 2
    while start < len(lower) and lower[start] not in _VOWELS:
        start += 1
    end = start
    while end < len(lower) and lower[end] in _VOWELS:
        end += 1
    return start, end


def _tone_index(base: str) -> int | None:
    lower = base.lower()
    start, end = _vowel_span(lower)
    if start >= end:
        return None
    cluster = lower[start:end]
    if "ươ" in cluster:
        return start + cluster.index("ươ") + 1
    for offset, ch in enumerate(cluster):
        if ch in _QUALITY:
            return start + offset
    has_final = end < len(lower)
    if len(cluster) == 1:
        return start
    if has_final:
        return end - 1
    if len(cluster) == 3:
        return start + 1
    return start  # traditional placement: hòa, thủy, múa


def normalize_tone_placement(text: str) -> str:
    """Put each syllable's tone mark where traditional orthography puts it (hoà → hòa, thuỷ → thủy)."""
    return _WORD_RE.sub(_placed_match, nfc(text))


def _placed_match(match: re.Match[str]) -> str:
    return _placed(match.group(0))


@lru_cache(maxsize=1 << 16)
def _placed(word: str) -> str:
    """One word with its tone mark placed (a pure function of the word: a language has few syllables, and a
    text of a few pages repeats them thousands of times, so each is worked out once)."""
    base, tone = strip_tone(word)
    if tone is None or not all(ch.isalpha() for ch in base):
        return word
    index = _tone_index(base)
    if index is None:
        return word
    placed = base[: index + 1] + tone + base[index + 1 :]
    return unicodedata.normalize("NFC", placed)


def canonical_text(text: str) -> str:
    """NFC, look-alikes fixed, tone placement normalised: the form Sohoa stores and indexes."""
    return normalize_tone_placement(nfc(text))


def tokens(text: str) -> list[str]:
    """Word tokens of a text (letters and digits)."""
    return _WORD_RE.findall(nfc(text))


def format_vn_date(value: date, place: str | None = None) -> str:
    """'Hà Nội, ngày 05 tháng 6 năm 2025' (NĐ 30: days < 10 and months 1–2 take a leading zero)."""
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    text = f"ngày {value.day:02d} tháng {month} năm {value.year}"
    return f"{place}, {text}" if place else text


def within_one_edit(a: str, b: str) -> bool:
    """True when a and b differ by at most one inserted, deleted or replaced character (cheaper than
    :func:`sohoa.domain.metrics.edit_distance` for the short words and names it is asked about)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) <= 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def word_distance(a: str, b: str) -> int:
    """Levenshtein distance of two short strings (a sign's group, a word), in plain Python:
    :func:`sohoa.domain.metrics.edit_distance` works on whole pages with NumPy, which the field rules loaded by
    the reading commands must not import."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (x != y))
    return row[-1]
