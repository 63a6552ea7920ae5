"""QR separator sheets: printed between files (hồ sơ) in a scan batch, recognised on the page image."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import qrcode
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

__all__ = ["PAYLOAD_PREFIX", "find_separator", "separator_payload", "separator_sheets_pdf"]

PAYLOAD_PREFIX = "SOHOA-SEP:"
_FONT_DIR = Path("/usr/share/fonts/truetype/liberation2")
_FONTS = {"SohoaSerif": "LiberationSerif-Regular.ttf", "SohoaSerifBold": "LiberationSerif-Bold.ttf"}
_INSTRUCTIONS = (
    "TRANG PHÂN CÁCH HỒ SƠ — không số hóa trang này",
    "Đặt trang này ngay trước hồ sơ có mã ở trên khi quét; hệ thống tự tách hồ sơ theo mã QR.",
    "FILE SEPARATOR SHEET — not part of any record",
    "Place this sheet directly before the file whose code is shown above; Sohoa splits the batch here.",
)
_MAX_SIDE = 1400


def separator_payload(file_code: str) -> str:
    return PAYLOAD_PREFIX + file_code


def _fonts() -> tuple[str, str]:
    """Liberation Serif has the Vietnamese glyphs; Helvetica is the fallback where it is missing."""
    try:
        for name, file in _FONTS.items():
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(_FONT_DIR / file)))
    except Exception:  # reportlab raises its own TTFError/IOError variety for a missing font
        return "Helvetica", "Helvetica-Bold"
    return "SohoaSerif", "SohoaSerifBold"


def _draw_sheet(canvas: Canvas, file_code: str, regular: str, bold: str) -> None:
    width, height = A4
    image = qrcode.make(separator_payload(file_code), border=4, box_size=10).get_image()
    side = 110 * mm
    canvas.drawImage(ImageReader(image), (width - side) / 2, height - 50 * mm - side, side, side)
    size = 40 if len(file_code) <= 16 else 24
    canvas.setFont(bold, size)
    canvas.drawCentredString(width / 2, height - 75 * mm - side, file_code)
    canvas.setFont(regular, 12)
    y = height - 95 * mm - side
    for line in _INSTRUCTIONS:
        canvas.drawCentredString(width / 2, y, line)
        y -= 8 * mm


def separator_sheets_pdf(file_codes: Sequence[str], out: Path) -> None:
    """One A4 page per file code: a large QR code ('SOHOA-SEP:<code>'), the code in print, instructions."""
    if not file_codes:
        raise ValueError("at least one file code is needed / cần ít nhất một mã hồ sơ")
    regular, bold = _fonts()
    canvas = Canvas(str(out), pagesize=A4)
    canvas.setTitle("Sohoa — trang phân cách hồ sơ / file separator sheets")
    for code in file_codes:
        _draw_sheet(canvas, code, regular, bold)
        canvas.showPage()
    canvas.save()


def _grey(image: np.ndarray) -> np.ndarray:
    if image.ndim == 3:
        code = cv2.COLOR_BGRA2GRAY if image.shape[2] == 4 else cv2.COLOR_BGR2GRAY
        image = cv2.cvtColor(image, code)
    return image.astype(np.uint8, copy=False)


def find_separator(image: np.ndarray) -> str | None:
    """The file code of a separator sheet on this page image, or None for an ordinary page."""
    grey = _grey(image)
    scale = _MAX_SIDE / max(grey.shape[:2])
    attempts = [grey]
    if scale < 1:
        small = cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        attempts.insert(0, small)  # faster, and QR modules stay several pixels wide
    detector = cv2.QRCodeDetector()
    for attempt in attempts:
        try:
            payload, _, _ = detector.detectAndDecode(attempt)
        except cv2.error:
            # OpenCV's detector fails an assertion on some noisy pages (a speckle pattern it takes
            # for finder marks): that page holds no readable code, it is not a reason to fail.
            continue
        if payload.startswith(PAYLOAD_PREFIX):
            code = payload[len(PAYLOAD_PREFIX):]
            return code or None
    return None
