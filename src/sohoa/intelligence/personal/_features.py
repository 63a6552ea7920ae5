"""Tokens and features of the personal-name tagger.

A token sees its own word (lower case and tone-folded), its shape (Title, UPPER, lower, digits, punctuation),
whether the shipped name lists know it as a family, middle or given name, its neighbours, and the run of
capitalised words it belongs to: where it stands in the run, how long the run is, and the words just before
and after the run ("ông", "cho", "tên:", "Phó Chủ tịch", "phố", a line of upper-case titles above a
signature…). The run features let every word of "Nguyễn Văn An" know that "bà" came before "Nguyễn".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from sohoa.domain.text import fold

__all__ = ["Token", "features", "run_bounds", "tokenize", "wrap_plausible"]

_TOKEN = re.compile(r"\w+|[^\w\s]")


@dataclass(frozen=True, slots=True)
class Token:
    """A word or punctuation mark of the text, with where it is."""

    text: str
    start: int
    end: int
    lower: str
    folded: str
    shape: str  # T title, U upper, L lower, D digits, P punctuation, M mixed
    newline_before: bool


def _shape(word: str) -> str:
    if word.isdigit():
        return "D"
    if not word.isalpha():
        return "P" if len(word) == 1 and not word.isalnum() else "M"
    if word[0].isupper() and (len(word) == 1 or word[1:].islower()):
        return "T"
    if word.isupper():
        return "U"
    return "L" if word.islower() else "M"


def tokenize(text: str) -> list[Token]:
    """The words and punctuation marks of ``text`` with their offsets."""
    out: list[Token] = []
    previous_end = 0
    for match in _TOKEN.finditer(text):
        word = match.group(0)
        out.append(Token(word, match.start(), match.end(), word.lower(), fold(word), _shape(word),
                         "\n" in text[previous_end:match.start()]))
        previous_end = match.end()
    return out


@lru_cache(maxsize=1)
def name_lists() -> dict[str, frozenset[str]]:
    """The shipped name lists by role (family, middle, given): lower-case words and their tone folds."""
    roles: dict[str, set[str]] = {}
    current = ""
    text = resources.files("sohoa.intelligence.personal").joinpath("names.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if line.startswith("["):
            current = line.strip("[] ")
            continue
        roles.setdefault(current, set()).update(w.lower() for w in line.split())
    out: dict[str, frozenset[str]] = {}
    for role, words in roles.items():
        out[role] = frozenset(words)
        out[role + "~"] = frozenset(fold(w) for w in words)
    return out


def _capitalised(token: Token) -> bool:
    return token.shape in ("T", "U")


def _runs(tokens: list[Token]) -> list[tuple[int, int]]:
    """For each token, the (first, last) index of its run of capitalised words of one case, or (-1, -1).
    A run of Title words may cross a line end where a name plausibly wraps (``wrap_plausible``); an UPPER
    run may not (titles above signatures); a title ("Ông", "Bà") that starts a sentence is a run of its own."""
    spans = [(-1, -1)] * len(tokens)
    i = 0
    while i < len(tokens):
        if not _capitalised(tokens[i]):
            i += 1
            continue
        j = i
        while (j + 1 < len(tokens) and tokens[j + 1].shape == tokens[i].shape and tokens[i].lower not in _TITLES
               and not (tokens[j + 1].newline_before and (tokens[i].shape == "U" or j - i >= 3
                                                          or not wrap_plausible(tokens, j + 1, j - i + 1)))):
            j += 1
        for k in range(i, j + 1):
            spans[k] = (i, j)
        i = j + 1
    return spans


# Words that start a clause, a field or a heading at the beginning of a line (lower case, with tones: the
# tones tell "Tại" from the given name "Tài"): a capitalised one of these after a line end is not the rest
# of a name.
_CLAUSE_STARTS = frozenset({
    "căn", "điều", "khoản", "chương", "mục", "nơi", "sinh", "theo", "ngày", "xét", "tại", "về", "do", "vì",
    "nếu", "khi", "sau", "trước", "từ", "đến", "họ", "số", "địa", "điện", "quê", "thường", "nghề", "dân",
    "tôn", "giới", "kính", "ủy", "uỷ", "phòng", "ban", "trong", "các", "những", "một", "để", "là", "có",
    "đã", "được", "lý", "quyết", "nay", "thực", "giao", "cấp", "hộ", "gia", "thửa", "tờ", "diện",
    "nội", "kết", "đề", "trân", "xác", "chứng", "người", "ông", "bà", "anh", "chị", "cụ", "cháu", "em",
    "thời", "hình", "hồ", "giấy", "hiện", "tình", "lần", "năm", "tháng", "ghi", "biên", "tổng", "thành",
    "chủ", "phó", "trưởng", "trường", "bí", "văn", "công", "thôn", "xã", "phường", "huyện", "tỉnh", "quận"})


def wrap_plausible(tokens: list[Token], k: int, length: int) -> bool:
    """Whether the capitalised token ``k``, first on its line, can continue the name run of ``length`` words
    ending just before it: a known name syllable, or any word when the line above stops mid-name (one word
    of the name so far, or two of which the second is a family or middle name or no known given name), but
    never a word that starts a clause ("Căn cứ", "Điều 2.", "Nơi nhận:", "Sinh ngày", "Theo…") unless the
    line above stops mid-name and the word is a name syllable ("Nguyễn Văn\nTrường")."""
    lists = name_lists()
    token, before = tokens[k], tokens[k - 1]
    mid_name = before.shape in ("T", "U") and (
        length == 1 or before.lower in ("văn", "thị")
        or (length == 2 and (before.lower in lists["family"] or before.lower in lists["middle"]
                             or before.lower not in lists["given"])))
    known = any(token.lower in lists[role] for role in ("family", "middle", "given"))
    if mid_name:
        return known or token.lower not in _CLAUSE_STARTS
    return known and token.lower not in _CLAUSE_STARTS


def run_bounds(tokens: list[Token]) -> list[tuple[int, int]]:
    """The (first, last) index of every run of capitalised words, in order."""
    return sorted({run for run in _runs(tokens) if run[0] >= 0})


def _line_bounds(tokens: list[Token]) -> list[tuple[int, int]]:
    bounds = [(0, 0)] * len(tokens)
    start = 0
    for i in range(1, len(tokens) + 1):
        if i == len(tokens) or tokens[i].newline_before:
            for k in range(start, i):
                bounds[k] = (start, i - 1)
            start = i
    return bounds


# Words that put a person's name after them (kinship and courtesy titles), lower case with tones: folded,
# several are family names (chú/Chu, vợ/Võ, dượng/Dương).
_TITLES = frozenset({"ông", "bà", "anh", "chị", "em", "cháu", "cụ", "cô", "chú", "bác", "dì", "thím", "mợ",
                     "cậu", "dượng", "sư", "con", "vợ", "chồng", "mẹ", "bố", "cha"})


# Offices: a name followed by one of these ("…, Phó Chủ tịch UBND") is an official acting in office.
_OFFICES = ("chu tich", "pho chu tich", "giam doc", "pho giam doc", "truong phong", "pho truong phong",
            "can bo", "cong chuc", "bi thu", "pho bi thu", "chanh van phong", "truong ban", "uy vien",
            "truong thon", "to truong", "dai bieu", "thu truong", "ke toan", "truong cong an", "chu nhiem",
            "chuyen vien", "thu ky", "pho chanh")


def _office_after(tokens: list[Token], last: int) -> bool:
    words = [t.folded for t in tokens[last + 1:last + 6] if t.text not in ",-–("]
    following = " ".join(words[:3])
    return any(following.startswith(office) for office in _OFFICES)


def _office_before(tokens: list[Token], first: int) -> bool:
    words = " ".join(t.folded for t in tokens[max(0, first - 4):first])
    return any(words.endswith(office) or f"{office} " in words for office in _OFFICES)


def _kind_of(tokens: list[Token], i: int) -> str:
    """A coarse class of the token at ``i``: a title, a colon, a list number, punctuation, a lower-case
    word, a capitalised word, a number, or the text's start or end."""
    if i < 0:
        return "^"
    if i >= len(tokens):
        return "$"
    token = tokens[i]
    if token.lower in _TITLES:
        return "title" if token.shape == "L" else "Title"
    if token.text in ":;,.()-–":
        if token.text == "." and i > 0 and tokens[i - 1].shape == "D" and (i < 2 or tokens[i - 1].newline_before
                                                                           or tokens[i - 2].text in ":;"):
            return "num."
        return token.text
    return token.shape


