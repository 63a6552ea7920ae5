"""Triage: identify an input by its magic bytes, reject what cannot be read, list its pages."""

from __future__ import annotations

import io
import math
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import pikepdf
from PIL import Image, ImageFile, ImageOps

from sohoa.domain.errors import EngineError, InputRejected
from sohoa.domain.ocr import OcrPage
from sohoa.domain.ports import sha256_file
from sohoa.engines import pdfimage, poppler
from sohoa.pipeline.types import PendingTextLayer, SourcePage, TriageResult
from sohoa.pipeline.types import QuarantineReason as R

__all__ = [
    "load_image_frame",
    "load_page_image",
    "master_bytes_for_pdf",
    "page_draws_images",
    "page_text_layer",
    "png_bytes",
    "sniff_media_type",
    "triage",
]

_Layer = poppler.PdfTextFragment | poppler.PdfTextPage

DEFAULT_DPI = 300
# Reads a PDF's text layer (a pdftotext process) while the calling thread checks the file with pikepdf.
_READER = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sohoa-text-layer")
_DPI_RANGE = (50, 2400)  # outside this the metadata is wrong, not the scan
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"BM", "image/bmp"),
)
_MESSAGES: dict[R, tuple[str, str]] = {
    R.EMPTY: ("Tệp rỗng hoặc không có trang nào", "The file is empty or has no pages"),
    R.TRUNCATED: ("Tệp bị cắt cụt (sao chép chưa hết)", "The file is truncated (incomplete copy)"),
    R.CORRUPT: ("Tệp bị hỏng, không đọc được", "The file is corrupt and cannot be read"),
    R.ENCRYPTED: ("PDF được bảo vệ bằng mật khẩu", "The PDF is password-protected"),
    R.UNSUPPORTED: (
        "Định dạng không được hỗ trợ (chỉ nhận PDF, TIFF, JPEG, PNG, BMP, WebP)",
        "Unsupported format (only PDF, TIFF, JPEG, PNG, BMP, WebP are accepted)",
    ),
    R.TOO_LARGE: ("Ảnh quá lớn (nghi ngờ 'bom giải nén')", "Image too large (possible decompression bomb)"),
    R.TOO_MANY_PAGES: ("Tệp có quá nhiều trang", "The file has too many pages"),
    R.UNREADABLE: ("Không đọc được tệp", "The file cannot be read"),
}


def _reject(reason: R, detail_vi: str = "", detail_en: str = "") -> InputRejected:
    vi, en = _MESSAGES[reason]
    if detail_vi:
        vi, en = f"{vi}: {detail_vi}", f"{en}: {detail_en or detail_vi}"
    return InputRejected(reason.value, f"{vi}.", f"{en}.")


def sniff_media_type(head: bytes) -> str | None:
    """The media type of a file from its first bytes, or None when it is not one we accept."""
    for magic, media_type in _MAGIC:
        if head.startswith(magic):
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if b"%PDF-" in head[:1024]:  # the spec allows junk before the header
        return "application/pdf"
    return None


def triage(
    path: Path,
    *,
    max_pixels: int,
    max_pages: int = 2000,
    min_text_chars: int = 80,
    render_dpi: int = DEFAULT_DPI,
    sha256: str | None = None,
) -> TriageResult:
    """Check that ``path`` can be processed and list its pages; raise :class:`InputRejected` if not.

    ``sha256``: the file's digest when the caller has just computed it (ingest does, to find duplicates).
    """
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(2048)
    except OSError as exc:
        raise _reject(R.UNREADABLE, str(exc), str(exc)) from exc
    if size == 0:
        raise _reject(R.EMPTY, "0 byte", "0 bytes")
    media_type = sniff_media_type(head)
    if media_type is None:
        raise _reject(R.UNSUPPORTED, _describe(head), _describe(head))
    if media_type == "application/pdf":
        pages, warnings = _triage_pdf(path, max_pixels, max_pages, min_text_chars, render_dpi)
    else:
        pages, warnings = _triage_image(path, media_type, max_pixels, max_pages)
    return TriageResult(str(path), sha256 or sha256_file(path), size, media_type, pages, warnings)


