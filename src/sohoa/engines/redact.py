"""Masks burned into the pixels of public derivatives: opaque boxes on page images, and a masked PDF/A.

Boxes come in the scan's own pixels (the geometry of the OCR words, before a page's review turn); an
image may be that scan at another size (a thumbnail, a preview) and turned a quarter turn clockwise, and
each box is carried over to it. What is under a box is painted over: the pixels are gone from the
derivative, never hidden by a layer a reader could remove.

The masked PDF/A is rasterised from the staff PDF/A (scanned and born-digital pages alike), so nothing of
the original — image, vector text or the invisible OCR layer — crosses into it but the masked pixels and
the masked words given for its text layer. It is written by the one PDF/A writer, :func:`write_pdfa`.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

import pikepdf
import pypdfium2
from PIL import Image, ImageDraw, UnidentifiedImageError

from sohoa.domain.errors import EngineError
from sohoa.domain.ocr import BBox, OcrPage
from sohoa.engines.pdfa import PdfPageInput, write_pdfa

__all__ = ["DEFAULT_PAD", "MaskedPage", "burn_boxes", "image_box", "masked_jpeg", "masked_pdf", "pdf_title"]

DEFAULT_PAD = 4  # scan pixels added around each box: OCR boxes hug the ink, anti-aliasing spills past them
_JPEG_QUALITY = 85
_TURNS = (0, 90, 180, 270)


def _turned(box: BBox, scan_size: tuple[int, int], rotation: int) -> BBox:
    """``box`` (scan pixels) in the scan turned ``rotation`` degrees clockwise."""
    width, height = scan_size
    if rotation == 90:
        return BBox(height - box.y1, box.x0, height - box.y0, box.x1)
    if rotation == 180:
        return BBox(width - box.x1, height - box.y1, width - box.x0, height - box.y0)
    if rotation == 270:
        return BBox(box.y0, width - box.x1, box.y1, width - box.x0)
    return box


def image_box(box: BBox, scan_size: tuple[int, int], image_size: tuple[int, int], *, rotation: int = 0,
              pad: int = DEFAULT_PAD) -> BBox | None:
    """The pixels of an image (the scan at ``image_size``, turned ``rotation`` degrees clockwise) that cover
    ``box`` of the scan grown by ``pad``: rounded outwards, at least one pixel, clamped to the image; None
    when nothing of it falls on the image."""
    if rotation % 360 not in _TURNS:
        raise EngineError(f"Góc xoay không hợp lệ: {rotation}", f"Invalid rotation: {rotation}")
    grown = BBox(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)
    turned = _turned(grown, scan_size, rotation % 360)
    shown_w, shown_h = scan_size if rotation % 180 == 0 else (scan_size[1], scan_size[0])
    sx, sy = image_size[0] / max(shown_w, 1), image_size[1] / max(shown_h, 1)
    x0, y0 = max(0, math.floor(turned.x0 * sx)), max(0, math.floor(turned.y0 * sy))
    x1 = min(image_size[0], max(math.ceil(turned.x1 * sx), x0 + 1))
    y1 = min(image_size[1], max(math.ceil(turned.y1 * sy), y0 + 1))
    if x0 >= x1 or y0 >= y1:
        return None
    return BBox(x0, y0, x1, y1)


def _fill(image: Image.Image) -> int | tuple[int, ...]:
    bands = len(image.getbands())
    if image.mode in ("RGBA", "LA"):
        return (0,) * (bands - 1) + (255,)  # opaque black: no transparency shows what lies beneath
    return 0 if bands == 1 else (0,) * bands


def burn_boxes(image: Image.Image, boxes: Iterable[BBox], *, scan_size: tuple[int, int] | None = None,
               rotation: int = 0, pad: int = DEFAULT_PAD) -> Image.Image:
    """A copy of ``image`` with every box painted opaque black. ``boxes`` are in pixels of the scan of
    ``scan_size`` (default: the image's own size), which ``image`` shows turned ``rotation`` degrees
    clockwise; the pixels outside the boxes are left exactly as they were."""
    out = image.convert("RGB") if image.mode in ("P", "PA", "1") else image.copy()
    scan = scan_size or (out.width if rotation % 180 == 0 else out.height,
                         out.height if rotation % 180 == 0 else out.width)
    draw = ImageDraw.Draw(out)
    fill = _fill(out)
    for box in boxes:
        placed = image_box(box, scan, out.size, rotation=rotation, pad=pad)
        if placed is not None:  # ImageDraw's rectangle includes its right and bottom edges
            draw.rectangle((placed.x0, placed.y0, placed.x1 - 1, placed.y1 - 1), fill=fill)
    return out


def _encode_jpeg(image: Image.Image, quality: int = _JPEG_QUALITY) -> bytes:
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


def masked_jpeg(data: bytes, boxes: Sequence[BBox], *, scan_size: tuple[int, int], rotation: int = 0,
                pad: int = DEFAULT_PAD, quality: int = _JPEG_QUALITY) -> bytes:
    """An encoded page image (a thumbnail, a preview) again as JPEG with the boxes burned in."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            image = opened.convert("RGB") if opened.mode not in ("L", "RGB") else opened.copy()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise EngineError(f"Không đọc được ảnh trang để che: {exc}", f"Cannot read the page image to mask: {exc}") \
            from exc
    return _encode_jpeg(burn_boxes(image, boxes, scan_size=scan_size, rotation=rotation, pad=pad), quality)


@dataclass(frozen=True)
class MaskedPage:
    """One page of the masked PDF: its scan size and resolution, the boxes to burn (scan pixels), the masked
    words of its text layer (None: no text layer) and the quarter turn the page is shown at."""

    width: int
    height: int
    dpi: int
    boxes: tuple[BBox, ...] = ()
    ocr: OcrPage | None = None
    rotate: int = 0


def _raster(document: pypdfium2.PdfDocument, index: int, page: MaskedPage) -> Image.Image:
    """Page ``index`` drawn at its scan's size, in the scan's geometry (its /Rotate set aside)."""
    pdf_page = document[index]
    try:
        pdf_page.set_rotation(0)
        width_pt, _height_pt = pdf_page.get_size()
        image: Image.Image = pdf_page.render(scale=page.width / max(width_pt, 1.0)).to_pil()
    finally:
        pdf_page.close()
    image = image.convert("L") if image.mode == "L" else image.convert("RGB")
    if image.size != (page.width, page.height):  # a point size rounded to 4 decimals may cost a pixel
        image = image.resize((page.width, page.height), Image.Resampling.LANCZOS)
    return image


def masked_pdf(source: bytes, pages: Sequence[MaskedPage], out: BinaryIO, *, title: str,
               fields: Mapping[str, str | None], created: datetime | None = None) -> None:
    """Write the masked PDF/A-2b of the PDF ``source`` to ``out``: page ``n`` of ``source`` rasterised at
    the size of ``pages[n]``, its boxes burned in, with ``pages[n].ocr`` as the text layer. ``title`` and
    ``fields`` are the document's metadata as it may be shown (already masked by the caller)."""
    try:
        document = pypdfium2.PdfDocument(source)
    except pypdfium2.PdfiumError as exc:
        raise EngineError(f"Không đọc được PDF để che: {exc}", f"Cannot read the PDF to mask: {exc}") from exc
    try:
        if len(document) != len(pages):
            raise EngineError(f"PDF có {len(document)} trang, văn bản có {len(pages)} trang",
                              f"The PDF has {len(document)} pages, the document {len(pages)}")
        inputs = []
        for index, page in enumerate(pages):
            burned = burn_boxes(_raster(document, index, page), page.boxes)
            inputs.append(PdfPageInput(image_bytes=_encode_jpeg(burned), media_type="image/jpeg", dpi=page.dpi,
                                       ocr=page.ocr, rotate=page.rotate))
    except pypdfium2.PdfiumError as exc:
        raise EngineError(f"Không dựng được trang PDF để che: {exc}", f"Cannot render the PDF page to mask: {exc}") \
            from exc
    finally:
        document.close()
    write_pdfa(inputs, out, title=title, fields=fields, created=created)


def pdf_title(source: bytes) -> str:
    """The title in a PDF's document information ('' when it has none)."""
    try:
        with pikepdf.open(io.BytesIO(source)) as pdf:
            title = pdf.docinfo.get("/Title")
            return str(title) if title is not None else ""
    except pikepdf.PdfError as exc:
        raise EngineError(f"Không đọc được PDF: {exc}", f"Cannot read the PDF: {exc}") from exc
