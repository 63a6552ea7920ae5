"""Parsed real document texts (``_texts_parse``) typeset as born-digital A4 PDFs with reportlab, for
``_accuracy_texts``.

:func:`typeset` lays the parts out as NĐ 30 prints them: two header columns (organ, rule, number, V/v |
motto, rule, place and date in italics), the title and subject centred in bold (the subject in lower case as
NĐ 30 prescribes, not in the web page's capitals: :func:`sentence_case`), the body left-aligned with the
web's broken lines rejoined into paragraphs, 'Nơi nhận' bottom left and the signature block on the right,
kept together on one page. The body size (13/14 pt) and the face (Liberation Serif or DejaVu Serif) are
drawn per document from a seeded generator.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from _texts_parse import VV, Parsed

FONTS = Path("/usr/share/fonts/truetype")
FACES = {"liberation": ("liberation2/LiberationSerif-Regular.ttf", "liberation2/LiberationSerif-Bold.ttf",
                        "liberation2/LiberationSerif-Italic.ttf"),
         "dejavu": ("dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf", "dejavu/DejaVuSerif-Italic.ttf")}
_PLACES = ("TỈNH ", "THÀNH PHỐ ", "XÃ ", "PHƯỜNG ", "HUYỆN ", "QUẬN ", "ĐẶC KHU ")

_ABBREVIATIONS = {"UBND", "HĐND", "THPT", "THCS", "TMS", "CSDL", "ODA", "TW", "TTHC", "BHXH", "BHYT", "GTGT",
                  "TNCN", "TNDN", "HQ", "CNTT", "PCCC", "XIV", "XV", "III", "IV"}
_CONNECTIVES = {"VÀ", "VỀ", "CỦA", "TRÊN", "TẠI", "THEO", "GIAI", "NĂM", "ĐẾN", "THUỘC", "CHO", "TRONG", "ĐỐI",
                "KHU", "VỰC", "LĨNH", "CẤP", "BAN", "DO", "ĐỂ", "NHẰM", "TỪ"}


def sentence_case(text: str) -> str:
    """A subject as NĐ 30 prints it (lower case, not the web's capitals): the first letter capital, signs,
    numbers and abbreviations kept ('10/2016/QĐ-UBND', 'UBND'), place names after 'tỉnh'/'thành phố' in
    title case ('tỉnh Quảng Nam'), the formula 'V/v' as written."""
    out: list[str] = []
    place = False
    for word in text.split():
        bare = word.strip(",.;:()“”\"'")
        if re.search(r"[\d/]", word) or bare in _ABBREVIATIONS:
            out.append("V/v" if VV.match(word) and len(bare) <= 3 else word)
            place = False
            continue
        if place and bare and bare not in _CONNECTIVES and not (out and out[-1].istitle() and bare == "PHỐ"):
            out.append(word[:1] + word[1:].lower())
        else:
            out.append(word.lower())
        place = (bare in ("TỈNH", "PHỐ", "XÃ", "PHƯỜNG", "HUYỆN", "QUẬN") and not word.endswith(",")) or (
            place and bare not in _CONNECTIVES and not word.endswith((",", ")")))
    joined = re.sub(r"\bviệt nam\b", "Việt Nam", " ".join(out))
    return joined[:1].upper() + joined[1:]


def _register(face: str) -> tuple[str, str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    names = (f"{face}-R", f"{face}-B", f"{face}-I")
    for name, file in zip(names, FACES[face], strict=True):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(FONTS / file)))
    return names


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    for word in text.split():
        if lines and stringWidth(f"{lines[-1]} {word}", font, size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _organ_lines(unit: str, font: str, size: float, width: float) -> list[str]:
    """An organ name on as few lines as fit, broken as NĐ 30 headers break it: before the place ('ỦY BAN
    NHÂN DÂN' / 'TỈNH CAO BẰNG') when that fits, else at the most even break."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    words = unit.split()
    if stringWidth(unit, font, size) <= width or len(words) < 2:
        return [unit]
    cuts = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    fit = [c for c in cuts if max(stringWidth(c[0], font, size), stringWidth(c[1], font, size)) <= width]
    place = [c for c in fit if c[1].startswith(_PLACES)]
    if place or fit:
        return list((place or sorted(fit, key=lambda c: abs(len(c[0]) - len(c[1]))))[0])
    return _wrap(unit, font, size, width)


def faces() -> list[str]:
    """The faces whose three fonts are installed."""
    return [f for f, files in FACES.items() if all((FONTS / n).exists() for n in files)]


def blank_out(line: str, pattern: re.Pattern[str]) -> tuple[str, str, int, int] | None:
    """``line`` with the digits ``pattern`` captures replaced by a blank of spaces, as a printed form leaves
    them to be written in: (the line, the digits, the blank's start and end in the new line)."""
    match = pattern.search(line)
    if match is None:
        return None
    blank = " " * max(8, 4 * len(match.group(1)))
    start = match.start(1)
    return line[:start] + blank + line[match.end(1):], match.group(1), start, start + len(blank)


NUMBER_DIGITS = re.compile(r"^Số:\s*(\d{1,6})(?=\s*[/-])")
DAY_DIGITS = re.compile(r"ngày\s+(\d{1,2})\s+tháng")


def typeset(doc: Parsed, path: Path, seed: int, max_pages: int = 5, blanks: bool = False) -> dict[str, object]:
    """``doc`` as an A4 born-digital PDF at ``path``; the body beyond ``max_pages`` - 1 pages and appendices
    beyond one page are left out (to bound OCR time). Returns the layout drawn (face, size, pages). With
    ``blanks`` the number and the day are left blank on the form (:func:`blank_out`), and ``blanks`` in the
    layout says where, for a pen to fill them in: per slot the digits and (x0, x1, baseline, size) in points
    from the page's bottom left."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    rng = random.Random(seed)
    face = rng.choice(faces())
    size = rng.choice((13.0, 14.0))
    regular, bold, italic = _register(face)
    width, height = A4
    left, right, top, bottom = 85.0, width - 57.0, height - 57.0, 57.0
    text_width = right - left
    page = canvas.Canvas(str(path), pagesize=A4)
    page.setTitle("")
    state = {"pages": 1, "y": top}

    def new_page() -> None:
        page.showPage()
        state["pages"] += 1
        state["y"] = top
        page.setFont(regular, 13)
        page.drawCentredString((left + right) / 2, height - 35, str(state["pages"]))

    filled: dict[str, tuple[str, float, float, float, float]] = {}

    def form(name: str, text: str, pattern: re.Pattern[str], font: str, fsize: float, x: float, y: float,
             col: float) -> float:
        """``text`` centred as :func:`centred` sets it, its slot left blank when it fits one line; the blank is
        noted in ``filled``."""
        cut = blank_out(text, pattern) if blanks else None
        if cut is None or stringWidth(cut[0], font, fsize) > col:
            return centred(text, font, fsize, x, y, col)
        line, digits, start, end = cut
        x0 = x - stringWidth(line, font, fsize) / 2
        filled[name] = (digits, x0 + stringWidth(line[:start], font, fsize),
                        x0 + stringWidth(line[:end], font, fsize), y, fsize)
        page.setFont(font, fsize)
        page.drawString(x0, y, line)
        return y - fsize * 1.2

    def centred(text: str, font: str, fsize: float, x: float, y: float, col: float) -> float:
        for line in _wrap(text, font, fsize, col):
            page.setFont(font, fsize)
            page.drawCentredString(x, y, line)
            y -= fsize * 1.2
        return y

    # Header: left column (organ, rule, number, V/v), right column (motto, rule, place and date).
    col = text_width * 0.42
    lx, rx = left + col / 2 - 15, left + col + (text_width - col) / 2
    y = top
    for number, unit in enumerate(doc.organ):
        font = bold if number == len(doc.organ) - 1 else regular
        for line in _organ_lines(unit, font, 12.5, col + 10):
            y = centred(line, font, 12.5, lx, y, col)
    page.line(lx - 30, y + 8, lx + 30, y + 8)
    number_y = y - 12
    y = form("number", doc.number, NUMBER_DIGITS, regular, 13, lx, number_y, col)
    if doc.vv:
        y = centred(doc.vv, regular, 11.5, lx, y - 2, col)
    motto = 12.0
    while stringWidth("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold, motto) > text_width - col:
        motto -= 0.5
    ry = centred("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold, motto, rx, top, text_width - col) - 1
    ry = centred("Độc lập - Tự do - Hạnh phúc", bold, 13, rx, ry, text_width - col)
    page.line(rx - 75, ry + 8, rx + 75, ry + 8)
    dated = 13.0  # the place and date on one line where a slightly smaller size allows it
    while dated > 11.5 and stringWidth(doc.place_date, italic, dated) > text_width - col:
        dated -= 0.5
    dated_y = min(ry - 12, number_y)
    ry = form("day", doc.place_date, DAY_DIGITS, italic, dated, rx, dated_y, text_width - col)
    y = min(y, ry) - 20
    if doc.title:
        y = centred(doc.title, bold, 14, (left + right) / 2, y, text_width) - 2
    if doc.subject:
        y = centred(sentence_case(" ".join(doc.subject)), bold, 14, (left + right) / 2, y, text_width * 0.8)
        page.line((left + right) / 2 - 40, y + 6, (left + right) / 2 + 40, y + 6)
        y -= 16
    for line in doc.authority:
        y = centred(line, bold, 14, (left + right) / 2, y, text_width) - 4
    state["y"] = y - 6
    lead = size * 1.3

    def paragraph(text: str, fsize: float, indent: float = 28.0, last: int = max_pages - 1) -> bool:
        lines = _wrap(text, regular, fsize, text_width - indent)
        for n, line in enumerate(lines):
            if state["y"] < bottom + lead:
                if state["pages"] >= last:
                    return False
                new_page()
            page.setFont(regular, fsize)
            page.drawString(left + (indent if n == 0 else 0), state["y"], line)
            state["y"] -= fsize * 1.3
        state["y"] -= 4
        return True

    for text in doc.body:
        if not paragraph(text, size):
            break
    # Nơi nhận (left) and signature (right), kept together.
    small = 11.0
    rec_col, sig_col = text_width * 0.48, text_width * 0.5
    rec_lines = [(bold if n == 0 else regular, line) for n, item in enumerate(doc.recipients)
                 for line in _wrap(item, bold if n == 0 else regular, small, rec_col)]
    sig_lines = [line for p in doc.positions for line in _wrap(p, bold, 13, sig_col)]
    need = max(len(rec_lines) * small * 1.2, len(sig_lines) * 16 + 60 + 16) + 20
    if state["y"] - need < bottom:
        new_page()
    y = state["y"] - 12
    sx = left + text_width * 0.72
    ry = y
    for font, line in rec_lines:
        page.setFont(italic if font == bold else regular, 12 if font == bold else small)
        page.drawString(left, ry, line)
        ry -= small * 1.2
    for line in sig_lines:
        page.setFont(bold, 13)
        page.drawCentredString(sx, y, line)
        y -= 16
    page.setFont(bold, 13)
    page.drawCentredString(sx, y - 60, doc.name)
    if doc.appendix:
        new_page()
        state["y"] = top
        for text in doc.appendix:
            if not paragraph(text, 12.0, 0.0, state["pages"]):
                break
    page.save()
    return {"face": face, "size": size, "pages": state["pages"], "blanks": filled}
