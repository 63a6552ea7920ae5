"""Digits a hand joins: cut along the path that crosses the least ink (a slanted hand's digits overlap in
their columns, so no straight cut parts them), and the generator's training hand that joins its digits."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from sohoa.domain.ocr import BBox
from sohoa.intelligence import handwriting as hw
from sohoa.intelligence._digits import _cuts, _path_cuts, _trimmed, load_model, split_touching
from sohoa.samples._hand import digit_strokes, draw_digits


def _bars(joined: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two slanted bars ('/ /') whose columns overlap, joined (or not) by a thin stroke at mid-height:
    the mask and each bar's own pixels."""
    image = Image.new("L", (72, 45), 0)
    draw = ImageDraw.Draw(image)
    draw.line((40, 3, 8, 41), fill=255, width=7)
    left = np.asarray(image) > 0
    other = Image.new("L", (72, 45), 0)
    ImageDraw.Draw(other).line((62, 3, 30, 41), fill=255, width=7)
    right = np.asarray(other) > 0
    mask = left | right
    if joined:
        bridge = Image.new("L", (72, 45), 0)
        ImageDraw.Draw(bridge).line((24, 22, 46, 22), fill=255, width=2)
        mask = mask | (np.asarray(bridge) > 0)
    return mask, left, right


def _crop(mask: np.ndarray) -> tuple[np.ndarray, BBox]:
    rows, cols = np.nonzero(mask)
    y0, y1, x0, x1 = int(rows.min()), int(rows.max()) + 1, int(cols.min()), int(cols.max()) + 1
    return mask[y0:y1, x0:x1], BBox(x0, y0, x1, y1)


def test_slanted_strokes_no_column_parts_are_parted_by_a_path() -> None:
    mask, left, right = _bars(joined=False)
    glyph, box = _crop(mask)
    assert box.width > 1.1 * box.height
    # Every straight cut leaves ink of one bar with the other.
    for pieces in _cuts(glyph, box, tries=8):
        (a, at), _ = pieces
        whole = np.zeros_like(mask)
        whole[at.y0:at.y1, at.x0:at.x1] = a
        assert not np.array_equal(whole, left)
    found = []
    for (a, at), (b, bt) in _path_cuts(glyph, box):
        first, second = np.zeros_like(mask), np.zeros_like(mask)
        first[at.y0:at.y1, at.x0:at.x1] = a
        second[bt.y0:bt.y1, bt.x0:bt.x1] = b
        found.append(np.array_equal(first, left) and np.array_equal(second, right))
    assert found and found[0]  # the path that crosses no ink comes first


def test_a_joining_stroke_is_cut_where_it_is_thinnest() -> None:
    mask, left, right = _bars(joined=True)
    glyph, box = _crop(mask)
    (a, at), (b, bt) = _path_cuts(glyph, box)[0]
    first = np.zeros_like(mask)
    first[at.y0:at.y1, at.x0:at.x1] = a
    second = np.zeros_like(mask)
    second[bt.y0:bt.y1, bt.x0:bt.x1] = b
    assert (first & right).sum() == 0 and (second & left).sum() == 0  # each bar whole on its side
    assert (first | second).sum() == mask.sum()  # no ink lost


def test_nothing_to_cut_gives_no_path() -> None:
    assert _path_cuts(np.ones((30, 3), bool), BBox(0, 0, 3, 30)) == []


def test_the_training_hand_joins_digits_only_when_asked() -> None:
    for seed in range(40):
        plain = digit_strokes("4", np.random.default_rng(seed))
        assert max(float(s[:, 0].max()) for s in plain) < 1.3  # the sample pages' hand: no joining stroke
    ran_on = sum(max(float(s[:, 0].max()) for s in digit_strokes("0", np.random.default_rng(s), extra=True)) > 1.05
                 for s in range(200))
    assert 20 <= ran_on <= 120  # some of the training hand's digits run on towards the next