def _word(tokens: list[Token], i: int) -> str:
    return tokens[i].folded if 0 <= i < len(tokens) else ("^" if i < 0 else "$")


def _list_features(token: Token, lists: dict[str, frozenset[str]]) -> list[str]:
    out = [f"in:{role}" for role in ("family", "middle", "given") if token.lower in lists[role]]
    out += [f"in~:{role}" for role in ("family", "middle", "given") if token.folded in lists[role + "~"]]
    return out


def features(tokens: list[Token]) -> list[list[str]]:
    """The features of every token (without the previous tag, which the tagger adds)."""
    lists = name_lists()
    runs, lines = _runs(tokens), _line_bounds(tokens)
    out: list[list[str]] = []
    for i, token in enumerate(tokens):
        f = ["b", f"w:{token.lower}", f"f:{token.folded}", f"s:{token.shape}", f"p1:{_word(tokens, i - 1)}",
             f"p2:{_word(tokens, i - 2)}|{_word(tokens, i - 1)}", f"n1:{_word(tokens, i + 1)}",
             f"n2:{_word(tokens, i + 1)}|{_word(tokens, i + 2)}"]
        f += _list_features(token, lists)
        if token.newline_before:
            f.append("nl")
        first, last = runs[i]
        if first >= 0:
            f += _run_features(tokens, i, first, last, lines, lists)
        out.append(f)
    return out


