"""Check a written package: METS, EAD and PREMIS against the official schemas Sohoa ships (offline), every
file that a METS lists (``FLocat``/``mdRef``) present with its SIZE and SHA-256 CHECKSUM, every file of the
package listed, and — for a BagIt bag — its manifests and Payload-Oxum."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import posixpath
from importlib import resources
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote

from lxml import etree

from sohoa.services.preservation.packages.ead import EAD_NS
from sohoa.services.preservation.packages.mets import CSIP_NS, METS_NS, SIP_NS, XLINK_NS
from sohoa.services.preservation.packages.model import Problem
from sohoa.services.preservation.packages.premis import PREMIS_NS
from sohoa.services.preservation.packages.reader import PackageReader, open_package
from sohoa.storage.blobs import BlobRoot

__all__ = ["digest_stream", "schema_for", "validate_package", "validate_reader"]

_XLINK_URL = "http://www.loc.gov/standards/xlink/xlink.xsd"


def _schema_dir() -> Path:
    return Path(str(resources.files("sohoa.services.preservation") / "schemas"))


class _Local(etree.Resolver):  # type: ignore[misc]
    """Resolve the schemas' remote imports to the shipped copies (never the network)."""

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        if system_url == _XLINK_URL or system_url.endswith("/xlink.xsd"):
            return self.resolve_filename(str(_schema_dir() / "xlink.xsd"), context)
        return None


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, huge_tree=False)
    parser.resolvers.add(_Local())
    return parser


@functools.cache
def schema_for(namespace: str) -> etree.XMLSchema:
    """The compiled schema of METS (with the CSIP/SIP extensions), EAD 2002 or PREMIS 3."""
    folder = _schema_dir()
    if namespace == METS_NS:
        imports = [(METS_NS, "mets.xsd"), (CSIP_NS, "DILCISExtensionMETS.xsd"), (SIP_NS, "DILCISExtensionSIPMETS.xsd")]
        body = "".join(f'<xs:import namespace="{ns}" schemaLocation="{(folder / name).as_uri()}"/>'
                       for ns, name in imports)
        wrapper = f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{body}</xs:schema>'
        return etree.XMLSchema(etree.fromstring(wrapper.encode(), _parser(), base_url=(folder / "x.xsd").as_uri()))
    name = {EAD_NS: "ead.xsd", PREMIS_NS: "premis-v3-0.xsd"}[namespace]
    return etree.XMLSchema(etree.parse(str(folder / name), _parser()))


def digest_stream(stream: BinaryIO) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(1 << 20):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def _xml(reader: PackageReader, path: str, problems: list[Problem]) -> etree._Element | None:
    try:
        root = etree.fromstring(reader.read(path), _parser())
    except etree.XMLSyntaxError as exc:
        problems.append(Problem(path, f"XML không hợp lệ: {exc}", f"not well-formed XML: {exc}"))
        return None
    namespace = etree.QName(root).namespace or ""
    if namespace in (METS_NS, EAD_NS, PREMIS_NS):
        schema = schema_for(namespace)
        if not schema.validate(root):
            for error in list(schema.error_log)[:20]:
                problems.append(Problem(path, f"Không đúng lược đồ (dòng {error.line}): {error.message}",
                                        f"schema-invalid (line {error.line}): {error.message}"))
    return root


def _check_file(reader: PackageReader, path: str, size: str | None, checksum: str | None,
                kind: str | None, problems: list[Problem]) -> None:
    if not reader.exists(path):
        problems.append(Problem(path, "Tệp được METS liệt kê nhưng không có trong gói",
                                "listed in METS but missing from the package"))
        return
    with reader.open(path) as handle:
        digest, actual = digest_stream(handle)
    if size is not None and str(actual) != size:
        problems.append(Problem(path, f"Kích thước {actual} khác METS ({size})", f"size {actual} ≠ METS {size}"))
    if kind != "SHA-256" or not checksum:
        problems.append(Problem(path, "METS thiếu mã băm SHA-256", "METS gives no SHA-256 checksum"))
    elif digest != checksum.lower():
        problems.append(Problem(path, "Mã băm SHA-256 khác METS (tệp bị thay đổi hoặc hỏng)",
                                "SHA-256 differs from METS (the file was changed or is damaged)"))


