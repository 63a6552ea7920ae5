"""A tiny glyphless TrueType font and its PDF companions (ToUnicode CMap, CID→GID map) for invisible text.

The invisible OCR layer never paints, so the embedded font needs no outlines: every character code
maps to one empty glyph 500/1000 em wide, and horizontal scaling (``Tz``) stretches each word to its
box. The Unicode text travels in the codes themselves (Identity-H, code = UTF-16 code unit) and the
ToUnicode CMap maps every code back to itself. This is the approach Tesseract's PDF renderer uses;
building the font here keeps the writer free of binary blobs and extra dependencies.
"""

from __future__ import annotations

import re
import struct
import zlib
from functools import cache

__all__ = [
    "ASCENT",
    "DESCENT",
    "FONT_NAME",
    "GLYPH_WIDTH",
    "cid_to_gid_map",
    "encode_text",
    "glyphless_font",
    "to_unicode_cmap",
]

FONT_NAME = "SohoaInvisible"
UNITS_PER_EM = 1000
GLYPH_WIDTH = 500  # advance of every glyph, in 1/1000 em (the PDF /DW must agree: PDF/A 6.2.11.5)
ASCENT = 800
DESCENT = -200
_NOTDEF_BOX = (50, 0, 450, 700)  # .notdef gets a box outline so the glyf table is never empty
_SURROGATES = range(0xD8, 0xE0)  # high bytes of UTF-16 surrogates: never valid single codes
_NOT_BMP = re.compile("[\ud800-\udfff\U00010000-\U0010ffff]")


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(padded) // 4}L", padded)
    return sum(words) & 0xFFFFFFFF


def _head() -> bytes:
    x0, y0, x1, y1 = _NOTDEF_BOX
    return struct.pack(
        ">LLLLHHqqhhhhHHhhh",
        0x00010000, 0x00010000, 0, 0x5F0F3CF5,  # version, fontRevision, checkSumAdjustment, magic
        0x000B, UNITS_PER_EM, 0, 0,  # flags, unitsPerEm, created, modified
        x0, y0, x1, y1,
        0, 8, 2, 0, 0,  # macStyle, lowestRecPPEM, fontDirectionHint, short loca, glyphDataFormat
    )


def _hhea() -> bytes:
    return struct.pack(
        ">LhhhHhhhhhh4hhH",
        0x00010000, ASCENT, DESCENT, 0, GLYPH_WIDTH, 0, 0, _NOTDEF_BOX[2],
        1, 0, 0, 0, 0, 0, 0,  # caret slope rise/run/offset, 4 reserved
        0, 2,  # metricDataFormat, numberOfHMetrics
    )


def _maxp() -> bytes:
    return struct.pack(">LHHHHHHHHHHHHHH", 0x00010000, 2, 4, 1, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0)


