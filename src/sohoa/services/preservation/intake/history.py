"""The history a package carries: its audit events (``metadata/other/audit.jsonl``) kept as imported history with
their entities mapped to this archive's rows, each hash recomputed with the audit log's own digest; and its
PREMIS events (``metadata/preservation/PREMIS.xml``) appended to this archive's preservation events with their
identifiers and times, linked to the objects, documents and hồ sơ they name.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import ImportedAuditEvent, PreservationEvent
from sohoa.services.platform.audit import event_digest
from sohoa.services.preservation.events import record_preservation_event
from sohoa.services.preservation.intake.mets import NS, parse_xml
from sohoa.services.preservation.intake.records import IdMap
from sohoa.services.preservation.intake.source import PackageRefused

__all__ = ["AuditImport", "import_audit", "import_premis", "read_audit"]

_ENTITY_KINDS = {"document": "document", "file_unit": "file_unit", "page": "page", "ingest_item": "ingest_item",
                 "unit": "unit", "fonds": "fonds"}


@dataclass(frozen=True)
class AuditImport:
    """What the audit history of a package gave: rows imported, rows already here, hashes that did not
    recompute (their original ids)."""

    imported: int
    known: int
    bad_hashes: tuple[int, ...]


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)  # kept in UTC: SQLite keeps a time's digits, not its offset
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def read_audit(path: Path, label: str) -> list[dict[str, Any]]:
    """The events of an audit.jsonl, each with its ``at`` parsed; a bad line is refused by its number."""
    events: list[dict[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            row["at"] = _moment(str(row["at"]))
            missing = [key for key in ("id", "actor", "action", "prev_hash", "hash") if key not in row]
            if missing:
                raise KeyError(", ".join(missing))
        except (ValueError, KeyError, TypeError) as exc:
            raise PackageRefused(f"Dòng {number} của {label} không hợp lệ: {exc}",
                                 f"Line {number} of {label} is invalid: {exc}", label) from exc
        events.append(row)
    return events


def import_audit(session: Session, package_row_id: int, events: list[dict[str, Any]], ids: IdMap) -> AuditImport:
    """Keep every event not kept yet (by its original hash); check each hash recomputes from its row and each
    row links to the one before it where the two were neighbours in the exporting archive's chain."""
    imported = known = 0
    bad: list[int] = []
    previous: tuple[int, str] | None = None
    for row in sorted(events, key=lambda r: int(r["id"])):
        ok = event_digest(row["prev_hash"], row["at"], row["actor"], row["action"], row.get("entity_type"),
                          row.get("entity_id"), row.get("payload")) == row["hash"]
        # Rows that were neighbours in the exporting chain must still link (a row between them cut or altered).
        ok = ok and not (previous and previous[0] + 1 == int(row["id"]) and previous[1] != row["prev_hash"])
        previous = (int(row["id"]), str(row["hash"]))
        if not ok:
            bad.append(int(row["id"]))
        if session.execute(select(ImportedAuditEvent.id).where(ImportedAuditEvent.hash == row["hash"])).first():
            known += 1
            continue
        kind = _ENTITY_KINDS.get(row.get("entity_type") or "")
        session.add(ImportedAuditEvent(
            package_row_id=package_row_id, original_id=int(row["id"]), at=row["at"], actor=row["actor"],
            action=row["action"], entity_type=row.get("entity_type"), original_entity_id=row.get("entity_id"),
            entity_id=ids.get(kind, row.get("entity_id")) if kind else None, payload=row.get("payload"),
            prev_hash=row["prev_hash"], hash=row["hash"], hash_ok=ok))
        imported += 1
    session.flush()
    return AuditImport(imported, known, tuple(bad))


def _text(node: etree._Element, path: str) -> str | None:
    found = node.find(path, NS)
    return found.text.strip() if found is not None and found.text else None


def _plaintext_digests(root: etree._Element) -> dict[str, str]:
    """Digest of the bytes held → the object's name (its plaintext digest) for each file object."""
    out: dict[str, str] = {}
    for obj in root.iterfind("premis:object", NS):
        pairs = {(_text(i, "premis:objectIdentifierType") or ""): (_text(i, "premis:objectIdentifierValue") or "")
                 for i in obj.iterfind("premis:objectIdentifier", NS)}
        if "sha256" in pairs:
            out[pairs["sha256"]] = pairs.get("sha256-plaintext") or pairs["sha256"]
    return out


@dataclass(frozen=True)
class _Targets:
    objects: Mapping[str, int]  # plaintext digest → object id
    documents: Mapping[str, int]  # package key → document id
    file_code: str | None
    file_id: int | None


def _links(event: etree._Element, held: Mapping[str, str], targets: _Targets) -> dict[str, int | None]:
    links: dict[str, int | None] = {"object_id": None, "document_id": None, "file_id": None}
    for link in event.iterfind("premis:linkingObjectIdentifier", NS):
        kind = _text(link, "premis:linkingObjectIdentifierType") or ""
        value = _text(link, "premis:linkingObjectIdentifierValue") or ""
        if kind.startswith("sha256"):
            links["object_id"] = targets.objects.get(held.get(value, value))
        elif value.startswith("urn:sohoa:document:"):
            links["document_id"] = targets.documents.get(value.removeprefix("urn:sohoa:document:"))
        elif value.startswith("urn:sohoa:hoso:") or (targets.file_code and value.endswith(targets.file_code)):
            links["file_id"] = targets.file_id
    if not any(links.values()):
        links["file_id"] = targets.file_id
    return links


def import_premis(session: Session, path: Path, label: str, *, objects: Mapping[str, int],
                  documents: Mapping[str, int], file_code: str | None, file_id: int | None) -> tuple[int, int]:
    """Append the package's PREMIS events not here yet (by identifier); returns (imported, already here)."""
    root = parse_xml(path, label)
    held = _plaintext_digests(root)
    targets = _Targets(objects, documents, file_code, file_id)
    imported = known = 0
    for event in root.iterfind("premis:event", NS):
        identifier = _text(event, "premis:eventIdentifier/premis:eventIdentifierValue")
        when = _text(event, "premis:eventDateTime")
        kind = _text(event, "premis:eventType")
        if not identifier or not when or not kind:
            raise PackageRefused(f"Sự kiện PREMIS thiếu định danh, thời gian hoặc loại trong {label}",
                                 f"A PREMIS event in {label} lacks its identifier, time or type", label)
        if session.execute(select(PreservationEvent.id).where(PreservationEvent.identifier == identifier)).first():
            known += 1
            continue
        links = _links(event, held, targets)
        if not any(links.values()):
            continue  # nothing of this archive to hang it on (a package of loose documents, none kept)
        record_preservation_event(
            session, kind, _text(event, "premis:eventOutcomeInformation/premis:eventOutcome") or "success",
            detail=_text(event, "premis:eventDetailInformation/premis:eventDetail"),
            outcome_detail=_text(event, "premis:eventOutcomeInformation/premis:eventOutcomeDetail/"
                                        "premis:eventOutcomeDetailNote"),
            agent=_text(event, "premis:linkingAgentIdentifier/premis:linkingAgentIdentifierValue"),
            at=_moment(when), identifier=identifier, object_id=links["object_id"],
            document_id=links["document_id"], file_id=links["file_id"])
        imported += 1
    return imported, known