def _mets(reader: PackageReader, path: str, listed: set[str], problems: list[Problem]) -> None:
    root = _xml(reader, path, problems)
    if root is None:
        return
    base = posixpath.dirname(path)
    href = f"{{{XLINK_NS}}}href"
    nested: list[str] = []
    for node in root.iter(f"{{{METS_NS}}}file", f"{{{METS_NS}}}mdRef"):
        location = node if node.tag.endswith("mdRef") else node.find(f"{{{METS_NS}}}FLocat")
        target = location.get(href) if location is not None else None
        if not target:
            problems.append(Problem(path, "Một mục của METS không có xlink:href", "a METS entry has no xlink:href"))
            continue
        member = posixpath.normpath(posixpath.join(base, unquote(target)))
        if member.startswith("../") or member.startswith("/"):
            problems.append(Problem(path, f"Đường dẫn ra ngoài gói: {target}", f"path outside the package: {target}"))
            continue
        if member in listed and node.tag.endswith("mdRef"):
            continue  # the same metadata file referenced again (a representation's PREMIS)
        listed.add(member)
        _check_file(reader, member, node.get("SIZE"), node.get("CHECKSUM"), node.get("CHECKSUMTYPE"), problems)
        if posixpath.basename(member) == "METS.xml" and reader.exists(member):
            nested.append(member)
    for member in nested:
        _mets(reader, member, listed, problems)


def _csip(root: etree._Element, path: str, problems: list[Problem]) -> None:
    """The E-ARK CSIP essentials of the root METS that its schema cannot say."""
    wrong: list[tuple[str, str]] = []
    if not root.get("OBJID"):
        wrong.append(("thiếu OBJID", "no OBJID"))
    if root.get(f"{{{CSIP_NS}}}OAISPACKAGETYPE") not in {"SIP", "AIP", "DIP", "AIU", "AIC"}:
        wrong.append(("csip:OAISPACKAGETYPE không thuộc SIP/AIP/DIP", "csip:OAISPACKAGETYPE is not SIP/AIP/DIP"))
    if root.find(f"{{{METS_NS}}}structMap[@LABEL='CSIP']") is None:
        wrong.append(("không có structMap LABEL=\"CSIP\"", "no structMap with LABEL=\"CSIP\""))
    if root.find(f"{{{METS_NS}}}metsHdr") is None:
        wrong.append(("không có metsHdr", "no metsHdr"))
    for vi, en in wrong:
        problems.append(Problem(path, f"Không theo E-ARK CSIP: {vi}", f"not E-ARK CSIP: {en}"))


def _bag(reader: PackageReader, problems: list[Problem]) -> None:
    names = set(reader.bag_names())
    if "bagit.txt" not in names or "manifest-sha256.txt" not in names:
        problems.append(Problem("bagit.txt", "Túi BagIt thiếu bagit.txt hoặc manifest-sha256.txt",
                                "the BagIt bag lacks bagit.txt or manifest-sha256.txt"))
        return
    for manifest in ("manifest-sha256.txt", "tagmanifest-sha256.txt"):
        if manifest not in names:
            continue
        with reader.open_bag(manifest) as handle:
            lines = handle.read().decode("utf-8").splitlines()
        seen = set()
        for line in filter(None, lines):
            digest, _sep, name = line.partition(" ")
            name = unquote(name.strip())
            seen.add(name)
            if name not in names:
                problems.append(Problem(name, f"{manifest} liệt kê tệp không có", f"listed in {manifest}, missing"))
                continue
            with reader.open_bag(name) as handle:
                if digest_stream(handle)[0] != digest.lower():
                    problems.append(Problem(name, f"Mã băm khác {manifest}", f"checksum differs from {manifest}"))
        if manifest == "manifest-sha256.txt":
            for name in sorted(n for n in names if n.startswith("data/") and n not in seen):
                problems.append(Problem(name, "Tệp dữ liệu của túi không có trong manifest",
                                        "a payload file is not in the manifest"))


def validate_reader(reader: PackageReader) -> list[Problem]:
    """The problems of an opened package (empty: valid)."""
    problems: list[Problem] = []
    if not reader.exists("METS.xml"):
        return [Problem("METS.xml", "Gói thiếu METS.xml", "the package has no METS.xml")]
    listed: set[str] = {"METS.xml"}
    _mets(reader, "METS.xml", listed, problems)
    with contextlib.suppress(etree.XMLSyntaxError):  # not well-formed: reported by _mets
        _csip(etree.fromstring(reader.read("METS.xml"), _parser()), "METS.xml", problems)
    for path in ("metadata/descriptive/EAD.xml", "metadata/preservation/PREMIS.xml"):
        if reader.exists(path):
            _xml(reader, path, problems)
        else:
            problems.append(Problem(path, "Gói thiếu tệp siêu dữ liệu bắt buộc", "a required metadata file is missing"))
    for name in reader.names():
        if name not in listed:
            problems.append(Problem(name, "Tệp có trong gói nhưng METS không liệt kê",
                                    "in the package but not listed in any METS"))
    if reader.bag_prefix is not None:
        _bag(reader, problems)
    return problems


def validate_package(path: Path | BlobRoot) -> list[Problem]:
    """The problems of the package at ``path`` (folder, zip, BagIt bag or zipped bag, or a blob root such as an
    S3 prefix holding a package or a bag); empty when valid."""
    with open_package(path) as reader:
        return validate_reader(reader)