def _glyf_loca() -> tuple[bytes, bytes]:
    x0, y0, x1, y1 = _NOTDEF_BOX
    notdef = struct.pack(">hhhhhHH", 1, x0, y0, x1, y1, 3, 0)  # 1 contour, last point 3, no hinting
    notdef += bytes([0x01] * 4)  # four on-curve points, coordinates as int16 deltas
    notdef += struct.pack(">4h", x0, 0, x1 - x0, 0)
    notdef += struct.pack(">4h", y0, y1 - y0, 0, y0 - y1)
    # Short loca stores offset/2; glyph 1 is empty (same start and end).
    loca = struct.pack(">3H", 0, len(notdef) // 2, len(notdef) // 2)
    return notdef, loca


def _cmap() -> bytes:
    # Format 4, one real segment (space → glyph 1) plus the mandatory 0xFFFF terminator.
    seg = struct.pack(">HHHHHHH", 4, 32, 0, 4, 4, 1, 0)  # format, length, language, segX2, sr, es, rs
    seg += struct.pack(">HH", 0x20, 0xFFFF) + b"\0\0" + struct.pack(">HH", 0x20, 0xFFFF)
    seg += struct.pack(">hh", 1 - 0x20, 1) + struct.pack(">HH", 0, 0)
    return struct.pack(">HHHHL", 0, 1, 3, 1, 12) + seg


def _name() -> bytes:
    strings = [(1, FONT_NAME), (2, "Regular"), (3, f"{FONT_NAME}-1.0"), (4, FONT_NAME),
               (5, "Version 1.0"), (6, FONT_NAME)]
    records, pool = b"", b""
    for name_id, text in strings:
        raw = text.encode("utf-16-be")
        records += struct.pack(">HHHHHH", 3, 1, 0x409, name_id, len(raw), len(pool))
        pool += raw
    return struct.pack(">HHH", 0, len(strings), 6 + 12 * len(strings)) + records + pool


def _os2() -> bytes:
    return struct.pack(
        ">HhHHH10hh10s4L4sHHHhhhHHLLhhHHH",
        4, GLYPH_WIDTH, 400, 5, 0,  # version, xAvgCharWidth, weight, width, fsType 0 = installable
        650, 700, 0, 140, 650, 700, 0, 480, 50, 250,  # sub/superscript, strikeout metrics
        0, bytes(10), 0, 0, 0, 0, b"SOHO",  # family class, panose, unicode ranges, vendor
        0x40, 0x20, 0x20,  # fsSelection REGULAR, first/last char
        ASCENT, DESCENT, 0, ASCENT, -DESCENT, 1, 0,  # typo metrics, win metrics, code page Latin-1
        500, _NOTDEF_BOX[3], 0, 0x20, 1,  # xHeight, capHeight, default char, break char, max context
    )


def _post() -> bytes:
    return struct.pack(">LLhhLLLLL", 0x00030000, 0, -100, 50, 1, 0, 0, 0, 0)


@cache
def glyphless_font() -> bytes:
    """The TrueType program: glyph 0 ``.notdef`` (a box), glyph 1 empty; both 500 units wide."""
    glyf, loca = _glyf_loca()
    tables = {
        b"OS/2": _os2(), b"cmap": _cmap(), b"glyf": glyf, b"head": _head(), b"hhea": _hhea(),
        b"hmtx": struct.pack(">HhHh", GLYPH_WIDTH, _NOTDEF_BOX[0], GLYPH_WIDTH, 0),
        b"loca": loca, b"maxp": _maxp(), b"name": _name(), b"post": _post(),
    }
    count = len(tables)
    entry_selector = count.bit_length() - 1
    search_range = 16 << entry_selector
    directory = struct.pack(">LHHHH", 0x00010000, count, search_range, entry_selector,
                            count * 16 - search_range)
    offset = 12 + 16 * count
    body = b""
    for tag in sorted(tables):
        data = tables[tag]
        directory += struct.pack(">4sLLL", tag, _checksum(data), offset + len(body), len(data))
        body += data + b"\0" * (-len(data) % 4)
    font = bytearray(directory + body)
    head_at = offset + body.index(tables[b"head"])
    struct.pack_into(">L", font, head_at + 8, (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)


@cache
def cid_to_gid_map() -> bytes:
    """Flate-compressed CIDToGIDMap sending every 16-bit CID to glyph 1 (never to ``.notdef``)."""
    return zlib.compress(b"\x00\x01" * 65536, 9)


@cache
def to_unicode_cmap() -> bytes:
    """A CMap mapping each 2-byte code to the same UTF-16 code unit (surrogates excluded)."""
    ranges = [f"<{hi:02X}00> <{hi:02X}FF> <{hi:02X}00>" for hi in range(256) if hi not in _SURROGATES]
    blocks = []
    for start in range(0, len(ranges), 100):  # a CMap block holds at most 100 entries
        chunk = ranges[start:start + 100]
        blocks.append(f"{len(chunk)} beginbfrange\n" + "\n".join(chunk) + "\nendbfrange")
    text = "\n".join([
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange",
        *blocks,
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ])
    return text.encode("ascii")


def encode_text(text: str) -> str:
    """Hex string of 2-byte codes for ``text``; characters outside the BMP (and lone surrogates,
    which the ToUnicode CMap leaves unmapped) become U+FFFD, one code per character."""
    if _NOT_BMP.search(text):
        text = _NOT_BMP.sub("\ufffd", text)
    return text.encode("utf-16-be").hex().upper()
