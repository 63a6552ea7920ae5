"""Type title, trích yếu (centred lines or công văn 'V/v' lines) and 'Kính gửi' recipients."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sohoa.domain.codes import DOCUMENT_TYPES, DocumentType
from sohoa.domain.ocr import OcrPage
from sohoa.domain.text import canonical_text, fold

from ._abbreviations import mend_abbreviations
from ._echo import echo_readings
from ._hit import Hit
from ._layout import Segment, is_junk, is_upper_line
from ._places import mend_marks, mend_places
from .correct import doubtful_words

__all__ = ["find_recipients", "find_subject", "find_title", "find_vv"]

_TYPES_BY_FOLD = {fold(t.name): t for t in DOCUMENT_TYPES}
# 'V/v' (về việc) opening a công văn's summary; OCR reads its second v as y or w on small scans ('V/y'), and
# its slash as a stroke, a dot or a marked i ('Vív', 'V|v', 'Vlv', 'V.v'): no Vietnamese word is spelt so, and
# 'v.v' (etc.) never opens the header's left column. On folded text.
_VV = re.compile(r"^\W?v(?:\s*/\s*|[|\\l1i.])[vyw]\b")
_VV_HEAD = re.compile(r"^\W?([Vv])(?:\s*/\s*|[|\\lI1íìỉ.])([VvYyWw])\s*")
_AS_V = str.maketrans("YyWw", "Vvvv")
_BODY_START = ("can cu", "kinh gui")
# A lone stroke read as a word (a rule's or a frame's end, a fold): never part of a trích yếu.
_STROKE = re.compile(r"^[|¦_~`^]+$")
_LETTERS = re.compile(r"[^a-z]")  # on folded text: what is not a letter
_NOT_LETTER = ",.;:'\"`~|-_*"


def find_title(segments: Sequence[Segment], page: OcrPage, top: float) -> tuple[DocumentType, Segment] | None:
    """The first centred upper-case line below ``top`` naming a document type ('QUYẾT ĐỊNH').

    A trailing colon marks the body's 'QUYẾT ĐỊNH:' before the articles, not the title.
    """
    for seg in segments:
        if seg.cy <= top or seg.cy > 0.65 * page.height or abs(seg.cx - page.width / 2) > 0.2 * page.width:
            continue
        text = seg.text.strip().rstrip(".")
        if text.endswith(":") or not is_upper_line(seg, 0.9):
            continue
        found = _TYPES_BY_FOLD.get(fold(text))
        if found is not None:
            return found, seg
    return None


# Words that are document signs or numbers ('66-NQ/TW', '12/2025/QĐ-UBND', 'số'): a trích yếu's line may hold
# only these, in capitals, and still be the trích yếu's end ('… thực hiện Nghị quyết số' / '66-NQ/TW').
_SIGN_WORD = re.compile(r"^(?:[0-9][0-9A-Za-zĐđ./\-]*|[A-ZĐ]{1,8}[./\-][0-9A-Za-zĐđ./\-]*|số|Số)[.,;)]*$")


def _stops(seg: Segment) -> bool:
    """A line that is not the trích yếu's: the body's opening ('Căn cứ'), a label ending in ':', a line in
    capitals (the issuing authority, 'CHỦ TỊCH ỦY BAN NHÂN DÂN'), unless every word of it is a sign."""
    signs = all(_SIGN_WORD.match(w.text) for w in seg.words)
    return seg.folded.startswith(_BODY_START) or (is_upper_line(seg) and not signs) or seg.text.endswith(":")


def _after_stroke(seg: Segment, title: Segment, page: OcrPage) -> Segment:
    """A line off the title's centre that is centred after its last lone stroke: a stamp box in the
    margin ('ĐẾN … |') read on the same line as the trích yếu, cut off at its frame."""
    cut = max((i for i, w in enumerate(seg.words) if _STROKE.match(w.text)), default=-1)
    if not 0 <= cut < len(seg.words) - 1 or _centred(seg, title, page, False):
        return seg
    rest = Segment(seg.words[cut + 1:])
    return rest if _centred(rest, title, page, True) else seg


def _letters_first(seg: Segment) -> Segment:
    """The first line of a trích yếu without the letterless marks before it (a received stamp's number
    '[0112024' read on the same line): the summary itself opens with a word."""
    start = next((i for i, w in enumerate(seg.words) if any(ch.isalpha() for ch in w.text)), 0)
    return Segment(seg.words[start:]) if start else seg


def _from_formula(seg: Segment, title: Segment, page: OcrPage) -> Segment:
    """A first line that is off the title's centre but holds the formula 'Về việc' after other words, and is
    centred from it on: a received stamp ('TRUNG TÂM CÔNG BÁO … ĐẾN') read on the same line as the trích
    yếu's head. The line from the capitalised formula on is the trích yếu's."""
    folded = [fold(w.text).strip(_NOT_LETTER) for w in seg.words]
    # The formula opens the trích yếu with a capital: 'về việc' inside a body sentence is no head.
    start = next((i for i in range(1, len(folded) - 1)
                  if folded[i:i + 2] == ["ve", "viec"] and seg.words[i].text.lstrip(_NOT_LETTER)[:1] == "V"), None)
    if start is None or _centred(seg, title, page, True):
        return seg
    rest = Segment(seg.words[start:])
    return rest if _centred(rest, title, page, True) else seg


_MAX_LINES = 10  # a trích yếu this long is read up to here and flagged when a centred line still follows


def _centred(seg: Segment, title: Segment, page: OcrPage, first: bool) -> bool:
    """Subject lines are centred like the title; a body paragraph's first line is indented by 1 cm, which
    moves its centre by about 2.4 % of the page width. A first line opening with the formula 'Về việc' is
    the trích yếu whatever its centre (a speck or a mark at its end widens its box)."""
    tolerance = 0.05 if first and seg.folded.startswith("ve viec") else 0.015
    return abs(seg.cx - title.cx) <= tolerance * page.width


def find_subject(segments: Sequence[Segment], page: OcrPage, title: Segment) -> Hit | None:
    """Centred lines right under the type title, until the rule under them or the first body line."""
    kept: list[Segment] = []
    unsure = False
    for seg in (_after_stroke(s, title, page) for s in segments):
        if seg.cy <= title.cy or seg.bbox.x1 < title.cx or seg.bbox.x0 > title.cx:
            continue  # above, or beside the centre line: a stamp or a note in the margin
        last = kept[-1] if kept else title
        if seg.bbox.y0 - last.bbox.y1 > 2.2 * max(seg.height, last.height):
            break
        # Subject lines follow one another closely; the body starts after extra space (and a rule
        # that OCR often drops), so a gap clearly wider than the title→subject one ends the subject.
        if kept and seg.bbox.y0 - last.bbox.y1 > max(0, kept[0].bbox.y0 - title.bbox.y1) + 0.6 * seg.height:
            break
        if is_junk(seg):
            if kept:
                break  # the short rule under the trích yếu ends it
            continue
        if not kept:
            head = _from_formula(seg, title, page)
            unsure = head is not seg  # a stamp lies over the line: its words may have hidden letters
            seg = _letters_first(head)
        centred = _centred(seg, title, page, not kept)
        if not (centred or (kept and _nested(seg, kept[-1]))) or _stops(seg):
            break
        if len(kept) == _MAX_LINES:  # a centred line still follows: the subject may go on, for review
            return _subject_hit(kept, " ".join(s.text for s in kept), "subject.under_title", page, cut=True)
        kept.append(seg)
        # Off the centre but inside the line above: OCR lost a word at its end ('… tỉnh Quảng [Ngãi]').
        unsure = unsure or not centred
    if not kept:
        return None
    unsure = unsure or any(_split_off(seg, segments) for seg in kept)
    return _subject_hit(kept, " ".join(s.text for s in kept), "subject.under_title", page, cut=unsure)


def _split_off(seg: Segment, segments: Sequence[Segment]) -> bool:
    """Another piece on the line of ``seg``, a few words' width from it: OCR lost a word between them, and
    the trích yếu read without that piece may lack words."""
    return any(other is not seg and abs(other.cy - seg.cy) < 0.5 * seg.height
               and 0 < max(other.bbox.x0 - seg.bbox.x1, seg.bbox.x0 - other.bbox.x1) <= 4 * seg.height
               for other in segments)


def _nested(seg: Segment, above: Segment) -> bool:
    """A line lying within the span of the trích yếu line right above it continues it, whatever its centre:
    a body paragraph runs from its indent or the margin out to the right margin, past a centred line's end."""
    return above.bbox.x0 <= seg.bbox.x0 and seg.bbox.x1 <= above.bbox.x1


