"""`sohoa ingest-package` and the AIP round trip: an AIP exported from one archive and taken into an empty one
keeps every field, object, audit event and PREMIS event; a damaged package is refused naming the bad file and
stores nothing; the same package twice changes nothing; a foreign EAD-only SIP lands in review."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select
from typer.testing import CliRunner

from sohoa.cli.main import app
from sohoa.db.base import Base
from sohoa.db.models import Document, Event, ImportedAuditEvent, Page, PreservationEvent, StoredObject
from sohoa.services.platform.audit import verify_chain
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.preservation.intake.compare import Difference, Snapshot, compare_archives, snapshot
from sohoa.services.preservation.intake.records import check_references
from sohoa.services.preservation.intake.service import ingest_package
from sohoa.services.preservation.intake.source import PackageRefused
from sohoa.services.preservation.packages.export import export_package
from sohoa.services.preservation.packages.model import PackageKind
from sohoa.settings import Settings
from tests.preservation._intake_world import (
    FILE_CODE,
    NOTATION,
    SUBJECT,
    World,
    build_world,
    export_aip,
    normalised,
)


@dataclass(frozen=True)
class Source:
    """The first archive (kept open for the module), its hồ sơ as it was before any export, and its AIP
    exported as a directory, a zip, a BagIt bag and a zipped bag."""

    ctx: AppContext
    world: World
    before: Snapshot
    aip: Path
    packages: dict[str, Path]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    folder = tmp_path_factory.mktemp("source")
    ctx = open_context(Settings(data=folder / "data", workers=1))
    world = build_world(ctx, folder / "scans")
    before = snapshot(ctx, FILE_CODE)  # each export adds its own events, which that package cannot hold
    packages = {fmt: export_aip(ctx, folder / f"aip-{fmt}", fmt) for fmt in ("dir", "zip", "bagit", "bagit-zip")}
    yield Source(ctx, world, before, packages["dir"], packages)
    ctx.close()


def _same(source: Source, target: AppContext) -> list[Difference]:
    return compare_archives(source.ctx, target, FILE_CODE, before=source.before)


def _fresh(tmp_path: Path, name: str = "archive2") -> AppContext:
    return open_context(Settings(data=tmp_path / name, workers=1))


def _counts(ctx: AppContext) -> dict[str, int]:
    with ctx.db.session() as session:
        counts = {table.name: int(session.execute(select(func.count()).select_from(table)).scalar_one())
                  for table in Base.metadata.sorted_tables}
    counts["store"] = sum(1 for _ in ctx.store.iter_digests())
    return counts


def _copy(aip: Path, to: Path) -> Path:
    shutil.copytree(aip, to)
    return to


def test_aip_round_trip_keeps_everything(source: Source, tmp_path: Path) -> None:
    target = _fresh(tmp_path)
    try:
        report = ingest_package(target, source.aip, actor="archivist")
        assert (report.documents_created, report.documents_matched, report.foreign) == (2, 0, False)
        assert report.objects == report.objects_new >= 6  # 3 masters, 2 PDFs, OCR (alike pages share one)
        assert report.audit_imported > 0 and report.audit_bad_hashes == () and report.premis_imported >= 2
        assert _same(source, target) == []
        with target.db.session() as session:
            assert verify_chain(session).ok
            live = list(session.scalars(select(Event).where(Event.action == "package.ingested")))
            assert len(live) == 1 and live[0].actor == "archivist"
            assert all(session.scalars(select(ImportedAuditEvent.hash_ok)))
            ingestion = session.scalars(select(PreservationEvent).where(PreservationEvent.event_type == "ingestion"))
            assert len(list(ingestion)) == 2
            # thumbnails are not carried but made from the masters at intake, for search results and the portal
            assert session.scalar(select(func.count()).select_from(Page).where(Page.thumbnail_object_id.is_(None))) \
                == 0
        for query in (SUBJECT, "125/" + NOTATION, "to hoa giai o co so"):
            with target.db.session() as session:
                hits = target.index.search(session, query)
            assert hits.total >= 1, query
        again = export_aip(target, tmp_path / "again")
        for name in ("metadata/other/sohoa.json",):
            assert normalised((again / name).read_bytes()) == normalised((source.aip / name).read_bytes())
        assert _ead_body(again) == _ead_body(source.aip)
        with target.db.session() as session:  # and the comparison does see a changed field
            session.execute(select(Document).where(Document.subject == SUBJECT)).scalar_one().subject = "Khác"
        assert [d.field for d in _same(source, target)] == ["subject", "updated_at"]
    finally:
        target.close()


def _ead_body(aip: Path) -> bytes:
    """EAD.xml without its header (which names the package)."""
    text = (aip / "metadata/descriptive/EAD.xml").read_bytes()
    return text[text.index(b"<archdesc"):]


@pytest.mark.parametrize("form", ["zip", "bagit", "bagit-zip"])
def test_zip_and_bag_are_taken_in(source: Source, tmp_path: Path, form: str) -> None:
    package = source.packages[form]
    target = _fresh(tmp_path)
    try:
        report = ingest_package(target, package, actor="archivist")
        assert report.source_kind == {"zip": "zip", "bagit": "bagit", "bagit-zip": "zip+bagit"}[form]
        assert report.documents_created == 2
        assert _same(source, target) == []
    finally:
        target.close()


def test_the_same_package_twice_changes_nothing(source: Source, tmp_path: Path) -> None:
    target = _fresh(tmp_path)
    try:
        with target.db.session() as session:  # not an empty archive: ids differ from the exporting one
            session.add(Document(text="khác", source_name="other.pdf"))
        ingest_package(target, source.aip, actor="archivist")
        before = _counts(target)
        again = ingest_package(target, _copy(source.aip, tmp_path / "copy"), actor="archivist")
        assert again.already and _counts(target) == before
        later = ingest_package(target, source.packages["zip"], actor="archivist")  # a later export of the same
        assert not later.already and (later.documents_created, later.documents_matched, later.objects_new) == (0, 2, 0)
        assert later.premis_known >= 2 and later.audit_known >= 1
        assert _same(source, target) == []
    finally:
        target.close()


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _damage(kind: str, package: Path) -> str:
    masters = sorted((package / "representations/rep1/data/masters").iterdir())
    if kind == "flipped":
        _flip(masters[0])
        return masters[0].name
    if kind == "missing":
        masters[0].unlink()
        return masters[0].name
    ead = package / "metadata/descriptive/EAD.xml"
    ead.write_bytes(ead.read_bytes().replace(b"</ead>", b""))
    return "EAD.xml"


@pytest.mark.parametrize("kind", ["flipped", "missing", "bad_xml"])
def test_a_damaged_package_is_refused_and_nothing_is_stored(source: Source, tmp_path: Path, kind: str) -> None:
    package = _copy(source.aip, tmp_path / "aip")
    named = _damage(kind, package)
    target = _fresh(tmp_path)
    try:
        empty = _counts(target)
        with pytest.raises(PackageRefused) as refused:
            ingest_package(target, package, actor="archivist")
        assert named in str(refused.value) and " / " in str(refused.value)  # Vietnamese / English
        assert _counts(target) == empty
    finally:
        target.close()


def test_a_damaged_bag_is_refused_by_its_manifest(source: Source, tmp_path: Path) -> None:
    bag = _copy(source.packages["bagit"], tmp_path / "bag")
    master = sorted((bag / "data/representations/rep1/data/masters").iterdir())[0]
    _flip(master)
    target = _fresh(tmp_path)
    try:
        empty = _counts(target)
        with pytest.raises(PackageRefused, match=master.name):
            ingest_package(target, bag, actor="archivist")
        assert _counts(target) == empty
    finally:
        target.close()


def test_the_command(source: Source, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_DATA", str(tmp_path / "cli"))
    done = CliRunner().invoke(app, ["ingest-package", str(source.aip), "--actor", "archivist"])
    assert done.exit_code == 0, done.output
    assert "urn:sohoa:aip_hoso:" in done.output
    twice = CliRunner().invoke(app, ["ingest-package", str(source.aip), "--json"])
    assert twice.exit_code == 0 and '"already": true' in twice.output
    broken = CliRunner().invoke(app, ["ingest-package", str(tmp_path / "nothing-here")])
    assert broken.exit_code == 1 and "nothing-here" in broken.output


@pytest.mark.postgres
def test_round_trip_into_postgresql(source: Source, tmp_path: Path, pg_url: str) -> None:
    target = open_context(Settings(data=tmp_path / "pgdata", workers=1, database_url=pg_url))
    try:
        report = ingest_package(target, source.aip, actor="archivist")
        assert report.documents_created == 2
        assert _same(source, target) == []
        assert ingest_package(target, source.aip, actor="archivist").already
        with target.db.session() as session:
            assert verify_chain(session).ok
            carried = select(func.count()).select_from(StoredObject).where(StoredObject.kind != "thumbnail")
            assert session.execute(carried).scalar_one() == report.objects  # + the thumbnails made at intake
    finally:
        target.close()


def test_a_dip_is_not_taken_in(source: Source, tmp_path: Path) -> None:
    dip = export_package(source.ctx, PackageKind.DIP, tmp_path / "dip", file_code=FILE_CODE, actor="archivist")
    target = _fresh(tmp_path)
    try:
        with pytest.raises(PackageRefused, match="DIP"):
            ingest_package(target, dip.written.path, actor="archivist")
    finally:
        target.close()


def test_a_package_lacking_an_object_a_document_needs_is_refused() -> None:
    body = {"objects": [{"sha256": "b" * 64, "path": "x"}],
            "documents": [{"key": "d1", "pdf": {"sha256": "a" * 64}, "pages": [{"master": {"sha256": "b" * 64}}]}]}
    with pytest.raises(PackageRefused, match="documents/d1"):
        check_references(body, lambda digest: False)
    check_references(body, lambda digest: digest == "a" * 64)  # already kept here: fine


def test_a_package_holding_a_link_is_refused(source: Source, tmp_path: Path) -> None:
    package = _copy(source.aip, tmp_path / "aip")
    master = sorted((package / "representations/rep1/data/masters").iterdir())[0]
    outside = tmp_path / "outside.png"
    master.rename(outside)
    master.symlink_to(outside)  # same bytes, so every checksum still matches
    target = _fresh(tmp_path)
    try:
        with pytest.raises(PackageRefused, match="link"):
            ingest_package(target, package, actor="archivist")
    finally:
        target.close()


def test_an_altered_audit_history_is_taken_in_and_flagged(source: Source, tmp_path: Path) -> None:
    """A package whose audit.jsonl was altered and its METS checksum updated to match passes every checksum:
    the audit log's own digest still finds the altered row, which is kept flagged (hash_ok false)."""
    package = _copy(source.aip, tmp_path / "aip")
    audit = package / "metadata/other/audit.jsonl"
    rows = [json.loads(line) for line in audit.read_text(encoding="utf-8").splitlines()]
    rows[1]["actor"] = "someone-else"
    audit.write_text("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows),
                     encoding="utf-8")
    mets = etree.parse(str(package / "METS.xml"))
    for ref in mets.iter("{http://www.loc.gov/METS/}mdRef"):
        if ref.get("{http://www.w3.org/1999/xlink}href") == "metadata/other/audit.jsonl":
            ref.set("CHECKSUM", hashlib.sha256(audit.read_bytes()).hexdigest())
            ref.set("SIZE", str(audit.stat().st_size))
    mets.write(str(package / "METS.xml"), xml_declaration=True, encoding="UTF-8")
    target = _fresh(tmp_path)
    try:
        report = ingest_package(target, package, actor="archivist")
        assert report.audit_bad_hashes == (rows[1]["id"],) and report.warnings
        with target.db.session() as session:
            flagged = session.execute(select(ImportedAuditEvent).where(ImportedAuditEvent.hash_ok.is_(False)))
            assert [e.actor for e in flagged.scalars()] == ["someone-else"]
            assert verify_chain(session).ok  # the live chain is untouched
    finally:
        target.close()
