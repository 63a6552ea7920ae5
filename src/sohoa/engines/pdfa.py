"""Write one two-layer PDF/A-2b per document: page scans at source resolution plus invisible OCR text.

Built directly with pikepdf (qpdf) instead of through Ghostscript: images are embedded as they come
(JPEG untouched, PNG data passed through), so writing costs milliseconds per page. Conformance comes
from construction: XMP with PDF/A identification and an extension schema for Sohoa's fields, an
Info dictionary consistent with it, an sRGB output intent, an embedded (glyphless) font, PDF 1.7.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import BinaryIO

import pikepdf
from pikepdf import Array, Dictionary, Name
from PIL import ImageCms

from sohoa.domain.errors import EngineError
from sohoa.domain.ocr import OcrPage
from sohoa.domain.text import nfc
from sohoa.engines.pdfa_font import (
    ASCENT,
    DESCENT,
    FONT_NAME,
    GLYPH_WIDTH,
    cid_to_gid_map,
    glyphless_font,
    to_unicode_cmap,
)
from sohoa.engines.pdfa_images import PdfImage, to_pdf_image
from sohoa.engines.pdfa_text import FONT_RESOURCE, IMAGE_RESOURCE, page_content
from sohoa.engines.pdfa_xmp import DocumentInfo, pdf_date, xmp_fields, xmp_packet

__all__ = ["PdfPageInput", "finish_pdfa", "pdfa_metadata", "save_pdfa", "srgb_profile", "write_pdfa"]

_SRGB_NAME = "sRGB IEC61966-2.1"
_Profiles = dict[bytes, pikepdf.Object]  # ICC bytes → the one stream holding them


@dataclass(frozen=True)
class PdfPageInput:
    """One page: the encoded scan, its resolution, and OCR words in the scan's pixel coordinates."""
    image_bytes: bytes
    media_type: str
    dpi: int
    ocr: OcrPage | None = None
    rotate: int = 0  # a quarter turn clockwise the viewer shows (the page's /Rotate); the pixels stay as scanned


@cache
def srgb_profile() -> bytes:
    """The sRGB ICC profile of the output intent (built by LittleCMS through Pillow)."""
    return bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())


def write_pdfa(
    pages: Sequence[PdfPageInput],
    out: Path | BinaryIO,
    *,
    title: str,
    fields: Mapping[str, str | None],
    language: str = "vi-VN",
    creator: str = "Sohoa",
    extra_xmp: Mapping[str, str] | None = None,
    created: datetime | None = None,
) -> None:
    """Write ``pages`` as one PDF/A-2b to ``out`` (a path, replaced atomically, or a binary stream).

    ``fields`` (None values are left out) and ``extra_xmp`` become ``sohoa:`` XMP properties;
    ``fields['organ_name']`` is the author (dc:creator) when present, else ``creator``;
    ``fields['subject']`` becomes dc:description. ``created`` defaults to now, in local time.
    """
    if not pages:
        raise EngineError("Không có trang nào để tạo PDF/A", "No pages to write into the PDF/A")
    info, xmp = pdfa_metadata(title=title, fields=fields, language=language, creator=creator,
                              extra_xmp=extra_xmp, created=created)
    with pikepdf.new() as pdf:
        font = _font(pdf)
        profiles: _Profiles = {}
        for number, page in enumerate(pages, start=1):
            _add_page(pdf, page, number, font, profiles)
        finish_pdfa(pdf, info, xmp, profiles)
        save_pdfa(pdf, out)


def pdfa_metadata(*, title: str, fields: Mapping[str, str | None], language: str = "vi-VN",
                  creator: str = "Sohoa", extra_xmp: Mapping[str, str] | None = None,
                  created: datetime | None = None) -> tuple[DocumentInfo, bytes]:
    """The document information and its XMP packet (PDF/A identification, Sohoa's fields), as
    :func:`write_pdfa` documents its arguments."""
    fields = xmp_fields(fields)  # the field table names each field's XMP property
    values = _xmp_values(fields, extra_xmp or {})
    moment = created or datetime.now(UTC).astimezone()
    if moment.tzinfo is None:
        moment = moment.astimezone()
    info = DocumentInfo(
        title=nfc(title), author=values.get("organ_name") or nfc(creator), subject=values.get("subject"),
        creator_tool=nfc(creator), producer=f"{nfc(creator)} (pikepdf {pikepdf.__version__})",
        language=language, created=moment.replace(microsecond=0),
    )
    return info, xmp_packet(info, [*fields, *(extra_xmp or {})], values)