def _subject_hit(kept: Sequence[Segment], text: str, rule: str, page: OcrPage, cut: bool = False) -> Hit:
    """The trích yếu of these lines, its words read against the same phrase elsewhere on the page
    (:func:`echo_readings`: the body often repeats it), for review when a word of it stays doubtful after
    correction (a garble, a stray letter, a syllable the lexicon never saw, a reading the context doubts)
    or the page reads a word of it otherwise as often, when its brackets do not pair up, and when it is ``cut``:
    longer than :data:`_MAX_LINES`, or a line of it kept though off the centre (a word OCR lost)."""
    text = _formula(" ".join(t for t in text.split() if not _STROKE.match(t)))
    own = {id(w) for s in kept for w in s.words}
    context = [[w.text if id(w) not in own else "" for w in line] for line in page.lines()]
    words, contradicted = echo_readings(text.split(), context)
    words, mended = mend_marks(mend_places(words))
    words, abbreviated = mend_abbreviations(words)
    words, specks = _without_specks(words)
    odd = any(_ODD.match(w) for w in words)
    joined = " ".join(words)
    unpaired = joined.count("(") != joined.count(")")  # '… 02 cấp (đợt': OCR dropped the line's last word
    doubtful = (bool(doubtful_words(words)) or bool(contradicted) or cut or specks or odd or mended or abbreviated
                or unpaired)
    return Hit(canonical_text(joined), tuple(s.words for s in kept), 0.85, rule, needs_review=doubtful)


