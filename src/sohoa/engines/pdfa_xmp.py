"""XMP metadata for PDF/A-2b: identification, Dublin Core, dates, and Sohoa's fields in their own schema.

PDF/A accepts custom XMP properties only when the packet itself declares them in a PDF/A extension
schema, so every ``sohoa:`` property written is also described under ``pdfaExtension:schemas``.
The document Info dictionary is derived from the same values, because PDF/A requires the two to agree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from sohoa.domain.errors import EngineError
from sohoa.domain.fields import FIELD_BY_NAME, FIELDS
from sohoa.domain.text import nfc

__all__ = ["SOHOA_NS", "SOHOA_PREFIX", "DocumentInfo", "pdf_date", "with_dc_source", "xmp_fields", "xmp_packet"]

SOHOA_NS = "https://sohoa.vn/ns/1.0/"
SOHOA_PREFIX = "sohoa"
# The field table's XMP property → its field, for the extension schema's descriptions.
_FIELD_BY_XMP_KEY = {spec.xmp_key: spec for spec in FIELDS}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PADDING = "\n".join([" " * 99] * 20)  # room for in-place edits, as the XMP specification suggests

_NAMESPACES = {
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "pdf": "http://ns.adobe.com/pdf/1.3/",
}
_EXTENSION_NAMESPACES = {
    "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
    SOHOA_PREFIX: SOHOA_NS,
}


@dataclass(frozen=True)
class DocumentInfo:
    """The descriptive values shared by XMP and the Info dictionary (all NFC)."""

    title: str
    author: str
    subject: str | None
    creator_tool: str
    producer: str
    language: str
    created: datetime


def pdf_date(moment: datetime) -> str:
    """A PDF date string (D:YYYYMMDDHHmmSS+HH'mm') for the same instant XMP shows."""
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"D:{moment:%Y%m%d%H%M%S}{sign}{hours:02d}'{mins:02d}'"


def xml_text(value: str) -> str:
    """NFC, without the control characters XML 1.0 cannot carry, escaped for element content."""
    return escape(_XML_ILLEGAL.sub("", nfc(value)))


def xmp_fields(fields: Mapping[str, str | None]) -> dict[str, str | None]:
    """The ``sohoa:`` properties of a document's fields: each field of the table under its XMP key (a
    name outside the table keeps its own name, and must still be a valid XML name)."""
    return {(FIELD_BY_NAME[name].xmp_key if name in FIELD_BY_NAME else name): value
            for name, value in fields.items()}


def _description(name: str) -> str:
    spec = _FIELD_BY_XMP_KEY.get(name)
    if spec is None:
        return f"Sohoa document field {name}"
    return xml_text(f"{spec.label_en} ({spec.label_vi}), NĐ 30/2020 field {spec.name}")


def _check_names(properties: Mapping[str, str]) -> None:
    for name in properties:
        if not _NAME.match(name) or name.lower().startswith("xml"):
            raise EngineError(f"Tên trường siêu dữ liệu không hợp lệ: {name!r}",
                              f"Invalid metadata field name: {name!r}")


def _extension_schema(names: list[str]) -> str:
    props = "".join(
        "<rdf:li rdf:parseType=\"Resource\">"
        f"<pdfaProperty:name>{name}</pdfaProperty:name>"
        "<pdfaProperty:valueType>Text</pdfaProperty:valueType>"
        "<pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{_description(name)}</pdfaProperty:description>"
        "</rdf:li>"
        for name in names
    )
    return (
        "<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType=\"Resource\">"
        "<pdfaSchema:schema>Sohoa document fields (NĐ 30/2020)</pdfaSchema:schema>"
        f"<pdfaSchema:namespaceURI>{SOHOA_NS}</pdfaSchema:namespaceURI>"
        f"<pdfaSchema:prefix>{SOHOA_PREFIX}</pdfaSchema:prefix>"
        f"<pdfaSchema:property><rdf:Seq>{props}</rdf:Seq></pdfaSchema:property>"
        "</rdf:li></rdf:Bag></pdfaExtension:schemas>"
    )


def _alt(tag: str, value: str) -> str:
    return f'<{tag}><rdf:Alt><rdf:li xml:lang="x-default">{xml_text(value)}</rdf:li></rdf:Alt></{tag}>'


def _core(info: DocumentInfo) -> list[str]:
    stamp = info.created.isoformat(timespec="seconds")
    lines = [
        "<pdfaid:part>2</pdfaid:part>",
        "<pdfaid:conformance>B</pdfaid:conformance>",
        "<dc:format>application/pdf</dc:format>",
        _alt("dc:title", info.title),
        f"<dc:creator><rdf:Seq><rdf:li>{xml_text(info.author)}</rdf:li></rdf:Seq></dc:creator>",
        f"<dc:language><rdf:Bag><rdf:li>{xml_text(info.language)}</rdf:li></rdf:Bag></dc:language>",
        f"<xmp:CreateDate>{stamp}</xmp:CreateDate>",
        f"<xmp:ModifyDate>{stamp}</xmp:ModifyDate>",
        f"<xmp:MetadataDate>{stamp}</xmp:MetadataDate>",
        f"<xmp:CreatorTool>{xml_text(info.creator_tool)}</xmp:CreatorTool>",
        f"<pdf:Producer>{xml_text(info.producer)}</pdf:Producer>",
    ]
    if info.subject:
        lines.append(_alt("dc:description", info.subject))
    return lines


def xmp_packet(info: DocumentInfo, declared: list[str], values: Mapping[str, str]) -> bytes:
    """The XMP packet (UTF-8): ``declared`` names go in the extension schema, ``values`` are written."""
    _check_names(dict.fromkeys(declared, ""))
    # Extension namespaces are declared only when used: a packet without them needs no schema.
    namespaces = {**_NAMESPACES, **_EXTENSION_NAMESPACES} if declared else _NAMESPACES
    xmlns = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in namespaces.items())
    body = _core(info)
    if declared:
        body.append(_extension_schema(declared))
    body.extend(f"<{SOHOA_PREFIX}:{name}>{xml_text(value)}</{SOHOA_PREFIX}:{name}>"
                for name, value in values.items())
    packet = "\n".join([
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>',
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
        f'<rdf:Description rdf:about="" {xmlns}>',
        *body,
        "</rdf:Description>",
        "</rdf:RDF>",
        "</x:xmpmeta>",
        _PADDING,
        '<?xpacket end="w"?>',
    ])
    return packet.encode("utf-8")


def with_dc_source(packet: bytes, source: str) -> bytes:
    """``packet`` (as :func:`xmp_packet` wrote it) with ``dc:source`` — the resource this PDF derives from, e.g.
    a digitally signed original. Dublin Core is predefined in PDF/A: no extension schema is needed."""
    text = packet.decode("utf-8")
    if "<dc:source>" in text or text.count("</rdf:Description>") != 1:
        raise EngineError("Không ghi được nguồn gốc vào XMP", "Cannot add dc:source to this XMP packet")
    return text.replace("</rdf:Description>", f"<dc:source>{xml_text(source)}</dc:source>\n</rdf:Description>"
                        ).encode("utf-8")