def _describe(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "ZIP/DOCX/XLSX"
    if head.startswith(b"GIF8"):
        return "GIF"
    return "?"


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width <= 0 or height <= 0:
        raise _reject(R.CORRUPT, f"kích thước {width}×{height}", f"size {width}×{height}")
    if width * height > max_pixels:
        detail = f"{width}×{height} > {max_pixels:,} px"
        raise _reject(R.TOO_LARGE, detail, detail)


def _triage_image(
    path: Path, media_type: str, max_pixels: int, max_pages: int
) -> tuple[tuple[SourcePage, ...], tuple[str, ...]]:
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # a cut-short scan must fail here, not look half-white later
    pages: list[SourcePage] = []
    warnings: list[str] = []
    try:
        with Image.open(path) as image:
            frames = int(getattr(image, "n_frames", 1)) if media_type == "image/tiff" else 1
            if frames > max_pages:
                raise _reject(R.TOO_MANY_PAGES, f"{frames} > {max_pages}", f"{frames} > {max_pages}")
            for index in range(frames):
                image.seek(index)
                _check_pixels(image.width, image.height, max_pixels)  # header only: before decoding
                dpi = image_dpi(image)
                _check_decodes(path, image, media_type)
                if dpi is None:
                    warnings.append(f"page {index + 1}: dpi_missing_assumed_{DEFAULT_DPI}")
                pages.append(SourcePage(str(path), index, "image", dpi))
    except Image.DecompressionBombError as exc:
        raise _reject(R.TOO_LARGE, str(exc), str(exc)) from exc
    except InputRejected:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, IndexError) as exc:
        raise _image_failure(exc) from exc
    return tuple(pages), tuple(warnings)


