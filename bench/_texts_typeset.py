"""Real document texts (plain text whose line breaks come from a web page) parsed into their NĐ 30 parts and
typeset as born-digital A4 PDFs with reportlab, for ``_accuracy_texts``.

The text gives the header in the order a PDF text layer gives a two-column table: organ lines, a dash line,
the motto, a dash line, 'Số: …', a công văn's 'V/v …' lines, the place and date; then the type title and
its subject lines (capitals), the body, 'Nơi nhận:' with its '- …' lines ending at '- Lưu: …', the
signature block (position lines, the name) and sometimes appendices. :func:`parse_text` finds those parts
(or says why it cannot); :func:`typeset` lays them out as NĐ 30 prints them: two header columns (organ,
rule, number, V/v | motto, rule, place and date in italics), the title and subject centred in bold (the
subject in lower case as NĐ 30 prescribes, not in the web page's capitals: :func:`sentence_case`), the body
left-aligned with the web's broken lines rejoined into paragraphs, 'Nơi nhận' bottom left and the signature
block on the right, kept together on one page. The body size (13/14 pt) and the face (Liberation Serif or
DejaVu Serif) are drawn per document from a seeded generator.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

FONTS = Path("/usr/share/fonts/truetype")
FACES = {"liberation": ("liberation2/LiberationSerif-Regular.ttf", "liberation2/LiberationSerif-Bold.ttf",
                        "liberation2/LiberationSerif-Italic.ttf"),
         "dejavu": ("dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf", "dejavu/DejaVuSerif-Italic.ttf")}
_DASHES = re.compile(r"^[-_=–—.\s]{3,}$")
_NUMBER = re.compile(r"^Số\b\s*:?\s*", re.IGNORECASE)
_VV = re.compile(r"^V\s*/\s*v\b", re.IGNORECASE)
_DATE = re.compile(r"(?:,\s*|^)ngày\b")
_YEAR = re.compile(r"năm\s*\d{4}")
_ORGAN_HEADS = ("TỔNG CỤC", "CHI CỤC", "CỤC", "BỘ", "SỞ", "ỦY BAN", "UỶ BAN", "UBND", "HỘI ĐỒNG", "VĂN PHÒNG",
                "THỦ TƯỚNG", "BAN", "TRUNG TÂM", "THUẾ", "TRƯỜNG", "VIỆN", "KHO BẠC", "NGÂN HÀNG", "CÔNG AN")
_AUTHORITY = re.compile(r"^(?:CHỦ TỊCH|THỦ TƯỚNG|BỘ TRƯỞNG|CỤC TRƯỞNG|TỔNG CỤC TRƯỞNG|GIÁM ĐỐC|CHÁNH |TRƯỞNG BAN"
                        r"|[ỦU]Y BAN NHÂN DÂN|HỘI ĐỒNG NHÂN DÂN|CHÍNH PHỦ|BAN THƯỜNG VỤ)")
_NEW_PARAGRAPH = re.compile(r"^(?:[-+•*–]|\d+(?:\.\d+)*[.)]|[a-zđ]\)|[IVXLC]+\.|\[|Điều\s|Căn cứ|Chương\s|Mục\s"
                            r"|Phần\s|Kính gửi|Nơi nhận|Theo đề nghị|Xét\s)")
_POSITION_START = re.compile(r"^(?:T/?M\b|T\.M\b|KT\.|K/T|TL\.|T/L|Q\.|CHỦ|PHÓ|THỦ TƯỚNG|BỘ TRƯỞNG|THỨ TRƯỞNG"
                             r"|GIÁM ĐỐC|CỤC TRƯỞNG|TRƯỞNG|CHÁNH|TỔNG|BÍ THƯ|ỦY VIÊN)")
_PLACES = ("TỈNH ", "THÀNH PHỐ ", "XÃ ", "PHƯỜNG ", "HUYỆN ", "QUẬN ", "ĐẶC KHU ")
_TITLES = {"QUYẾT ĐỊNH", "NGHỊ QUYẾT", "NGHỊ ĐỊNH", "THÔNG BÁO", "CÔNG ĐIỆN", "THÔNG TƯ", "KẾT LUẬN",
           "KẾ HOẠCH", "CHỈ THỊ", "BÁO CÁO", "TỜ TRÌNH", "HƯỚNG DẪN", "QUY ĐỊNH", "QUY CHẾ", "CHƯƠNG TRÌNH"}
_POSITION_OPEN_END = re.compile(r"(?:\b(?:CỤC|BAN|ỦY|UỶ|TỔNG|CHỦ|PHÓ|NHÂN)|TM\.|KT\.|TL\.|Q\.|,)$")


@dataclass
class Parsed:
    """A document's NĐ 30 parts as the text gives them."""

    organ: list[str]  # organ units: parent(s) first, the issuing organ last (each one line, wrapped when set)
    number: str  # 'Số: …'
    vv: str | None  # a công văn's 'V/v …'
    place_date: str
    title: str | None
    subject: list[str]  # the subject lines under the title (capitals), as the text breaks them
    authority: list[str] = field(default_factory=list)  # 'THỦ TƯỚNG CHÍNH PHỦ' centred over the body
    body: list[str] = field(default_factory=list)  # paragraphs
    recipients: list[str] = field(default_factory=list)  # 'Nơi nhận:' then its items
    positions: list[str] = field(default_factory=list)
    name: str = ""
    appendix: list[str] = field(default_factory=list)

    def printed_subject(self) -> str | None:
        """The subject as printed: the V/v text of a công văn, else the subject lines joined."""
        if self.vv:
            return self.vv
        return " ".join(self.subject) if self.subject else None


