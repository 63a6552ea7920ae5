"""The visible certified-copy marking (NĐ 30/2020 Phụ lục I Phần II: hình thức sao) stamped onto a PDF."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pikepdf
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

__all__ = ["CopyStamp", "stamp_certified_copy"]

FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")


@dataclass(frozen=True)
class CopyStamp:
    """What the copy form says: copy type, issuing agency, number, place, time (ISO 8601, +07:00), for whom."""

    agency: str
    number: str
    place: str
    at: datetime
    requester: str
    copy_type: str = "SAO Y"

    def lines(self) -> list[str]:
        return [self.agency.upper(), f"{self.copy_type} — BẢN SAO", f"Số: {self.number}",
                f"{self.place}, {self.at.isoformat(timespec='seconds')}",
                f"Cấp cho: {self.requester}", "Bản sao có giá trị sử dụng theo quy định (NĐ 30/2020/NĐ-CP)"]


def _fonts() -> tuple[str, str]:
    for name, file in (("LibSerif", "LiberationSerif-Regular.ttf"), ("LibSerifBold", "LiberationSerif-Bold.ttf")):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file)))
    return "LibSerif", "LibSerifBold"


def _overlay(width: float, height: float, stamp: CopyStamp) -> bytes:
    """A page-sized PDF with the copy form in a framed box at the bottom right."""
    regular, bold = _fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    box_w, box_h = min(300.0, width - 40), 92.0
    x, y = width - box_w - 20, 20.0
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setStrokeColorRGB(0.75, 0.05, 0.05)
    pdf.rect(x, y, box_w, box_h, stroke=1, fill=1)
    pdf.setFillColorRGB(0.75, 0.05, 0.05)
    for i, line in enumerate(stamp.lines()):
        pdf.setFont(bold if i < 2 else regular, 9 if i < 2 else 8)
        pdf.drawString(x + 8, y + box_h - 14 - i * 13, line)
    pdf.save()
    return buffer.getvalue()


def stamp_certified_copy(pdf: bytes, stamp: CopyStamp) -> bytes:
    """Every page of ``pdf`` with the copy form drawn over it (text stays selectable: it is real text)."""
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf)) as document:
        overlays: list[pikepdf.Pdf] = []
        for page in document.pages:
            box = page.mediabox
            width, height = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
            layer = pikepdf.open(io.BytesIO(_overlay(width, height, stamp)))
            overlays.append(layer)
            page.add_overlay(layer.pages[0], pikepdf.Rectangle(*(float(v) for v in box)))
        document.save(out)
        for layer in overlays:
            layer.close()
    return out.getvalue()
