"""Lay out a document's content into pages: NĐ 30 header, title, flowing body, end block, appendix table."""

from __future__ import annotations

from sohoa.samples._model import BOLD, Content, EndBlock, Line, Para, Table
from sohoa.samples._typeset import (
    Geometry,
    Mark,
    Page,
    Rule,
    Text,
    column_lines,
    is_heading,
    para_lines,
    place_words,
    width,
    wrap,
)

SEAL_DIAMETER_MM = 35.0


class Flow:
    """A cursor running down pages; opens a numbered continuation page when the current one is full."""

    def __init__(self, g: Geometry, first: Page) -> None:
        self.g = g
        self.pages = [first]
        self.y = g.px(g.top)
        self.bottom = g.size[1] - g.px(g.bottom)

    @property
    def page(self) -> Page:
        return self.pages[-1]

    def new_page(self, kind: str = "continuation") -> None:
        page = Page(kind, landscape=self.g.landscape)
        if kind == "continuation":
            number = str(sum(1 for p in self.pages if p.kind != "appendix") + 1)
            px = self.g.pt(13)
            x = (self.g.x0 + self.g.x1 - width(number, "regular", px)) / 2
            page.add_line([Text(x, self.g.px(self.g.top) * 0.6, number, "regular", px)])
        self.pages.append(page)
        self.y = self.g.px(self.g.top)

    def need(self, height: float) -> None:
        if self.y + height > self.bottom:
            self.new_page()


def _paragraph(flow: Flow, p: Para) -> None:
    g = flow.g
    px, lines, first_x, rest_x = para_lines(p, g)
    pitch = px * g.spacing
    flow.y += g.px(p.space_before * 25.4 / 72)
    if is_heading(p) and p.align == "justify":
        flow.need(pitch * 3)  # keep a heading with the start of what follows
    for i, words in enumerate(lines):
        flow.need(pitch)
        flow.y += pitch
        x = g.x0 + (first_x if i == 0 else rest_x)
        avail = g.x1 - x
        flow.page.add_line(place_words(words, px, x, flow.y - 0.22 * px, avail, p.align, i == len(lines) - 1))
    if p.rule_after:
        centre, half = (g.x0 + g.x1) / 2, g.px(20)
        flow.page.rules.append(Rule(centre - half, centre + half, flow.y + 0.3 * px, max(1.0, g.px(0.25))))
        flow.y += 0.3 * px + g.px(1.5)


def _header(flow: Flow, c: Content) -> None:
    g, page = flow.g, flow.page
    split = g.x0 + (g.x1 - g.x0) * 0.40
    top = g.px(g.top)
    left_bottom = column_lines(page, c.left, g, g.x0 - g.px(8), split, top)
    for stamp in c.stamps:
        px = g.pt(13)
        w = width(stamp.text, BOLD, px) + g.px(6)
        cx = (g.x0 - g.px(8) + split) / 2
        box = (cx - w / 2, left_bottom + g.px(2), cx + w / 2, left_bottom + g.px(2) + g.px(8))
        page.marks.append(Mark("stamp", box, stamp.text, px))
        page.lines.append((stamp.text, tuple(int(v) for v in box)))  # type: ignore[arg-type]
        left_bottom = box[3] + g.px(1)
    right_bottom = column_lines(page, c.right, g, split + g.px(4), g.x1 + g.px(4), top)
    flow.y = max(left_bottom, right_bottom)


def _column(page: Page, lines: tuple[Line, ...], g: Geometry, x0: float, x1: float, top: float,
            signed: bool, seal: str, seal_over_name: bool = False) -> float:
    """An end-block column; when ``signed`` the gap above the last line gets a signature (and seal);
    ``seal_over_name`` moves the seal down over the signer's name (a 'seal_over' mark, always drawn)."""
    if not signed:
        return column_lines(page, list(lines), g, x0, x1, top)
    y = column_lines(page, list(lines[:-1]), g, x0, x1, top)
    gap = g.px(lines[-1].gap_before)
    cx = (x0 + x1) / 2
    box = (cx - g.px(22), y, cx + g.px(22), y + gap)
    page.marks.append(Mark("signature", box))
    if seal and seal_over_name:
        r = g.px(SEAL_DIAMETER_MM) / 2
        sx, sy = cx - g.px(12), box[3] + g.px(2)
        page.marks.append(Mark("seal_over", (sx - r, sy - r, sx + r, sy + r), seal))
    elif seal:
        r = g.px(SEAL_DIAMETER_MM) / 2
        sx, sy = box[0] + g.px(4), (box[1] + box[3]) / 2
        page.marks.append(Mark("seal", (sx - r, sy - r, sx + r, sy + r), seal))
    return column_lines(page, [lines[-1]], g, x0, x1, y)


