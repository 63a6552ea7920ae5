"""The METS documents of a package: the root `METS.xml` (E-ARK CSIP profile) and `representations/rep1/METS.xml`.

Both carry, for every file they list, its SHA-256 ``CHECKSUM``, ``SIZE``, ``MIMETYPE`` and ``CREATED``; metadata
files are referenced with ``mdRef`` (EAD in a dmdSec; PREMIS and the audit log in digiprovMD; sohoa.json in a
techMD); schemas in the ``Schemas`` fileGrp; the representation by its own METS, through an ``mptr``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from sohoa.services.preservation.events import AGENT
from sohoa.services.preservation.packages.model import PackageKind, PackageMember

__all__ = ["CSIP_NS", "METS_NS", "SIP_NS", "MdRef", "mets_xml"]

METS_NS = "http://www.loc.gov/METS/"
CSIP_NS = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
SIP_NS = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
PROFILES = {"SIP": "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml",
            "AIP": "https://earkcsip.dilcis.eu/profile/E-ARK-CSIP.xml",
            "DIP": "https://earkdip.dilcis.eu/profile/E-ARK-DIP.xml"}


@dataclass(frozen=True)
class MdRef:
    """A metadata file referenced from a dmdSec (``section="dmd"``) or an amdSec part (techMD, digiprovMD)."""

    section: str  # dmd | techMD | digiprovMD | rightsMD
    member: PackageMember
    mdtype: str  # EAD | PREMIS | OTHER
    other: str | None = None  # OTHERMDTYPE when mdtype is OTHER


def _m(parent: etree._Element, tag: str, **attrs: str | None) -> etree._Element:
    return etree.SubElement(parent, f"{{{METS_NS}}}{tag}", {k: v for k, v in attrs.items() if v is not None})


def _ids(path: str) -> str:
    return "ID-" + "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in path)


def _mime(member: PackageMember) -> str:
    return member.media_type or "application/octet-stream"


def _file_attrs(member: PackageMember, created: str) -> dict[str, str | None]:
    return {"ID": _ids(member.path), "MIMETYPE": _mime(member), "SIZE": str(member.size), "CREATED": created,
            "CHECKSUM": member.sha256, "CHECKSUMTYPE": "SHA-256", "USE": member.use}


def _href(node: etree._Element, href: str) -> None:
    node.set("LOCTYPE", "URL")
    node.set(f"{{{XLINK_NS}}}type", "simple")
    node.set(f"{{{XLINK_NS}}}href", href)


def mets_xml(*, objid: str, label: str, kind: PackageKind, created: str, base: str,
             mdrefs: Sequence[MdRef], groups: Sequence[tuple[str, Sequence[PackageMember]]],
             representations: Sequence[tuple[str, PackageMember]] = (),
             archivist: tuple[str, str] | None = None) -> bytes:
    """One METS document. ``base``: the folder of this METS inside the package ("" for the root), so hrefs
    are relative to it; ``groups``: (fileGrp USE, members); ``representations``: (name, its METS member);
    ``archivist``: (name, identifier) of the creating body (E-ARK SIP's archival creator agent)."""

    def rel(path: str) -> str:
        if not base:
            return path
        return path[len(base):] if path.startswith(base) else "../" * base.count("/") + path

    oais = kind.oais
    root = etree.Element(f"{{{METS_NS}}}mets", nsmap={None: METS_NS, "csip": CSIP_NS, "sip": SIP_NS,
                                                      "xlink": XLINK_NS, "xsi": XSI_NS})
    root.set("OBJID", objid)
    root.set("LABEL", label)
    root.set("TYPE", "Mixed")
    root.set(f"{{{CSIP_NS}}}CONTENTINFORMATIONTYPE", "MIXED")
    root.set("PROFILE", PROFILES[oais])
    root.set(f"{{{CSIP_NS}}}OAISPACKAGETYPE", oais)
    schemas = "../../schemas/" if base else "schemas/"
    root.set(f"{{{XSI_NS}}}schemaLocation",
             f"{METS_NS} {schemas}mets.xsd {XLINK_NS} {schemas}xlink.xsd "
             f"{CSIP_NS} {schemas}DILCISExtensionMETS.xsd {SIP_NS} {schemas}DILCISExtensionSIPMETS.xsd")
    header = _m(root, "metsHdr", CREATEDATE=created, LASTMODDATE=created, RECORDSTATUS="NEW")
    header.set(f"{{{CSIP_NS}}}OAISPACKAGETYPE", oais)
    agent = _m(header, "agent", ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    etree.SubElement(agent, f"{{{METS_NS}}}name").text = "Sohoa"
    note = etree.SubElement(agent, f"{{{METS_NS}}}note")
    note.text = AGENT.removeprefix("Sohoa ")
    note.set(f"{{{CSIP_NS}}}NOTETYPE", "SOFTWARE VERSION")
    if archivist is not None:
        creator = _m(header, "agent", ROLE="ARCHIVIST", TYPE="ORGANIZATION")
        etree.SubElement(creator, f"{{{METS_NS}}}name").text = archivist[0]
        code = etree.SubElement(creator, f"{{{METS_NS}}}note")
        code.text = archivist[1]
        code.set(f"{{{CSIP_NS}}}NOTETYPE", "IDENTIFICATIONCODE")
    dmd_ids: list[str] = []
    amd_ids: list[str] = []
    for ref in (r for r in mdrefs if r.section == "dmd"):
        sec = _m(root, "dmdSec", ID=_ids(ref.member.path) + "-sec", CREATED=created, STATUS="CURRENT")
        _mdref(sec, ref, created, rel)
        dmd_ids.append(sec.get("ID", ""))
    amd_refs = [r for r in mdrefs if r.section != "dmd"]
    if amd_refs:
        amd = _m(root, "amdSec")
        for section in ("techMD", "rightsMD", "sourceMD", "digiprovMD"):
            for ref in (r for r in amd_refs if r.section == section):
                part = _m(amd, section, ID=_ids(ref.member.path) + "-sec", CREATED=created, STATUS="CURRENT")
                _mdref(part, ref, created, rel)
                amd_ids.append(part.get("ID", ""))
    file_sec = _m(root, "fileSec", ID="ID-fileSec")
    struct = _m(root, "structMap", ID="ID-structMap", TYPE="PHYSICAL", LABEL="CSIP")
    top = _m(struct, "div", ID="ID-div-root", LABEL=objid)
    _m(top, "div", ID="ID-div-metadata", LABEL="Metadata", DMDID=" ".join(dmd_ids) or None,
       ADMID=" ".join(amd_ids) or None)
    for use, members in groups:
        if not members:
            continue
        grp = _group(file_sec, use)
        div = _m(top, "div", ID=_ids("div-" + use), LABEL=use)
        for member in members:
            node = _m(grp, "file", **_file_attrs(member, created))
            _href(_m(node, "FLocat"), rel(member.path))
            _m(div, "fptr", FILEID=_ids(member.path))
    if representations:
        reps = _m(top, "div", ID="ID-div-representations", LABEL="Representations")
        for name, member in representations:
            grp = _group(file_sec, f"Representations/{name}")
            node = _m(grp, "file", **_file_attrs(member, created))
            _href(_m(node, "FLocat"), rel(member.path))
            _m(reps, "fptr", FILEID=_ids(member.path))
        for name, member in representations:
            div = _m(reps, "div", ID=_ids("div-" + name), LABEL=f"Representations/{name}")
            mptr = _m(div, "mptr", **{f"{{{XLINK_NS}}}title": name})
            _href(mptr, rel(member.path))
    if not len(file_sec):
        root.remove(file_sec)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _group(file_sec: etree._Element, use: str) -> etree._Element:
    """A fileGrp; its content information type is stated (CSIP62/63: the package is MIXED)."""
    grp = _m(file_sec, "fileGrp", ID=_ids("grp-" + use), USE=use)
    grp.set(f"{{{CSIP_NS}}}CONTENTINFORMATIONTYPE", "OTHER")
    grp.set(f"{{{CSIP_NS}}}OTHERCONTENTINFORMATIONTYPE", "TT05/2025")
    return grp


def _mdref(section: etree._Element, ref: MdRef, created: str, rel: object) -> None:
    assert callable(rel)
    node = _m(section, "mdRef", MDTYPE=ref.mdtype, OTHERMDTYPE=ref.other, MIMETYPE=_mime(ref.member),
              SIZE=str(ref.member.size), CREATED=created, CHECKSUM=ref.member.sha256, CHECKSUMTYPE="SHA-256")
    _href(node, str(rel(ref.member.path)))
