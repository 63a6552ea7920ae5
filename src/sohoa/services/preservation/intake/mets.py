"""Reading a package's METS (E-ARK CSIP): its identity and type, the files each fileSec lists (with SHA-256,
size and MIME type), the metadata each dmdSec/amdSec points to, and the representations' own METS.

XML is parsed without DTDs, entities or network access.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from lxml import etree

from sohoa.services.preservation.intake.source import PackageRefused

__all__ = ["NS", "MdRef", "MetsFile", "MetsInfo", "parse_xml", "read_mets"]

NS = {
    "mets": "http://www.loc.gov/METS/",
    "xlink": "http://www.w3.org/1999/xlink",
    "csip": "https://DILCIS.eu/XML/METS/CSIPExtensionMETS",
    "ead": "urn:isbn:1-931666-22-9",
    "premis": "http://www.loc.gov/premis/v3",
}
_HREF = f"{{{NS['xlink']}}}href"
_CSIP = f"{{{NS['csip']}}}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class MetsFile:
    """One file a fileSec lists: path from the package root, its declared digest (lower-case hex, SHA-256),
    size, MIME type, the fileGrp USE and the METS that lists it."""

    path: str
    sha256: str | None
    size: int | None
    mimetype: str | None
    use: str
    listed_in: str


@dataclass(frozen=True)
class MdRef:
    """A metadata file a dmdSec or amdSec points to (EAD, PREMIS, OTHER …)."""

    mdtype: str
    other_mdtype: str | None
    path: str
    sha256: str | None
    listed_in: str


@dataclass(frozen=True)
class MetsInfo:
    """What the root METS (and the representations' METS) say about the package."""

    objid: str
    package_type: str  # SIP / AIP / DIP
    content_type: str | None
    type: str | None
    created: str | None
    files: tuple[MetsFile, ...]
    md_refs: tuple[MdRef, ...]
    representations: tuple[str, ...]  # paths of representation METS files


def parse_xml(path: Path, label: str) -> etree._Element:
    """The root element of an XML file of the package; a bilingual refusal naming ``label`` when unreadable."""
    try:
        return etree.parse(str(path), _PARSER).getroot()
    except (etree.XMLSyntaxError, OSError) as exc:
        raise PackageRefused(f"Tệp {label} không phải XML hợp lệ: {exc}", f"{label} is not well-formed XML: {exc}",
                             label) from exc


def _inside(base: PurePosixPath, href: str, label: str) -> str:
    """``href`` (relative to the METS at ``base``) as a path from the package root; refused when it escapes."""
    raw = unquote(href.removeprefix("file:").removeprefix("./"))
    parts: list[str] = list(base.parts)
    for part in PurePosixPath(raw).parts:
        if part in {".", ""}:
            continue
        if part == ".." and parts:
            parts.pop()
        elif part == ".." or part.startswith("/"):
            raise PackageRefused(f"Đường dẫn ra ngoài gói trong {label}: {href}",
                                 f"A path in {label} leaves the package: {href}", label)
        else:
            parts.append(part)
    return "/".join(parts)


def _checksum(element: etree._Element) -> str | None:
    kind = (element.get("CHECKSUMTYPE") or "").upper().replace("-", "")
    value = element.get("CHECKSUM")
    return value.lower() if value and kind == "SHA256" else None


def _size(element: etree._Element) -> int | None:
    value = element.get("SIZE")
    return int(value) if value and value.isdigit() else None


def _files(root: etree._Element, base: PurePosixPath, label: str) -> list[MetsFile]:
    found: list[MetsFile] = []
    for group in root.iterfind(".//mets:fileSec//mets:fileGrp", NS):
        use = group.get("USE") or ""
        for element in group.iterfind("mets:file", NS):
            for location in element.iterfind("mets:FLocat", NS):
                href = location.get(_HREF)
                if href:
                    found.append(MetsFile(_inside(base, href, label), _checksum(element), _size(element),
                                          element.get("MIMETYPE"), use, label))
    return found


def _md_refs(root: etree._Element, base: PurePosixPath, label: str) -> list[MdRef]:
    found: list[MdRef] = []
    for ref in root.iterfind(".//mets:mdRef", NS):
        href = ref.get(_HREF)
        if href:
            found.append(MdRef((ref.get("MDTYPE") or "").upper(), ref.get("OTHERMDTYPE"),
                               _inside(base, href, label), _checksum(ref), label))
    return found


def read_mets(package: Path) -> MetsInfo:
    """The root METS and each representation METS it lists, read into one :class:`MetsInfo`."""
    root = parse_xml(package / "METS.xml", "METS.xml")
    if root.tag != f"{{{NS['mets']}}}mets":
        raise PackageRefused("METS.xml không phải tài liệu METS", "METS.xml is not a METS document", "METS.xml")
    header = root.find("mets:metsHdr", NS)
    files = _files(root, PurePosixPath(), "METS.xml")
    refs = _md_refs(root, PurePosixPath(), "METS.xml")
    representations = tuple(f.path for f in files if f.path.startswith("representations/")
                            and f.path.endswith("/METS.xml"))
    for rep in representations:
        rep_path = package / rep
        if not rep_path.is_file():
            raise PackageRefused(f"Thiếu tệp {rep}", f"{rep} is missing", rep)
        rep_root = parse_xml(rep_path, rep)
        base = PurePosixPath(rep).parent
        files.extend(_files(rep_root, base, rep))
        refs.extend(_md_refs(rep_root, base, rep))
    return MetsInfo(
        objid=root.get("OBJID") or "",
        package_type=(header.get(f"{_CSIP}OAISPACKAGETYPE") if header is not None else None)
        or root.get(f"{_CSIP}OAISPACKAGETYPE") or "SIP",
        content_type=root.get(f"{_CSIP}CONTENTINFORMATIONTYPE"),
        type=root.get("TYPE"),
        created=header.get("CREATEDATE") if header is not None else None,
        files=tuple(files),
        md_refs=tuple(refs),
        representations=representations,
    )
