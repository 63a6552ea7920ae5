"""PDF/A-2b from born-digital pages copied as they are: content streams, fonts and resources, no raster.

A born-digital page (text drawn with fonts, no scanned image) is copied from the source PDF with
pikepdf; the catalogue gets what :func:`sohoa.engines.pdfa.write_pdfa` gives a scan (XMP with the
PDF/A identification and Sohoa's fields, Info, sRGB output intent, language, PDF 1.7). Only what
the new file needs comes across: no document JavaScript, open action, form, embedded file or
encryption of the source. :func:`copy_blocker` says why a page cannot be copied (a font shown but
not embedded, CMYK colour against the sRGB intent, LZW data, transfer functions, PostScript); such
a document is rasterised instead, with that reason recorded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import pikepdf
from pikepdf import Name

from sohoa.domain.errors import EngineError
from sohoa.engines.pdfa import finish_pdfa, pdfa_metadata, save_pdfa

__all__ = ["CopyBlocker", "FontMends", "copy_blocker", "page_copy_blocker", "page_copy_check", "write_pdfa_copy"]

_SHOW = {"Tj", "TJ", "'", '"'}
_FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")
_CMYK = "/DeviceCMYK"
_PAGE_DROPS = ("/Annots", "/AA", "/PieceInfo", "/Thumb", "/B", "/StructParents", "/Tabs", "/Trans", "/Dur")
_IMAGE_DROPS = ("/Alternates", "/OPI")


@dataclass(frozen=True)
class CopyBlocker:
    """Why a page cannot be copied into a PDF/A-2b as it is: a code and a message in both languages."""

    code: str
    vi: str
    en: str

    def __str__(self) -> str:
        return f"{self.vi} / {self.en}"


class _Blocked(Exception):
    def __init__(self, blocker: CopyBlocker) -> None:
        super().__init__(str(blocker))
        self.blocker = blocker


def _blocked(code: str, vi: str, en: str) -> _Blocked:
    return _Blocked(CopyBlocker(code, vi, en))


def _is_embedded(font: pikepdf.Object) -> bool:
    if font.get("/Subtype") == Name.Type0:
        descendants = font.get("/DescendantFonts")
        if not isinstance(descendants, pikepdf.Array) or len(descendants) == 0:
            return False
        font = descendants[0]
    descriptor = font.get("/FontDescriptor") if isinstance(font, pikepdf.Dictionary) else None
    return isinstance(descriptor, pikepdf.Dictionary) and any(k in descriptor for k in _FONT_FILES)


def _font_name(font: pikepdf.Object) -> str:
    return str(font.get("/BaseFont", "?")).lstrip("/") if isinstance(font, pikepdf.Dictionary) else "?"


class _Audit:
    """Walks what a page draws; raises :class:`_Blocked` at the first thing PDF/A-2b forbids.

    With ``fix``, it also mends what can be mended in place (on a copy, never on the source):
    images lose interpolation, alternates and OPI; a font that is selected but never shows a glyph
    and is not embedded (ReportLab's Helvetica preamble) is pointed at an embedded font of the same
    resources, which changes nothing visible.
    """

    def __init__(self, *, fix: bool) -> None:
        self.fix = fix
        self.font_mends: list[tuple[str, str]] = []  # mended (or to mend): fonts of the page's own resources
        self.deep = False  # something else mended (or to mend), or inside a form, pattern or Type 3 font
        self.nesting = 0
        self.done: set[tuple[int, int]] = set()

    def _first_visit(self, obj: pikepdf.Object) -> bool:
        if not obj.is_indirect:
            return True
        if obj.objgen in self.done:
            return False
        self.done.add(obj.objgen)
        return True

    def content(self, holder: pikepdf.Object | pikepdf.Page, resources: pikepdf.Object | None) -> None:
        self.nesting += 1
        try:
            self._content(holder, resources)
        finally:
            self.nesting -= 1

    def _content(self, holder: pikepdf.Object | pikepdf.Page, resources: pikepdf.Object | None) -> None:
        res = resources if isinstance(resources, pikepdf.Dictionary) else pikepdf.Dictionary()
        fonts = res.get("/Font", pikepdf.Dictionary())
        current: str | None = None
        stack: list[str | None] = []
        selected: set[str] = set()
        shown: set[str] = set()
        for instruction in pikepdf.parse_content_stream(holder):
            if isinstance(instruction, pikepdf.ContentStreamInlineImage):
                self._inline_image(instruction.iimage.obj)
                continue
            operands, op = instruction.operands, str(instruction.operator)
            if op == "q":
                stack.append(current)
            elif op == "Q" and stack:
                current = stack.pop()
            elif op == "Tf" and operands:
                current = str(operands[0])
                selected.add(current)
            elif op in _SHOW and current is not None:
                shown.add(current)
            elif op in ("k", "K"):
                raise _blocked("cmyk", "Trang dùng màu CMYK (không hợp với ý định đầu ra sRGB)",
                               "The page paints in CMYK (not allowed with the sRGB output intent)")
            elif op in ("cs", "CS") and operands:
                self._colour_space(res, operands[0])
            elif op == "Do" and operands:
                self._xobject(res, str(operands[0]))
            elif op == "gs" and operands:
                self._ext_gstate(res, str(operands[0]))
            elif op == "sh" and operands:
                self._shading(res.get("/Shading", pikepdf.Dictionary()).get(str(operands[0])))
        for name in sorted(selected | shown):  # the first blocker found is the same on every run
            self._font(fonts, name, name in shown)
        for pattern in res.get("/Pattern", pikepdf.Dictionary()).values():
            self._pattern(pattern, res)

    def _font(self, fonts: pikepdf.Object, name: str, shown: bool) -> None:
        font = fonts.get(name) if isinstance(fonts, pikepdf.Dictionary) else None
        if not isinstance(font, pikepdf.Dictionary):
            if shown:
                raise _blocked("font_missing", f"Phông chữ {name} không có trong tài nguyên trang",
                               f"Font {name} is missing from the page resources")
            return
        if font.get("/Subtype") == Name.Type3:
            if self._first_visit(font):
                procs = font.get("/CharProcs", pikepdf.Dictionary())
                for proc in procs.values():
                    self.content(proc, font.get("/Resources"))
            return
        if _is_embedded(font):
            return
        replacement = next((key for key, other in fonts.items()
                            if isinstance(other, pikepdf.Dictionary) and other.get("/Subtype") != Name.Type3
                            and _is_embedded(other)), None)
        if shown or replacement is None:
            label = _font_name(font)
            raise _blocked("font_not_embedded", f"Phông chữ {label} không được nhúng trong PDF gốc",
                           f"Font {label} is not embedded in the source PDF")
        if self.nesting == 1:
            self.font_mends.append((name, replacement))
        else:
            self.deep = True
        if self.fix:
            fonts[name] = fonts[replacement]

    def _colour_space(self, res: pikepdf.Dictionary, value: pikepdf.Object) -> None:
        if isinstance(value, pikepdf.Name):
            if str(value) == _CMYK:
                raise self._cmyk_space()
            value = res.get("/ColorSpace", pikepdf.Dictionary()).get(str(value), Name.DeviceRGB)
        if _CMYK in _names(value, depth=0):
            raise self._cmyk_space()

    @staticmethod
    def _cmyk_space() -> _Blocked:
        return _blocked("cmyk", "Trang dùng không gian màu DeviceCMYK (không hợp với ý định đầu ra sRGB)",
                        "The page uses the DeviceCMYK colour space (not allowed with the sRGB output intent)")

    def _xobject(self, res: pikepdf.Dictionary, name: str) -> None:
        xobject = res.get("/XObject", pikepdf.Dictionary()).get(name)
        if not isinstance(xobject, pikepdf.Stream) or not self._first_visit(xobject):
            return
        subtype = xobject.get("/Subtype")
        if subtype == Name.Image:
            self._image(xobject)
        elif subtype == Name.Form:
            if xobject.get("/Subtype2") == Name.PS or "/Ref" in xobject:
                raise self._postscript()
            group = xobject.get("/Group")
            if isinstance(group, pikepdf.Dictionary) and "/CS" in group:
                self._colour_space(res, group.CS)
            self.content(xobject, xobject.get("/Resources", res))
        else:
            raise self._postscript()

    @staticmethod
    def _postscript() -> _Blocked:
        return _blocked("postscript", "Trang chứa PostScript hoặc đối tượng tham chiếu ngoài",
                        "The page holds PostScript or an external reference XObject")

    def _image(self, image: pikepdf.Object) -> None:
        filters = image.get("/Filter")
        if filters is not None and "/LZWDecode" in _names(filters, depth=0):
            raise _blocked("lzw", "Ảnh trong trang nén LZW (PDF/A cấm)", "An image on the page is LZW-compressed "
                           "(forbidden by PDF/A)")
        space = image.get("/ColorSpace")
        if space is not None and _CMYK in _names(space, depth=0):
            raise self._cmyk_space()
        if "/Interpolate" in image or any(key in image for key in _IMAGE_DROPS):
            self.deep = True
        if self.fix:
            if "/Interpolate" in image:
                image.Interpolate = False
            for key in _IMAGE_DROPS:
                if key in image:
                    del image[key]
        mask = image.get("/SMask")
        if isinstance(mask, pikepdf.Stream) and self._first_visit(mask):
            self._image(mask)

    def _inline_image(self, image: pikepdf.Object) -> None:
        for key in ("/CS", "/ColorSpace"):
            value = image.get(key)
            if value is not None and str(value) in ("/CMYK", _CMYK):
                raise self._cmyk_space()
        for key in ("/F", "/Filter"):
            value = image.get(key)
            if value is not None and ({"/LZW", "/LZWDecode"} & set(_names(value, depth=0))):
                raise _blocked("lzw", "Ảnh trong trang nén LZW (PDF/A cấm)",
                               "An image on the page is LZW-compressed (forbidden by PDF/A)")
        if bool(image.get("/I", False)) or bool(image.get("/Interpolate", False)):
            raise _blocked("interpolate", "Ảnh nội tuyến yêu cầu nội suy (PDF/A cấm)",
                           "An inline image asks for interpolation (forbidden by PDF/A)")

    def _ext_gstate(self, res: pikepdf.Dictionary, name: str) -> None:
        state = res.get("/ExtGState", pikepdf.Dictionary()).get(name)
        if not isinstance(state, pikepdf.Dictionary):
            return
        if "/TR" in state or ("/TR2" in state and Name.Default != state.TR2) or "/HTP" in state:
            raise _blocked("transfer", "Trang dùng hàm truyền hoặc tham số bán sắc (PDF/A cấm)",
                           "The page uses transfer functions or halftone phases (forbidden by PDF/A)")
        mask = state.get("/SMask")
        if isinstance(mask, pikepdf.Dictionary) and isinstance(mask.get("/G"), pikepdf.Stream):
            group = mask.G
            if self._first_visit(group):
                self.content(group, group.get("/Resources", res))

    def _shading(self, shading: pikepdf.Object | None) -> None:
        if isinstance(shading, (pikepdf.Dictionary, pikepdf.Stream)):
            self._colour_space(pikepdf.Dictionary(), shading.get("/ColorSpace", Name.DeviceRGB))

    def _pattern(self, pattern: pikepdf.Object, res: pikepdf.Dictionary) -> None:
        if not self._first_visit(pattern):
            return
        if isinstance(pattern, pikepdf.Stream) and pattern.get("/PatternType") == 1:
            self.content(pattern, pattern.get("/Resources", res))
        elif isinstance(pattern, pikepdf.Dictionary):
            self._shading(pattern.get("/Shading"))


def _names(value: pikepdf.Object, depth: int) -> Iterator[str]:
    """Every name inside a colour space or filter value (arrays and their indirect parts, a few deep)."""
    if isinstance(value, pikepdf.Name):
        yield str(value)
    elif isinstance(value, pikepdf.Array) and depth < 4:
        for item in value:
            yield from _names(item, depth + 1)


def _check_page(page: pikepdf.Page, audit: _Audit) -> None:
    group = page.obj.get("/Group")
    if isinstance(group, pikepdf.Dictionary) and "/CS" in group:
        audit._colour_space(pikepdf.Dictionary(), group.CS)
    audit.content(page, page.obj.get("/Resources"))


def copy_blocker(page: pikepdf.Page) -> CopyBlocker | None:
    """Why ``page`` cannot be copied into a PDF/A-2b as it is, or None when it can (nothing is changed)."""
    return _audit_page(page)[0]


FontMends = tuple[tuple[str, str], ...]


def _audit_page(page: pikepdf.Page) -> tuple[CopyBlocker | None, FontMends | None]:
    """(:func:`copy_blocker`, the copy's mends when they are only fonts of the page's own resources)."""
    audit = _Audit(fix=False)
    try:
        _check_page(page, audit)
    except _Blocked as exc:
        return exc.blocker, None
    except (pikepdf.PdfError, ValueError, TypeError, KeyError, AttributeError) as exc:
        return CopyBlocker("unreadable", f"Không đọc được nội dung trang: {exc}",
                           f"The page content cannot be read: {exc}"), None
    return None, None if audit.deep else tuple(audit.font_mends)


def page_copy_blocker(path: Path | str, page_index: int) -> CopyBlocker | None:
    """:func:`copy_blocker` of page ``page_index`` (0-based) of the PDF at ``path``."""
    return page_copy_check(path, page_index)[0]


def page_copy_check(path: Path | str, page_index: int) -> tuple[CopyBlocker | None, FontMends | None]:
    """(:func:`page_copy_blocker`, what the copy must mend on the page when that is only pointing fonts
    of the page's own resources that are selected, never shown and not embedded at an embedded one:
    ``(name, replacement)`` pairs, ``()`` for nothing; None when the copy must audit the page itself).
    With a plan, :func:`write_pdfa_copy` (``mends``) applies it without reading the page's content again."""
    try:
        with pikepdf.open(path) as pdf:
            return _audit_page(pdf.pages[page_index])
    except (pikepdf.PdfError, IndexError, OSError) as exc:
        return CopyBlocker("unreadable", f"Không đọc được trang: {exc}", f"The page cannot be read: {exc}"), None


def write_pdfa_copy(
    source: Path | str,
    page_indexes: Sequence[int],
    out: Path | BinaryIO,
    *,
    title: str,
    fields: Mapping[str, str | None],
    language: str = "vi-VN",
    creator: str = "Sohoa",
    extra_xmp: Mapping[str, str] | None = None,
    created: datetime | None = None,
    mends: Sequence[FontMends | None] = (),
) -> None:
    """Write pages ``page_indexes`` (0-based) of ``source`` as one PDF/A-2b, copied without rasterising.

    Arguments as :func:`sohoa.engines.pdfa.write_pdfa`; ``mends[i]``: the plan :func:`page_copy_check`
    gave for page ``i`` of ``page_indexes`` of this very file, applied instead of auditing the page
    again (None or absent: audited here). Raises :class:`EngineError` carrying the
    :class:`CopyBlocker` message when a page cannot be copied (the caller then rasterises).
    """
    if not page_indexes:
        raise EngineError("Không có trang nào để tạo PDF/A", "No pages to write into the PDF/A")
    info, xmp = pdfa_metadata(title=title, fields=fields, language=language, creator=creator,
                              extra_xmp=extra_xmp, created=created)
    try:
        with pikepdf.open(source) as src, pikepdf.new() as pdf:
            for index in page_indexes:
                pdf.pages.append(src.pages[index])
            audit = _Audit(fix=True)
            for number, page in enumerate(pdf.pages):
                _clean_page(page)
                plan = mends[number] if number < len(mends) else None
                if plan is None:
                    _check_page(page, audit)
                elif plan:
                    _mend_fonts(page, plan)
            finish_pdfa(pdf, info, xmp)
            save_pdfa(pdf, out)
    except _Blocked as exc:
        raise EngineError(exc.blocker.vi, exc.blocker.en) from exc
    except (pikepdf.PdfError, IndexError, OSError) as exc:
        raise EngineError(f"Không chép được trang PDF: {exc}", f"Cannot copy the PDF pages: {exc}") from exc


def _mend_fonts(page: pikepdf.Page, plan: FontMends) -> None:
    """Point each planned font name of the page's resources at its replacement (as the audit's fix does)."""
    resources = page.obj.get("/Resources")
    fonts = resources.get("/Font") if isinstance(resources, pikepdf.Dictionary) else None
    if not isinstance(fonts, pikepdf.Dictionary) or any(n not in fonts or r not in fonts for n, r in plan):
        raise _blocked("font_missing", "Phông chữ của trang không còn như khi kiểm tra",
                       "The page's fonts are not what was checked")
    for name, replacement in plan:
        fonts[name] = fonts[replacement]


def _clean_page(page: pikepdf.Page) -> None:
    """Drop what PDF/A forbids or what points back into the source: annotations (links to its pages),
    page actions, private data."""
    for key in _PAGE_DROPS:
        if key in page.obj:
            del page.obj[key]