def _xmp_values(fields: Mapping[str, str | None], extra: Mapping[str, str]) -> dict[str, str]:
    clash = set(fields) & set(extra)
    if clash:
        raise EngineError(f"Trùng tên trường siêu dữ liệu: {sorted(clash)}",
                          f"Metadata names given twice: {sorted(clash)}")
    merged = {**fields, **extra}
    return {name: nfc(value) for name, value in merged.items() if value is not None}


def _font(pdf: pikepdf.Pdf) -> pikepdf.Object:
    program = glyphless_font()
    descriptor = Dictionary(
        Type=Name.FontDescriptor, FontName=Name("/" + FONT_NAME), Flags=5,
        FontBBox=Array([0, DESCENT, GLYPH_WIDTH, ASCENT]), ItalicAngle=0, Ascent=ASCENT, Descent=DESCENT,
        CapHeight=700, StemV=80,
        FontFile2=pdf.make_stream(program, Length1=len(program)),
    )
    gid_map = pikepdf.Stream(pdf, cid_to_gid_map(), Filter=Name.FlateDecode)
    cid_font = Dictionary(
        Type=Name.Font, Subtype=Name.CIDFontType2, BaseFont=Name("/" + FONT_NAME),
        CIDSystemInfo=Dictionary(Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"),
                                 Supplement=0),
        FontDescriptor=pdf.make_indirect(descriptor), DW=GLYPH_WIDTH, CIDToGIDMap=gid_map,
    )
    return pdf.make_indirect(Dictionary(
        Type=Name.Font, Subtype=Name.Type0, BaseFont=Name("/" + FONT_NAME), Encoding=Name("/Identity-H"),
        DescendantFonts=Array([pdf.make_indirect(cid_font)]), ToUnicode=pdf.make_stream(to_unicode_cmap()),
    ))


def _icc_stream(pdf: pikepdf.Pdf, icc: bytes, components: int,
                profiles: _Profiles) -> pikepdf.Object:
    """One stream per distinct profile, shared by every page and the output intent that use it."""
    if icc not in profiles:
        alternate = Name.DeviceRGB if components == 3 else Name.DeviceGray
        profiles[icc] = pdf.make_stream(icc, N=components, Alternate=alternate)
    return profiles[icc]


def _colorspace(pdf: pikepdf.Pdf, image: PdfImage, profiles: _Profiles) -> pikepdf.Object:
    if image.colorspace == "Indexed":
        high = len(image.palette) // 3 - 1
        return Array([Name.Indexed, Name.DeviceRGB, high, pikepdf.String(image.palette)])
    if image.icc is not None:
        return Array([Name.ICCBased, _icc_stream(pdf, image.icc, image.components, profiles)])
    return Name("/" + image.colorspace)


def _image_xobject(pdf: pikepdf.Pdf, image: PdfImage, profiles: _Profiles) -> pikepdf.Object:
    # The data is already encoded: declaring its filter makes qpdf store it byte for byte.
    xobject = pikepdf.Stream(pdf, image.data, Dictionary(
        Type=Name.XObject, Subtype=Name.Image, Width=image.width, Height=image.height,
        ColorSpace=_colorspace(pdf, image, profiles), BitsPerComponent=image.bits,
        Filter=Name("/" + image.filter),
    ))
    if image.filter == "CCITTFaxDecode":
        xobject.DecodeParms = Dictionary(K=-1, Columns=image.width, Rows=image.height,
                                         BlackIs1=image.black_is_1)
    if image.predictor_columns:
        colors = 1 if image.colorspace == "Indexed" else image.components
        xobject.DecodeParms = Dictionary(Predictor=15, Colors=colors, BitsPerComponent=image.bits,
                                         Columns=image.predictor_columns)
    return xobject


