"""Handwritten fill-ins of printed forms: the number of 'Số: __/QĐ-UBND' and the day and month of
'ngày __ tháng __ năm 2025', read from the page image by a small digit recognizer.

The page worker calls :func:`read_fill_ins` after OCR. For each slot the extractor would read, the
words between the printed anchors ('Số:' and the sign, 'ngày' and 'tháng', 'tháng' and 'năm') are
judged: printed digits that OCR read cleanly stay as they are. A slot that looks handwritten (ink
taller than the printed line, blue ink, or text that is not plain digits) is segmented into connected
components and each is classified; a reading whose every digit is sure replaces the slot's words
(confidence = the least sure digit); any other reading keeps OCR's text with a confidence under the
extractor's threshold, so the field is flagged for review instead of carrying a confident wrong value.
A page whose number slot was judged says so in its engine (``HAND_MARK``), so the extractor does not
flag a recognised handwritten number again for being taller than the printed sign.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import pairwise

import cv2
import numpy as np
from PIL import Image

from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.domain.text import fold

from ._digits import REJECT, load_model
from ._header import find_date
from ._layout import Segment, page_segments
from ._number import HAND_MARK, find_number

__all__ = ["HAND_MARK", "SURE", "read_fill_ins"]

SURE = 0.9  # every digit of an accepted reading at least this probable (see docs/benchmarks.md)
UNSURE_CONF = 0.3  # below the extractor's low-confidence threshold (0.5): the field is flagged
_DIGITS = re.compile(r"[0-9]{1,6}")
_TALLER = 1.15


@dataclass(frozen=True)
class Slot:
    """The blank between two printed anchors: its words, the box to read, a printed reference height."""

    kind: str  # number, day, month
    left: Word  # the printed anchor before the blank ('Số:', 'ngày', 'tháng')
    words: tuple[Word, ...]
    box: BBox
    reference: int
    margin: int = 0  # rows above and below the printed line inside ``box``
    joined: Word | None = None  # a sign word OCR joined to the number ('#4/QĐ-UBND'), cut at ``cut``
    cut: int = 0


def _number_slot(seg: Segment) -> Slot | None:
    words = seg.words
    if len(words) < 2 or len(fold(words[0].text).rstrip(":;., ")) > 2:
        return None  # 'Số:' joined to what follows: leave it to the extractor's flags
    sign_index = next((i for i, w in enumerate(words[1:], 1) if "/" in w.text or w.text.startswith("-")), None)
    if sign_index is None:
        return None
    sign = words[sign_index]
    cuts = [k for k in (sign.text.find("/"), sign.text.find("-")) if k >= 0]
    cut = min(cuts)
    middle = words[1:sign_index]
    right = sign.bbox.x0 + round(sign.bbox.width * cut / max(1, len(sign.text)))
    h = max(sign.bbox.height, words[0].bbox.height)
    box = BBox(words[0].bbox.x1 + 1, seg.bbox.y0 - h // 2, max(right - 1, words[0].bbox.x1 + 2), seg.bbox.y1 + h // 2)
    return Slot("number", words[0], middle, box, sign.bbox.height, h // 2, sign if cut > 0 else None, cut)


def _date_slots(seg: Segment) -> list[Slot]:
    """The day ('ngày' … 'tháng') and the month ('tháng' … 'năm') blanks of a date line, anchors in order."""
    folded = [fold(w.text) for w in seg.words]
    year = next((w for w in seg.words if re.fullmatch(r"(?:19|20)\d\d", w.text)), None)
    anchors: list[int] = []
    for pattern in (r"ng[a-z]{1,3}", r"th[a-z]{2,4}", r"n[a-z]{1,2}m"):
        start = anchors[-1] + 1 if anchors else 0
        found = next((k for k in range(start, len(folded)) if re.fullmatch(pattern, folded[k])), None)
        if found is None or year is None:
            break
        anchors.append(found)
    slots = []
    for kind, (i, j) in zip(("day", "month"), pairwise(anchors), strict=False):
        a, b = seg.words[i], seg.words[j]
        h = year.bbox.height if year is not None else a.bbox.height
        box = BBox(a.bbox.x1 + 1, seg.bbox.y0 - h // 2, max(b.bbox.x0 - 1, a.bbox.x1 + 2), seg.bbox.y1 + h // 2)
        slots.append(Slot(kind, a, seg.words[i + 1:j], box, h, h // 2))
    return slots


def _slots(page: OcrPage) -> list[Slot]:
    segments = page_segments(page)
    found: list[Slot] = []
    number = find_number(segments, page)
    slot = _number_slot(number.segment) if number is not None else None
    if slot is not None:
        found.append(slot)
    dated = find_date(segments, page)
    if dated is not None:
        found.extend(_date_slots(dated.segment))
    return found


def _glyphs(grey: np.ndarray, reference: int, margin: int) -> tuple[list[np.ndarray], list[BBox]]:
    """Ink components of the slot left to right (pieces overlapping in x joined); dots, dashes and the
    lines above and below (centre outside the printed line's rows) dropped."""
    ink = (grey < min(160.0, float(cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[0]) + 10))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    boxes = [(int(x), int(y), int(x + w), int(y + h), {k}) for k, (x, y, w, h, area) in enumerate(stats[1:], 1)
             if h >= 0.35 * reference and area >= 0.01 * reference * reference
             and margin <= y + h / 2 <= grey.shape[0] - margin]
    boxes.sort(key=lambda b: b[:4])
    merged: list[tuple[int, int, int, int, set[int]]] = []
    for box in boxes:
        if merged:
            last = merged[-1]
            overlap = min(last[2], box[2]) - max(last[0], box[0])
            if overlap > 0.5 * min(last[2] - last[0], box[2] - box[0]):
                merged[-1] = (min(last[0], box[0]), min(last[1], box[1]), max(last[2], box[2]),
                              max(last[3], box[3]), last[4] | box[4])
                continue
        merged.append(box)
    glyphs = [np.isin(labels[y0:y1, x0:x1], list(ids)) for x0, y0, x1, y1, ids in merged]
    return glyphs, [BBox(x0, y0, x1, y1) for x0, y0, x1, y1, _ in merged]


def _looks_handwritten(slot: Slot, boxes: list[BBox], blue: bool) -> bool:
    text = "".join(w.text for w in slot.words) + (slot.joined.text[:slot.cut] if slot.joined else "")
    if blue or not _DIGITS.fullmatch(text):
        return True
    # The number: the extractor's own test (digits taller than the sign); a day: taller than the year.
    limit = slot.reference * (1.0 if slot.kind == "number" else _TALLER)
    if any(w.bbox.height > limit for w in slot.words):
        return True
    return max(b.height for b in boxes) > _TALLER * slot.reference


def _plausible(kind: str, digits: str) -> bool:
    if kind == "number":
        return 1 <= len(digits) <= 5 and int(digits) > 0
    limit = 31 if kind == "day" else 12
    return 1 <= len(digits) <= 2 and 1 <= int(digits) <= limit


def _read(slot: Slot, image: Image.Image) -> tuple[str | None, float, BBox | None] | None:
    """None: nothing to change (printed, or blank); else (digits or None, confidence, ink box)."""
    b = slot.box  # inside the image: PIL pads a crop beyond it with black, which would read as ink
    box = BBox(max(0, b.x0), max(0, b.y0), min(image.width, b.x1), min(image.height, b.y1))
    if box.width < 2 or box.height < 2:
        return None
    crop = image.crop((box.x0, box.y0, box.x1, box.y1))
    grey = np.asarray(crop.convert("L"))
    if grey.size == 0:
        return None
    glyphs, boxes = _glyphs(grey, slot.reference, slot.margin)
    if not boxes:  # a blank; words OCR saw in it are not trusted
        return (None, UNSURE_CONF, box) if slot.words else None
    blue = False
    if crop.mode == "RGB":
        rgb = np.asarray(crop, dtype=np.int16)
        ink = np.zeros(grey.shape, bool)
        for g, at in zip(glyphs, boxes, strict=True):
            ink[at.y0:at.y1, at.x0:at.x1] |= g
        blue = bool(ink.any()) and float((rgb[..., 2] - rgb[..., 0])[ink].mean()) > 40
    if not _looks_handwritten(slot, boxes, blue):
        return None
    ink_box = BBox(box.x0 + min(b.x0 for b in boxes), box.y0 + min(b.y0 for b in boxes),
                   box.x0 + max(b.x1 for b in boxes), box.y0 + max(b.y1 for b in boxes))
    model = load_model()
    wide = any(b.width > 1.1 * b.height for b in boxes)  # two digits run together: never read as one
    read = model.read(glyphs) if model is not None and not wide else []
    if not read or any(k == REJECT or p < SURE for k, p in read):
        return None, UNSURE_CONF, ink_box
    digits = "".join(str(k) for k, _ in read)
    if not _plausible(slot.kind, digits):
        return None, UNSURE_CONF, ink_box
    return digits, round(min(p for _, p in read), 4), ink_box


def _apply(words: list[Word], slot: Slot, digits: str | None, conf: float, ink: BBox) -> list[Word]:
    left = slot.left
    new: list[Word] = []
    if digits is not None:
        new.append(Word(digits, ink, conf, left.block, left.line))
    else:
        new.extend(replace(w, conf=min(w.conf, UNSURE_CONF)) for w in slot.words)
        if slot.joined is not None:
            j = slot.joined
            new.append(Word(j.text[:slot.cut], BBox(j.bbox.x0, j.bbox.y0, max(j.bbox.x0 + 1, ink.x1), j.bbox.y1),
                            UNSURE_CONF, j.block, j.line))
    gone = {id(w) for w in slot.words}
    out: list[Word] = []
    for w in words:
        if id(w) in gone:
            continue
        if w is slot.joined:
            x0 = max(w.bbox.x0, ink.x1 + 1)
            w = Word(w.text[slot.cut:], BBox(x0, w.bbox.y0, max(x0 + 1, w.bbox.x1), w.bbox.y1), w.conf, w.block,
                     w.line)
        out.append(w)
        if w is left:
            out.extend(new)
    return out


def read_fill_ins(image: Image.Image, page: OcrPage) -> OcrPage:
    """The page with its handwritten number, day and month read (or marked unsure); see the module doc."""
    if not page.words:
        return page
    words = list(page.words)
    judged = False
    for slot in _slots(page):
        judged = judged or slot.kind == "number"
        found = _read(slot, image)
        if found is None:
            continue
        digits, conf, ink = found
        present = {id(w) for w in words}
        if ink is not None and all(id(w) in present for w in (slot.left, *slot.words)):
            words = _apply(words, slot, digits, conf, ink)
    engine = page.engine + HAND_MARK if judged and not page.engine.endswith(HAND_MARK) else page.engine
    return replace(page, words=tuple(words), engine=engine)
