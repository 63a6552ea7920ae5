"""Handwritten fill-ins of printed forms: the number of 'Số: __/QĐ-UBND' and the day and month of
'ngày __ tháng __ năm 2025', read from the page image by a small digit recognizer.

The page worker calls :func:`read_fill_ins` after OCR. For each slot the extractor would read, the
words between the printed anchors ('Số:' and the sign, 'ngày' and 'tháng', 'tháng' and 'năm') are
judged: printed digits that OCR read cleanly stay as they are (a number's are read by the model too: where
it reads other digits, the number is flagged, and its digits replace OCR's when it is sure of each glyph,
one per OCR digit: a small hand OCR took for print). A slot that looks handwritten (ink
taller than the printed line, blue ink, or text that is not plain digits) is segmented into connected
components and each is classified; a reading whose every glyph is a digit at least :data:`GUESS`
probable replaces the slot's words (it is sure when every digit reaches :data:`SURE`: a sure day is
not replaced by one the signing dates allow); any other reading keeps OCR's text. Either way the words
carry a confidence under the extractor's threshold: a handwritten value is always flagged for review.
A page whose number slot was judged says so in its engine (``HAND_MARK``), so the extractor does not
flag a recognised handwritten number again for being taller than the printed sign.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date

import cv2
import numpy as np
from PIL import Image

from sohoa.domain.ocr import BBox, OcrPage, Word

from ._digits import GUESS, REJECT, glyph_features, load_model, split_touching
from ._fill_dates import choose_date, stamp_dates
from ._fill_slots import Slot, find_slots
from ._number import HAND_MARK
from ._swallow import drop_cut

__all__ = ["HAND_MARK", "SURE", "read_fill_ins", "stamp_dates"]

SURE = 0.9  # every digit of an accepted reading at least this probable (see docs/benchmarks.md)
UNSURE_CONF = 0.3  # below the extractor's low-confidence threshold (0.5): the field is flagged
_DIGITS = re.compile(r"[0-9]{1,6}")
_TALLER = 1.15


@dataclass(frozen=True)
class Reading:
    """A slot read: digits (None: unsure), confidence, the ink's box, the glyphs' class probabilities."""

    digits: str | None
    conf: float
    ink: BBox
    probs: np.ndarray | None = None


def _glyphs(grey: np.ndarray, reference: int, margin: int) -> tuple[list[np.ndarray], list[BBox]]:
    """Ink components of the slot left to right (pieces overlapping in x joined); dots, dashes and the
    lines above and below (centre outside the printed line's rows, ``margin`` from the top and the bottom)
    dropped, but not a digit standing in those rows for half the reference height that rises or hangs
    out of them (a tall pen digit, which the slot's edge may cut: then it is refused, not lost)."""
    ink = (grey < min(160.0, float(cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[0]) + 10))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    low = grey.shape[0] - margin

    def in_line(y: int, h: int) -> bool:
        return bool(margin <= y + h / 2 <= low or min(y + h, low) - max(y, margin) >= 0.5 * reference)

    boxes = [(int(x), int(y), int(x + w), int(y + h), {k}) for k, (x, y, w, h, area) in enumerate(stats[1:], 1)
             if h >= 0.35 * reference and area >= 0.01 * reference * reference and in_line(y, h)]
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


def _slot_text(slot: Slot) -> str:
    """What OCR read in the blank: its words, with a glued anchor's tail ('ngày22') and a joined sign's head."""
    glued = slot.left.text[slot.left_keep:] if 0 < slot.left_keep < len(slot.left.text) else ""
    return glued + "".join(w.text for w in slot.words) + (slot.joined.text[:slot.cut] if slot.joined else "")


def _looks_handwritten(slot: Slot, boxes: list[BBox], blue: bool) -> bool:
    text = _slot_text(slot)
    if blue or not _DIGITS.fullmatch(text) or (slot.kind != "number" and not _plausible(slot.kind, text)):
        return True  # not plain digits, or a day or month no calendar has ('80'): OCR misread the pen
    # The number: the extractor's own test (digits taller than the sign); a day: taller than the year.
    limit = slot.reference * (1.0 if slot.kind == "number" else _TALLER)
    if any(w.bbox.height > limit for w in slot.words):
        return True
    return max(b.height for b in boxes) > _TALLER * slot.reference


def _agrees(probs: np.ndarray, text: str) -> bool:
    """The digit model's second reading of a number OCR read as printed digits does not contradict it: none of
    the first glyphs, one per OCR digit, is read, at least :data:`GUESS` probable, as another digit. A glyph the
    model refuses (a heavy print '4') does not contradict, nor do glyphs past the digits (the sign's '/', which
    the model may take for a '1'). A small hand that OCR took for print ('115' read '445') is caught here and
    flagged, and read by the model when it is sure of every glyph (:func:`_hand_for_print`)."""
    return all(int(p.argmax()) in (REJECT, int(c)) or float(p.max()) < GUESS for p, c in zip(probs, text, strict=False))


def _hand_for_print(probs: np.ndarray, text: str, edge: bool) -> str | None:
    """The model's digits for a number OCR read as printed digits that the model contradicts (a small hand
    OCR took for print: '155' read '455'), when it reads as many glyphs as OCR read digits, each a digit at
    least :data:`SURE` probable, none cut by the blank's edge; else None (OCR's digits are kept). Either
    way the number is flagged."""
    best, sure = probs.argmax(axis=1), probs.max(axis=1)
    if edge or len(best) != len(text) or REJECT in best or float(sure.min()) < SURE:
        return None
    digits = "".join(str(int(k)) for k in best)
    return digits if _plausible("number", digits) else None


def _plausible(kind: str, digits: str) -> bool:
    if kind == "number":
        return 1 <= len(digits) <= 5 and int(digits) > 0
    limit = 31 if kind == "day" else 12
    return 1 <= len(digits) <= 2 and 1 <= int(digits) <= limit


def _read(slot: Slot, image: Image.Image) -> Reading | None:
    """None: nothing to change (printed, or blank); else the reading (digits None when unsure), its box kept
    to the printed line's rows: the blank is read far above and below the line (``rise``), and a word as
    tall as that would join the lines around it in the page's layout (the organ name above 'Số:')."""
    found = _read_slot(slot, image)
    if found is None:
        return None
    top, bottom = slot.box.y0 + slot.margin, slot.box.y1 - slot.margin
    b = found.ink
    y0 = min(max(b.y0, top), bottom - 1)
    return replace(found, ink=BBox(b.x0, y0, b.x1, max(y0 + 1, min(b.y1, bottom))))


def _read_slot(slot: Slot, image: Image.Image) -> Reading | None:
    b = slot.box  # inside the image: PIL pads a crop beyond it with black, which would read as ink
    box = BBox(max(0, b.x0), max(0, b.y0), min(image.width, b.x1), min(image.height, b.y1))
    if box.width < 2 or box.height < 2:
        return None
    crop = image.crop((box.x0, box.y0, box.x1, box.y1))
    grey = np.asarray(crop.convert("L"))
    if grey.size == 0:
        return None
    glyphs, boxes = _glyphs(grey, slot.reference, slot.margin)
    if slot.baseline:
        glyphs, boxes = _digit_sized(glyphs, boxes, slot)
    glyphs, boxes = drop_cut(glyphs, boxes, slot.lead, slot.letter)
    glyphs, boxes, whole = _whole_first(image, box, glyphs, boxes, slot)
    if not boxes:  # a blank; words OCR saw in it are not trusted
        return Reading(None, UNSURE_CONF, box) if slot.words else None
    blue = False
    if crop.mode == "RGB":
        rgb = np.asarray(crop, dtype=np.int16)
        ink = np.zeros(grey.shape, bool)
        for g, at in zip(glyphs, boxes, strict=True):  # a first glyph seen whole may start left of the crop
            ink[at.y0:at.y1, max(0, at.x0):at.x1] |= g[:, max(0, -at.x0):]
        blue = bool(ink.any()) and float((rgb[..., 2] - rgb[..., 0])[ink].mean()) > 40
    printed = not slot.baseline and not _looks_handwritten(slot, boxes, blue)
    if printed and slot.kind != "number":
        return None
    model = load_model()
    probs = None
    if model is not None:
        glyphs, boxes = split_touching(glyphs, boxes, model)
        probs = model.probabilities(np.stack([glyph_features(g) for g in glyphs]))
        if slot.joined is not None or 0 < slot.left_keep < len(slot.left.text):
            probs, boxes = _strip_sign(probs, boxes, lead=0 < slot.left_keep < len(slot.left.text))
        while (boxes and boxes[0].x1 <= min(slot.lead + 1, 2 * slot.letter) and int(probs[0].argmax()) == REJECT):
            probs, boxes = probs[1:], boxes[1:]  # the anchor's last letter, refused, near the edge
        if _edge_sliver(boxes, probs, grey.shape[1], slot.reference):
            probs, boxes = probs[:-1], boxes[:-1]
    # Ink running over the blank's edge (into an anchor OCR drew too wide): part of the value is outside; at
    # the right edge unless the printed word's box there fits its letters (the pen touches its first letter).
    # Ink cut by the box's top or bottom is a digit seen in part, too.
    edge = any((b.x0 <= 0 and not (whole and i == 0)) or (b.x1 >= grey.shape[1] and not slot.touch)
               or b.y0 <= 0 or b.y1 >= grey.shape[0] for i, b in enumerate(boxes))
    if printed:  # OCR's digits stand unless the digit model reads other digits there: then flagged
        text = _slot_text(slot)
        if probs is None or _agrees(probs, text):
            return None
        return Reading(_hand_for_print(probs, text, edge) or text, UNSURE_CONF, box)
    if not boxes:
        return Reading(None, UNSURE_CONF, box) if slot.words or slot.joined else None
    ink_box = BBox(box.x0 + min(b.x0 for b in boxes), box.y0 + min(b.y0 for b in boxes),
                   box.x0 + max(b.x1 for b in boxes), box.y0 + max(b.y1 for b in boxes))
    wide = any(b.width > 1.1 * b.height for b in boxes)  # two digits run together: never read as one
    if probs is not None and edge:
        return Reading(None, UNSURE_CONF, ink_box, probs)
    if probs is None or wide:
        return Reading(None, UNSURE_CONF, ink_box)
    best, sure = probs.argmax(axis=1), probs.max(axis=1)
    digits = "".join(str(int(k)) for k in best)
    if REJECT in best or not _plausible(slot.kind, digits) or float(sure.min()) < GUESS:
        return Reading(None, UNSURE_CONF, ink_box, probs)
    if float(sure.min()) < SURE or slot.baseline:  # some glyph not sure, or a slot guessed: proposed, flagged
        return Reading(digits, UNSURE_CONF, ink_box, probs)
    return Reading(digits, round(float(sure.min()), 4), ink_box, probs)


def _whole_first(image: Image.Image, box: BBox, glyphs: list[np.ndarray], boxes: list[BBox], slot: Slot,
                 ) -> tuple[list[np.ndarray], list[BBox], bool]:
    """The first glyph, when the blank's left edge cuts it, seen whole (True) if it ends within a reference
    height further left: the pen's first digit may run into the anchor's last character (the lead-in of a
    Vietnamese '1' touching the colon of 'Số:'). Read again in a crop reaching that far left, its ink (with
    the dot it touches) is one glyph no wider than a digit; ink running on into the anchor's letters, or past
    the crop, leaves it cut (the reading is then refused at the edge)."""
    ext = min(slot.reference, box.x0)
    if not boxes or boxes[0].x0 > 0 or ext <= 0:
        return glyphs, boxes, False
    first = boxes[0]
    wide = np.asarray(image.crop((box.x0 - ext, box.y0, box.x0 + first.x1, box.y1)).convert("L"))
    found, at = _glyphs(wide, slot.reference, slot.margin)
    ends = [i for i, b in enumerate(at) if b.x1 >= ext + first.x1 - 1]
    if len(ends) != 1 or at[ends[0]].x0 <= 0 or at[ends[0]].width > 1.1 * at[ends[0]].height:
        return glyphs, boxes, False
    b = at[ends[0]]
    return [found[ends[0]], *glyphs[1:]], [BBox(b.x0 - ext, b.y0, b.x1 - ext, b.y1), *boxes[1:]], True


def _edge_sliver(boxes: list[BBox], probs: np.ndarray, right: int, reference: int) -> bool:
    """The last glyph is the sliver of the next printed word's first letter that OCR's box left outside it:
    at the blank's right edge, apart from the glyph before it, narrow, under half as tall as the printed line
    and as the pen's other glyphs, and no digit the model would propose. A digit the edge cuts keeps its
    height, so it is never taken for one (the reading stays refused at the edge)."""
    if len(boxes) < 2 or boxes[-1].x1 < right or boxes[-2].x1 >= boxes[-1].x0:
        return False
    last = boxes[-1]
    short = last.height < 0.5 * min(reference, max(b.height for b in boxes[:-1]))
    return short and last.width < 0.3 * reference and float(probs[-1].max()) < GUESS


def _digit_sized(glyphs: list[np.ndarray], boxes: list[BBox], slot: Slot) -> tuple[list[np.ndarray], list[BBox]]:
    """The last (at most two) glyphs standing on the baseline at digit height: the printed 'ngày' before
    them is short (n, a) or hangs below the baseline (g, y)."""
    ref = slot.reference
    keep = [i for i, b in enumerate(boxes) if b.y1 <= slot.baseline + 0.3 * ref and b.y0 <= slot.baseline - 0.75 * ref]
    run: list[int] = []
    for i in reversed(range(len(boxes))):
        if i not in keep or len(run) == 2:
            break
        run.insert(0, i)
    return [glyphs[i] for i in run], [boxes[i] for i in run]


def _strip_sign(probs: np.ndarray, boxes: list[BBox], lead: bool = False) -> tuple[np.ndarray, list[BBox]]:
    """Glyphs after the digits that the model calls 'not a digit' (the joined sign's '/', the 't' of a joined
    'tháng') dropped, and with ``lead`` those before them (the 'y' of 'ngày03')."""
    n, first = len(boxes), 0
    # One glyph at most, and narrow: a '/' of the sign; a digit the model refused is no sign ('574' ≠ '57').
    if n > 0 and int(probs[n - 1].argmax()) == REJECT and boxes[n - 1].width <= 0.6 * boxes[n - 1].height:
        n -= 1
    while lead and first < n and int(probs[first].argmax()) == REJECT:
        first += 1
    return probs[first:n], boxes[first:n]


def _apply(words: list[Word], slot: Slot, digits: str | None, conf: float, ink: BBox) -> list[Word]:
    left = slot.left
    new: list[Word] = []
    if digits is not None:  # handwriting is always reviewed, however sure the model is
        new.append(Word(digits, ink, min(conf, UNSURE_CONF), left.block, left.line))
    else:
        new.extend(replace(w, conf=min(w.conf, UNSURE_CONF)) for w in slot.words)
        if slot.joined is not None and slot.cut:
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
        if w is left:
            if 0 < slot.left_keep < len(w.text):  # 'ngày03': the anchor alone, the digits read apart
                x1 = max(w.bbox.x0 + 1, min(w.bbox.x1, ink.x0 - 1))
                w = Word(w.text[:slot.left_keep], BBox(w.bbox.x0, w.bbox.y0, x1, w.bbox.y1), w.conf, w.block, w.line)
            out.append(w)
            out.extend(new)
            continue
        out.append(w)
    return out


def read_fill_ins(image: Image.Image, page: OcrPage,
                  signed: Callable[[], Sequence[date]] | None = None) -> OcrPage:
    """The page with its handwritten number, day and month read (or marked unsure); see the module doc.

    ``signed``: when the document was signed, by its digital signatures or the stamps printed on it (asked only
    when a handwritten day is unsure): the date is then proposed among the dates they allow (:mod:`._fill_dates`),
    flagged."""
    if not page.words:
        return page
    words = list(page.words)
    judged = False
    readings: list[tuple[Slot, Reading | None]] = []
    for slot in find_slots(page):
        judged = judged or slot.kind == "number"
        readings.append((slot, _read(slot, image)))
    if signed is not None:
        readings = _with_signing_date(readings, signed)
    for slot, found in readings:
        present = {id(w) for w in words}
        if found is not None and all(id(w) in present for w in (slot.left, *slot.words)):
            words = _apply(words, slot, found.digits, found.conf, found.ink)
    engine = page.engine + HAND_MARK if judged and not page.engine.endswith(HAND_MARK) else page.engine
    return replace(page, words=tuple(words), engine=engine)


def _with_signing_date(readings: list[tuple[Slot, Reading | None]], signed: Callable[[], Sequence[date]],
                       ) -> list[tuple[Slot, Reading | None]]:
    """An unsure handwritten day (and month) replaced by the likeliest date the signatures allow, flagged."""
    by_kind = {slot.kind: (slot, found) for slot, found in readings}
    day_slot, day = by_kind.get("day", (None, None))
    if day_slot is None or day_slot.year is None or day is None or day.conf > UNSURE_CONF:
        return readings
    month_slot, month_read = by_kind.get("month", (None, None))
    if month_read is not None:  # written by hand: its reading if sure, else its glyphs weigh in
        month = int(month_read.digits) if month_read.digits and month_read.conf > UNSURE_CONF else None
    elif month_slot is not None and _DIGITS.fullmatch("".join(w.text for w in month_slot.words)):
        month = int("".join(w.text for w in month_slot.words))
    else:
        return readings  # no month to hold the day to
    choice = choose_date(signed(), day_slot.year, month, day.probs, month_read.probs if month_read else None)
    if choice is None:
        return readings
    picked = {"day": f"{choice.value.day:02d}", "month": f"{choice.value.month:02d}"}
    out: list[tuple[Slot, Reading | None]] = []
    for slot, found in readings:
        if found is not None and slot.kind in picked and (slot.kind == "day" or month is None):
            found = replace(found, digits=picked[slot.kind], conf=UNSURE_CONF)
        out.append((slot, found))
    return out