def _add_page(pdf: pikepdf.Pdf, page: PdfPageInput, number: int, font: pikepdf.Object,
              profiles: _Profiles) -> None:
    if page.dpi <= 0:
        raise EngineError(f"Trang {number}: độ phân giải (dpi) không hợp lệ: {page.dpi}",
                          f"Page {number}: invalid resolution (dpi): {page.dpi}")
    try:
        image = to_pdf_image(page.image_bytes, page.media_type)
    except EngineError as exc:
        raise EngineError(f"Trang {number}: {exc.vi}", f"Page {number}: {exc.en}") from exc
    size = (round(image.width / page.dpi * 72, 4), round(image.height / page.dpi * 72, 4))
    content = page_content(size, page.ocr, (image.width, image.height))
    resources = Dictionary(XObject=Dictionary({IMAGE_RESOURCE: _image_xobject(pdf, image, profiles)}))
    if content.has_text:
        resources.Font = Dictionary({FONT_RESOURCE: font})
    page_dict = Dictionary(
        Type=Name.Page, MediaBox=Array([0, 0, *size]), Resources=resources,
        Contents=pdf.make_stream(content.stream),
    )
    if page.rotate % 360:
        if page.rotate % 90:
            raise EngineError(f"Trang {number}: góc xoay không hợp lệ: {page.rotate}",
                              f"Page {number}: invalid rotation: {page.rotate}")
        page_dict.Rotate = page.rotate % 360  # image and text layer turn together
    pdf.pages.append(pikepdf.Page(pdf.make_indirect(page_dict)))


def finish_pdfa(pdf: pikepdf.Pdf, info: DocumentInfo, xmp: bytes, profiles: _Profiles | None = None) -> None:
    """Give ``pdf`` what PDF/A-2b asks of its catalogue: the sRGB output intent, the XMP packet, the
    language, and an Info dictionary that agrees with the XMP."""
    profiles = {} if profiles is None else profiles
    intent = Dictionary(
        Type=Name.OutputIntent, S=Name.GTS_PDFA1, OutputConditionIdentifier=pikepdf.String(_SRGB_NAME),
        Info=pikepdf.String(_SRGB_NAME), RegistryName=pikepdf.String("http://www.color.org"),
        DestOutputProfile=_icc_stream(pdf, srgb_profile(), 3, profiles),
    )
    root = pdf.Root
    root.OutputIntents = Array([intent])
    root.Metadata = pdf.make_stream(xmp, Type=Name.Metadata, Subtype=Name.XML)
    root.Lang = pikepdf.String(info.language)
    root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    stamp = pdf_date(info.created)
    docinfo = Dictionary(Title=pikepdf.String(info.title), Author=pikepdf.String(info.author),
                         Creator=pikepdf.String(info.creator_tool), Producer=pikepdf.String(info.producer),
                         CreationDate=pikepdf.String(stamp), ModDate=pikepdf.String(stamp))
    if info.subject:
        docinfo.Subject = pikepdf.String(info.subject)
    pdf.trailer.Info = pdf.make_indirect(docinfo)


def save_pdfa(pdf: pikepdf.Pdf, out: Path | BinaryIO) -> None:
    """Save as PDF 1.7, leaving encoded streams as they are (a path is replaced atomically)."""
    # decode level none: qpdf must not inflate and re-deflate image data it was handed encoded.
    try:
        if isinstance(out, Path):
            partial = out.with_name(out.name + ".part")
            try:
                _save_to(pdf, partial)
                os.replace(partial, out)
            finally:
                with contextlib.suppress(FileNotFoundError):
                    partial.unlink()
        else:
            _save_to(pdf, out)
    except (OSError, pikepdf.PdfError) as exc:
        raise EngineError(f"Không ghi được tệp PDF/A: {exc}", f"Cannot write the PDF/A file: {exc}") from exc


def _save_to(pdf: pikepdf.Pdf, target: Path | BinaryIO) -> None:
    pdf.save(target, force_version="1.7", compress_streams=True,
             stream_decode_level=pikepdf.StreamDecodeLevel.none, fix_metadata_version=False)
