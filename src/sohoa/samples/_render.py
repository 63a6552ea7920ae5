"""Paint laid-out pages: black text and rules, blue signature squiggle, red stamps and round seals."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageChops, ImageDraw

from sohoa.samples._hand import HAND_INKS, draw_digits
from sohoa.samples._typeset import Page, font, width

INK = (22, 22, 26)
BLUE = (28, 48, 150)
RED = (205, 32, 42)


def render(page: Page, size: tuple[int, int], scale: float, rng: np.random.Generator,
           seal: bool) -> Image.Image:
    """An RGB page; ``scale`` maps layout pixels to output pixels; seals only when ``seal`` (a seal laid
    over the signer's name always)."""
    image = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    for t in page.texts:
        draw.text((t.x * scale, t.y * scale), t.text, font=font(t.style, round(t.px * scale)), fill=INK,
                  anchor="ls")
    for r in page.rules:
        thick = max(1, round(r.thick * scale))
        draw.rectangle((r.x0 * scale, r.y * scale, r.x1 * scale, r.y * scale + thick - 1), fill=INK)
    for mark in page.marks:
        box = tuple(v * scale for v in mark.box)
        if mark.kind == "vline":
            draw.rectangle((box[0], box[1], box[0] + max(1, round(box[2] - box[0])) - 1, box[3]), fill=INK)
        elif mark.kind == "stamp":
            _stamp(draw, box, mark.text, round(mark.px * scale), scale)
        elif mark.kind == "signature":
            _signature(draw, box, rng, scale)
        elif mark.kind == "hand":
            ink = HAND_INKS[int(rng.integers(len(HAND_INKS)))]
            draw_digits(draw, mark.text, box[0], box[3], box[3] - box[1], rng, ink, rng.uniform(2.0, 3.5) * scale)
    for mark in page.marks:
        if mark.kind == "seal_over" or (seal and mark.kind == "seal"):
            _seal(image, tuple(v * scale for v in mark.box), mark.text, rng)  # type: ignore[arg-type]
    return image


def _stamp(draw: ImageDraw.ImageDraw, box: tuple[float, ...], text: str, px: int, scale: float) -> None:
    thick = max(2, round(3 * scale))
    draw.rectangle(box, outline=RED, width=thick)
    draw.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), text, font=font("bold", px), fill=RED,
              anchor="mm")


def _signature(draw: ImageDraw.ImageDraw, box: tuple[float, ...], rng: np.random.Generator,
               scale: float) -> None:
    """A handwritten-looking squiggle: a wavy stroke with loops and an underline flourish."""
    x0, y0, x1, y1 = box
    t = np.linspace(0.0, 1.0, 240)
    amp = (y1 - y0) * 0.22
    f1, f2, loops = rng.uniform(1.0, 2.5), rng.uniform(3.0, 6.0), rng.integers(3, 7)
    xs = x0 + (x1 - x0) * (0.1 + 0.75 * t) + amp * 0.5 * np.sin(2 * np.pi * loops * t)
    ys = (y0 + y1) / 2 + amp * (np.sin(2 * np.pi * f1 * t + rng.uniform(0, 6)) * 0.8
                                + 0.45 * np.cos(2 * np.pi * loops * t) + 0.2 * np.sin(2 * np.pi * f2 * t))
    stroke = max(2, round(4 * scale))
    draw.line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=BLUE, width=stroke, joint="curve")
    flourish_y = (y0 + y1) / 2 + amp * rng.uniform(0.9, 1.3)
    draw.line([(x0 + (x1 - x0) * 0.15, flourish_y + amp * 0.3), ((x0 + x1) / 2, flourish_y),
               (x1 - (x1 - x0) * 0.05, flourish_y - amp * 0.6)], fill=BLUE, width=stroke, joint="curve")


def _ring_text(mask: Image.Image, text: str, radius: float, px: int) -> None:
    """Write ``text`` clockwise along the top of a circle of ``radius`` centred in ``mask``."""
    cx, cy = mask.width / 2, mask.height / 2
    face = font("bold", px)
    natural = sum(width(ch, "bold", px) for ch in text) / radius  # radians the text needs
    # Real seals run the name most of the way round the ring.
    spread = max(0.0, (1.55 * math.pi - natural) / len(text))
    angle = -math.pi / 2 - (natural + spread * len(text)) / 2
    for ch in text:
        step = width(ch, "bold", px) / radius + spread
        angle += step / 2
        glyph = Image.new("L", (px * 2, px * 2), 0)
        ImageDraw.Draw(glyph).text((px, px), ch, font=face, fill=255, anchor="mm")
        glyph = glyph.rotate(-math.degrees(angle + math.pi / 2), resample=Image.Resampling.BILINEAR)
        gx, gy = cx + radius * math.cos(angle) - px, cy + radius * math.sin(angle) - px
        region = (int(gx), int(gy), int(gx) + glyph.width, int(gy) + glyph.height)
        mask.paste(ImageChops.lighter(mask.crop(region), glyph), region[:2])
        angle += step / 2


def _seal(image: Image.Image, box: tuple[float, float, float, float], text: str,
          rng: np.random.Generator) -> None:
    """A red round seal (double ring, text around, star) multiplied onto the page like ink."""
    shift = rng.uniform(-0.12, 0.12, size=2) * (box[2] - box[0])
    x0, y0 = int(box[0] + shift[0]), int(box[1] + shift[1])
    d = int(box[2] - box[0])
    mask = Image.new("L", (d, d), 0)
    draw = ImageDraw.Draw(mask)
    ring = max(3, d // 60)
    draw.ellipse((ring, ring, d - ring, d - ring), outline=255, width=ring)
    inner = d * 0.30
    draw.ellipse((d / 2 - inner, d / 2 - inner, d / 2 + inner, d / 2 + inner), outline=255,
                 width=ring // 2 + 1)
    _ring_text(mask, text, d * 0.395, max(8, int(d * 0.085)))
    star = [(d / 2 + inner * 0.8 * (1 if k % 2 == 0 else 0.4) * math.cos(-math.pi / 2 + k * math.pi / 5),
             d / 2 + inner * 0.8 * (1 if k % 2 == 0 else 0.4) * math.sin(-math.pi / 2 + k * math.pi / 5))
            for k in range(10)]
    draw.polygon(star, fill=255)
    region = (x0, y0, x0 + d, y0 + d)
    page = np.asarray(image.crop(region), dtype=np.float32)
    alpha = np.asarray(mask, dtype=np.float32)[..., None] / 255.0 * rng.uniform(0.75, 0.92)
    ink = np.asarray(RED, dtype=np.float32) / 255.0
    out = page * (1.0 - alpha * (1.0 - ink))
    image.paste(Image.fromarray(out.clip(0, 255).astype(np.uint8)), region[:2])