def _run_features(tokens: list[Token], i: int, first: int, last: int, lines: list[tuple[int, int]],
                  lists: dict[str, frozenset[str]]) -> list[str]:
    length, position = last - first + 1, i - first
    before, before2, after = _word(tokens, first - 1), _word(tokens, first - 2), _word(tokens, last + 1)
    known = sum(1 for k in range(first, last + 1) if any(tokens[k].folded in lists[r + "~"]
                                                         for r in ("family", "middle", "given")))
    line_first, line_last = lines[i]
    f = [f"rp:{min(position, 3)}", f"rl:{min(length, 5)}", f"rpl:{min(position, 3)}/{min(length, 5)}",
         f"rb:{before}", f"rb2:{before2}|{before}", f"ra:{after}", f"rk:{min(known, 4)}/{min(length, 5)}",
         f"rs:{tokens[first].shape}", f"rbs:{tokens[first - 1].shape if first > 0 else '^'}",
         f"rfam:{tokens[first].folded in lists['family~']}", f"rgiv:{tokens[last].folded in lists['given~']}",
         f"rbk:{_kind_of(tokens, first - 1)}", f"rak:{_kind_of(tokens, last + 1)}",
         f"rbak:{_kind_of(tokens, first - 1)}|{_kind_of(tokens, last + 1)}",
         f"roff:{_office_after(tokens, last)}", f"rb-off:{_office_before(tokens, first)}",
         f"rfl:{tokens[first].folded in lists['family~']}|{tokens[last].folded in lists['given~']}|{min(length, 5)}"]
    if tokens[first].newline_before:
        f.append("rnl")
    if line_first == first and line_last == last:
        f.append("rline")  # the run is the whole line: a signer's name, a heading
        if line_first > 0 and all(tokens[k].shape in ("U", "P", "D")
                                  for k in range(lines[line_first - 1][0], line_first)):
            f.append("rline-under-upper")
    return f
