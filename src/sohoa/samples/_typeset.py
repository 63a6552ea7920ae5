"""Typeset document content on A4 pages at a given DPI: fonts, wrapping, justification, page flow."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from PIL import ImageFont

from sohoa.domain.errors import EngineError
from sohoa.samples._model import BOLD, Line, Para, Run

FONT_DIR = "/usr/share/fonts/truetype/liberation2"
FONT_FILES = {"regular": "LiberationSerif-Regular.ttf", "bold": "LiberationSerif-Bold.ttf",
              "italic": "LiberationSerif-Italic.ttf", "bolditalic": "LiberationSerif-BoldItalic.ttf"}
# Serif families with every precomposed Vietnamese letter, from Debian packages bootstrap.sh installs:
# family -> (folder, files per style, package). Liberation Serif is Times-metric, FreeSerif Times-like.
FAMILIES: dict[str, tuple[str, dict[str, str], str]] = {
    "liberation": (FONT_DIR, FONT_FILES, "fonts-liberation2"),
    "freeserif": ("/usr/share/fonts/truetype/freefont",
                  {"regular": "FreeSerif.ttf", "bold": "FreeSerifBold.ttf", "italic": "FreeSerifItalic.ttf",
                   "bolditalic": "FreeSerifBoldItalic.ttf"}, "fonts-freefont-ttf"),
    "dejavu": ("/usr/share/fonts/truetype/dejavu",
               {"regular": "DejaVuSerif.ttf", "bold": "DejaVuSerif-Bold.ttf", "italic": "DejaVuSerif-Italic.ttf",
                "bolditalic": "DejaVuSerif-BoldItalic.ttf"}, "fonts-dejavu-core"),
}
# Faces wider than Times are set a step smaller (as a typist keeps the national motto on one line).
FAMILY_SCALE: dict[str, float] = {"dejavu": 0.84}
# The family a document is typeset and rendered in (set around both by the generator).
FAMILY: ContextVar[str] = ContextVar("sohoa_samples_family", default="liberation")
A4_MM = (210.0, 297.0)


def font(style: str, px: int) -> ImageFont.FreeTypeFont:
    """The current family's face at a pixel size (BASIC layout: deterministic, no shaping needed for NFC text)."""
    return _font(FAMILY.get(), style, px)


@lru_cache(maxsize=128)
def _font(family: str, style: str, px: int) -> ImageFont.FreeTypeFont:
    folder, files, package = FAMILIES[family]
    path = Path(FONT_DIR if family == "liberation" else folder, files[style])
    if not path.is_file():  # Pillow would silently search other folders for a same-named file
        raise EngineError(f"Thiếu phông chữ {path} (cài gói {package})",
                          f"Font {path} is missing (install {package})")
    size = round(px * FAMILY_SCALE.get(family, 1.0))
    return ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)


def width(text: str, style: str, px: int) -> float:
    return _width(FAMILY.get(), text, style, px)


@lru_cache(maxsize=65536)
def _width(family: str, text: str, style: str, px: int) -> float:
    return float(_font(family, style, px).getlength(text))


@dataclass(frozen=True)
class Geometry:
    """One document's page set-up: DPI, margins (mm), body size (pt) and line spacing."""

    dpi: int
    top: float = 20.0
    bottom: float = 20.0
    left: float = 30.0
    right: float = 15.0
    body_pt: float = 14.0
    spacing: float = 1.2
    landscape: bool = False

    @property
    def paper(self) -> tuple[float, float]:
        """Paper size in mm (A4, turned when ``landscape``)."""
        return (A4_MM[1], A4_MM[0]) if self.landscape else A4_MM

    def px(self, mm: float) -> float:
        return mm * self.dpi / 25.4

    def pt(self, points: float) -> int:
        return round(points * self.dpi / 72)

    @property
    def size(self) -> tuple[int, int]:
        return round(self.px(self.paper[0])), round(self.px(self.paper[1]))

    @property
    def x0(self) -> float:
        return self.px(self.left)

    @property
    def x1(self) -> float:
        return self.px(self.paper[0] - self.right)


@dataclass(frozen=True)
class Text:
    """A piece of text drawn with its left baseline at (x, y)."""

    x: float
    y: float
    text: str
    style: str
    px: int


@dataclass(frozen=True)
class Rule:
    x0: float
    x1: float
    y: float
    thick: float


@dataclass(frozen=True)
class Mark:
    """A non-text drawing: 'signature', 'seal' (box), 'stamp' (framed red text), 'grid' cell edges."""

    kind: str
    box: tuple[float, float, float, float]
    text: str = ""
    px: int = 0


