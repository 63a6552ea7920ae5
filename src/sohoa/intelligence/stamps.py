"""Red framed stamps (độ mật, độ khẩn: 'MẬT', 'HỎA TỐC'…) read on their own, where seal suppression hid them.

The OCR input turns red ink white so seals do not garble the text under them; that also erases the
secrecy and urgency stamps, which NĐ 30 has stamped in red. Each red frame of stamp shape is found on
the master, its inside read in grey (red ink is dark there) and the words added to the page.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

from sohoa.domain.ocr import BBox, OcrPage, Word

__all__ = ["find_stamp_boxes", "read_stamps"]

_MIN_CONF = 0.5  # a word read inside a frame below this is ink texture, not stamp text


class _Engine(Protocol):
    def recognize(self, image: Any, dpi: int) -> OcrPage: ...


def _red(rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Strongly red pixels (any saturation of hue within ±15° of red, not dark), as 0/255."""
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    hue, sat, val = hsv[:, :, 0], hsv[:, :, 1], hsv[:, :, 2]
    return np.asarray((((hue <= 8) | (hue >= 172)) & (sat >= 80) & (val >= 80)) * 255, dtype=np.uint8)


def find_stamp_boxes(rgb: NDArray[np.uint8], dpi: int) -> list[tuple[int, int, int, int]]:
    """Master-pixel boxes of red rectangles shaped like stamps: 1.5–10 cm wide, 0.5–2.5 cm high,
    clearly wider than high (a round seal is not one), in the top 60 % of the page."""
    if rgb.ndim != 3:
        return []
    factor = min(1.0, 100 / dpi)  # found at 100 dpi: cheap, and a 3 px frame survives
    small = cv2.resize(rgb, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else rgb
    mask = cv2.dilate(_red(np.ascontiguousarray(small)), np.ones((3, 3), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    per_cm = 100 / 2.54
    boxes: list[tuple[int, int, int, int]] = []
    for x, y, w, h, _area in stats[1:count]:
        if not (1.5 * per_cm <= w <= 10 * per_cm and 0.5 * per_cm <= h <= 2.5 * per_cm and w >= 1.8 * h):
            continue
        if y > 0.6 * small.shape[0]:
            continue
        x0, y0, x1, y1 = (round(float(v) / factor) for v in (x, y, x + w, y + h))
        boxes.append((x0, y0, x1, y1))
    # The stamp's words can form a component of their own inside the frame: keep the frames.
    return [b for b in boxes if not any(o != b and o[0] <= b[0] and o[1] <= b[1] and b[2] <= o[2]
                                        and b[3] <= o[3] for o in boxes)]


def _read_box(rgb: NDArray[np.uint8], box: tuple[int, int, int, int], dpi: int, engine: _Engine) -> list[Word]:
    """The words inside one frame, in master pixels (the frame itself is cut off, white margin added)."""
    x0, y0, x1, y1 = box
    inset = max(2, round(0.12 * (y1 - y0)))
    crop = cv2.cvtColor(np.ascontiguousarray(rgb[y0 + inset : y1 - inset, x0 + inset : x1 - inset]),
                        cv2.COLOR_RGB2GRAY)
    pad = max(10, dpi // 10)
    padded = cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=(255,))
    page = engine.recognize(np.ascontiguousarray(padded), dpi)
    dx, dy = x0 + inset - pad, y0 + inset - pad
    return [replace(w, bbox=BBox(w.bbox.x0 + dx, w.bbox.y0 + dy, w.bbox.x1 + dx, w.bbox.y1 + dy))
            for w in page.words if w.conf >= _MIN_CONF and w.text.strip()]


def _insert(page: OcrPage, stamp: list[Word]) -> tuple[Word, ...]:
    """Stamp words as a line of their own, before the first line (in reading order) that starts below them."""
    block = max((w.block for w in page.words), default=0) + 1
    line = max((w.line for w in page.words), default=0) + 1
    stamp = [replace(w, block=block, line=line) for w in stamp]
    bottom = max(w.bbox.y1 for w in stamp)
    words = list(page.words)
    for index, word in enumerate(words):
        starts = index == 0 or (words[index - 1].block, words[index - 1].line) != (word.block, word.line)
        if starts and word.bbox.y0 >= bottom:
            return tuple(words[:index] + stamp + words[index:])
    return tuple(words + stamp)


def _centre_in(word: Word, box: tuple[int, int, int, int]) -> bool:
    cx, cy = (word.bbox.x0 + word.bbox.x1) / 2, (word.bbox.y0 + word.bbox.y1) / 2
    return box[0] <= cx <= box[2] and box[1] <= cy <= box[3]


def read_stamps(image: Any, dpi: int, page: OcrPage, engine: _Engine) -> OcrPage:
    """``page`` with the words of every red stamp it does not already hold (``image``: the master,
    RGB array or PIL image; grey and 1-bit masters have no red and are returned as they are)."""
    rgb = np.asarray(image)
    if rgb.ndim != 3 or rgb.shape[2] < 3:
        return page
    rgb = np.ascontiguousarray(rgb[:, :, :3])
    for box in find_stamp_boxes(rgb, dpi):
        if any(_centre_in(w, box) for w in page.words):
            continue  # the page OCR already read it (no red suppression on this page)
        words = _read_box(rgb, box, dpi, engine)
        if words:
            page = replace(page, words=_insert(page, words))
    return page