def _check_decodes(path: Path, image: Image.Image, media_type: str) -> None:
    """Prove the image data is whole without paying for a full decode where the format allows it.

    PNG: every chunk's CRC and the final IEND (a cut-short file fails); JPEG: a 1/8-scale decode
    still reads the whole entropy-coded stream; other formats: a full decode.
    """
    if media_type == "image/png":
        with Image.open(path) as fresh:
            fresh.verify()
    elif media_type == "image/jpeg":
        with Image.open(path) as fresh:
            fresh.draft("L", (max(1, fresh.width // 8), max(1, fresh.height // 8)))
            fresh.load()
    else:
        image.load()


def _image_failure(exc: Exception) -> InputRejected:
    text = str(exc)
    lowered = text.lower()
    if isinstance(exc, EOFError) or "truncated" in lowered or "broken data stream" in lowered:
        return _reject(R.TRUNCATED, text, text)
    return _reject(R.CORRUPT, text, text)


def image_dpi(image: Image.Image) -> int | None:
    """The resolution recorded in the image's metadata, or None when absent or absurd."""
    value = image.info.get("dpi")
    try:
        dpi = round(float(value[0])) if value else 0
    except (TypeError, ValueError, IndexError):
        return None
    return dpi if _DPI_RANGE[0] <= dpi <= _DPI_RANGE[1] else None


def _triage_pdf(
    path: Path, max_pixels: int, max_pages: int, min_text_chars: int, render_dpi: int
) -> tuple[tuple[SourcePage, ...], tuple[str, ...]]:
    warnings: list[str] = []
    layers_read = _READER.submit(poppler.read_text_fragments, path)  # pdftotext runs while pikepdf reads
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError as exc:
        raise _reject(R.ENCRYPTED, "cần mật khẩu để mở", "a password is needed to open it") from exc
    except pikepdf.PdfError as exc:
        reason = R.CORRUPT if _has_pdf_end(path) else R.TRUNCATED
        raise _reject(reason, str(exc), str(exc)) from exc
    with pdf:
        count = len(pdf.pages)
        if count == 0:
            raise _reject(R.EMPTY, "PDF không có trang", "the PDF has no pages")
        if count > max_pages:
            raise _reject(R.TOO_MANY_PAGES, f"{count} > {max_pages}", f"{count} > {max_pages}")
        if pdf.is_encrypted:
            # Opens without a password: only an owner password restricts printing/copying. We read
            # it to archive it; the restriction is recorded so a person can check the right to do so.
            warnings.append("encrypted_owner_password_only")
        geometry = [_page_geometry(page, render_dpi, max_pixels) for page in pdf.pages]
        layers = _text_layers(layers_read, count, warnings)
        pages = [_pdf_page(path, index, page, geo, layer, min_text_chars)
                 for index, (page, geo, layer) in enumerate(zip(pdf.pages, geometry, layers, strict=True))]
    return tuple(pages), tuple(warnings)


def _pdf_page(path: Path, index: int, page: pikepdf.Page, geometry: tuple[int, int, int, bool],
              layer: _Layer | None, min_text_chars: int) -> SourcePage:
    """A PDF page with its text layer when usable; born-digital when that text is not over a scan.

    A page drawn without any image is born-digital as soon as it has text (a short last page too);
    a page with an image needs ``min_text_chars`` of text and no page-filling scan. The layer travels
    unparsed to the page's worker (:func:`page_text_layer`) unless pdftotext's output had to be parsed whole.
    """
    width, height, dpi, scanned = geometry
    chars = layer.char_count if layer is not None else 0
    if layer is None or chars == 0 or (chars < min_text_chars and (scanned or _has_images(page))):
        return SourcePage(str(path), index, "pdf", dpi)
    text, pending = None, None
    if isinstance(layer, poppler.PdfTextFragment):
        pending = PendingTextLayer(layer.markup, width, height)
    else:
        text = poppler.text_layer_to_ocr(layer, width_px=width, height_px=height, dpi=dpi)
    # a scan with an OCR text layer (a hybrid): the text is kept, the scan is processed
    return SourcePage(str(path), index, "pdf", dpi, text, born_digital=not scanned, pending_layer=pending)


def page_text_layer(page: SourcePage) -> OcrPage | None:
    """The page's text layer as words in the pixels of its image: parsed here when triage left it
    pending; None when it has none (or its markup cannot be read: the page is then rendered and OCRed)."""
    if page.text_layer is not None or page.pending_layer is None:
        return page.text_layer
    pending = page.pending_layer
    try:
        parsed = poppler.parse_page_markup(pending.markup)
    except (ValueError, SyntaxError):  # ET.ParseError is a SyntaxError
        return None
    if not parsed.words:  # triage saw text on this page: markup without it is not what pdftotext wrote
        return None
    return poppler.text_layer_to_ocr(parsed, width_px=pending.width_px, height_px=pending.height_px,
                                     dpi=page.dpi or DEFAULT_DPI)


def page_draws_images(page: SourcePage) -> bool:
    """Whether a PDF page draws any image (a page drawn as text over a scan does; a page of text alone
    does not); False for an image file or a PDF that cannot be read again."""
    if page.kind != "pdf":
        return False
    try:
        with pikepdf.open(page.source_path) as pdf:
            return _has_images(pdf.pages[page.page_index])
    except (pikepdf.PdfError, OSError, IndexError):
        return False


def _has_images(page: pikepdf.Page) -> bool:
    """Whether the page draws an image (its own XObjects or those of its forms, or an inline image)."""
    try:
        if pikepdf.parse_content_stream(page, "INLINE IMAGE"):
            return True
        pending = [page.obj.get("/Resources")]
        for _ in range(8):
            xobjects = [x for res in pending if isinstance(res, pikepdf.Dictionary)
                        for x in res.get("/XObject", pikepdf.Dictionary()).values()]
            if any(x.get("/Subtype") == pikepdf.Name.Image for x in xobjects):
                return True
            pending = [x.get("/Resources") for x in xobjects if x.get("/Subtype") == pikepdf.Name.Form]
            if not pending:
                return False
    except (pikepdf.PdfError, ValueError, TypeError, AttributeError):
        return True
    return True


def _has_pdf_end(path: Path) -> bool:
    """Whether the file ends like a PDF (``%%EOF`` in its last KiB); a cut-short copy does not."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 1024))
        return b"%%EOF" in handle.read()


def _page_geometry(page: pikepdf.Page, render_dpi: int, max_pixels: int) -> tuple[int, int, int, bool]:
    """Pixel width, height and dpi of the image that :func:`load_page_image` will return, and whether
    the page is a scan (one page-filling image, read at its own resolution; or rendered whole when the page
    paints text or marks over it: a signing tool's stamp written into the page is no born-digital text)."""
    try:
        placed = pdfimage.find_page_image(page)
        width_pt, height_pt = pdfimage.page_size_points(page)
        rotate = int(page.obj.get("/Rotate", 0)) % 180
    except (pikepdf.PdfError, ValueError, TypeError, KeyError) as exc:
        raise _reject(R.CORRUPT, str(exc), str(exc)) from exc
    if placed is not None:
        _check_pixels(placed.width, placed.height, max_pixels)
        return placed.width, placed.height, placed.dpi, True
    if rotate == 90:
        width_pt, height_pt = height_pt, width_pt
    width = math.ceil(width_pt * render_dpi / 72 - 1e-6)
    height = math.ceil(height_pt * render_dpi / 72 - 1e-6)
    _check_pixels(width, height, max_pixels)
    return width, height, render_dpi, pdfimage.covered_by_image(page)


def _text_layers(read: Future[list[poppler.PdfTextFragment] | list[poppler.PdfTextPage]], count: int,
                 warnings: list[str]) -> list[_Layer | None]:
    try:
        layers: list[_Layer | None] = list(read.result())
    except (EngineError, ValueError) as exc:  # ValueError: unparseable XML from a damaged PDF
        warnings.append(f"text_layer_unreadable: {exc}")
        return [None] * count
    return (layers + [None] * count)[:count]


def load_page_image(page: SourcePage, *, render_dpi: int = DEFAULT_DPI) -> tuple[Image.Image, int]:
    """The master image of a page and its dpi (scanned pages at native resolution)."""
    if page.kind == "pdf":
        dpi = page.dpi or render_dpi
        try:
            native = pdfimage.extract_native_image(page.source_path, page.page_index)
        except (pikepdf.PdfError, NotImplementedError, ValueError, OSError):
            native = None  # e.g. JBIG2 without a decoder: fall back to rendering the page
        if native is not None:
            return _normalise_mode(native.image), native.dpi
        return _normalise_mode(poppler.render_page(page.source_path, page.page_index, dpi)), dpi
    return load_image_frame(page.source_path, page.page_index, page.dpi)


def load_image_frame(source: str | BinaryIO, index: int, dpi: int | None) -> tuple[Image.Image, int]:
    """Frame ``index`` of an image file, or of a seekable stream (a stored master read by byte ranges: only the
    frame's directory and pixels are read), upright, in a plain mode, with its dpi."""
    with Image.open(source) as image:
        image.seek(index)
        if image.getexif().get(0x0112, 1) in (0, 1):  # upright already: no transposed copy of the page
            image.load()
            return _normalise_mode(image), dpi or DEFAULT_DPI
        upright = ImageOps.exif_transpose(image)
        upright.load()
        return _normalise_mode(upright), dpi or DEFAULT_DPI


def _normalise_mode(image: Image.Image) -> Image.Image:
    """Bring exotic modes (palette, alpha, 16-bit, CMYK) to 1-bit, grey or RGB."""
    if image.mode in ("1", "L", "RGB"):
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if image.mode.startswith("I;16") or image.mode in ("I", "F"):
        return image.point(lambda v: v / 256).convert("L")
    return image.convert("RGB")


def master_bytes_for_pdf(page: SourcePage, image: Image.Image) -> tuple[bytes, str]:
    """Bytes to embed in the output PDF: the original JPEG when it can be reused as is, else PNG."""
    original = _reusable_jpeg(page, image)
    if original is not None:
        return original, "image/jpeg"
    return png_bytes(image), "image/png"


def png_bytes(image: Image.Image) -> bytes:
    """A page image as the PNG the PDF embeds when its original cannot be reused."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=3)  # 6 is ~2× slower for ~3 % smaller scans
    return buffer.getvalue()


def _reusable_jpeg(page: SourcePage, image: Image.Image) -> bytes | None:
    if page.kind == "pdf":
        try:
            data = pdfimage.native_jpeg(page.source_path, page.page_index)
        except (pikepdf.PdfError, ValueError, OSError):
            return None
    else:
        data = Path(page.source_path).read_bytes()
        if sniff_media_type(data[:16]) != "image/jpeg":
            return None
    if data is None:
        return None
    with Image.open(io.BytesIO(data)) as probe:
        upright = probe.getexif().get(0x0112, 1) in (0, 1)  # EXIF rotation is lost inside a PDF
        if upright and probe.mode in ("RGB", "L") and probe.size == image.size:
            return data
    return None