def _upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(not c.islower() for c in letters)


def _join(parts: list[str]) -> str:
    """Lines of one unit joined: with a space, except after a sign's open hyphen or slash ('QĐ-' 'UBND')."""
    out = ""
    for part in parts:
        glue = "" if not out or re.search(r"\S[-/]$", out) else " "
        out = f"{out}{glue}{part}"
    return out


def organ_units(lines: list[str]) -> list[str]:
    """The organ lines (broken anywhere) joined and cut again before each organ that opens a new unit
    ('BỘ TÀI CHÍNH' | 'CỤC THUẾ'); a head right after a bare head stays in its unit ('VĂN PHÒNG CHÍNH PHỦ')."""
    words = " ".join(lines).split()
    units: list[list[str]] = []
    index = 0
    while index < len(words):
        rest = " ".join(words[index:])
        head = next((h for h in _ORGAN_HEADS if rest == h or rest.startswith(h + " ")), None)
        bare = bool(units) and any(" ".join(units[-1]) == h for h in _ORGAN_HEADS)
        after_head = bool(units) and units[-1][-1] in ("ỦY", "UỶ", "TỔNG", "CHI", "VĂN")
        if head and units and not bare and not after_head:
            units.append([])
        if not units:
            units.append([])
        units[-1].append(words[index])
        index += 1
    return [" ".join(u) for u in units]


def paragraphs(lines: list[str]) -> list[str]:
    """The web's broken lines rejoined: a line that does not end a sentence or a clause is continued by the
    next, unless the next opens an item ('-', '1.', 'a)', 'Điều', 'Căn cứ', …)."""
    out: list[str] = []
    for line in lines:
        if out and not re.search(r"[.;:!?]$|\./\.$", out[-1]) and not _NEW_PARAGRAPH.match(line):
            out[-1] = _join([out[-1], line])
        else:
            out.append(line)
    return out


