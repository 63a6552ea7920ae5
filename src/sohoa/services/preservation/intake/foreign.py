"""A SIP from another system: an E-ARK CSIP package with EAD only (no sohoa.json), taken in as a normal intake.

The EAD's ``archdesc`` names the hồ sơ (``unitid`` → file code, ``unittitle``, ``unitdate normal=…``, TT 05 tags in
``<odd type="tt05">`` when present) and each ``<c level="item">`` a document (title → trích yếu, date, issuer,
type, TT 05 tags). An item's files are those its ``<dao xlink:href>`` point to; files no item names are taken in
together and split by layout as an ordinary ingest would. Every file goes through the ingest pipeline (OCR,
fields, PDF/A); the EAD's values then replace the extracted ones, and the documents wait for review.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from lxml import etree
from sqlalchemy import select

from sohoa.db.models import FileUnit, IngestedPackage
from sohoa.domain.codes import AccessLevel
from sohoa.domain.ports import OcrEngineFactory
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.events import EventType, Outcome, record_preservation_event
from sohoa.services.preservation.intake.mets import NS, MetsInfo, parse_xml
from sohoa.services.preservation.intake.report import IntakeReport
from sohoa.services.preservation.intake.source import PackageRefused
from sohoa.services.production.ingest import ingest_paths
from sohoa.services.production.review import update_fields

__all__ = ["EadItem", "ingest_foreign", "read_ead"]

_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_DOC_TAGS = {"typeName": "type_name", "codeNumber": "code_number", "codeNotation": "code_notation",
             "issuedDate": "issued_date", "place": "place", "organName": "organ_name",
             "parentOrganName": "parent_organ_name", "subject": "subject", "signerPosition": "signer_position",
             "signer": "signer_full_name", "confidential": "secrecy", "priority": "urgency"}
_FILE_TAGS = {"title": "title", "maintenance": "maintenance", "keyword": "keyword", "language": "language",
              "organId": "organ_id", "fileNotation": "file_notation", "format": "physical_state", "creator": "creator"}
_FILE_INTS = {"retentionYears": "retention_years", "totalDoc": "doc_total", "numberOfPaper": "sheet_total",
              "numberOfPage": "page_total", "fileCatalog": "file_catalog"}
_FILE_CODE = re.compile(r"[^0-9A-Za-z.\-_]")


@dataclass
class EadItem:
    """One described unit (the hồ sơ or a document): its identifier, field values and linked files."""

    unitid: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)


def _text(node: etree._Element | None) -> str | None:
    if node is None:
        return None
    text = " ".join("".join(node.itertext()).split())
    return text or None


def _tt05(node: etree._Element) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in node.iterfind("ead:odd/ead:list/ead:defitem", NS):
        label, value = _text(item.find("ead:label", NS)), _text(item.find("ead:item", NS))
        if label and value:
            out[label] = value
    return out


def _dates(did: etree._Element) -> tuple[str | None, str | None]:
    unitdate = did.find("ead:unitdate", NS)
    normal = unitdate.get("normal") if unitdate is not None else None
    if not normal:
        return None, None
    first, _, last = normal.partition("/")
    return first, last or first


def _files(node: etree._Element, base: PurePosixPath) -> list[str]:
    out = []
    for dao in node.iter(f"{{{NS['ead']}}}dao", f"{{{NS['ead']}}}daoloc"):
        href = dao.get(_XLINK_HREF) or dao.get("href")
        if href and "://" not in href:  # from the package root, or from the EAD's folder when it starts with ../
            joined = posixpath.normpath(str(base / href) if href.startswith("../") else href.removeprefix("./"))
            if not joined.startswith(("../", "/")):
                out.append(joined)
    return out


def _document(c: etree._Element, base: PurePosixPath) -> EadItem:
    did = c.find("ead:did", NS)
    item = EadItem(files=_files(c, base))
    if did is None:
        return item
    item.unitid = _text(did.find("ead:unitid", NS))
    values: dict[str, str] = {}
    title = _text(did.find("ead:unittitle", NS))
    if title:
        values["subject"] = title
    issued, _ = _dates(did)
    if issued:
        values["issued_date"] = issued
    organ = _text(did.find("ead:origination/ead:corpname", NS))
    if organ:
        values["organ_name"] = organ
    genre = _text(c.find("ead:controlaccess/ead:genreform", NS))
    if genre:
        values["type_name"] = genre
    values.update({_DOC_TAGS[k]: v for k, v in _tt05(c).items() if k in _DOC_TAGS})
    item.values = values
    return item


def read_ead(path: Path, label: str) -> tuple[EadItem, list[EadItem]]:
    """The hồ sơ and the documents an EAD 2002 file describes."""
    root = parse_xml(path, label)
    archdesc = root.find("ead:archdesc", NS)
    if archdesc is None:
        raise PackageRefused(f"{label} không có archdesc (EAD 2002)", f"{label} has no archdesc (EAD 2002)", label)
    base = PurePosixPath(label).parent
    did = archdesc.find("ead:did", NS)
    file = EadItem(files=[])
    if did is not None:
        file.unitid = _text(did.find("ead:unitid", NS))
        title = _text(did.find("ead:unittitle", NS))
        file.values = {"title": title} if title else {}
        start, end = _dates(did)
        file.values.update({"start_date": start, "end_date": end} if start and end else {})
    file.values.update(_tt05(archdesc))
    restrict = archdesc.find("ead:accessrestrict", NS)
    if restrict is not None and restrict.get("type") in set(AccessLevel):
        file.values.setdefault("mode", str(restrict.get("type")))
    items = [_document(c, base) for c in archdesc.iter(f"{{{NS['ead']}}}c")
             if c.get("level") in {"item", None} and c.find("ead:did", NS) is not None]
    return file, items


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _file_unit(ctx: AppContext, described: EadItem, info: MetsInfo, actor: str) -> tuple[int, str]:
    code = _FILE_CODE.sub("_", described.unitid or info.objid.rsplit(":", 1)[-1])[:30] or "SIP"
    with ctx.db.session() as session:
        found = session.execute(select(FileUnit).where(FileUnit.file_code == code)).scalar_one_or_none()
        if found is not None:
            return found.id, code
        values = described.values
        file = FileUnit(file_code=code, title=values.get("title", "")[:1000],
                        access_level=values.get("mode") if values.get("mode") in set(AccessLevel) else "internal")
        for tag, column in _FILE_TAGS.items():
            if values.get(tag):
                setattr(file, column, values[tag])
        for tag, column in _FILE_INTS.items():
            if (values.get(tag) or "").isdigit():
                setattr(file, column, int(values[tag]))
        for tag, column in (("start_date", "start_date"), ("end_date", "end_date"), ("startDate", "start_date"),
                            ("endDate", "end_date")):
            day = _day(values.get(tag))
            if day is not None:
                setattr(file, column, day)
        session.add(file)
        session.flush()
        record_event(session, actor, "file.create", "file_unit", file.id, {"file_code": code, "package": info.objid})
        return file.id, code


def _set_fields(ctx: AppContext, doc_id: int, values: dict[str, str], actor: str, warnings: list[str]) -> None:
    errors = update_fields(ctx, doc_id, values, actor=actor)
    if errors:
        warnings.extend(f"document {doc_id} {name}: {en}" for name, (_vi, en) in errors.items())
        update_fields(ctx, doc_id, {k: v for k, v in values.items() if k not in errors}, actor=actor)


def ingest_foreign(ctx: AppContext, root: Path, info: MetsInfo, report: IntakeReport, *, mets_sha256: str,
                   source: str, actor: str, engine_factory: OcrEngineFactory | None) -> IntakeReport:
    """Take in a CSIP package described by EAD only (see the module docstring)."""
    ead = next((ref.path for ref in info.md_refs if ref.mdtype == "EAD"), "metadata/descriptive/EAD.xml")
    if not (root / ead).is_file():
        raise PackageRefused("Gói không có sohoa.json và không có EAD: không biết hồ sơ nào",
                             "The package has neither sohoa.json nor EAD: no file to take it into", ead)
    described, items = read_ead(root / ead, ead)
    file_id, code = _file_unit(ctx, described, info, actor)
    report.file_code = code
    data = [f.path for f in info.files if "/data/" in f"/{f.path}" and (root / f.path).is_file()]
    claimed: set[str] = set()
    plan: list[tuple[EadItem | None, list[str]]] = []
    for item in items:
        mine = [p for p in item.files if p in data and p not in claimed]
        claimed.update(mine)
        if mine:
            plan.append((item, mine))
        elif item.files:
            report.warnings.append(f"{item.unitid}: files not in the package / tệp không có trong gói: {item.files}")
    rest = [p for p in data if p not in claimed]
    if rest:
        plan.append((None, rest))
    for planned, paths in plan:
        result = ingest_paths(ctx, [root / p for p in paths], file_code=code, actor=actor,
                              engine_factory=engine_factory, one_document=planned is not None)
        created = sorted({d for r in result.items for d in r.documents})
        report.warnings.extend(f"{r.name}: {r.state} {r.message or ''}".strip() for r in result.items
                               if r.state not in {"done", "duplicate"})
        report.objects += len(paths)
        report.objects_new += sum(1 for r in result.items if r.state == "done")
        for doc_id in created:
            if planned is not None and planned.values:
                _set_fields(ctx, doc_id, planned.values, actor, report.warnings)
        report.document_ids.extend(created)
    report.documents_created = len(report.document_ids)
    with ctx.db.session() as session:
        row = IngestedPackage(package_id=info.objid, package_type=info.package_type, mets_sha256=mets_sha256,
                              source=source[:500], actor=actor, file_id=file_id)
        session.add(row)
        for doc_id in report.document_ids:
            record_preservation_event(session, EventType.INGESTION, Outcome.SUCCESS, document_id=doc_id,
                                      file_id=file_id, detail=f"Nhận SIP {info.objid} từ hệ thống khác / foreign SIP",
                                      payload={"package": info.objid, "actor": actor})
        row.summary = report.as_dict()
        record_event(session, actor, "package.ingested", "file_unit", file_id,
                     {"package": info.objid, "type": info.package_type, "foreign": True, "mets_sha256": mets_sha256,
                      "documents": report.document_ids})
    return report