@dataclass
class Page:
    """One laid-out page: drawing operations and ground-truth lines (text, box) in reading order."""

    kind: str  # first, continuation, appendix, separator
    texts: list[Text] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    lines: list[tuple[str, tuple[int, int, int, int]]] = field(default_factory=list)
    landscape: bool = False

    def add_line(self, pieces: list[Text]) -> None:
        """Record drawn pieces as one truth line (joined by single spaces) with its box."""
        if not pieces:
            return
        px = max(p.px for p in pieces)
        right = pieces[-1].x + width(pieces[-1].text, pieces[-1].style, pieces[-1].px)
        box = (int(pieces[0].x), int(pieces[0].y - 0.78 * px), int(right + 1), int(pieces[0].y + 0.24 * px))
        self.texts.extend(pieces)
        self.lines.append((" ".join(p.text for p in pieces), box))

    @property
    def text(self) -> str:
        return "\n".join(text for text, _ in self.lines)


Word = tuple[str, str]  # (text, style)


def words_of(runs: tuple[Run, ...]) -> list[Word]:
    return [(w, run.style) for run in runs for w in run.text.split()]


def wrap(words: list[Word], px: int, first: float, rest: float) -> list[list[Word]]:
    """Greedy line breaking: first line ``first`` px wide, later lines ``rest`` px wide."""
    lines: list[list[Word]] = [[]]
    used = 0.0
    for word in words:
        w = width(word[0], word[1], px)
        limit = first if len(lines) == 1 else rest
        space = width(" ", lines[-1][-1][1], px) if lines[-1] else 0.0
        if lines[-1] and used + space + w > limit:
            lines.append([word])
            used = w
        else:
            lines[-1].append(word)
            used += space + w
    return lines


def place_words(line: list[Word], px: int, x: float, y: float, avail: float, align: str,
                last: bool) -> list[Text]:
    """Position one line's words: justified (not the last line), centred or left-aligned."""
    widths = [width(t, s, px) for t, s in line]
    spaces = [width(" ", s, px) for _, s in line[:-1]]
    natural = sum(widths) + sum(spaces)
    if align == "center":
        x += max(0.0, (avail - natural) / 2)
    extra = (avail - natural) / len(spaces) if align == "justify" and not last and spaces else 0.0
    out = []
    for i, (text, style) in enumerate(line):
        out.append(Text(x, y, text, style, px))
        x += widths[i] + (spaces[i] + extra if i < len(spaces) else 0.0)
    return out


def column_lines(page: Page, lines: list[Line], g: Geometry, x0: float, x1: float, top: float) -> float:
    """Centre (or left-align) header/end-block lines in a column; wraps long ones; returns the bottom y."""
    y = top
    for line in lines:
        px = g.pt(line.size)
        y += g.px(line.gap_before)
        wrapped = wrap([(w, line.style) for w in line.text.split()], px, x1 - x0, x1 - x0)
        for i, words in enumerate(wrapped):
            y += px * 1.18
            pieces = place_words(words, px, x0, y, x1 - x0, line.align, True)
            indent = width("- ", line.style, px) if line.align == "left" and i > 0 else 0.0
            pieces = [Text(p.x + indent, p.y, p.text, p.style, p.px) for p in pieces]
            page.add_line(pieces)
        if line.rule:
            _rule_under(page, line, g, px, y)
    return y + g.px(1.5)


def _rule_under(page: Page, line: Line, g: Geometry, px: int, y: float) -> None:
    last = page.texts[-1]
    start = float(page.lines[-1][1][0])
    end = last.x + width(last.text, last.style, last.px)
    span = end - start
    if line.rule == "short":
        start, end = start + span / 3, end - span / 3
    page.rules.append(Rule(start, end, y + 0.42 * px, max(1.0, g.px(0.25))))


def para_lines(p: Para, g: Geometry) -> tuple[int, list[list[Word]], float, float]:
    """Wrap a paragraph: (px, lines, x offset of the first line, x offset of the others)."""
    px = g.pt(p.size if p.size is not None else g.body_pt)
    avail = g.x1 - g.x0 - g.px(p.inset)
    indent = g.px(12.7) if p.indent and p.align == "justify" else 0.0
    return px, wrap(words_of(p.runs), px, avail - indent, avail), g.px(p.inset) + indent, g.px(p.inset)


def is_heading(p: Para) -> bool:
    return all(r.style == BOLD for r in p.runs)
