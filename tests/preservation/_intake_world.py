"""The archive of the round-trip tests: one hồ sơ built through the real ingest (fake OCR engine), reviewed,
corrected and published as staff would, with PREMIS events of its own; and its AIP exported.

Document 1 (two pages) is reviewed with corrected fields (audited, reindexed, PDF/A rebuilt) and published
with the file; document 2 (one page) waits for review with one corrected field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from sohoa.db.models import Document, DocumentSignature, FileUnit, Fonds, PersonalDatum, StoredObject, Unit
from sohoa.domain.codes import AccessLevel
from sohoa.services.identity.access_changes import change_file_access
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.events import EventType, Outcome, record_preservation_event
from sohoa.services.preservation.packages.export import export_package
from sohoa.services.preservation.packages.model import PackageKind
from sohoa.services.production.ingest import ingest_paths
from sohoa.services.production.review import update_fields
from tests.preservation._package_world import fake_engine, page_png

FILE_CODE = "HS-RT-2025-01"
SUBJECT = "Quyết định về việc công nhận tổ hòa giải ở cơ sở"
NOTATION = "QĐ-UBND"


@dataclass(frozen=True)
class World:
    """The ids of the hồ sơ and its documents in the first archive."""

    file_id: int
    documents: tuple[int, int]


def build_world(ctx: AppContext, folder: Path) -> World:
    """Ingest, review, correct and publish (see the module docstring)."""
    first = [page_png(folder / "a" / f"trang-{n}.png", 200 + n) for n in range(2)]
    second = [page_png(folder / "b" / "trang-0.png", 230)]
    one = ingest_paths(ctx, first, file_code=FILE_CODE, one_document=True, engine_factory=fake_engine,
                       actor="scanner")
    two = ingest_paths(ctx, second, file_code=FILE_CODE, one_document=True, engine_factory=fake_engine,
                       actor="scanner")
    doc1, doc2 = one.items[0].documents[0], two.items[0].documents[0]
    errors = update_fields(ctx, doc1, {"type_name": "Quyết định", "code_number": "125", "code_notation": NOTATION,
                                       "issued_date": "2025-03-05", "subject": SUBJECT,
                                       "organ_name": "Ủy ban nhân dân phường Bến Nghé",
                                       "signer_full_name": "Nguyễn Văn An", "signer_position": "Chủ tịch"},
                           actor="reviewer")
    assert not errors, errors
    assert not update_fields(ctx, doc2, {"subject": "Công văn về việc tập huấn hòa giải viên"}, actor="reviewer")
    with ctx.db.session() as session:
        unit = Unit(identifier="000.00.31.H29", name="Ủy ban nhân dân phường Bến Nghé",
                    name_folded="uy ban nhan dan phuong ben nghe", unit_type="phường", valid_from=date(1976, 1, 1))
        session.add(unit)
        session.flush()
        fonds = Fonds(code="P31.BN", name="Phông UBND phường Bến Nghé", unit_id=unit.id, start_year=1976)
        session.add(fonds)
        session.flush()
        file = session.execute(select(FileUnit).where(FileUnit.file_code == FILE_CODE)).scalar_one()
        file.title = "Hồ sơ công nhận tổ hòa giải năm 2025"
        file.maintenance, file.permanent, file.keyword = "Vĩnh viễn", True, "hòa giải"
        file.unit_id, file.fonds_id = unit.id, fonds.id
        file_id = file.id
        doc = session.get(Document, doc1)
        assert doc is not None and doc.pages
        doc.unit_id = unit.id
        session.add(DocumentSignature(document_id=doc1, master_object_id=doc.pages[0].master_object_id, position=0,
                                      field_name="Signature1", status="read", signer_common_name="Nguyễn Văn An",
                                      signer_organisation="UBND phường Bến Nghé", serial="0A1B2C",
                                      signing_time=datetime(2025, 3, 5, 2, 0, 1, 250000, tzinfo=UTC),
                                      intact=True, valid=True, trust="trusted", coverage="whole",
                                      details={"revision": 1, "digest": "sha256"}))
        session.add(PersonalDatum(document_id=doc2, page_no=1, kind="phone", value="0912 345 678",
                                  normalized="0912345678", source="reviewer", status="masked", decided_by="reviewer",
                                  decided_at=datetime(2025, 3, 7, 1, 0, tzinfo=UTC)))
    update_fields(ctx, doc1, {}, actor="reviewer", mark_reviewed=True)  # document 2 stays in review
    change_file_access(ctx, file_id, AccessLevel.PUBLIC, "archivist", "Công bố / published", role="admin")
    with ctx.db.session() as session:
        master = session.execute(select(StoredObject).where(StoredObject.kind == "master")
                                 .order_by(StoredObject.id)).scalars().first()
        assert master is not None
        record_preservation_event(session, EventType.FIXITY_CHECK, Outcome.SUCCESS, object_id=master.id,
                                  detail="sha256 re-hashed")
        record_preservation_event(session, EventType.VALIDATION, Outcome.SUCCESS, document_id=doc1, file_id=file_id,
                                  detail="PDF/A-2b checked", at=datetime(2025, 3, 6, 2, 30, 15, 123456, tzinfo=UTC))
    return World(file_id, (doc1, doc2))


def export_aip(ctx: AppContext, out: Path, fmt: str = "dir") -> Path:
    """The AIP of the hồ sơ written by `sohoa package aip`'s service (``fmt``: dir, zip, bagit); its path."""
    report = export_package(ctx, PackageKind.AIP_HOSO, out, file_code=FILE_CODE, fmt=fmt, actor="archivist")
    assert report.valid, report.problems
    return report.written.path


def normalised(body: bytes) -> object:
    """sohoa.json without what differs between two archives by design: row ids and the package's date."""
    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in {"id", "created"} and not k.endswith("_id")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return strip(json.loads(body))
