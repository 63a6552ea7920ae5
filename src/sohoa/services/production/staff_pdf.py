"""Printed forms: handover record (NĐ 30 Phụ lục V), box and file labels with QR codes, separator sheets."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from sohoa.domain.errors import SohoaError

__all__ = ["FileLabel", "HandoverData", "handover_pdf", "labels_pdf", "separator_payload", "separator_pdf"]

FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
SERIF, SERIF_BOLD = "LiberationSerif", "LiberationSerif-Bold"
SEPARATOR_PREFIX = "SOHOA-SEP:"


def _fonts() -> None:
    for name, file in ((SERIF, "LiberationSerif-Regular.ttf"), (SERIF_BOLD, "LiberationSerif-Bold.ttf")):
        if name in pdfmetrics.getRegisteredFontNames():
            continue  # another module may have registered one of the two already
        path = FONT_DIR / file
        if not path.exists():
            raise SohoaError(
                "Thiếu phông chữ Liberation Serif (gói fonts-liberation2)",
                f"Liberation Serif font missing: {path} (install fonts-liberation2)",
            )
        pdfmetrics.registerFont(TTFont(name, str(path)))


def _qr(canvas: Canvas, payload: str, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(payload)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            trial = f"{line} {word}".strip()
            if pdfmetrics.stringWidth(trial, font, size) <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


@dataclass(frozen=True)
class HandoverData:
    """Everything the biên bản giao nhận states (NĐ 30 Phụ lục V Mục V)."""

    giver_unit: str
    giver_name: str
    giver_position: str
    receiver_unit: str
    receiver_name: str
    receiver_position: str
    block_name: str
    date_range: str
    boxes: int
    files: int
    shelf_metres: str  # as the record states it, Vietnamese style ("0,5")
    condition: str
    place: str
    signed_on: date
    inventory: Sequence[tuple[str, str, str, str, str, str]]  # seq, notation, title, time, retention, sheets


class _Writer:
    """A top-down text cursor on an A4 canvas with page breaks."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas, self.y = canvas, A4[1] - 20 * mm

    def text(
        self,
        text: str,
        *,
        size: float = 13,
        bold: bool = False,
        centre: bool = False,
        x: float = 25 * mm,
        width: float = A4[0] - 45 * mm,
        gap: float = 1.35,
    ) -> None:
        font = SERIF_BOLD if bold else SERIF
        for line in _wrap(text, font, size, width):
            if self.y < 20 * mm:
                self.canvas.showPage()
                self.y = A4[1] - 20 * mm
            self.canvas.setFont(font, size)
            if centre:
                self.canvas.drawCentredString(x + width / 2, self.y, line)
            else:
                self.canvas.drawString(x, self.y, line)
            self.y -= size * gap

    def skip(self, points: float) -> None:
        self.y -= points


def _handover_header(w: _Writer, data: HandoverData) -> None:
    half = (A4[0] - 45 * mm) / 2
    top = w.y
    w.text(data.receiver_unit.upper(), size=12, bold=True, centre=True, width=half - 5 * mm)
    w.y = top
    right = 25 * mm + half
    w.text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=11, bold=True, centre=True, x=right, width=half)
    w.text("Độc lập - Tự do - Hạnh phúc", size=13, bold=True, centre=True, x=25 * mm + half, width=half)
    signed = data.signed_on
    w.text(
        f"{data.place}, ngày {signed.day:02d} tháng {signed.month:02d} năm {signed.year}",
        size=13,
        centre=True,
        x=25 * mm + half,
        width=half,
    )
    w.skip(12)
    w.text("BIÊN BẢN", size=14, bold=True, centre=True)
    w.text("Giao nhận hồ sơ, tài liệu", size=14, bold=True, centre=True)
    w.skip(8)


def _handover_body(w: _Writer, data: HandoverData) -> None:
    w.text("Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;")
    w.text(f"Căn cứ kế hoạch thu thập hồ sơ, tài liệu của {data.receiver_unit},")
    w.skip(4)
    w.text(f"Chúng tôi gồm: BÊN GIAO: {data.giver_unit}", bold=True)
    w.text(f"Ông (Bà): {data.giver_name}        Chức vụ công tác: {data.giver_position}")
    w.text(f"BÊN NHẬN: {data.receiver_unit}", bold=True)
    w.text(f"Ông (Bà): {data.receiver_name}        Chức vụ công tác: {data.receiver_position}")
    w.skip(4)
    w.text("Thống nhất lập biên bản giao nhận tài liệu với những nội dung cụ thể như sau:")
    w.text(f"1. Tên khối tài liệu giao nộp: {data.block_name}")
    w.text(f"2. Thời gian của hồ sơ, tài liệu: {data.date_range}")
    w.text(
        f"3. Số lượng tài liệu: tổng số hộp (cặp): {data.boxes}; tổng số hồ sơ (đơn vị bảo quản): "
        f"{data.files}; quy ra mét giá: {data.shelf_metres} m"
    )
    w.text(f"4. Tình trạng tài liệu giao nộp: {data.condition}")
    w.text("5. Mục lục hồ sơ, tài liệu nộp lưu kèm theo.")
    w.skip(4)
    w.text("Biên bản này được lập thành hai bản; bên giao giữ một bản, bên nhận giữ một bản.")
    w.skip(14)
    top = w.y
    half = (A4[0] - 45 * mm) / 2
    w.text("ĐẠI DIỆN BÊN GIAO", bold=True, centre=True, width=half)
    w.text("(Ký tên và ghi rõ họ tên)", size=11, centre=True, width=half)
    w.y = top
    w.text("ĐẠI DIỆN BÊN NHẬN", bold=True, centre=True, x=25 * mm + half, width=half)
    w.text("(Ký tên và ghi rõ họ tên)", size=11, centre=True, x=25 * mm + half, width=half)


