"""Numbers that are personal data: CCCD, CMND, phone numbers and bank accounts.

A number is a run of digits with single spaces, dots, hyphens or a closing parenthesis between its groups;
an O or an l/I touching a digit is read as 0 or 1 (OCR confusions). The label before a number ("số CCCD",
"CMND số", "điện thoại", "số tài khoản") decides its kind; without a label its length and prefix do (a CCCD
starts with a province code 001–096, a mobile number with 03/05/07/08/09). Amounts of money are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sohoa.domain.personal import PersonalKind, PersonalSpan

from ._places import organ_context

__all__ = ["find_numbers"]

_UNIT = r"(?:\d|(?<=\d)[oil|]|[oil|](?=\d))"
# A number may touch the next word: OCR glues "123456789012tại" when it misses a space.
_RUN = re.compile(rf"(?<![\w/\-.,])(\+\s?)?\(?{_UNIT}(?:(?:[ .\-]|\)\s?)?{_UNIT})*(?![\d/])")
_SUBSTITUTE = str.maketrans({"o": "0", "i": "1", "l": "1", "|": "1"})
_EXTENSION_AFTER = re.compile(r"\s*[,;]?\s*(?:so\s+)?(?:may le|nhanh)\b")
_MONEY_AFTER = re.compile(r"\s*(?:dong|d\b|vnd|usd|%|trieu|ty|nghin|ngan|m2|m\b|ha\b|kg|km)")

# Labels (tone-folded, lower case), nearest one before the number wins.
_LABELS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"cccd|can cuoc|dinh danh"), "cccd"),
    (re.compile(r"cmnd|cmtnd|chung minh|\bcmt\b"), "cmnd"),
    (re.compile(r"dien thoai|\bd\.?t\b|\bsdt\b|di dong|\btel\b|hotline|\bfax\b"), "phone"),
    (re.compile(r"tai khoan|\bstk\b|\btk so\b"), "bank"),
    # Numbers of organisations and procedures, never of a person: tax and enterprise codes, procedure codes.
    (re.compile(r"\bmst\b|ma so (?:thue|doanh nghiep)|ma (?:so )?thu tuc|ma tthc|ma ho so|\bpakn\b"), "code"),
)
_LABEL_REACH = 45


def _label(folded: str, start: int) -> str | None:
    """The kind named by the nearest label on the same line within reach before ``start``."""
    line_start = folded.rfind("\n", 0, start) + 1
    window_start = max(line_start, start - _LABEL_REACH)
    window = folded[window_start:start]
    best: tuple[int, str] | None = None
    for pattern, kind in _LABELS:
        for match in pattern.finditer(window):
            if best is None or match.end() > best[0]:
                best = (match.end(), kind)
    return None if best is None else best[1]


def _province(digits: str) -> bool:
    return 1 <= int(digits[:3]) <= 96


def _classify(digits: str, plus: bool, label: str | None) -> tuple[PersonalKind, float] | None:
    """The kind and confidence of a number of ``digits`` with the given label, or None."""
    n = len(digits)
    if label == "code":
        return None
    if label == "bank" and 6 <= n <= 19:
        return PersonalKind.BANK_ACCOUNT, 0.97
    if plus or (label == "phone" and digits.startswith("84") and n in (11, 12)):
        if digits.startswith("84") and n in (11, 12):
            return PersonalKind.PHONE, 0.97
        return None
    if n == 10 and digits[0] == "0" and digits[1] in "35789":
        return PersonalKind.PHONE, 0.98 if label == "phone" else 0.9
    if n == 11 and digits.startswith("02"):
        return PersonalKind.PHONE, 0.98 if label == "phone" else 0.85
    if n == 12:
        if label == "cmnd":
            return PersonalKind.CMND, 0.96
        if label == "cccd":
            return PersonalKind.CCCD, 0.99
        return (PersonalKind.CCCD, 0.9) if _province(digits) and label != "phone" else None
    if n == 9:
        if label == "cmnd" or label == "cccd":
            return PersonalKind.CMND, 0.97
        return None  # a bare 9-digit number is a code, a count or an amount as often as a CMND
    if label == "phone" and 9 <= n <= 11 and digits[0] == "0":
        return PersonalKind.PHONE, 0.8
    return None


def _digits_of(raw: str) -> tuple[str, int]:
    """The digits of a run and how many letters were read as digits."""
    body = re.sub(r"[^0-9oil|]", "", raw)
    return body.translate(_SUBSTITUTE), sum(1 for ch in body if not ch.isdigit())


def _pieces(folded: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """The run itself, then, when it does not read as one number, its space-separated groups joined
    greedily from the left into numbers of a known length."""
    yield start, end
    groups = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", folded[start:end])]
    i = 0
    while i < len(groups):
        for j in range(len(groups) - 1, i - 1, -1):
            digits, _ = _digits_of(folded[groups[i][0]:groups[j][1]])
            if len(digits) in (9, 10, 11, 12) and (i, j) != (0, len(groups) - 1):
                yield groups[i][0], groups[j][1]
                i = j
                break
        i += 1


# A procedure code of the national catalogue ("1.014445", "2.001157"): one digit, a dot, six digits.
_CODE_SHAPE = re.compile(r"(?<!\d)\d\.\d{5,6}(?!\d)")


def _one_cell(text: str, start: int, end: int) -> bool:
    """Whether an unlabelled number reads as one value: it holds no procedure-code shape ("1.014445"), and
    crosses a line end only as a number wrapped in groups of three or more digits ("0912 536\n629"), never
    as a table's cells one a line ("10", "1.014445"; "1", "2", "3" …)."""
    piece = text[start:end]
    if _CODE_SHAPE.search(piece):
        return False
    return "\n" not in piece or all(len(re.sub(r"\D", "", group)) >= 3 for group in piece.split())


def find_numbers(text: str, folded: str) -> Iterator[PersonalSpan]:
    """Numbers of personal kinds in ``text`` (``folded`` is its offset-keeping tone fold)."""
    for match in _RUN.finditer(folded):
        start, end = match.start(), match.end()
        plus = match.group(1) is not None
        if not plus and _MONEY_AFTER.match(folded, end) and _label(folded, start) != "bank":
            continue
        if end < len(folded) and folded[end].isalpha() and _label(folded, start) is None:
            continue  # glued to a word and not labelled: a code, not a number of a person
        for piece_start, piece_end in _pieces(folded, start, end):
            digits, substituted = _digits_of(folded[piece_start:piece_end])
            if substituted > 2 or len(digits) < 6:
                continue
            label = _label(folded, piece_start)
            if label is None and not _one_cell(text, piece_start, piece_end):
                continue
            found = _classify(digits, plus and piece_start == start, label)
            if found is None:
                continue
            kind, confidence = found
            if kind is PersonalKind.PHONE and (organ_context(text, piece_start)
                                               or _EXTENSION_AFTER.match(folded, piece_end)):
                continue  # an organ's telephone, hotline or switchboard ("… máy lẻ 2180") is not personal data
            s, e = piece_start, piece_end
            while s < e and not text[s].isalnum() and text[s] not in "+(":
                s += 1
            while e > s and not text[e - 1].isalnum():
                e -= 1
            yield PersonalSpan(kind, s, e, text[s:e], confidence)
            if (piece_start, piece_end) == (start, end):
                break
