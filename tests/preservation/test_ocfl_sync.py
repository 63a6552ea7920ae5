"""The OCFL storage root of an archive built through the real ingest: one object per hồ sơ, versions on change,
validated by ocfl-py (independent) and by our own checks; resumable after a crash; idempotent."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from sohoa.db.models import Document, FileUnit, OcflObject, Page, StoredObject
from sohoa.domain.ocr import BBox, Word
from sohoa.engines.fakes import FakeOcrEngine
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.events import EventType, events_for
from sohoa.services.preservation.ocfl import hoso_object_id, ocfl_status, sync_all, sync_file, validate_ocfl
from sohoa.services.preservation.ocfl_root import open_ocfl_root
from sohoa.services.production.ingest import ingest_paths
from sohoa.services.production.review import update_fields
from sohoa.storage.ocfl import object_path
from tests.ingest._helpers import text_page
from tests.preservation._ocfl_helpers import ocfl_validate

WORDS = tuple(Word(t, BBox(60 + 130 * i, 60, 180 + 130 * i, 100), 0.95, 1, 1)
              for i, t in enumerate(["Quyết", "định", "về", "việc", "hòa", "giải"]))
FIRST, SECOND = "HS.2024.01", "HS.2024.02"


def fake() -> FakeOcrEngine:
    return FakeOcrEngine(WORDS)


def build_archive(ctx: AppContext, folder: Path) -> None:
    """Two hồ sơ and a document in none, through the real ingest (fake OCR)."""
    for code, lines in ((FIRST, ["Quyết định số 12/QĐ-UBND"]), (SECOND, ["Công văn số 7/UBND-VP"])):
        sub = folder / code
        sub.mkdir(parents=True)
        page = text_page(sub / "p1.png", lines)
        report = ingest_paths(ctx, [page], file_code=code, engine_factory=fake)
        assert all(item.state == "done" for item in report.items)
    with ctx.db.session() as session:
        session.add(Document(text="Tờ rời", source_name="loose.pdf"))  # in no hồ sơ yet
        session.commit()


def _file_id(ctx: AppContext, code: str) -> int:
    with ctx.db.session() as session:
        return int(session.scalars(select(FileUnit.id).where(FileUnit.file_code == code)).one())


def _object_dir(ctx: AppContext, code: str) -> Path:
    return ctx.settings.data / "ocfl" / object_path(hoso_object_id(code))


def _assert_valid(ctx: AppContext) -> None:
    assert validate_ocfl(ctx) == []
    valid, output = ocfl_validate(ctx.settings.data / "ocfl")
    assert valid, output


def test_sync_versions_and_validation(any_ctx: AppContext, tmp_path: Path) -> None:
    ctx = any_ctx
    build_archive(ctx, tmp_path / "in")
    first = sync_all(ctx)
    assert [(r.file_code, r.version) for r in first] == [(FIRST, "v1"), (SECOND, "v1")]
    assert validate_ocfl(ctx) == []  # ocfl-py checks the root once it holds v1…v3 (below)
    assert all(r.version is None for r in sync_all(ctx))  # idempotent: nothing changed, nothing written
    status = ocfl_status(ctx)
    assert (status.objects, status.versions, status.pending_files, status.unfiled_documents) == (2, 2, 0, 1)

    obj = _object_dir(ctx, FIRST)
    v1_files = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in (obj / "v1/content").rglob("*") if p.is_file()}
    names = {p.relative_to(obj / "v1/content").as_posix() for p in v1_files}
    assert {"METS.xml", "metadata/descriptive/EAD.xml", "metadata/preservation/PREMIS.xml",
            "metadata/other/sohoa.json", "representations/rep1/data/masters/p1.png"} <= names
    assert [n for n in names if n.endswith(".pdf")] and [n for n in names if "/data/ocr/" in n]
    file_id = _file_id(ctx, FIRST)
    with ctx.db.session() as session:
        doc_id = int(session.scalars(select(Document.id).where(Document.file_id == file_id)).first() or 0)
    with ctx.db.session() as session:  # the hồ sơ's description edited: metadata only
        file = session.get(FileUnit, file_id)
        assert file is not None
        file.title = "Hồ sơ hòa giải năm 2024"
        session.commit()
    changed = sync_all(ctx)
    assert [(r.file_code, r.version) for r in changed] == [(FIRST, "v2"), (SECOND, None)]
    assert changed[0].reason == "siêu dữ liệu thay đổi / metadata changed"

    # a field corrected in review: the document's PDF/A is rebuilt (its metadata carry the fields)
    assert update_fields(ctx, doc_id, {"subject": "Về việc thành lập tổ hòa giải"}, actor="reviewer") == {}
    rebuilt = sync_all(ctx, file_codes=[FIRST])
    assert rebuilt[0].version == "v3" and "PDF rebuilt" in rebuilt[0].reason
    _assert_valid(ctx)

    for path, (data, mtime) in v1_files.items():  # v1 content never touched
        assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime
    later = [p.relative_to(obj).as_posix() for p in obj.glob("v[23]/content/**/*") if p.is_file()]
    assert not [p for p in later if "/data/masters/" in p or "/data/ocr/" in p]  # unchanged files stored once
    assert [p for p in later if p.startswith("v3/") and p.endswith(".pdf")]
    inventory = json.loads((obj / "inventory.json").read_text(encoding="utf-8"))
    assert inventory["head"] == "v3" and inventory["versions"]["v1"]["created"].endswith("+07:00")
    assert inventory["versions"]["v2"]["user"] == {"name": "system", "address": "urn:sohoa:user:system"}

    with ctx.db.session() as session:
        kinds = [e.event_type for e in events_for(session, file_ids=[file_id])
                 if (e.payload or {}).get("ocfl_object")]
        row = session.scalars(select(OcflObject).where(OcflObject.file_id == file_id)).one()
        assert row.head == "v3"
    assert kinds == [EventType.INGESTION, EventType.METADATA_MODIFICATION, EventType.MODIFICATION]
    root = open_ocfl_root(ctx.settings)
    with root.open_file(hoso_object_id(FIRST), "metadata/other/sohoa.json", "v1") as handle:
        v1_record = json.loads(handle.read())
    assert all(d.get("subject") != "Về việc thành lập tổ hòa giải" for d in v1_record["documents"])


def test_a_crash_mid_version_then_a_rerun(ctx: AppContext, tmp_path: Path) -> None:
    build_archive(ctx, tmp_path / "in")

    def crash() -> None:
        raise RuntimeError("power cut after the content, before the inventories")

    file_id = _file_id(ctx, FIRST)
    with ctx.db.session() as session, pytest.raises(RuntimeError):
        sync_file(ctx, session, file_id, after_content=crash)
    assert (_object_dir(ctx, FIRST) / "v1/content").is_dir()
    assert not (_object_dir(ctx, FIRST) / "inventory.json").exists()
    assert validate_ocfl(ctx)  # our checks see the half-written object
    results = sync_all(ctx)
    assert [(r.file_code, r.version) for r in results] == [(FIRST, "v1"), (SECOND, "v1")]
    _assert_valid(ctx)


def test_a_tampered_master_is_reported(ctx: AppContext, tmp_path: Path) -> None:
    build_archive(ctx, tmp_path / "in")
    sync_all(ctx)
    master = next(p for p in (_object_dir(ctx, SECOND) / "v1/content").rglob("*") if "/masters/" in p.as_posix()
                  and p.is_file())
    master.unlink()  # a hard link to the store's object: replace the OCFL copy only
    master.write_bytes(b"not the scan")
    assert any("/masters/" in p.path for p in validate_ocfl(ctx))
    valid, output = ocfl_validate(ctx.settings.data / "ocfl")
    assert not valid and "E092" in output


def test_a_lost_master_stops_only_its_hoso(ctx: AppContext, tmp_path: Path) -> None:
    build_archive(ctx, tmp_path / "in")
    with ctx.db.session() as session:
        sha = session.scalars(select(StoredObject.sha256).join(Page, Page.master_object_id == StoredObject.id)
                              .join(Document, Page.document_id == Document.id)
                              .join(FileUnit, Document.file_id == FileUnit.id)
                              .where(FileUnit.file_code == SECOND)).first()
    assert sha is not None
    (ctx.settings.data / "objects" / "sha256" / sha[:2] / sha[2:4] / sha).unlink()
    results = sync_all(ctx)
    assert [(r.file_code, r.version, bool(r.error)) for r in results] == [(FIRST, "v1", False), (SECOND, None, True)]
    assert "sha256" in (results[1].error or "") or sha in (results[1].error or "")
    assert not _object_dir(ctx, SECOND).exists()  # nothing half-written left behind
    _assert_valid(ctx)
    assert ocfl_status(ctx).pending_files == 1


def test_a_lost_ocfl_root_is_written_again(ctx: AppContext, tmp_path: Path) -> None:
    build_archive(ctx, tmp_path / "in")
    sync_all(ctx)
    shutil.rmtree(ctx.settings.data / "ocfl")  # e.g. a restore that brought the database back, not the root
    again = sync_all(ctx)
    assert [r.version for r in again] == ["v1", "v1"] and "rebuilt" in again[0].reason
    assert validate_ocfl(ctx) == []
    with ctx.db.session() as session:
        assert [row.head for row in session.scalars(select(OcflObject))] == ["v1", "v1"]
