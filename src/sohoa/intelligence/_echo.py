"""A field's words read against the same phrase elsewhere on the page (its echo).

A trích yếu is usually repeated in the body ('Về việc hỗ trợ sửa chữa nhà ở' as the subject, 'hỗ trợ sửa
chữa nhà ở' again in the first paragraph), in another font and size, so OCR slips on the two copies differ. Where the
page elsewhere spells a word of the field with the same letters but other marks, between the same
neighbours (compared without marks), that is evidence the syllable model alone does not have: the
reading the page gives more often than the field's own (the field counting once) replaces it, and a
reading the page gives as often leaves the word doubtful. Words with other letters are never touched, and
a reading the syllable model finds far less likely in the field's context than the field's own is noise
of the other copy (the body's 'công bô' does not put the subject's 'công bố' in doubt).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from sohoa.domain.text import fold

from ._lm import SyllableLM, load_lm
from .correct import _canonical, _core, _with_case
from .syllables import is_valid_syllable

__all__ = ["echo_readings"]

_Key = tuple[str | None, str, str | None]
# How much less likely (in the field's context) the page's other reading may be and still count.
_PLAUSIBLE = math.log(30.0)


def _stream(texts: Sequence[str]) -> tuple[list[str | None], dict[int, int]]:
    """Lower-case syllables in reading order, None where punctuation, a number or a gap breaks the phrase;
    and for each syllable's place in that stream, the index of the text it came from."""
    out: list[str | None] = []
    position: dict[int, int] = {}
    for n, text in enumerate(texts):
        head, core, tail = _core(_canonical(text))
        if head or not core.isalpha():
            out.append(None)
        if core.isalpha():
            position[len(out)] = n
            out.append(core.lower())
        if tail:
            out.append(None)
    return out, position


def _keys(stream: Sequence[str | None], i: int) -> list[_Key]:
    """The neighbour keys of position ``i``: both neighbours, and each alone (folded; None: no neighbour)."""
    word = stream[i]
    assert word is not None
    before = stream[i - 1] if i else None
    after = stream[i + 1] if i + 1 < len(stream) else None
    prev, nxt, core = (fold(before) if before else None), (fold(after) if after else None), fold(word)
    return [(prev, core, nxt), (prev, core, None), (None, core, nxt)]


def _index(context: Sequence[Sequence[str]]) -> dict[_Key, Counter[str]]:
    """Spellings seen in the context per neighbour key; lines run on (a phrase crosses a line end)."""
    stream, _ = _stream([t for line in context for t in line])
    index: dict[_Key, Counter[str]] = {}
    for i, word in enumerate(stream):
        if word is None:
            continue
        for key in set(_keys(stream, i)):
            if key[0] is not None or key[2] is not None:
                index.setdefault(key, Counter())[word] += 1
    return index


def echo_readings(words: Sequence[str], context: Sequence[Sequence[str]],
                  lm: SyllableLM | None = None) -> tuple[list[str], list[int]]:
    """``words`` (a field, in reading order) with each word the page reads otherwise more often between
    the same neighbours respelt, and the indexes of the words whose reading the page contradicts as often
    as it confirms. ``context``: the page's other lines as word texts (the field's own words left out;
    an empty string breaks a phrase)."""
    model = lm or load_lm()
    index = _index(context)
    texts = list(words)
    stream, position = _stream(words)
    doubtful: list[int] = []
    for i, n in position.items():
        own = stream[i]
        assert own is not None
        both, prev_only, next_only = _keys(stream, i)
        key = both if both[0] is not None and both[2] is not None else prev_only if both[0] is not None else next_only
        if key[0] is None and key[2] is None:
            continue
        seen = index.get(key, Counter())
        before = stream[i - 1] if i else None
        after = stream[i + 1] if i + 1 < len(stream) else None
        floor = model.score(own, before, after) - _PLAUSIBLE
        others = [(count, word) for word, count in seen.items() if word != own and is_valid_syllable(word)
                  and model.score(word, before, after) >= floor]
        if not others:
            continue
        count, other = max(others)
        if count > seen[own] + 1:  # the field's own reading counts once
            head, core, tail = _core(_canonical(words[n]))
            texts[n] = head + _with_case(other, core) + tail
        elif count == seen[own] + 1:
            doubtful.append(n)
    return texts, doubtful
