"""Small RGB JPEG previews of page images, fast enough to make one for every scanned page."""

from __future__ import annotations

import io

import pypdfium2
from PIL import Image, UnidentifiedImageError

from sohoa.domain.errors import EngineError

__all__ = ["make_thumbnail", "pdf_page_thumbnail", "thumbnail_of"]

_QUALITY = 80


def make_thumbnail(image_bytes: bytes, *, max_side: int = 320) -> bytes:
    """A JPEG whose longer side is at most ``max_side`` pixels (never enlarged), alpha on white.

    Like the PDF writer, it shows the pixels as stored (no EXIF rotation): orientation is fixed
    upstream, and thumbnail and PDF page must look the same.
    """
    if max_side < 1:
        raise EngineError(f"Kích thước ảnh thu nhỏ không hợp lệ: {max_side}",
                          f"Invalid thumbnail size: {max_side}")
    try:
        with Image.open(io.BytesIO(image_bytes)) as im:
            # JPEG can decode at 1/2, 1/4 or 1/8 scale directly: most of the time saved is here.
            im.draft("RGB", (max_side, max_side))
            return thumbnail_of(im, max_side=max_side)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise EngineError(f"Không tạo được ảnh thu nhỏ: {exc}", f"Cannot make the thumbnail: {exc}") from exc


def pdf_page_thumbnail(path: str, page_index: int, *, max_side: int = 320) -> bytes:
    """The preview of a PDF page (0-based) rendered straight at thumbnail size with PDFium (a few
    milliseconds: no full-resolution raster of a born-digital page is ever made)."""
    try:
        document = pypdfium2.PdfDocument(path)
        try:
            page = document[page_index]
            width, height = page.get_size()
            scale = max_side / max(width, height, 1.0)
            image = page.render(scale=scale).to_pil()
            page.close()
        finally:
            document.close()
    except (pypdfium2.PdfiumError, OSError, IndexError, ValueError) as exc:
        raise EngineError(f"Không tạo được ảnh thu nhỏ trang {page_index + 1}: {exc}",
                          f"Cannot make the thumbnail of page {page_index + 1}: {exc}") from exc
    return thumbnail_of(image, max_side=max_side)


def thumbnail_of(im: Image.Image, *, max_side: int = 320) -> bytes:
    """The same preview from an image already decoded (the page worker has the master in memory)."""
    factor = max(im.size) // (max_side * 2)
    if factor > 1 and im.mode in ("L", "RGB"):
        im = im.reduce(factor)  # integer box reduction first: resampling a 300 dpi page is the cost
    small = _to_rgb(im)
    small.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=3.0)
    out = io.BytesIO()
    small.save(out, "JPEG", quality=_QUALITY)
    return out.getvalue()


def _to_rgb(im: Image.Image) -> Image.Image:
    if im.mode in ("RGBA", "LA", "La", "RGBa", "PA") or (im.mode == "P" and "transparency" in im.info):
        background = Image.new("RGBA", im.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, im.convert("RGBA")).convert("RGB")
    if im.mode == "1":
        # Resample bilevel scans as grey so thin strokes stay visible instead of breaking up.
        return im.convert("L").convert("RGB")
    if im.mode.startswith("I"):
        return im.convert("I").point(lambda v: v / 256).convert("RGB")  # 16-bit grey → 8-bit
    return im.convert("RGB")
