"""Test helper: lay out text lines as Tesseract-like words with boxes on an A4 page at 300 dpi."""

from __future__ import annotations

from dataclasses import dataclass, field

from sohoa.domain.ocr import BBox, OcrPage, Word

WIDTH, HEIGHT, DPI = 2480, 3508, 300
H = 46  # word height in pixels (13 pt at 300 dpi)
LEFT_CENTRE, RIGHT_CENTRE, MARGIN = 0.27 * WIDTH, 0.68 * WIDTH, 350


def _token_width(token: str) -> int:
    return int(len(token) * 0.52 * H)


def _width(text: str) -> int:
    """Exact width of the laid-out words, so centred lines are really centred."""
    tokens = text.split()
    return sum(_token_width(t) for t in tokens) + int(0.3 * H) * max(0, len(tokens) - 1)


@dataclass
class PageBuilder:
    """Add lines by position; ``row`` puts a left and a right column into ONE Tesseract line."""

    words: list[Word] = field(default_factory=list)
    block: int = 0
    conf: float = 0.95
    low: dict[str, float] = field(default_factory=dict)  # word → confidence override

    def _place(self, text: str, x0: float, y: float, line: int) -> None:
        x = int(x0)
        for token in text.split():
            w = _token_width(token)
            self.words.append(
                Word(
                    token,
                    BBox(x, int(y), x + w, int(y) + H),
                    self.low.get(token, self.conf),
                    self.block,
                    line,
                )
            )
            x += w + int(0.3 * H)

    def _new_line(self) -> int:
        self.block += 1
        return 0

    def at(self, x0: float, y: float, text: str) -> PageBuilder:
        self._place(text, x0, y, self._new_line())
        return self

    def centre(self, y: float, text: str, cx: float = WIDTH * 0.55) -> PageBuilder:
        return self.at(cx - _width(text) / 2, y, text)

    def left(self, y: float, text: str) -> PageBuilder:
        return self.centre(y, text, LEFT_CENTRE)

    def right(self, y: float, text: str) -> PageBuilder:
        return self.centre(y, text, RIGHT_CENTRE)

    def body(self, y: float, text: str) -> PageBuilder:
        return self.at(MARGIN, y, text)

    def row(self, y: float, left: str, right: str) -> PageBuilder:
        """Both header columns as one Tesseract line, as Tesseract really reads them."""
        line = self._new_line()
        self._place(left, LEFT_CENTRE - _width(left) / 2, y, line)
        self._place(right, RIGHT_CENTRE - _width(right) / 2, y, line)
        return self

    def page(self) -> OcrPage:
        return OcrPage(WIDTH, HEIGHT, DPI, tuple(self.words), engine="test")


def first_page(
    *,
    organ: tuple[str, ...] = ("ỦY BAN NHÂN DÂN", "PHƯỜNG PHÚC ĐỒNG"),
    number: str = "Số: 162/QĐ-UBND",
    date_line: str = "Phúc Đồng, ngày 05 tháng 6 năm 2025",
    title: str | None = "QUYẾT ĐỊNH",
    subject: tuple[str, ...] = ("Về việc ban hành Quy chế làm việc",),
    body: tuple[str, ...] = (
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
        "Căn cứ Quyết định số 15/QĐ-UBND ngày 12 tháng 3 năm 2024 của Ủy ban nhân dân;",
    ),
    builder: PageBuilder | None = None,
) -> PageBuilder:
    """A NĐ 30 first page: organ lines and motto share Tesseract lines, then Số/date, title, body."""
    pb = builder or PageBuilder()
    motto = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
    y = 200
    for i in range(max(len(organ), 2)):
        left = organ[i] if i < len(organ) else ""
        right = motto[i] if i < 2 else ""
        if left and right:
            pb.row(y, left, right)
        elif left:
            pb.left(y, left)
        elif right:
            pb.right(y, right)
        y += 60
    pb.row(y + 60, number, date_line)
    y += 220
    if title:
        pb.centre(y, title)
        y += 60
        for line in subject:
            pb.centre(y, line)
            y += 60
    y += 100
    for line in body:
        pb.body(y, line)
        y += 60
    return pb


def signer_page(
    lines: tuple[str, ...], name: str, builder: PageBuilder | None = None, y: float = 2400
) -> PageBuilder:
    """A last page with 'Nơi nhận' on the left and the signer block on the right."""
    pb = builder or PageBuilder()
    pb.body(y - 300, "Quyết định này có hiệu lực kể từ ngày ký ban hành và được áp dụng.")
    pb.row(y, "Nơi nhận:", lines[0])
    for i, line in enumerate(lines[1:], 1):
        pb.row(y + 60 * i, f"- Như Điều {i + 2};", line)
    pb.at(400, y + 60 * len(lines), "- Lưu: VT.")
    pb.right(y + 60 * len(lines) + 300, name)
    return pb
