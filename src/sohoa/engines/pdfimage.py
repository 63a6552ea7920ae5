"""Find and extract the single full-page image of a scanned PDF page at its native resolution (pikepdf)."""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from PIL import Image

__all__ = [
    "NativeImage",
    "PlacedImage",
    "covered_by_image",
    "extract_native_image",
    "find_page_image",
    "native_jpeg",
    "page_size_points",
]

Matrix = tuple[float, ...]

# Operators that neither paint nor change what is visible, plus text shown in mode 3 (invisible, as in
# OCR'd scans): a page made only of these and one image covering the page is a scan.
_HARMLESS = {
    "q", "Q", "cm", "gs", "w", "J", "j", "M", "d", "ri", "i", "CS", "cs", "SC", "SCN", "sc", "scn",
    "G", "g", "RG", "rg", "K", "k", "BT", "ET", "Tf", "Td", "TD", "Tm", "T*", "Tr", "Tz", "Tc", "Tw",
    "TL", "Ts", "BX", "EX", "MP", "DP", "BMC", "BDC", "EMC", "re", "W", "W*", "n",
}  # fmt: skip
_TEXT_SHOW = {"Tj", "TJ", "'", '"'}
_COVERAGE = 0.97  # the image must cover this share of the page in each direction
_COVERED_SHARE = 0.9  # images covering this share of a page's area make it a scan (:func:`covered_by_image`)
_GRID = 64  # cells per side of the grid the images' union is measured on


@dataclass(frozen=True)
class NativeImage:
    """A page's only image, decoded; ``jpeg`` holds its untouched bytes when embeddable as they are."""

    image: Image.Image
    dpi: int
    jpeg: bytes | None


def page_size_points(page: pikepdf.Page) -> tuple[float, float]:
    """Width and height of the page's visible area (CropBox if present, else MediaBox) in points."""
    box = [float(v) for v in page.cropbox]
    return abs(box[2] - box[0]), abs(box[3] - box[1])


@dataclass(frozen=True)
class PlacedImage:
    """The one image a scanned page shows: its XObject name, pixel size and resolution (not decoded)."""

    name: str
    width: int
    height: int
    dpi: int


def find_page_image(page: pikepdf.Page) -> PlacedImage | None:
    """The page's full-page image, or None if the page is more than one image (or is rotated)."""
    if int(page.obj.get("/Rotate", 0)) % 360 != 0:
        return None  # a rotated page is rasterised so the pixels match what a viewer shows
    found = _single_image(page)
    if found is None:
        return None
    name, width_pt = found
    xobject = _stream(page, name)
    width, height = int(xobject.get("/Width", 0)), int(xobject.get("/Height", 0))
    if width <= 0 or height <= 0:
        return None
    return PlacedImage(name, width, height, max(1, round(width / (width_pt / 72.0))))


@contextmanager
def _full_page_image(path: Path | str, page_index: int) -> Iterator[tuple[pikepdf.Stream, int] | None]:
    """The page's full-page image XObject and its dpi, while the PDF is open (None if it has none)."""
    with pikepdf.open(path) as pdf:
        page = pdf.pages[page_index]
        placed = find_page_image(page)
        yield None if placed is None else (_stream(page, placed.name), placed.dpi)


def extract_native_image(path: Path | str, page_index: int) -> NativeImage | None:
    """Decode the page's full-page image at its own resolution, or None if it has none."""
    with _full_page_image(path, page_index) as found:
        if found is None:
            return None
        xobject, dpi = found
        pdf_image = pikepdf.PdfImage(xobject)
        return NativeImage(pdf_image.as_pil_image(), dpi, _plain_jpeg(xobject, pdf_image))


def native_jpeg(path: Path | str, page_index: int) -> bytes | None:
    """The untouched JPEG bytes of the page's full-page image, if it has one that can be reused."""
    with _full_page_image(path, page_index) as found:
        return None if found is None else _plain_jpeg(found[0], pikepdf.PdfImage(found[0]))


def _single_image(page: pikepdf.Page) -> tuple[str, float] | None:
    """(XObject name, placed width in points) if the page shows exactly one image covering it."""
    placed, painted = _placements(page)
    if painted or len(placed) != 1:
        return None
    name, matrix = placed[0]
    return (name, matrix[0]) if _covers(page, matrix) else None


def covered_by_image(page: pikepdf.Page) -> bool:
    """Whether images cover the page (:data:`_COVERED_SHARE` of its area) whatever else it paints over
    them: a scan with text or marks drawn on it (a signing tool's stamp written into the page, a typed
    number), a scan cut into strips or layered (MRC), a scan wrapped in a form XObject by a tool that
    re-saved the file. Such a page is no born-digital page though :func:`find_page_image` takes only a
    plain scan (one image alone) for one."""
    x0, y0, x1, y1 = (float(v) for v in page.cropbox)
    width, height = abs(x1 - x0), abs(y1 - y0)
    if width <= 0 or height <= 0:
        return False
    try:
        rects = list(_image_rects(page.obj, page.obj.get("/Resources"), (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), 0))
    except (pikepdf.PdfError, TypeError, ValueError, KeyError, AttributeError):
        return False
    grid = [bytearray(_GRID) for _ in range(_GRID)]  # cells whose centre an image covers

    def cells(low: float, high: float, origin: float, size: float) -> range:
        return range(max(0, math.ceil((low - origin) / size * _GRID - 0.5)),
                     min(_GRID, math.floor((high - origin) / size * _GRID - 0.5) + 1))

    for left, bottom, right, top in rects:
        columns = cells(left, right, min(x0, x1), width)
        for row in cells(bottom, top, min(y0, y1), height):
            grid[row][columns.start:columns.stop] = b"\x01" * len(columns)
    return sum(sum(row) for row in grid) >= _COVERED_SHARE * _GRID * _GRID


