"""Province names in a trích yếu, read against the gazetteer: 'trên địa bàn tỉnh Quảng Noãi' is 'Quảng Ngãi'.

A subject names its province after 'tỉnh' or 'thành phố' ('… trên địa bàn tỉnh Quảng Ngãi'). OCR's slips in
a proper name are out of reach of the syllable lexicon ('Noãi' and 'Quang' are spellings it knows, and
capitalised words are not judged by it), but the provinces are few: a capitalised run after such a word that
is one letter or one mark away from exactly one province's name, and is no province itself, is that name.
The word before it, read 'tình' (a slipped hook), is then 'tỉnh'.

Two slips of a mark that the lexicon cannot see either, each a word the context allows only one way
(:func:`mend_marks`): 'thị' + any marking of 'tran' in lower case is 'thị trấn' (no other 'thị tr?n' is
written; 'Thị Trân' is a woman's name), and 'Của' capitalised inside a sentence is 'Cửa' ('của Của hàng xăng
dầu': 'của' is a preposition, never capitalised there; a name that starts with 'Cửa' is: Cửa hàng, Cửa
khẩu, Cửa Lò).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from sohoa.domain.text import fold, nfc, normalize_tone_placement, within_one_edit

from .personal._gazetteer import province_names

__all__ = ["mend_marks", "mend_places"]

_HEADS = frozenset({"tinh", "pho", "tp", "tp."})  # 'phố' only after 'thành' ('Phó Chủ tịch' is no head)
_EDGE = "()[],.;:!?\"'"


def _key(text: str) -> str:
    return normalize_tone_placement(nfc(text)).lower()


@lru_cache(maxsize=1)
def _by_length() -> dict[int, tuple[tuple[str, str], ...]]:
    """The provinces by word count: (key, name as written)."""
    out: dict[int, list[tuple[str, str]]] = {}
    for name in province_names():
        out.setdefault(len(name.split()), []).append((_key(name), name))
    return {n: tuple(v) for n, v in out.items()}


def _name_at(words: Sequence[str], start: int) -> tuple[int, str] | None:
    """(word count, province name) of the run at ``start`` when it is one slip from exactly one province."""
    for size, names in sorted(_by_length().items(), reverse=True):
        run = words[start:start + size]
        if len(run) < size or not all(w.strip(_EDGE)[:1].isupper() for w in run):
            continue
        inner = [w.strip(_EDGE) for w in run]
        key = _key(" ".join(inner))
        if any(key == k for k, _ in names):
            return size, ""  # a province as printed
        near = [name for k, name in names if within_one_edit(key, k)]  # no exact match here
        if len(near) == 1:
            return size, near[0]
    return None


def mend_places(words: Sequence[str]) -> list[str]:
    """``words`` (a field's text split at spaces) with a province's name mended after 'tỉnh' / 'thành phố'
    where OCR slipped one letter or mark of it, and a 'tình' before a province read 'tỉnh'."""
    out = list(words)
    for i in range(1, len(out)):
        head = fold(out[i - 1].strip(_EDGE)).lower()
        if head not in _HEADS or (head == "pho" and (i < 2 or fold(out[i - 2]).lower() != "thanh")):
            continue
        found = _name_at(out, i)
        if found is None:
            continue
        size, name = found
        if name:
            lead = out[i][:len(out[i]) - len(out[i].lstrip(_EDGE))]
            last = out[i + size - 1]
            tail = last[len(last.rstrip(_EDGE)):]
            parts = name.split()
            out[i:i + size] = [lead + parts[0], *parts[1:-1], parts[-1] + tail] if size > 1 else [lead + name + tail]
        word = out[i - 1]
        if head == "tinh" and word.strip(_EDGE).lower() != "tỉnh":
            core = word.strip(_EDGE)
            mended = "Tỉnh" if core[:1].isupper() else "tỉnh"
            out[i - 1] = word.replace(core, mended, 1)
    return out


_SENTENCE_END = (".", ":", ";", "!", "?", "“", '"', "(")


def mend_marks(words: Sequence[str]) -> tuple[list[str], bool]:
    """``words`` with 'thị tr?n' read 'thị trấn' and a 'Của' inside a sentence read 'Cửa' (see the module doc),
    and whether any was mended (the field then goes to review: a mark was misread)."""
    out, mended = list(words), False
    for i in range(1, len(out)):
        core = out[i].strip(_EDGE)
        before = out[i - 1]
        if before.strip(_EDGE).lower() == "thị" and core[:1].islower() and fold(core) == "tran" and core != "trấn":
            new = "trấn"  # lower case only: 'Nguyễn Thị Trân' is a name
        elif core == "Của" and not before.endswith(_SENTENCE_END):
            new = "Cửa"
        else:
            continue
        out[i], mended = out[i].replace(core, new, 1), True
    return out, mended