# Marks OCR makes of specks and stray strokes at a word's edge; no trích yếu prints them there. Quotes and
# brackets that open a word ('“Xây dựng', '(sửa đổi)') or close it are punctuation and stay.
_SPECK_HEAD = "®©™`^~|¦‘’”'"
_SPECK_TAIL = "®©™`^~|¦"


# A word of marks no trích yếu prints ('£', '§', '¥', '*'): noise read as text, so the trích yếu goes to review.
_ODD = re.compile(r"^[^\w\s,.;:!?()\[\]\"“”‘’'\-–—/%&+]+$")


def _without_specks(words: Sequence[str]) -> tuple[list[str], bool]:
    """The words without speck marks at their edges ('”®chiến' → 'chiến', "'Trị" → 'Trị'), and whether any
    was found: the line was read with noise, so the trích yếu goes to review."""
    out, found = [], False
    for word in words:
        core = word.lstrip(_SPECK_HEAD).rstrip(_SPECK_TAIL)
        if core != word and core:
            found = True
            word = core
        out.append(word)
    return out, found


def _formula(text: str) -> str:
    """'Về việc' at the head of a trích yếu however OCR glued, marked or prefixed it (',Vêviệc', 'Vệ viêc', 'và
    việc'): NĐ 30 prints that formula there, so a head whose letters are its letters (or 'và việc', which no
    trích yếu begins with) is the formula."""
    words = text.split()
    for n in (1, 2):
        head = "".join(words[:n])
        lead = len(head) - len(head.lstrip(_NOT_LETTER))
        letters = _LETTERS.sub("", fold(head).lower())
        if len(words) > n and lead <= 2 and letters in ("veviec", "vaviec") and head.rstrip(_NOT_LETTER) == head:
            return " ".join(["Về", "việc", *words[n:]])
    return text


def find_vv(segments: Sequence[Segment], page: OcrPage, number: Segment) -> Hit | None:
    """Công văn summary: 'V/v …' under the number in the left column, possibly over several lines."""
    start = next(
        (s for s in segments
         if number.cy < s.cy < number.cy + 8 * number.height and s.cx < 0.5 * page.width
         and _VV.match(s.folded)),
        None,
    )
    if start is None:
        return None
    kept = [start]
    for seg in segments:
        if seg.cy <= start.cy or seg.cx > 0.5 * page.width or seg.bbox.x1 > 0.62 * page.width \
                or not _under(seg, start):
            continue
        last = kept[-1]
        if seg.bbox.y0 - last.bbox.y1 > 1.2 * last.height or _stops(seg) or is_junk(seg) or len(kept) == 5:
            break
        kept.append(seg)
    text = " ".join(s.text for s in kept)
    text = _VV_HEAD.sub(lambda m: f"{m.group(1)}/{m.group(2).translate(_AS_V)} ", text)
    return _subject_hit(kept, text, "subject.vv", page)


def _under(seg: Segment, start: Segment) -> bool:
    """A line that can continue the 'V/v' block: centred under its first line, or starting where it starts
    or under its text after 'V/v' (a block set flush left, or with a hanging indent); not marks in the
    margin beside it (a stamp's or a pen's, 'bù NI £')."""
    width, indent = start.bbox.x1 - start.bbox.x0, seg.bbox.x0 - start.bbox.x0
    return abs(seg.cx - start.cx) <= 0.25 * width or -start.height <= indent <= 3 * start.height


def find_recipients(segments: Sequence[Segment], page: OcrPage) -> Hit | None:
    """'Kính gửi: …' and the '- …' lines that follow it (kept in provenance as ``recipients``)."""
    start = next((s for s in segments if s.folded.startswith("kinh gui")), None)
    if start is None:
        return None
    first = re.sub(r"^\S+\s+\S+\s*:?\s*", "", start.text)
    names = [first.strip(" -;.")] if first.strip(" -;.") else []
    kept = [start]
    for seg in segments:
        if seg.cy <= start.cy or not seg.text.startswith(("-", "+", "•")):
            continue
        if seg.bbox.y0 - kept[-1].bbox.y1 > 1.5 * seg.height:
            break
        kept.append(seg)
        names.append(seg.text.strip(" -+•;."))
    if not names:
        return None
    return Hit(canonical_text("; ".join(names)), tuple(s.words for s in kept), 0.8, "recipients.kinh_gui")
