"""Signer block (box 7): authority and position lines in capitals above the signer's name, at the right."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sohoa.domain.ocr import OcrPage
from sohoa.domain.text import canonical_text, fold, strip_tone

from ._hit import Hit
from ._layout import Segment, is_junk, is_upper_line
from .personal._features import name_lists
from .syllables import is_valid_syllable

__all__ = ["find_signer", "is_person_name", "respell_family"]

_AUTHORITY = re.compile(r"^(?:TM|KT|Q|TL|TUQ)\s*\.")
# Words that show a title-case line is a label, not a person ("Nơi nhận", "Đã ký").
_NOT_NAMES = {"noi", "nhan", "da", "ky", "kinh", "gui", "luu", "ban", "so", "ngay"}


def _is_name_word(word: str) -> bool:
    return word.isalpha() and word[0].isupper() and (len(word) == 1 or word[1:].islower())


def is_person_name(text: str) -> bool:
    """A Vietnamese personal name as printed under a signature: 2–5 capitalised valid syllables."""
    words = canonical_text(text).split()
    if not 2 <= len(words) <= 5:
        return False
    return all(
        _is_name_word(w) and is_valid_syllable(w.lower()) and fold(w) not in _NOT_NAMES for w in words
    )


def _position_lines(right: Sequence[Segment], name: Segment) -> list[Segment]:
    """Upper-case lines above the name; any gap before the first (the signature), small gaps after."""
    lines: list[Segment] = []
    for seg in sorted((s for s in right if s.cy < name.cy), key=lambda s: -s.cy):
        if name.cy - seg.cy > 16 * name.height:
            break
        if is_junk(seg) or seg.conf < 0.5 or seg.text.startswith("(") or seg.bbox.height > 2 * name.height:
            continue  # signature strokes, curved seal text (tall boxes), "(Đã ký)"
        if not is_upper_line(seg):
            break
        if lines and lines[-1].bbox.y0 - seg.bbox.y1 > 2.5 * seg.height:
            break
        lines.append(seg)
    return lines[::-1]


def clean_name(text: str) -> str:
    """Drop stray punctuation OCR puts into a name ("Trịnh Trọng 'Trường")."""
    return " ".join(re.sub(r"[^\w\s]", "", text).split())


def respell_family(name: str) -> tuple[str, bool]:
    """(name, doubtful) with the family name read against the shipped list of family names (a nearly closed
    set, ``personal/names.txt``): a first word that is no family name but a single one with the same letters
    takes that one's marks ("Lễ Thị Bích Thuận" → "Lê …"); one that could be several stays and is doubtful.
    A first word with no such neighbour (a rare family name) is kept as printed."""
    words = name.split()
    families = name_lists()["family"]
    if not words or words[0].lower() in families:
        return name, False
    near = sorted(f for f in families if fold(f) == fold(words[0]))
    if len(near) != 1:
        return name, len(near) > 1
    first = near[0][:1].upper() + near[0][1:]
    return " ".join([first, *words[1:]]), False


def slipped_marks(name: str) -> bool:
    """Whether a middle or given name reads as a listed one with a vowel's hat or horn lost or added, its
    tone unchanged ('Hồ Đúc Phóc' for 'Hồ Đức Phớc': ứ read ú): OCR's common slip on a noisy scan. A rare
    name that differs from a listed one by its tone ('Vịnh', 'Ấn') is not doubted."""
    lists = name_lists()
    known, folds = lists["middle"] | lists["given"], lists["middle~"] | lists["given~"]
    for word in (w.lower() for w in name.split()[1:]):
        if word in known or fold(word) not in folds:
            continue
        tone = strip_tone(word)[1]
        if any(fold(n) == fold(word) and strip_tone(n)[1] == tone for n in known):
            return True
    return False


def _block(page: OcrPage, segments: Sequence[Segment]) -> tuple[list[Segment], Segment] | None:
    right = [s for s in segments if s.bbox.x0 > 0.4 * page.width]
    for name in sorted(right, key=lambda s: -s.cy):
        if not is_person_name(clean_name(name.text)) or name.conf < 0.3:
            continue
        lines = _position_lines(right, name)
        if lines:
            return lines, name
    return None


def find_signer(page: OcrPage, segments: Sequence[Segment]) -> tuple[Hit, Hit, Hit] | None:
    """(position, full name, whole block) from the lowest signer block of a page.

    The position is the title line right above the signature ("PHÓ CHỦ TỊCH"), the signer's own
    office as TT 02 records it; the block keeps every line top-down joined by ' / ' ("TM. ỦY BAN NHÂN
    DÂN / KT. CHỦ TỊCH / PHÓ CHỦ TỊCH"), so the authority (TM., KT., TL. …) is not lost.
    """
    found = _block(page, segments)
    if found is None:
        return None
    lines, name = found
    certainty = 0.9 if _AUTHORITY.match(lines[0].text) or len(lines) == 1 else 0.8
    # A last line "TM. …"/"KT. …" names the authority, not the signer's office: OCR lost a line.
    incomplete = bool(_AUTHORITY.match(lines[-1].text))
    position = Hit(canonical_text(lines[-1].text), (lines[-1].words,), certainty, "signer.position_line",
                   needs_review=incomplete)
    block = Hit(
        canonical_text(" / ".join(s.text for s in lines)), tuple(s.words for s in lines), certainty,
        "signer.block",
    )
    spelled, doubtful = respell_family(canonical_text(clean_name(name.text)))
    full_name = Hit(spelled, (name.words,), certainty, "signer.name_last_line",
                    needs_review=doubtful or slipped_marks(spelled))
    return position, full_name, block