def _image_rects(content: pikepdf.Object, resources: pikepdf.Object | None, ctm: Matrix,
                 depth: int) -> Iterator[tuple[float, float, float, float]]:
    """The boxes (left, bottom, right, top, in the page's space) of the images a content stream draws,
    those of the form XObjects it draws included (a few levels deep)."""
    xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
    stack: list[Matrix] = []
    if not isinstance(xobjects, pikepdf.Dictionary) or not len(xobjects):
        return  # draws no image nor form (inline images are left out: a scan is not one)
    for instruction in pikepdf.parse_content_stream(content, "q Q cm Do"):  # only these, parsed in C++
        operands, op = instruction.operands, str(instruction.operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q" and stack:
            ctm = stack.pop()
        elif op == "cm":
            ctm = _multiply(tuple(float(v) for v in operands), ctm)
        elif op == "Do" and str(operands[0]) in xobjects:
            xobject = xobjects[str(operands[0])]
            kind = xobject.get("/Subtype")
            if kind == "/Image":
                a, b, c, d, e, f = ctm
                xs, ys = (e, a + e, c + e, a + c + e), (f, b + f, d + f, b + d + f)
                yield min(xs), min(ys), max(xs), max(ys)
            elif kind == "/Form" and depth < 4:
                matrix = tuple(float(v) for v in xobject.get("/Matrix", (1, 0, 0, 1, 0, 0)))
                yield from _image_rects(xobject, xobject.get("/Resources", resources), _multiply(matrix, ctm),
                                        depth + 1)


def _placements(page: pikepdf.Page) -> tuple[list[tuple[str, Matrix]], bool]:
    """The page's image XObjects drawn and their matrices, up to the first operator that paints anything
    else (visible text, paths, an inline image), and whether there was one."""
    images = _image_names(page)
    ctm: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    stack: list[tuple[Matrix, int]] = []
    render_mode = 0
    placed: list[tuple[str, Matrix]] = []
    painted = False
    for instruction in pikepdf.parse_content_stream(page):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            painted = True
        else:
            operands, op = instruction.operands, str(instruction.operator)
            if op == "q":
                stack.append((ctm, render_mode))
            elif op == "Q" and stack:
                ctm, render_mode = stack.pop()
            elif op == "cm":
                ctm = _multiply(tuple(float(v) for v in operands), ctm)
            elif op == "Tr":
                render_mode = int(operands[0])
            elif op == "Do" and str(operands[0]) in images:
                placed.append((str(operands[0]), ctm))
            elif not (op in _TEXT_SHOW and render_mode == 3) and op not in _HARMLESS:
                painted = True
        if painted:
            break
    return placed, painted


def _covers(page: pikepdf.Page, matrix: Matrix) -> bool:
    """Whether an image placed by ``matrix`` (upright) covers the page's visible area."""
    a, b, c, d, e, f = matrix
    x0, y0, x1, y1 = (float(v) for v in page.cropbox)
    width, height = abs(x1 - x0), abs(y1 - y0)
    slack_x, slack_y = width * (1 - _COVERAGE), height * (1 - _COVERAGE)
    if abs(b) > 1e-6 or abs(c) > 1e-6 or a <= 0 or d <= 0:
        return False
    if a < width - slack_x or d < height - slack_y:
        return False
    return abs(e - min(x0, x1)) <= slack_x and abs(f - min(y0, y1)) <= slack_y


def _stream(page: pikepdf.Page, name: str) -> pikepdf.Stream:
    xobject = page.resources.XObject[name]
    if not isinstance(xobject, pikepdf.Stream):
        raise ValueError(f"XObject {name} is not a stream")
    return xobject


def _image_names(page: pikepdf.Page) -> set[str]:
    xobjects = page.resources.get("/XObject")
    if not isinstance(xobjects, pikepdf.Dictionary):
        return set()
    return {str(k) for k, v in xobjects.items() if v.get("/Subtype") == "/Image"}


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m × n for PDF matrices [a b c d e f]."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2, a * b2 + b * d2,
        c * a2 + d * c2, c * b2 + d * d2,
        e * a2 + f * c2 + e2, e * b2 + f * d2 + f2,
    )  # fmt: skip


def _plain_jpeg(xobject: pikepdf.Stream, pdf_image: pikepdf.PdfImage) -> bytes | None:
    """The raw JPEG stream if it can be embedded again as it is (RGB or grey, no mask, no decode)."""
    if pdf_image.filters != ["/DCTDecode"] or "/SMask" in xobject or "/Mask" in xobject:
        return None
    if "/Decode" in xobject or str(xobject.get("/ColorSpace")) not in ("/DeviceRGB", "/DeviceGray"):
        return None
    data = bytes(xobject.read_raw_bytes())
    with Image.open(io.BytesIO(data)) as probe:
        return data if probe.mode in ("RGB", "L") else None
