"""The metadata formats of OAI-PMH records: ``oai_dc`` (simple Dublin Core) and ``nd30`` (the NĐ 30/2020
Phụ lục VI fields, namespace :data:`ND30_NS`, schema ``nd30.xsd`` beside this module). Built with lxml."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from sohoa.domain.text import nfc
from sohoa.services.catalogue.permalinks import derived_identifier, permalink_path
from sohoa.services.sharing.oai_records import OaiDocument

__all__ = ["FORMATS", "ND30_NS", "ND30_XSD", "MetadataFormat", "Where", "clean_text", "format_named"]

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
ND30_NS = "urn:sohoa:oai:nd30:1.0"
ND30_XSD = Path(__file__).with_name("nd30.xsd")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ACCESS_LABELS = {"public": "Công khai / public", "conditional": "Sử dụng có điều kiện / conditional",
                  "internal": "Nội bộ / internal"}


def clean_text(value: object) -> str:
    """NFC text without the characters XML 1.0 forbids (OCR can leave control characters behind)."""
    return _XML_ILLEGAL.sub("", nfc(str(value)))


def _sub(parent: etree._Element, tag: str, value: object | None) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return
    etree.SubElement(parent, tag).text = clean_text(value)


def _title(doc: OaiDocument) -> str:
    head = " ".join(p for p in (doc.type_name, doc.sign and f"số {doc.sign}") if p)
    if doc.subject:
        return f"{head}: {doc.subject}" if head else doc.subject
    return head or f"Văn bản {doc.document_id}"


@dataclass(frozen=True)
class Where:
    """Where records are published: the server's base URL (no trailing slash) and the archive's name."""

    base_url: str
    publisher: str

    def url(self, doc: OaiDocument) -> str:
        # The record's permanent link: the SOHOA.<id> form never changes and resolves to the record's
        # mã định danh when it has one (docs/portal.md).
        return f"{self.base_url}{permalink_path(derived_identifier(doc.document_id))}"


def oai_dc(doc: OaiDocument, oai_id: str, where: Where) -> etree._Element:
    """Simple Dublin Core: title, creator (issuing body), contributor (signer), date, type, identifiers,
    language, coverage (place), source (fonds and file), publisher (the archive), rights (access level)."""
    dc = f"{{{DC_NS}}}"
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")
    _sub(root, dc + "title", _title(doc))
    _sub(root, dc + "creator", doc.organ_name)
    if doc.signer_full_name:
        position = f" ({doc.signer_position})" if doc.signer_position else ""
        _sub(root, dc + "contributor", f"{doc.signer_full_name}{position}")
    _sub(root, dc + "date", doc.issued_date.isoformat() if doc.issued_date else None)
    _sub(root, dc + "type", doc.type_name)
    _sub(root, dc + "type", "Text")
    _sub(root, dc + "identifier", doc.doc_code)
    _sub(root, dc + "identifier", doc.sign)
    _sub(root, dc + "identifier", oai_id)
    _sub(root, dc + "identifier", where.url(doc))
    _sub(root, dc + "description", doc.subject)
    _sub(root, dc + "language", doc.language)
    _sub(root, dc + "coverage", doc.place)
    source = "; ".join(p for p in (doc.fonds_name and f"Phông {doc.fonds_name}",
                                   doc.file_code and f"Hồ sơ {doc.file_code}") if p)
    _sub(root, dc + "source", source)
    _sub(root, dc + "publisher", where.publisher)
    _sub(root, dc + "rights", _ACCESS_LABELS.get(doc.access_level, doc.access_level))
    return root


# nd30 elements in schema order: element name → the document's value.
_ND30: tuple[tuple[str, Callable[[OaiDocument], object | None]], ...] = (
    ("doc_code", lambda d: d.doc_code),
    ("code_number", lambda d: d.code_number),
    ("code_notation", lambda d: d.code_notation),
    ("issued_date", lambda d: d.issued_date.isoformat() if d.issued_date else None),
    ("type_name", lambda d: d.type_name),
    ("subject", lambda d: d.subject),
    ("organ_name", lambda d: d.organ_name),
    ("parent_organ_name", lambda d: d.parent_organ_name),
    ("place", lambda d: d.place),
    ("signer_full_name", lambda d: d.signer_full_name),
    ("signer_position", lambda d: d.signer_position),
    ("secrecy", lambda d: d.secrecy),
    ("urgency", lambda d: d.urgency),
    ("page_amount", lambda d: d.page_amount),
    ("language", lambda d: d.language),
    ("access_level", lambda d: d.access_level),
    ("file_code", lambda d: d.file_code),
    ("file_title", lambda d: d.file_title),
    ("fonds_code", lambda d: d.fonds_code),
    ("fonds_name", lambda d: d.fonds_name),
    ("unit_identifier", lambda d: d.unit_identifier),
    ("unit_name", lambda d: d.unit_name),
)


def nd30(doc: OaiDocument, oai_id: str, where: Where) -> etree._Element:
    """The NĐ 30 record: every Phụ lục VI field the document holds, its file (mã hồ sơ), fonds and unit."""
    ns = f"{{{ND30_NS}}}"
    root = etree.Element(ns + "document", nsmap={"nd30": ND30_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{ND30_NS} {where.base_url}/oai/nd30.xsd")
    _sub(root, ns + "identifier", oai_id)
    for name, value in _ND30:
        _sub(root, ns + name, value(doc))
    _sub(root, ns + "publisher", where.publisher)
    _sub(root, ns + "url", where.url(doc))
    return root


@dataclass(frozen=True)
class MetadataFormat:
    """One metadataPrefix: its schema, namespace and builder (document, OAI id, where → element)."""

    prefix: str
    schema: str  # a path under the base URL when it starts with '/'
    namespace: str
    build: Callable[[OaiDocument, str, Where], etree._Element]


FORMATS: tuple[MetadataFormat, ...] = (
    MetadataFormat("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC_NS, oai_dc),
    MetadataFormat("nd30", "/oai/nd30.xsd", ND30_NS, nd30),
)


def format_named(prefix: str) -> MetadataFormat | None:
    return next((f for f in FORMATS if f.prefix == prefix), None)
