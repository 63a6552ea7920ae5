"""`metadata/preservation/PREMIS.xml`: PREMIS 3.0 of the package.

Intellectual entities: the hồ sơ (``urn:sohoa:hoso:<file code>``) and each document (``urn:sohoa:document:<key>``).
File objects: every stored object the package holds, identified by its path in the package (``local``) and
the SHA-256 of the bytes held (``sha256``; for an encrypted object the envelope's digest, the plaintext digest
as ``sha256-plaintext``, and the KEK that opens it now as a significant property ``encryption key id``; its
key record travels beside it as ``<path>.key``), with fixity, size, format (PRONOM when identified) and original
name.
Events: the archive's PREMIS events of these objects, documents and file (identifiers and times kept), plus
the package's own creation. Agents: Sohoa and every other agent the events name. Rights: the access level.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from sohoa.db.models import PreservationEvent, StoredObject
from sohoa.services.preservation.events import AGENT, iso_vn
from sohoa.services.preservation.packages.collect import Collected

__all__ = ["PREMIS_NS", "HeldObject", "PackageEvent", "document_entity_id", "file_entity_id", "premis_xml"]

PREMIS_NS = "http://www.loc.gov/premis/v3"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True)
class HeldObject:
    """A stored object as the package holds it: path, digest and size of the bytes held."""

    obj: StoredObject
    path: str
    sha256: str
    size: int
    encrypted: bool
    key_id: str | None = None  # an envelope: the KEK that opens it now (its key record travels beside it)


@dataclass(frozen=True)
class PackageEvent:
    """The package's own creation event (written in PREMIS; recorded in the database by the exporter)."""

    identifier: str
    event_type: str
    at: datetime
    detail: str


def file_entity_id(code: str) -> str:
    return f"urn:sohoa:hoso:{code}"


def document_entity_id(key: str) -> str:
    return f"urn:sohoa:document:{key}"


