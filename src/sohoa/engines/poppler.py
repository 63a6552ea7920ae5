"""Poppler command-line tools: render a PDF page (pdftoppm) and read its text layer (pdftotext)."""

from __future__ import annotations

import html
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from sohoa.domain.errors import EngineError
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.domain.text import nfc
from sohoa.engines._run import run

__all__ = ["PdfTextFragment", "PdfTextPage", "PdfTextWord", "parse_bbox_layout", "parse_page_markup",
           "read_text_fragments", "read_text_layer", "render_page", "text_layer_to_ocr"]

_XHTML = "{http://www.w3.org/1999/xhtml}"
_NUMBER = r'"(-?[0-9.]+)"'
_TOKEN = re.compile(
    rf'<(word) xMin={_NUMBER} yMin={_NUMBER} xMax={_NUMBER} yMax={_NUMBER}>([^<]*)</word>'
    rf'|<(line|block) |<page width={_NUMBER} height={_NUMBER}>')
_WORD_TEXT = re.compile(r'<word xMin="[-0-9.]+" yMin="[-0-9.]+" xMax="[-0-9.]+" yMax="[-0-9.]+">([^<]*)</word>')
_XHTML_WRAP = '<html xmlns="http://www.w3.org/1999/xhtml"><body><doc>{}</doc></body></html>'


@dataclass(frozen=True, slots=True)
class PdfTextWord:
    """A word of a PDF text layer, in PDF points from the top-left of the (rotated) page."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    block: int
    line: int


@dataclass(frozen=True, slots=True)
class PdfTextPage:
    """The text layer of one PDF page as pdftotext sees it."""

    width: float
    height: float
    words: tuple[PdfTextWord, ...]

    @property
    def char_count(self) -> int:
        """Non-space characters: the measure of a usable (born-digital) text layer."""
        return sum(len("".join(w.text.split())) for w in self.words)


def render_page(path: Path | str, page_index: int, dpi: int, *, timeout: float = 300.0) -> Image.Image:
    """Rasterise one page (0-based) in colour at ``dpi`` with pdftoppm."""
    number = str(page_index + 1)
    args = ["pdftoppm", "-r", str(dpi), "-f", number, "-l", number, "-singlefile", str(path)]
    data = run(args, timeout=timeout)
    if not data:
        raise EngineError(
            f"pdftoppm không trả về ảnh cho trang {number}.", f"pdftoppm returned no image for page {number}."
        )
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


@dataclass(frozen=True, slots=True)
class PdfTextFragment:
    """One page of ``pdftotext -bbox-layout`` output, not parsed yet: its markup and its non-space
    character count (:attr:`PdfTextPage.char_count` of the parsed page). Deciding whether a page is
    born-digital needs only the count; the words are parsed where the page is processed (a page worker),
    so the process that reads a whole file never builds a word object."""

    markup: str
    char_count: int

    def parse(self) -> PdfTextPage:
        """The page's words with boxes (:func:`parse_page_markup`)."""
        return parse_page_markup(self.markup)


def parse_page_markup(markup: str) -> PdfTextPage:
    """One page of ``pdftotext -bbox-layout`` markup (:attr:`PdfTextFragment.markup`) read into words with
    boxes (``ValueError`` or ``SyntaxError`` when the markup is not pdftotext's)."""
    pages = _parse_tokens(markup)
    if pages is None:
        root = ET.fromstring(_XHTML_WRAP.format(markup))
        pages = [_parse_page(page) for page in root.iter(f"{_XHTML}page")]
    if len(pages) != 1:
        raise ValueError(f"a text-layer fragment holds {len(pages)} pages")
    return pages[0]


def read_text_layer(path: Path | str, *, timeout: float = 300.0) -> list[PdfTextPage]:
    """Every page's words with boxes, from ``pdftotext -bbox-layout`` (one call for the whole file)."""
    return parse_bbox_layout(_bbox_layout(path, timeout))


def _bbox_layout(path: Path | str, timeout: float) -> bytes:
    return run(["pdftotext", "-bbox-layout", "-enc", "UTF-8", str(path), "-"], timeout=timeout)