def _end(flow: Flow, end: EndBlock, seal: str, seal_over_name: bool = False) -> None:
    g = flow.g
    mid = g.x0 + (g.x1 - g.x0) * 0.48
    scratch = Page("scratch")
    height = max(_column(scratch, end.left, g, 0, mid - g.x0, 0, end.signature_left, ""),
                 _column(scratch, end.right, g, 0, g.x1 - mid, 0, True, ""))
    flow.y += g.px(4)
    flow.need(height)
    top = flow.y
    left_x1 = mid if end.signature_left else mid - g.px(4)
    bottom_left = _column(flow.page, end.left, g, g.x0, left_x1, top, end.signature_left, "")
    bottom_right = _column(flow.page, end.right, g, mid, g.x1, top, True, seal, seal_over_name)
    flow.y = max(bottom_left, bottom_right)


def _row(flow: Flow, cells: tuple[str, ...], edges: list[float], style: str) -> bool:
    """One table row with grid; False (nothing drawn) when it does not fit on the page."""
    g = flow.g
    px, pad = g.pt(12), g.px(1.5)
    wrapped = [wrap([(w, style) for w in cell.split()], px, edges[i + 1] - edges[i] - 2 * pad,
                    edges[i + 1] - edges[i] - 2 * pad) for i, cell in enumerate(cells)]
    pitch = px * 1.2
    height = max(len(w) for w in wrapped) * pitch + 2 * pad
    if flow.y + height > flow.bottom:
        return False
    for j in range(max(len(w) for w in wrapped)):
        pieces: list[Text] = []
        for i, lines in enumerate(wrapped):
            if j < len(lines):
                align = "center" if i == 0 or style == BOLD else "left"
                x0, avail = edges[i] + pad, edges[i + 1] - edges[i] - 2 * pad
                pieces += place_words(lines[j], px, x0, flow.y + pad + (j + 0.8) * pitch, avail, align, True)
        flow.page.add_line(pieces)
    thick = max(1.0, g.px(0.2))
    flow.page.rules.append(Rule(edges[0], edges[-1], flow.y + height, thick))
    for x in edges:
        flow.page.marks.append(Mark("vline", (x, flow.y, x + thick, flow.y + height)))
    flow.y += height
    return True


def _table(flow: Flow, table: Table) -> None:
    g = flow.g
    flow.y += g.px(4)
    edges = [g.x0]
    for fraction in table.widths:
        edges.append(edges[-1] + fraction * (g.x1 - g.x0))
    flow.page.rules.append(Rule(edges[0], edges[-1], flow.y, max(1.0, g.px(0.2))))
    _row(flow, table.header, edges, BOLD)
    for row in table.rows:
        if not _row(flow, row, edges, "regular"):
            break


def layout(c: Content, items: int, g: Geometry) -> list[Page]:
    """All pages of one document (appendix last) for ``items`` body items."""
    flow = Flow(g, Page("first", landscape=g.landscape))
    _header(flow, c)
    for p in c.title + c.body(items):
        _paragraph(flow, p)
    _end(flow, c.end, c.seal_text, c.seal_over_name)
    if c.appendix is not None:
        flow.new_page("appendix")
        for p in c.appendix.heading:
            _paragraph(flow, p)
        _table(flow, c.appendix.table)
    return flow.pages


def fit(c: Content, g: Geometry, target: int) -> tuple[int, list[Page]]:
    """The most body items that keep the main text within ``target`` pages, and its layout."""
    best = (0, layout(c, 0, g))
    for items in range(1, c.max_items() + 1):
        pages = layout(c, items, g)
        if sum(1 for p in pages if p.kind != "appendix") > target:
            break
        best = (items, pages)
    return best