def _inventory_table(w: _Writer, data: HandoverData) -> None:
    w.canvas.showPage()
    w.y = A4[1] - 20 * mm
    w.text("MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU", size=14, bold=True, centre=True)
    w.skip(6)
    widths = (12 * mm, 28 * mm, 70 * mm, 25 * mm, 22 * mm, 18 * mm)
    heads = ("Số TT", "Số, ký hiệu", "Tiêu đề hồ sơ", "Thời gian", "Thời hạn BQ", "Số tờ")
    for row in [heads, *data.inventory]:
        x, height = 18 * mm, 1
        lines = [_wrap(str(cell), SERIF, 10, width - 2 * mm) for cell, width in zip(row, widths, strict=True)]
        height = max(len(cell) for cell in lines)
        if w.y - height * 12 < 20 * mm:
            w.canvas.showPage()
            w.y = A4[1] - 20 * mm
        for cell, width in zip(lines, widths, strict=True):
            w.canvas.setFont(SERIF_BOLD if row is heads else SERIF, 10)
            for n, line in enumerate(cell):
                w.canvas.drawString(x + 1 * mm, w.y - n * 12, line)
            w.canvas.rect(x, w.y - height * 12 + 8, width, height * 12 + 1, stroke=1, fill=0)
            x += width
        w.y -= height * 12 + 1
    w.skip(10)
    w.text(f"Mục lục này gồm {len(data.inventory)} hồ sơ (đơn vị bảo quản).")


def handover_pdf(data: HandoverData) -> bytes:
    """The biên bản giao nhận with its attached mục lục, as PDF bytes (Liberation Serif, Vietnamese)."""
    _fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle("Biên bản giao nhận hồ sơ, tài liệu")
    writer = _Writer(canvas)
    _handover_header(writer, data)
    _handover_body(writer, data)
    _inventory_table(writer, data)
    canvas.save()
    return buffer.getvalue()


@dataclass(frozen=True)
class FileLabel:
    """What a label shows: the QR payload, a heading and a few lines."""

    payload: str
    heading: str
    lines: tuple[str, ...]


def labels_pdf(labels: Sequence[FileLabel]) -> bytes:
    """Labels with QR codes, 2 × 5 per A4 sheet (about 95 × 52 mm each)."""
    _fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    width, height = 95 * mm, 52 * mm
    for index, label in enumerate(labels):
        slot = index % 10
        if index and slot == 0:
            canvas.showPage()
        x = 10 * mm + (slot % 2) * (width + 5 * mm)
        y = A4[1] - 15 * mm - (slot // 2 + 1) * (height + 2 * mm)
        canvas.rect(x, y, width, height)
        _qr(canvas, label.payload, x + 2 * mm, y + height - 32 * mm, 30 * mm)
        writer = _Writer(canvas)
        writer.y = y + height - 7 * mm
        writer.text(label.heading, size=12, bold=True, x=x + 34 * mm, width=width - 36 * mm, gap=1.2)
        for line in label.lines:
            writer.text(line, size=9, x=x + 34 * mm, width=width - 36 * mm, gap=1.2)
    canvas.save()
    return buffer.getvalue()


def separator_payload(file_code: str) -> str:
    """The QR text of a separator sheet: it tells the pipeline a new file (hồ sơ) starts here."""
    return f"{SEPARATOR_PREFIX}{file_code}"


def separator_pdf(files: Sequence[tuple[str, str]]) -> bytes:
    """One A4 separator sheet per (file code, title): a large QR code and the code in print."""
    _fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    for code, title in files:
        writer = _Writer(canvas)
        writer.skip(20 * mm)
        writer.text("TỜ PHÂN CÁCH HỒ SƠ — FILE SEPARATOR", size=20, bold=True, centre=True)
        writer.skip(10 * mm)
        _qr(canvas, separator_payload(code), (A4[0] - 90 * mm) / 2, writer.y - 90 * mm, 90 * mm)
        writer.skip(100 * mm)
        writer.text(code, size=22, bold=True, centre=True)
        writer.text(title, size=14, centre=True)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