def read_text_fragments(path: Path | str, *, timeout: float = 300.0) -> list[PdfTextFragment] | list[PdfTextPage]:
    """Every page's text layer as :class:`PdfTextFragment` (one ``pdftotext`` call for the whole file), or
    — when the output is not in the line-per-element form that can be cut into pages safely — parsed
    pages as :func:`read_text_layer` gives them."""
    data = _bbox_layout(path, timeout)
    text = data.decode("utf-8", errors="replace")
    starts = [m.start() for m in re.finditer(r"<page width=", text)]
    if len(starts) != text.count("<page ") or "<word " in text[:starts[0] if starts else len(text)]:
        return parse_bbox_layout(data)
    fragments = []
    for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
        markup = text[start:end]
        words = _WORD_TEXT.findall(markup)
        if len(words) != markup.count("<word "):
            return parse_bbox_layout(data)
        joined = " ".join(words)  # spaces: no character composes across two words
        joined = nfc(html.unescape(joined) if "&" in joined else joined)
        fragments.append(PdfTextFragment(_close_page(markup), len("".join(joined.split()))))
    return fragments


def _close_page(markup: str) -> str:
    """A page's markup up to its ``</page>`` (what follows the last page: ``</doc>`` and the rest)."""
    end = markup.rfind("</page>")
    return markup[:end + len("</page>")] if end >= 0 else markup


def parse_bbox_layout(data: bytes) -> list[PdfTextPage]:
    """The pages of ``pdftotext -bbox-layout`` output. Poppler writes one element per line in a fixed
    form, read here with one regular expression (several times faster than an XML tree on long files);
    anything else goes through the XML parser."""
    pages = _parse_tokens(data.decode("utf-8", errors="replace"))
    if pages is None:  # not the form expected: the XML parser decides
        root = ET.fromstring(data)
        return [_parse_page(page) for page in root.iter(f"{_XHTML}page")]
    return pages


def _parse_tokens(text: str) -> list[PdfTextPage] | None:
    """The pages of pdftotext's line-per-element output read with one regular expression; None when
    the text is not in that form."""
    pages: list[PdfTextPage] = []
    words: list[PdfTextWord] = []
    size = (0.0, 0.0)
    block_no = line_no = 0
    found = 0
    for match in _TOKEN.finditer(text):
        kind = match.group(1) or match.group(7)
        if kind == "word":
            found += 1
            value = match.group(6)
            word = nfc((html.unescape(value) if "&" in value else value).strip())
            if word:
                x0, y0, x1, y1 = map(float, match.group(2, 3, 4, 5))
                words.append(PdfTextWord(word, x0, y0, x1, y1, block_no - 1, line_no))
        elif kind == "line":
            line_no += 1
        elif kind == "block":
            block_no += 1
        else:  # a page
            if pages or words or size != (0.0, 0.0):
                pages.append(PdfTextPage(*size, tuple(words)))
            size, words, block_no, line_no = (float(match.group(8)), float(match.group(9))), [], 0, 0
    if size != (0.0, 0.0):
        pages.append(PdfTextPage(*size, tuple(words)))
    if found != text.count("<word ") or len(pages) != text.count("<page "):
        return None
    return pages


def _parse_page(page: ET.Element) -> PdfTextPage:
    words: list[PdfTextWord] = []
    line_no = 0
    for block_no, block in enumerate(page.iter(f"{_XHTML}block")):
        for line in block.iter(f"{_XHTML}line"):
            line_no += 1
            for word in line.iter(f"{_XHTML}word"):
                text = nfc((word.text or "").strip())
                if text:
                    x0, y0, x1, y1 = (float(word.attrib[k]) for k in ("xMin", "yMin", "xMax", "yMax"))
                    words.append(PdfTextWord(text, x0, y0, x1, y1, block_no, line_no))
    return PdfTextPage(float(page.attrib["width"]), float(page.attrib["height"]), tuple(words))


def text_layer_to_ocr(page: PdfTextPage, *, width_px: int, height_px: int, dpi: int) -> OcrPage:
    """Convert a text layer to an :class:`OcrPage` in the pixels of an image of the page."""
    sx = width_px / page.width if page.width else 1.0
    sy = height_px / page.height if page.height else 1.0
    words = tuple(
        Word(
            w.text,
            BBox(round(w.x0 * sx), round(w.y0 * sy), round(w.x1 * sx), round(w.y1 * sy)),
            1.0,
            w.block,
            w.line,
        )
        for w in page.words
    )
    return OcrPage(width_px, height_px, dpi, words, source="pdf", engine="pdftotext")