def test_joined_digits_are_read_at_least_as_well_with_paths_and_trims() -> None:
    """Two digits the pen joins at their feet: with the path cuts and the trimmed stubs as candidates too,
    read right (as a pair) at least as often as with the straight cuts alone, and most of the time."""
    model = load_model()
    assert model is not None
    with_paths = straight = tried = 0
    for seed in range(200):
        image = Image.new("RGB", (400, 160), (255, 255, 255))
        draw = ImageDraw.Draw(image)
        rng = np.random.default_rng(3000 + seed)
        first, second = str(seed % 9 + 1), str((seed * 7) % 10)
        box = draw_digits(draw, first, 40, 130, 70, rng, (0, 0, 0), 7.0)
        right = draw_digits(draw, second, box[2] + 12, 130, 70, rng, (0, 0, 0), 7.0)
        # The pen runs on from the first digit's foot into the second's: one glyph.
        draw.line(((box[0] + box[2]) / 2, box[3] - 5, (right[0] + right[2]) / 2, right[3] - 5), fill=(0, 0, 0), width=7)
        glyphs, boxes = hw._glyphs(np.asarray(image.convert("L")), 55, 0)
        if len(boxes) != 1 or boxes[0].width <= 1.1 * boxes[0].height:
            continue
        tried += 1
        pieces, _ = split_touching(glyphs, boxes, model)
        read = model.read(pieces)
        with_paths += [str(k) for k, _ in read] == [first, second]
        columns = [model.read([p for p, _ in cut]) for cut in _cuts(glyphs[0], boxes[0])]
        best = max(columns, key=lambda r: min(p if k != 10 else 0.0 for k, p in r), default=[])
        straight += bool(best) and min(p for _, p in best) >= 0.5 and [str(k) for k, _ in best] == [first, second]
    assert tried >= 30
    assert with_paths >= straight
    assert with_paths >= 0.5 * tried


def _probs(*best: tuple[int, float]) -> np.ndarray:
    rows = np.full((len(best), 11), 0.0)
    for row, (k, p) in zip(rows, best, strict=True):
        row[:] = (1.0 - p) / 10
        row[k] = p
    return rows


def test_a_sliver_of_the_next_word_at_the_right_edge_is_not_the_pens() -> None:
    pen = BBox(8, 35, 65, 79)  # the day, 44 px tall, on a line whose printed digits are 39 px
    sliver = BBox(72, 57, 76, 73)  # 4 × 16 px at the blank's right edge (76): the first stroke of 't'
    assert hw._edge_sliver([pen, sliver], _probs((10, 0.9), (6, 0.42)), 76, 39)
    # Not when it is not at the edge, touches the glyph before it, is a digit the model proposes, or is tall
    # (a digit the edge cuts keeps its height: the reading stays refused).
    assert not hw._edge_sliver([pen, sliver], _probs((10, 0.9), (6, 0.42)), 80, 39)
    assert not hw._edge_sliver([pen, BBox(64, 57, 76, 73)], _probs((10, 0.9), (6, 0.42)), 76, 39)
    assert not hw._edge_sliver([pen, sliver], _probs((10, 0.9), (1, 0.8)), 76, 39)
    assert not hw._edge_sliver([pen, BBox(72, 40, 76, 78)], _probs((10, 0.9), (6, 0.42)), 76, 39)
    assert not hw._edge_sliver([sliver], _probs((6, 0.42)), 76, 39)


def test_the_stub_of_a_joining_stroke_is_trimmed_off_both_pieces() -> None:
    left = np.zeros((40, 20), bool)
    left[:, 2:6] = True  # a stem
    left[20:22, 6:] = True  # the joining stroke's stub, up to the cut
    right = np.zeros((40, 24), bool)
    right[18:20, :8] = True  # the stub on the other side
    right[:, 12:16] = True
    at, bt = BBox(100, 10, 120, 50), BBox(120, 10, 144, 50)
    trimmed = _trimmed([(left, at), (right, bt)], 4)
    assert trimmed is not None
    (a, a_box), (b, b_box) = trimmed
    assert a_box == BBox(102, 10, 116, 50) and a[20, -1] and a[:, :4].all()  # stem kept, stub shortened
    assert b_box == BBox(124, 10, 136, 50) and b[:, 8:12].all() and not b[:, 4:8].any()
    assert _trimmed([(left[:, :8], BBox(100, 10, 108, 50)), (right, bt)], 4) is None  # nothing left to read
