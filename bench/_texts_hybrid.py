"""A typeset real text as agencies publish it today, for ``_accuracy_texts`` (issue #12 items 1 and 5).

The printed form leaves the number and the day blank (``_texts_typeset.typeset(blanks=True)``); they are
written in by hand, the paper is scanned at 200 dpi (grey, or bilevel like a fax-class office scanner), and
the scan is published as a signed PDF whose text layer holds only the signature stamps: the signer's
('Ký bởi: …', 'Cơ quan: …', 'Thời gian ký: …') at the top right and the publishing centre's at the top
middle, as the Quảng Ngãi portal's files carry them. The signing time is the issue date or a few days
after it.

Two writers, drawn per document: ``pen``, the sample generator's test hand (``samples._hand.draw_digits``
without the training-only shapes; the digit recognizer is trained on other seeds of the same generator), and
``chancery``, digits in URW Z003 (a calligraphic italic the recognizer never saw), so a part of the
handwriting is new to the model.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from _texts_typeset import sentence_case
from sohoa.engines import poppler

DPI = 200
WRITERS = ("pen", "chancery")
INK = (28, 44, 150)  # a blue ballpoint
_CHANCERY = Path("/usr/share/fonts/opentype/urw-base35/Z003-MediumItalic.otf")
_STAMP_FONT = Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf")
_A4 = (595.28, 841.89)


def writer_of(seed: int) -> str:
    """The writer of a document, drawn from its seed."""
    return WRITERS[random.Random(seed ^ 0x5EED).randrange(len(WRITERS))]


def _write(image: Image.Image, digits: str, box: tuple[float, float, float, float], writer: str,
           rng: random.Random) -> None:
    """``digits`` written into the blank ``box`` (x0, x1, baseline, size in points from the bottom left)."""
    from sohoa.samples._hand import draw_digits

    x0, x1, baseline, size = box
    scale = DPI / 72
    left, right = x0 * scale, x1 * scale
    base = (_A4[1] - baseline) * scale + rng.uniform(-0.1, 0.15) * size * scale
    height = size * scale * rng.uniform(1.0, 1.3)
    height = min(height, (right - left) / (0.9 * len(digits) + 0.3))  # the pen keeps inside the blank
    start = left + rng.uniform(0.05, 0.3) * (right - left - 0.85 * height * len(digits))
    draw = ImageDraw.Draw(image)
    if writer == "pen":
        draw_digits(draw, digits, start, base, height, np.random.default_rng(rng.randrange(2**32)), INK,
                    max(2.0, 0.09 * height))
        return
    font = ImageFont.truetype(str(_CHANCERY), round(height * 1.45))
    top = font.getbbox(digits)[3]
    draw.text((start, base - top), digits, font=font, fill=INK)


def _stamps(signer: str, signed: date, rng: random.Random) -> list[tuple[float, float, float, list[str]]]:
    """The stamps' text blocks: (x, top y from the page's top, size in points, lines)."""
    clock = f"{rng.randrange(7, 18):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"
    stamp_day = signed.strftime("%d.%m.%Y")
    place = signer.split(" tỉnh ")[-1].split(" thành phố ")[-1]
    return [(rng.uniform(320, 345), 12.5, 7.7, ["TRUNG TÂM CÔNG BÁO VÀ TIN HỌC", "congbao@portal.gov.vn",
                                                  f"{stamp_day} {clock}", "+07:00"]),
            (rng.uniform(470, 485), 4.8, 5.5, [f"Ký bởi: {signer}", f"Cơ quan: {place}",
                                               f"Thời gian ký: {stamp_day} {clock} +07:00"])]


def hybrid_copy(pdf: Path, pages: int, layout: dict[str, object], organ: str, issued: str | None, seed: int,
                out: Path) -> tuple[Path, str]:
    """``pdf`` (typeset with blanks) filled in by hand, scanned, and published signed at ``out``; returns the
    file and the writer."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    rng = random.Random(seed)
    writer = writer_of(seed)
    images = [poppler.render_page(pdf, index, DPI).convert("RGB") for index in range(pages)]
    blanks = layout.get("blanks") or {}
    assert isinstance(blanks, dict)
    for digits, *box in blanks.values():
        written = (digits.lstrip("0") or digits) if rng.random() < 0.5 else digits
        _write(images[0], written, (box[0], box[1], box[2], box[3]), writer, rng)
    bilevel = rng.random() < 0.4
    scans = []
    for image in images:
        grey = np.asarray(image.convert("L"), dtype=np.float32)
        grey = grey * rng.uniform(0.9, 1.0) + np.random.default_rng(rng.randrange(2**32)).normal(0, 6, grey.shape)
        grey = np.clip(grey, 0, 255)
        scans.append(Image.fromarray(np.where(grey < 150, 0, 255).astype(np.uint8) if bilevel
                                     else grey.astype(np.uint8)))
    if "STAMP" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("STAMP", str(_STAMP_FONT)))
    signed = (date.fromisoformat(issued) if issued else date(2025, 1, 2)) + timedelta(days=rng.choice((0, 0, 1, 2, 3)))
    sheet = canvas.Canvas(str(out), pagesize=_A4)
    for number, scan in enumerate(scans):
        sheet.drawImage(ImageReader(scan), 0, 0, *_A4)
        if number == 0:
            sheet.setFillColorRGB(0.1, 0.2, 0.7)
            for x, top, size, lines in _stamps(sentence_case(organ), signed, rng):
                for k, line in enumerate(lines):
                    sheet.setFont("STAMP", size)
                    sheet.drawString(x, _A4[1] - top - size * (k + 1) * 1.1, line)
        sheet.showPage()
    sheet.save()
    return out, writer
