"""`sohoa ingest-package`: take in a SIP or AIP (a directory, a zip or a BagIt bag) from this or another archive.

Order of work, so that a damaged package stores nothing: open it (a bag's manifests checked), validate it
(METS/EAD/PREMIS against the shipped schemas, every listed file's SHA-256 and size — the package validator),
and only then put its objects into the store (each checked again against its digest) and its records, history
and events into the database in one transaction, with one ``package.ingested`` event in the live audit chain
and a PREMIS ``ingestion`` event per document. A package taken in before (same root METS) changes nothing.

A Sohoa package (``metadata/other/sohoa.json``) comes back whole: every field, object, signature, personal
datum, audit event and PREMIS event. A package from another system (E-ARK CSIP with EAD only) is taken in
as a normal intake: its files go through the ingest pipeline into the hồ sơ its EAD names, the EAD fields
are set on the documents, which wait for review (:mod:`sohoa.services.preservation.intake.foreign`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, IngestedPackage, Page, StoredObject
from sohoa.domain.errors import SohoaError
from sohoa.domain.ports import OcrEngineFactory
from sohoa.services.catalogue.index_docs import document_index_doc
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.store_keys import keyring_for
from sohoa.services.preservation.events import EventType, Outcome, record_preservation_event
from sohoa.services.preservation.intake.check import check_package, resolve
from sohoa.services.preservation.intake.foreign import ingest_foreign
from sohoa.services.preservation.intake.history import import_audit, import_premis, read_audit
from sohoa.services.preservation.intake.mets import MetsInfo, read_mets
from sohoa.services.preservation.intake.objects import check_encrypted, put_objects
from sohoa.services.preservation.intake.records import IdMap, check_references, import_records
from sohoa.services.preservation.intake.report import IntakeReport
from sohoa.services.preservation.intake.source import PackageRefused, PackageSource, open_package
from sohoa.services.preservation.packages.validate import validate_package
from sohoa.services.production.page_editor import page_thumbnail
from sohoa.storage.sealed import KeyRecord

__all__ = ["IntakeReport", "ingest_package"]

SOHOA_JSON = "metadata/other/sohoa.json"
AUDIT_JSONL = "metadata/other/audit.jsonl"
PREMIS_XML = "metadata/preservation/PREMIS.xml"
SOHOA_FORMAT = "sohoa-package/"  # sohoa.json's "format": sohoa-package/1


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _metadata(info: MetsInfo, root: Path, name: str, mdtype: str | None = None) -> Path | None:
    """The metadata file of the root METS of this type (or ending with this name), else the conventional path."""
    for ref in info.md_refs:
        if ref.listed_in == "METS.xml" and (ref.mdtype == mdtype if mdtype else ref.path.endswith(name)):
            return resolve(root, ref.path)
    fallback = root / name
    return fallback if fallback.is_file() else None


def _validate(source: PackageSource) -> None:
    # Another system's SIP may come without PREMIS (E-ARK CSIP recommends it, TT 05 packages of Sohoa have it).
    foreign = not (source.root / SOHOA_JSON).exists() and not (source.root / PREMIS_XML).exists()
    problems = [p for p in validate_package(source.root) if not (foreign and p.path == PREMIS_XML)]
    if problems:
        first = problems[0]
        more_vi = f" (và {len(problems) - 1} lỗi khác)" if len(problems) > 1 else ""
        more_en = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise PackageRefused(f"Gói không hợp lệ, không nhận gì: {first.path}: {first.message_vi}{more_vi}",
                             f"The package is invalid, nothing was taken in: {first.path}: {first.message_en}"
                             f"{more_en}", first.path)


def _already(session: Session, mets_sha256: str) -> IngestedPackage | None:
    return session.execute(select(IngestedPackage).where(IngestedPackage.mets_sha256 == mets_sha256)).scalar()


def _recorded(ctx: AppContext, sha256: str) -> bool:
    """Whether this archive already keeps the object (row and bytes): a package may leave it out."""
    with ctx.db.session() as session:
        known = session.execute(select(StoredObject.id).where(StoredObject.sha256 == sha256)).first() is not None
    return known and ctx.store.exists(sha256)


def _index(ctx: AppContext, session: Session, document_ids: list[int]) -> None:
    for doc_id in document_ids:
        doc = session.get(Document, doc_id)
        if doc is not None and doc.pages:
            ctx.index.upsert(session, document_index_doc(doc))


def _thumbnails(ctx: AppContext, document_ids: list[int], report: IntakeReport) -> None:
    """Make the page thumbnails an AIP does not carry (they derive from the masters), so the documents show in
    search results and on the portal at once; a page whose master cannot be rendered is named, never fatal."""
    if not document_ids:
        return
    with ctx.db.session() as session:
        pages = list(session.execute(select(Page.id, Page.page_no, Page.document_id).where(
            Page.document_id.in_(document_ids), Page.thumbnail_object_id.is_(None))).all())
    for page_id, page_no, doc_id in pages:
        try:
            page_thumbnail(ctx, page_id)
        except SohoaError as exc:
            report.warnings.append(f"document {doc_id} page {page_no}: no thumbnail / không tạo được ảnh nhỏ: "
                                   f"{exc.en}")


def _events(session: Session, report: IntakeReport, ids: IdMap, info: MetsInfo, actor: str) -> None:
    detail = f"Nhận gói {info.package_type} {info.objid} / package taken in"
    for doc_id in ids.new_documents:
        record_preservation_event(session, EventType.INGESTION, Outcome.SUCCESS, document_id=doc_id,
                                  file_id=ids.file_id, detail=detail, agent=None,
                                  payload={"package": info.objid, "actor": actor})
    if not ids.new_documents and ids.file_id is not None and report.objects_new:
        record_preservation_event(session, EventType.INGESTION, Outcome.SUCCESS, file_id=ids.file_id, detail=detail,
                                  payload={"package": info.objid, "actor": actor})


def _sohoa_package(ctx: AppContext, session: Session, source: PackageSource, info: MetsInfo, body: Mapping[str, Any],
                   audit: list[dict[str, Any]], row: IngestedPackage, report: IntakeReport, actor: str,
                   key_records: Mapping[str, KeyRecord]) -> IdMap:
    objects, created = put_objects(session, ctx.store, source.root, list(body.get("objects") or []), report.warnings,
                                   key_records=key_records)
    report.objects, report.objects_new = len(objects), created
    ids = import_records(session, body, objects, package_id=info.objid, actor=actor)
    row.file_id = ids.file_id
    report.documents_created = ids.created.get("document", 0)
    report.documents_matched = ids.matched.get("document", 0)
    report.document_ids = sorted(ids.ids.get("document", {}).values())
    if audit:
        done = import_audit(session, row.id, audit, ids)
        report.audit_imported, report.audit_known, report.audit_bad_hashes = done.imported, done.known, \
            done.bad_hashes
        if done.bad_hashes:
            report.warnings.append(f"{len(done.bad_hashes)} audit events do not recompute / sự kiện không khớp "
                                   f"mã băm: {list(done.bad_hashes)[:10]}")
    premis_path = _metadata(info, source.root, PREMIS_XML, "PREMIS")
    if premis_path is not None:
        keys = {str(d["key"]): ids.get("document", d.get("id")) for d in body.get("documents") or []}
        report.premis_imported, report.premis_known = import_premis(
            session, premis_path, "PREMIS.xml", objects=objects,
            documents={k: v for k, v in keys.items() if v is not None},
            file_code=(body.get("file") or {}).get("file_code"), file_id=ids.file_id)
    _index(ctx, session, ids.new_documents)
    return ids


def ingest_package(ctx: AppContext, path: Path, *, actor: str,
                   engine_factory: OcrEngineFactory | None = None,
                   progress: Callable[[str], None] | None = None) -> IntakeReport:
    """Take in the package at ``path`` (directory, .zip, BagIt bag); see the module docstring.
    ``engine_factory``: the OCR engine for a foreign SIP's files (None: the configured one)."""
    say = progress or (lambda _m: None)
    with open_package(path, ctx.settings.work_dir) as source:
        say(f"opened {source.kind}")
        _validate(source)
        info = read_mets(source.root)
        if info.package_type.upper() == "DIP":
            raise PackageRefused("Gói DIP là bản giao cho người dùng, không phải gói để nhận vào kho; hãy dùng SIP "
                                 "hoặc AIP", "A DIP is delivered to users, not taken into an archive: use a SIP or "
                                 "an AIP", "METS.xml")
        check_package(source.root, info)
        mets_sha256 = _sha256(source.root / "METS.xml")
        report = IntakeReport(info.objid, info.package_type, source.kind)
        with ctx.db.session() as session:
            done = _already(session, mets_sha256)
            if done is not None:
                report.already = True
                report.file_code = (done.summary or {}).get("file_code")
                return report
        body_path = _metadata(info, source.root, SOHOA_JSON)
        if body_path is None:
            report.foreign = True
            return ingest_foreign(ctx, source.root, info, report, mets_sha256=mets_sha256,
                                  source=source.source, actor=actor, engine_factory=engine_factory)
        try:
            body = json.loads(body_path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise PackageRefused(f"{SOHOA_JSON} không đọc được: {exc}", f"{SOHOA_JSON} is unreadable: {exc}",
                                 SOHOA_JSON) from exc
        audit_path = _metadata(info, source.root, AUDIT_JSONL)
        audit = read_audit(audit_path, AUDIT_JSONL) if audit_path is not None else []
        if not str(body.get("format", "")).startswith(SOHOA_FORMAT):
            raise PackageRefused(f"{SOHOA_JSON} có định dạng lạ: {body.get('format')!r}",
                                 f"{SOHOA_JSON} has an unknown format: {body.get('format')!r}", SOHOA_JSON)
        check_references(body, lambda digest: _recorded(ctx, digest))
        key_records = check_encrypted(ctx.store, source.root, list(body.get("objects") or []),
                                      keyring_for(ctx.settings))
        report.file_code = (body.get("file") or {}).get("file_code")
        with ctx.db.session() as session:
            row = IngestedPackage(package_id=info.objid, package_type=info.package_type, mets_sha256=mets_sha256,
                                  source=source.source[:500], actor=actor)
            session.add(row)
            session.flush()
            ids = _sohoa_package(ctx, session, source, info, body, audit, row, report, actor, key_records)
            _events(session, report, ids, info, actor)
            row.summary = report.as_dict()
            record_event(session, actor, "package.ingested", "file_unit" if ids.file_id else None, ids.file_id,
                         {"package": info.objid, "type": info.package_type, "source": source.kind,
                          "mets_sha256": mets_sha256, "documents": report.document_ids,
                          "created": report.documents_created, "objects_new": report.objects_new,
                          "audit_imported": report.audit_imported, "premis_imported": report.premis_imported})
        _thumbnails(ctx, ids.new_documents, report)
        say("done")
        return report
