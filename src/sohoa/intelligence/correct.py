"""OCR post-correction: restore tone marks and đ/ư/ơ/ă/â on doubtful syllables with a syllable LM.

Conservative by design: a word may change freely only when it is not a valid syllable, when
Tesseract was unsure of it, or when it is in capitals (bold capitals lose tone marks at high
confidence); a confident word only for one of Tesseract's typical mark slips (:func:`_slip`: one mark
lost, added or swapped), at a high price when the printed word is itself a known syllable and a lower
one when it is not. Its replacement must be a known syllable with the same letters. Each line is
decoded as a whole (Viterbi over the candidates) and every change pays a penalty, so a replacement
needs a much better bigram score than the printed word. :func:`doubtful_words` says which words of a
field stay doubtful after that (not a syllable, or another reading about as likely in context).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import replace

from sohoa.domain.ocr import OcrPage, Word
from sohoa.domain.text import canonical_text, fold, nfc, strip_tone

from ._cleanup import drop_junk, read_roman_heading
from ._lm import SyllableLM, load_lm
from .syllables import is_valid_syllable

__all__ = ["correct_page", "correct_words", "doubtful_words"]

_SPLIT = re.compile(r"^(\W*)(.*?)(\W*)$", re.UNICODE | re.DOTALL)
_LOW_CONF = 0.80
# Log-likelihood a change must gain: ~100× for a known syllable, ~5× for an unknown valid one, any
# gain for a string that is not Vietnamese at all.
_PENALTY_KNOWN = math.log(100.0)
_PENALTY_UNKNOWN = math.log(5.0)
_PENALTY_INVALID = 0.0
# A confident, well-formed word changes only for a typical slip and ~1000× more likely context:
# on held-out legal text this changed 5 words in 100,000; on OCR output it fixed most such slips.
_PENALTY_CONFUSION = math.log(1000.0)
# A confident valid syllable the lexicon never saw, for a known one a single mark away ("công bô" →
# "công bố"): the printed form has only the unseen-word prior, so the context must clearly want the other.
_PENALTY_UNSEEN_SLIP = math.log(30.0)
_ACUTE, _HOOK, _GRAVE = "\u0301", "\u0309", "\u0300"
# Letters that differ by one mark OCR drops or swaps: circumflex, breve, horn, the bar of đ.
_MARKED = {"a": "aâă", "â": "aâă", "ă": "aâă", "o": "oôơ", "ô": "oôơ", "ơ": "oôơ", "e": "eê", "ê": "eê",
           "u": "uư", "ư": "uư", "d": "dđ", "đ": "dđ"}
_QUALITY = set("ăâêôơư")
# Folded letters: those Vietnamese spells with (plus f j w z of loan words); any other letter is a misread.
_LATIN = set("abcdefghijklmnopqrstuvwxyz")
_VIETNAMESE_LETTERS = "abcdeghiklmnopqrstuvxyđ"


def _core(text: str) -> tuple[str, str, str]:
    match = _SPLIT.match(text)
    assert match is not None  # the pattern matches every string
    return match.group(1), match.group(2), match.group(3)


def _canonical(text: str) -> str:
    """NFC with canonical tone placement, but only where that yields a valid syllable: moving a mark
    inside an OCR garble ("Khãẩn") would change it without making it right."""
    nfc_text = nfc(text)
    canon = canonical_text(text)
    core = _core(canon)[1]
    return canon if canon == nfc_text or not core.isalpha() or is_valid_syllable(core) else nfc_text


def _with_case(candidate: str, original: str) -> str:
    if original.isupper() and len(original) > 1:
        return candidate.upper()
    if original[:1].isupper():
        return candidate[:1].upper() + candidate[1:]
    return candidate


def _confusable(printed: str, candidate: str, name: bool = False) -> bool:
    """Tesseract's confident tone-mark slips: hook above read as acute ('Tố quốc' for 'Tổ quốc'), a hook
    added ('chỉ tiết' for 'chi tiết'), a grave added over â/ê/ô ('nhần lực' for 'nhân lực') and the tone
    mark lost over a letter that already carries a circumflex, breve or horn ('tô chức' for 'tổ chức').
    Other swaps would change real words; a proper name (``name``) is open to the first two only."""
    base, tone = strip_tone(printed)
    other, new = strip_tone(candidate)
    if base != other:
        return False
    if (tone, new) == (_ACUTE, _HOOK) or ((tone, new) == (_GRAVE, None) and any(v in base for v in "âêô")):
        return True
    stacked = any(ch in _QUALITY for ch in base)
    return not name and ((tone, new) == (_HOOK, None) or (tone is None and new is not None and stacked))


def _slip(printed: str, candidate: str) -> bool:
    """One mark lost, added or swapped between two spellings of the same letters: a tone mark over a
    letter that already carries a circumflex, breve or horn ('bô' for 'bố', 'buỗi' for 'buổi'), one of
    the slips of :func:`_confusable`, or a circumflex, breve, horn or the bar of đ under the same tone
    ('có' for 'cố', 'trắn' for 'trấn', 'đột' for 'dột')."""
    base, tone = strip_tone(printed)
    other, new = strip_tone(candidate)
    if base == other:
        return _confusable(printed, candidate) or (tone != new and any(ch in _QUALITY for ch in base))
    if tone != new or len(base) != len(other):
        return False
    diffs = [(a, b) for a, b in zip(base, other, strict=True) if a != b]
    return len(diffs) == 1 and diffs[0][1] in _MARKED.get(diffs[0][0], "")


def _foreign_fixes(lm: SyllableLM, lower: str) -> list[tuple[str, float]]:
    """Known syllables that one foreign glyph of ``lower`` stands for ('ø' for the tail of a 'g' or a
    broken 'o', 'ß'): the word with that letter replaced by one Vietnamese writes; the printed marks kept
    cost nothing, other marks a little."""
    folded = fold(lower)
    spots = [i for i, ch in enumerate(folded) if ch.isalpha() and ch not in _LATIN]
    if len(spots) != 1 or len(folded) != len(lower):
        return []
    i, out = spots[0], []
    for letter in _VIETNAMESE_LETTERS:
        word = lower[:i] + letter + lower[i + 1:]
        if word in lm.unigrams:
            out.append((word, 0.0))
        else:
            out.extend((c, _PENALTY_UNKNOWN) for c in lm.candidates(folded[:i] + fold(letter) + folded[i + 1:]))
    return out


def _options(lm: SyllableLM, core: str, conf: float, name: bool = False) -> list[tuple[str, float]]:
    """(lower-case syllable, penalty) choices for one word; the printed form costs nothing. ``name``: a
    capitalised word inside a line (a proper name: the lexicon of common words must not respell it)."""
    lower = core.lower()
    valid = is_valid_syllable(lower)
    upper = core.isupper() and len(core) > 1
    if not core.isalpha():
        return [(lower, 0.0)]
    if valid and conf >= _LOW_CONF and not upper:
        if lower in lm.unigrams or name:
            slips = [(c, _PENALTY_CONFUSION) for c in lm.candidates(lower)
                     if c != lower and _confusable(lower, c, name)]
        else:
            slips = [(c, _PENALTY_UNSEEN_SLIP) for c in lm.candidates(lower) if c != lower and _slip(lower, c)]
        return [(lower, 0.0), *slips]
    known = lower in lm.unigrams
    penalty = _PENALTY_INVALID if not valid else (_PENALTY_KNOWN if known else _PENALTY_UNKNOWN)
    options = [(lower, 0.0)] + [(c, penalty) for c in lm.candidates(lower) if c != lower]
    if not valid:
        seen = {w for w, _ in options}
        options += [(w, p) for w, p in _foreign_fixes(lm, lower) if w not in seen]
    return options


def _viterbi(lm: SyllableLM, lattice: list[list[tuple[str, float]]], linked: list[bool]) -> list[int]:
    """Best choice per position; ``linked[i]`` says whether position i follows i-1 without a break."""
    best: list[list[tuple[float, int]]] = []
    for i, options in enumerate(lattice):
        column = []
        for word, penalty in options:
            if i and linked[i]:
                prev = best[i - 1]
                scores = [prev[j][0] + math.log(lm.conditional(word, lattice[i - 1][j][0]))
                          for j in range(len(prev))]
                j = max(range(len(scores)), key=scores.__getitem__)
                column.append((scores[j] - penalty, j))
            else:
                top = max(s for s, _ in best[i - 1]) if i else 0.0
                back = max(range(len(best[i - 1])), key=lambda k: best[i - 1][k][0]) if i else 0
                column.append((top + math.log(lm.unigram(word)) - penalty, back))
        best.append(column)
    choice = [max(range(len(best[-1])), key=lambda k: best[-1][k][0])]
    for i in range(len(best) - 1, 0, -1):
        choice.append(best[i][choice[-1]][1])
    return choice[::-1]


# A name's number after its hyphen, a digit of it read as a stroke letter: 'COVID-I9', 'COVID-L9' for 'COVID-19'.
_NUMBER_TAIL = re.compile(r"^(\W*[^\W\d_]{2,}-)([0-9IlL|]+)(\W*)$")
_AS_ONE = str.maketrans("IlL|", "1111")


def _digit_tail(text: str) -> str:
    """'COVID-L9' → 'COVID-19': a tail of digits with a stroke letter among them is a number."""
    match = _NUMBER_TAIL.match(text)
    tail = match.group(2) if match else ""
    if not match or not any(ch.isdigit() for ch in tail) or tail.isdigit():
        return text
    return match.group(1) + tail.translate(_AS_ONE) + match.group(3)


def correct_words(words: Sequence[Word], lm: SyllableLM | None = None) -> list[Word]:
    """Correct one line of words; boxes and confidences are kept."""
    if not words:
        return []
    model = lm or load_lm()
    texts = [_digit_tail(_canonical(w.text)) for w in words]
    parts = [_core(t) for t in texts]
    lattice = [_options(model, core, w.conf, name=i > 0 and core[:1].isupper() and core[1:].islower())
               for i, ((_, core, _), w) in enumerate(zip(parts, words, strict=True))]
    # Punctuation or a non-syllable between two words breaks the bigram chain.
    linked = [False] + [
        not parts[i - 1][2] and not parts[i][0] and is_valid_syllable(parts[i - 1][1])
        for i in range(1, len(parts))
    ]
    for i, j in enumerate(_viterbi(model, lattice, linked)):
        if j:
            head, core, tail = parts[i]
            texts[i] = head + _with_case(lattice[i][j][0], core) + tail
    return [w if t == w.text else replace(w, text=t) for w, t in zip(words, texts, strict=True)]


def correct_page(page: OcrPage, lm: SyllableLM | None = None) -> OcrPage:
    """The page with junk words dropped and word texts corrected (boxes and confidences unchanged);
    clean text is kept as is."""
    model = lm or load_lm()
    words: list[Word] = []
    for line in page.lines():
        words.extend(correct_words(read_roman_heading(drop_junk(line)), model))
    override = canonical_text(page.text_override) if page.text_override is not None else None
    same = len(words) == len(page.words) and all(a is b for a, b in zip(words, page.words, strict=True))
    if same and override == page.text_override:
        return page
    return replace(page, words=tuple(words), text_override=override)



# A known word stays doubtful when a spelling a single mark away reads over 100× better in its context: the
# model wanted the other reading but was not allowed to change a confident word for it ("sự có" for "sự cố").
_DOUBT_RATIO = math.log(100.0)


def _other_wanted(model: SyllableLM, lower: str, previous: str | None, following: str | None) -> bool:
    own = model.score(lower, previous, following)
    return any(model.score(c, previous, following) > own + _DOUBT_RATIO
               for c in model.candidates(lower) if c != lower and _slip(lower, c))


def doubtful_words(texts: Sequence[str], lm: SyllableLM | None = None) -> list[int]:
    """Indexes of the words of a field (in reading order, already corrected) whose reading stays
    doubtful: letters that form no Vietnamese syllable (a garble, a stray letter), a lower-case syllable
    the lexicon never saw one mark away from one it knows (a mark OCR lost and no context to restore it),
    or a word for which a one-mark slip away reads far better in context. Upper-case abbreviations
    (UBND), numbers and signs ('V/v', 'NĐ-CP') are not judged; capitalised words inside the text are
    proper names the lexicon of common words cannot judge, so only their spelling is checked."""
    model = lm or load_lm()
    parts = [_core(_canonical(t)) for t in texts]
    doubtful: list[int] = []
    for i, (head, core, tail) in enumerate(parts):
        if not any(ch.isalpha() for ch in core) or any(ch.isdigit() or ch in "/-." for ch in core):
            continue
        if core.isupper() and len(core) > 1 and not is_valid_syllable(core):
            continue  # an abbreviation
        lower = core.lower()
        if not is_valid_syllable(core):
            doubtful.append(i)
            continue
        if i > 0 and core[:1].isupper() and core[1:].islower():
            continue
        previous = parts[i - 1][1].lower() if i and not head and not parts[i - 1][2] else None
        following = parts[i + 1][1].lower() if i + 1 < len(parts) and not tail and not parts[i + 1][0] else None
        unseen = lower not in model.unigrams and core.islower()
        if (unseen and any(_slip(lower, c) for c in model.candidates(lower))) or _other_wanted(
                model, lower, previous, following):
            doubtful.append(i)
    return doubtful