def _e(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{PREMIS_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _pair(parent: etree._Element, tag: str, prefix: str, kind: str, value: str) -> etree._Element:
    holder = _e(parent, tag)
    _e(holder, f"{prefix}Type", kind)
    _e(holder, f"{prefix}Value", value)
    return holder


def _entity(root: etree._Element, identifier: str, rights: str) -> None:
    obj = _e(root, "object")
    obj.set(f"{{{XSI_NS}}}type", "intellectualEntity")
    _pair(obj, "objectIdentifier", "objectIdentifier", "URN", identifier)
    _pair(obj, "linkingRightsStatementIdentifier", "linkingRightsStatementIdentifier", "local", rights)


def _file(root: etree._Element, held: HeldObject, data: Collected) -> None:
    obj = _e(root, "object")
    obj.set(f"{{{XSI_NS}}}type", "file")
    _pair(obj, "objectIdentifier", "objectIdentifier", "local", held.path)
    _pair(obj, "objectIdentifier", "objectIdentifier", "sha256", held.sha256)
    if held.encrypted:
        _pair(obj, "objectIdentifier", "objectIdentifier", "sha256-plaintext", held.obj.sha256)
    if held.encrypted and held.key_id:
        _pair(obj, "significantProperties", "significantProperties", "encryption key id", held.key_id)
    chars = _e(obj, "objectCharacteristics")
    _e(chars, "compositionLevel", "1" if held.encrypted else "0")
    fixity = _e(chars, "fixity")
    _e(fixity, "messageDigestAlgorithm", "SHA-256")
    _e(fixity, "messageDigest", held.sha256)
    _e(fixity, "messageDigestOriginator", "Sohoa")
    _e(chars, "size", str(held.size))
    fmt = _e(chars, "format")
    identified = data.formats.get(held.obj.id)
    designation = _e(fmt, "formatDesignation")
    _e(designation, "formatName", (identified.name if identified and identified.name else held.obj.media_type))
    if identified and identified.version:
        _e(designation, "formatVersion", identified.version)
    if identified and identified.puid and identified.puid.lower() not in {"unknown", "unk"}:
        registry = _e(fmt, "formatRegistry")
        _e(registry, "formatRegistryName", "PRONOM")
        _e(registry, "formatRegistryKey", identified.puid)
        _e(registry, "formatRegistryRole", "specification")
    if held.obj.original_name:
        _e(obj, "originalName", held.obj.original_name)


def _event(root: etree._Element, event: PreservationEvent, links: list[tuple[str, str]]) -> None:
    node = _e(root, "event")
    _pair(node, "eventIdentifier", "eventIdentifier", "URN" if event.identifier.startswith("urn:") else "local",
          event.identifier)
    _e(node, "eventType", event.event_type)
    _e(node, "eventDateTime", iso_vn(event.at))
    if event.detail:
        _e(_e(node, "eventDetailInformation"), "eventDetail", event.detail)
    outcome = _e(node, "eventOutcomeInformation")
    _e(outcome, "eventOutcome", event.outcome)
    if event.outcome_detail:
        _e(_e(outcome, "eventOutcomeDetail"), "eventOutcomeDetailNote", event.outcome_detail)
    agent = _pair(node, "linkingAgentIdentifier", "linkingAgentIdentifier", "local", event.agent)
    _e(agent, "linkingAgentRole", "executing program")
    for kind, value in links:
        _pair(node, "linkingObjectIdentifier", "linkingObjectIdentifier", kind, value)


def premis_xml(data: Collected, held: list[HeldObject], *, own: list[PackageEvent],
               package_id: str, representation: bool = False) -> bytes:
    """PREMIS 3.0 for the package (valid against the shipped ``premis-v3-0.xsd``). ``representation``: the
    representation's own PREMIS (``representations/rep1/metadata/preservation/``): its file objects and their
    events only (the package's PREMIS holds everything)."""
    root = etree.Element(f"{{{PREMIS_NS}}}premis", nsmap={None: PREMIS_NS, "xsi": XSI_NS})
    root.set("version", "3.0")
    up = "../../../../" if representation else "../../"
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{PREMIS_NS} {up}schemas/premis-v3-0.xsd")
    rights: list[tuple[str, str, str]] = []  # (rights id, access level, entity id)
    if data.file is not None and not representation:
        entity = file_entity_id(data.file.file_code)
        rights.append((f"rights-{entity}", data.file.access_level, entity))
        _entity(root, entity, rights[-1][0])
    for doc in [] if representation else data.documents:
        entity = document_entity_id(data.keys[doc.id])
        rights.append((f"rights-{entity}", doc.access_level, entity))
        _entity(root, entity, rights[-1][0])
    for item in held:
        _file(root, item, data)
    by_object = {h.obj.id: h for h in held}
    doc_entity = {d.id: document_entity_id(data.keys[d.id]) for d in data.documents}
    agents = {AGENT}
    for event in data.events:
        if representation and event.object_id not in by_object:
            continue
        links: list[tuple[str, str]] = []
        if event.object_id is not None and event.object_id in by_object:
            links.append(("sha256", by_object[event.object_id].sha256))
        if event.document_id is not None and event.document_id in doc_entity:
            links.append(("URN", doc_entity[event.document_id]))
        if event.file_id is not None and data.file is not None and event.file_id == data.file.id:
            links.append(("URN", file_entity_id(data.file.file_code)))
        agents.add(event.agent)
        _event(root, event, links)
    for mine in [] if representation else own:
        row = PreservationEvent(identifier=mine.identifier, event_type=mine.event_type, at=mine.at,
                                outcome="success", detail=mine.detail, outcome_detail=None, agent=AGENT)
        _event(root, row, [("URN", package_id)])
    for agent in sorted(agents):
        node = _e(root, "agent")
        _pair(node, "agentIdentifier", "agentIdentifier", "local", agent)
        _e(node, "agentName", agent)
        _e(node, "agentType", "software" if agent.startswith("Sohoa") else "organization")
    for rights_id, level, entity in rights:
        statement = _e(_e(root, "rights"), "rightsStatement")
        _pair(statement, "rightsStatementIdentifier", "rightsStatementIdentifier", "local", rights_id)
        _e(statement, "rightsBasis", "Other")
        other = _e(statement, "otherRightsInformation")
        _e(other, "otherRightsBasis", "Mức độ tiếp cận (TT 05/2025) / access level")
        _e(other, "otherRightsNote", level)
        _pair(statement, "linkingObjectIdentifier", "linkingObjectIdentifier", "URN", entity)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
