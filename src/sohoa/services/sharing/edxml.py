"""The edXML-like envelope (QCVN 102:2016/BTTTT) of catalogue records, and the XSD it is checked against.

QCVN 102:2016 was not read end to end (docs/integration.md): the element names and the namespace below are
**not confirmed** [U]. The namespace is a setting (``SOHOA_EDXML_NAMESPACE``); the names of each element sit in
one table (:data:`ELEMENTS`), each with its confidence, so that the confirmed standard can replace them in one
place. What is not the standard at all — the catalogue wrapper and the archival fields of TT 02/2019 — is in
Sohoa's own namespace (:data:`SOHOA_NS`), never in the edXML one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from importlib import resources

from sohoa.services.sharing.catalogue_export import ExportRecord

__all__ = ["DEFAULT_EDXML_NS", "ELEMENTS", "SOHOA_NS", "edxml_catalogue", "xsd_files"]

DEFAULT_EDXML_NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"  # [U] as remembered, not read in the text
SOHOA_NS = "urn:sohoa:exchange:catalogue:1"

# field of ExportRecord → (path of edXML elements under MessageHeader, confidence of the names).
# [U]: element name from background knowledge of QCVN 102:2016; the field itself is NĐ 30 Phụ lục VI [P].
ELEMENTS: dict[str, tuple[tuple[str, ...], str]] = {
    "unit_identifier": (("From", "OrganId"), "U"),
    "organ_name": (("From", "OrganName"), "U"),
    "parent_organ_name": (("From", "OrganInCharge"), "U"),
    "code_number": (("Code", "CodeNumber"), "U"),
    "code_notation": (("Code", "CodeNotation"), "U"),
    "place": (("PromulgationInfo", "Place"), "U"),
    "issued_date": (("PromulgationInfo", "PromulgationDate"), "U"),
    "type_name": (("DocumentType", "TypeName"), "U"),
    "subject": (("Subject",), "U"),
    "signer_position": (("SignerInfo", "Position"), "U"),
    "signer_full_name": (("SignerInfo", "FullName"), "U"),
    "urgency": (("OtherInfo", "Priority"), "U"),
    "page_amount": (("OtherInfo", "PageAmount"), "U"),
    "doc_code": (("DocumentId",), "U"),
}
# Archival fields (TT 02/2019 Phụ lục II tags [S]) in Sohoa's namespace, under <sohoa:Archival>.
ARCHIVAL: dict[str, str] = {
    "file_code": "FileCode", "organ_id": "OrganId", "file_catalog": "FileCatalog", "file_notation": "FileNotation",
    "doc_ordinal": "DocOrdinal", "language": "Language", "access_level": "Mode", "physical_state": "Format",
    "unit_name": "UnitName", "document_id": "DocumentRef",
}


def _value(record: ExportRecord, name: str) -> str | None:
    value = getattr(record, name)
    if value is None or value == "":
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _child(parent: ET.Element, tag: str) -> ET.Element:
    found = parent.find(tag)
    return found if found is not None else ET.SubElement(parent, tag)


def _envelope(parent: ET.Element, record: ExportRecord, ns: str) -> None:
    envelope = ET.SubElement(parent, f"{{{ns}}}edXMLEnvelope")
    header = ET.SubElement(envelope, f"{{{ns}}}edXMLHeader")
    message = ET.SubElement(header, f"{{{ns}}}MessageHeader")
    for name, (path, _confidence) in ELEMENTS.items():  # the table's order is the schema's sequence
        value = _value(record, name)
        if value is None:
            continue
        node = message
        for step in path:
            node = _child(node, f"{{{ns}}}{step}")
        node.text = value
    archival = ET.SubElement(header, f"{{{SOHOA_NS}}}Archival")
    for name, tag in ARCHIVAL.items():
        value = _value(record, name)
        if value is not None:
            ET.SubElement(archival, f"{{{SOHOA_NS}}}{tag}").text = value
    ET.SubElement(envelope, f"{{{ns}}}edXMLBody")  # catalogue only: no attachment leaves with the metadata


def edxml_catalogue(records: list[ExportRecord], *, scope: str, target: str, ns: str = DEFAULT_EDXML_NS,
                    now: datetime | None = None) -> bytes:
    """``<sohoa:Catalogue>`` holding one edXML envelope per record, UTF-8 with an XML declaration."""
    ET.register_namespace("edXML", ns)
    ET.register_namespace("sohoa", SOHOA_NS)
    moment = (now or datetime.now(UTC)).replace(microsecond=0).isoformat()
    root = ET.Element(f"{{{SOHOA_NS}}}Catalogue", {"scope": scope, "target": target, "generated": moment,
                                                   "count": str(len(records))})
    for record in records:
        _envelope(root, record, ns)
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def xsd_files(ns: str = DEFAULT_EDXML_NS) -> dict[str, bytes]:
    """The two schemas (file name → bytes): the catalogue in Sohoa's namespace (``edxml-archival.xsd``, the
    entry point) and the envelope in ``ns``; each imports the other (keep them in one folder)."""
    folder = resources.files("sohoa.services.sharing") / "contract"
    return {name: (folder / name).read_text(encoding="utf-8").replace(DEFAULT_EDXML_NS, ns).encode("utf-8")
            for name in ("edxml-archival.xsd", "edxml-envelope.xsd")}