def _positions(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if out and (_POSITION_OPEN_END.search(out[-1]) or not _POSITION_START.match(line)):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def _clean(text: str) -> list[str]:
    lines = [re.sub(r"^#+\s*", "", unicodedata.normalize("NFC", raw).strip()) for raw in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if out and out[-1] in ("Nơi", "Kính") and line.startswith(("nhận", "gửi")):  # 'Nơi' / 'nhận:'
            out[-1] = f"{out[-1]} {line}"
        elif line:
            out.append(line)
    return out


def _title(lines: list[str], at: int) -> tuple[str | None, int]:
    """The type title at ``at`` ('QUYẾT ĐỊNH'; a title cut by the web, 'QUYẾT' / 'ĐỊNH BÃI BỎ …', mended)."""
    line = lines[at] if at < len(lines) else ""
    if not _upper(line) or len(line.split()) > 4 or _VV.match(line):
        return None, at
    words = lines[at + 1].split() if at + 1 < len(lines) else []
    if words and f"{line} {words[0]}" in _TITLES:
        lines[at + 1] = " ".join(words[1:])
        return f"{line} {words[0]}", at + 1 if lines[at + 1] else at + 2
    return line, at + 1


def parse_text(text: str) -> Parsed | str:
    """The parts of one document, or why it cannot be parsed ('no header', 'no number line', …)."""
    lines = _clean(text)
    motto_end = next((i for i, line in enumerate(lines[:20]) if line.startswith("Độc lập")), None)
    if motto_end is None:
        return "no header"
    motto_start = next((i for i in range(motto_end, -1, -1) if lines[i].startswith("CỘNG")), None)
    organ = [line for line in lines[:motto_start or 0] if not _DASHES.match(line)]
    if motto_start is None or not organ:
        return "no header"
    at = motto_end + 1
    while at < len(lines) and _DASHES.match(lines[at]):
        at += 1
    if at >= len(lines) or not _NUMBER.match(lines[at]):
        return "no number line"
    date_at = next((i for i in range(at + 1, min(at + 12, len(lines))) if _DATE.search(lines[i])), None)
    if date_at is None:
        return "no place/date"
    date_end = next((i for i in range(date_at, min(date_at + 3, len(lines)))
                     if _YEAR.search(" ".join(lines[date_at:i + 1]))), None)
    if date_end is None:
        return "no place/date"
    if lines[date_at][0].islower() and date_at - 1 > at and not _VV.match(lines[date_at - 1]):
        date_at -= 1  # 'Thành' / 'phố Hồ Chí Minh, ngày …'
    vv_at = next((i for i in range(at + 1, date_at) if _VV.match(lines[i])), date_at)
    number = _join([_NUMBER.sub("", lines[at]).strip(), *lines[at + 1:vv_at]]).strip()
    place = ""
    while " " in number and not re.search(r"[\d/]", number.rsplit(" ", 1)[1]):  # 'Số: 2581/QĐ-TTg Hà' / 'Nội, …'
        number, word = number.rsplit(" ", 1)
        place = f"{word} {place}"
    vv = _join(lines[vv_at:date_at]) if vv_at < date_at else None
    place_date = place + _join(lines[date_at:date_end + 1])
    title, at = _title(lines, date_end + 1)
    subject: list[str] = []
    authority: list[str] = []
    if title:
        while at < len(lines) and (_upper(lines[at]) or _DASHES.match(lines[at])):
            if not _DASHES.match(lines[at]):
                if authority or (subject and _AUTHORITY.match(lines[at])):
                    authority.append(lines[at])
                else:
                    subject.append(lines[at])
            at += 1
    receive = next((i for i in range(at, len(lines)) if lines[i].startswith("Nơi nhận")), None)
    if receive is None:  # no 'Nơi nhận': the signature right under the body's last sentence ('… này./.')
        receive = next((i for i in range(at + 1, len(lines)) if _upper(lines[i]) and lines[i - 1].endswith("/.")
                        and _POSITION_START.match(lines[i])), None)
        if receive is None:
            return "no Nơi nhận"
        end = receive
    else:
        end = receive + 1
        while end < len(lines) and (lines[end].startswith(("-", "+")) or not _upper(lines[end])
                                    or re.search(r"[\d_]", lines[end])):
            end += 1
            if re.match(r"^[-+]\s*Lưu\b", lines[end - 1]):
                break
        while end < len(lines) and _upper(lines[end]) and re.search(r"[\d_]", lines[end]):
            end += 1  # the 'Lưu' line's tail ('TĐ_QĐCB/2025')
    sign = end
    while sign < len(lines) and _upper(lines[sign]) and not _DASHES.match(lines[sign]):
        sign += 1
    name_end = sign
    while (name_end < len(lines) and not _upper(lines[name_end]) and len(lines[name_end].split()) <= 5
           and re.fullmatch(r"(?:[^\W\d_][^\W\d_]*\s?)+", lines[name_end])
           and all(w[0].isupper() for w in lines[name_end].split())
           and len(" ".join(lines[sign:name_end + 1]).split()) <= 5):
        name_end += 1
    if sign == end or name_end == sign:
        return "no signature"
    body = [line for line in lines[at:receive] if not _DASHES.match(line)]
    return Parsed(organ=organ_units(organ), number=f"Số: {number}", vv=vv, place_date=place_date, title=title,
                  subject=subject, authority=[_join(authority)] if authority else [], body=paragraphs(body),
                  recipients=paragraphs(lines[receive:end]), positions=_positions(lines[end:sign]),
                  name=" ".join(lines[sign:name_end]),
                  appendix=paragraphs([line for line in lines[name_end:] if not _DASHES.match(line)]))


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
            out.append("V/v" if _VV.match(word) and len(bare) <= 3 else word)
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


def typeset(doc: Parsed, path: Path, seed: int, max_pages: int = 5) -> dict[str, object]:
    """``doc`` as an A4 born-digital PDF at ``path``; the body beyond ``max_pages`` - 1 pages and appendices
    beyond one page are left out (to bound OCR time). Returns the layout drawn (face, size, pages)."""
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
    y = centred(doc.number, regular, 13, lx, number_y, col)
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
    ry = centred(doc.place_date, italic, dated, rx, min(ry - 12, number_y), text_width - col)
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
    return {"face": face, "size": size, "pages": state["pages"]}
