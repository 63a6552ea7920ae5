"""Encrypted objects travel with their key records: an AIP exported after a key rotation that retired the sealing
key opens in an archive holding only the current key (its envelopes' headers name the retired one), and is refused,
storing nothing, in an archive without that key. The package still validates (ours, lxml, eark-validator)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import func, select

from sohoa.db.models import EncryptedObject, PreservationEvent, StoredObject
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.preservation.encryption import encrypt_due, init_keys, retire_key, rotate_keys
from sohoa.services.preservation.events import EventType
from sohoa.services.preservation.intake.compare import Snapshot, compare_archives, snapshot
from sohoa.services.preservation.intake.envelopes import how_it_opens
from sohoa.services.preservation.intake.service import ingest_package
from sohoa.services.preservation.intake.source import PackageRefused
from sohoa.services.preservation.ocfl import hoso_object_id, sync_all
from sohoa.services.preservation.packages.export import export_package
from sohoa.services.preservation.packages.key_records import KEY_RECORD_USE
from sohoa.services.preservation.packages.model import PackageKind
from sohoa.services.preservation.packages.validate import validate_package
from sohoa.services.preservation.replica import sync_replica
from sohoa.services.production.ingest import ingest_paths
from sohoa.settings import Settings
from sohoa.storage.envelope import read_header
from sohoa.storage.keyring import KeyRing
from sohoa.storage.objects import LocalObjectStore
from sohoa.storage.ocfl import object_path
from sohoa.storage.s3 import S3ObjectStore
from sohoa.storage.sealed import check_envelope_plaintext
from tests._s3 import S3Server
from tests.preservation._ocfl_helpers import ocfl_validate
from tests.preservation._package_world import fake_engine, page_png
from tests.preservation._validators import run_eark

FILE_CODE = "HS-KEYREC-2025-01"
METS = "{http://www.loc.gov/METS/}"
PREMIS = "{http://www.loc.gov/premis/v3}"


def _open(tmp_path: Path, name: str, keys: str) -> AppContext:
    return open_context(Settings(data=tmp_path / name, workers=1, keys_dir=tmp_path / keys))


def _count(ctx: AppContext, model: type) -> int:
    with ctx.db.session() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


Exported = tuple[Path, str, str, dict[str, bytes], Snapshot]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Exported:
    """An AIP of a restricted hồ sơ sealed under one key, rotated to a second, the first retired.
    Returns (base folder, retired key id, current key id, plaintext digest → plaintext, snapshot of the hồ sơ)."""
    base = tmp_path_factory.mktemp("keyrec")
    ctx = _open(base, "one", "keys")
    try:
        old = init_keys(ctx, "admin")
        ingest_paths(ctx, [page_png(base / "scan" / "mat.png", 90)], file_code=FILE_CODE,
                     engine_factory=fake_engine, one_document=True)  # internal by default: encrypted
        assert encrypt_due(ctx).sealed > 0
        new = rotate_keys(ctx, "admin").key_id
        (base / "old-keys").mkdir()
        shutil.copy2(base / "keys" / f"{old}.kek", base / "old-keys" / f"{old}.kek")  # for the fallback test
        retire_key(ctx, old, "admin")
        assert not (base / "keys" / f"{old}.kek").exists()
        before = snapshot(ctx, FILE_CODE)
        report = export_package(ctx, PackageKind.AIP_HOSO, base / "aip", file_code=FILE_CODE)
        assert report.valid, report.problems
        with ctx.db.session() as session:
            digests = [o.sha256 for o in session.scalars(select(StoredObject))
                       if ctx.store.is_encrypted(o.sha256)]
        plain = {sha: ctx.store.read(sha) for sha in digests}
    finally:
        ctx.close()
    return base, old, new, plain, before


def test_each_envelope_carries_its_key_record(exported: Exported) -> None:
    base, old, new, _plain, _before = exported
    aip = base / "aip"
    envelopes = sorted(aip.rglob("*.enc"))
    assert envelopes and any("/masters/" in p.as_posix() for p in envelopes)
    for envelope in envelopes:
        with envelope.open("rb") as handle:
            assert read_header(handle).wrap.key_id == old  # the header names the retired key
        record = json.loads(envelope.with_name(envelope.name + ".key").read_text(encoding="utf-8"))
        # only the wrapped data key and the envelope's identity: no KEK, no plaintext key
        assert set(record) == {"format", "version", "plaintext_sha256", "stored_sha256", "stored_size", "key_id",
                               "key_wrap", "wrapped_key"}
        assert record["key_id"] == new and len(bytes.fromhex(record["wrapped_key"])) == 40
        assert record["stored_size"] == envelope.stat().st_size
    kek = (base / "keys" / f"{new}.kek").read_text(encoding="ascii").split()[1]
    assert not [p for p in aip.rglob("*") if p.is_file() and kek.encode() in p.read_bytes()]
    rep = etree.parse(str(aip / "representations/rep1/METS.xml")).getroot()
    uses = {f.find(f"{METS}FLocat").get("{http://www.w3.org/1999/xlink}href"): f.get("USE")
            for f in rep.iter(f"{METS}file")}
    keyed = [href for href, use in uses.items() if use == KEY_RECORD_USE]
    assert sorted(keyed) == sorted(p.relative_to(aip / "representations/rep1").as_posix() + ".key"
                                   for p in envelopes)
    premis = etree.parse(str(aip / "metadata/preservation/PREMIS.xml")).getroot()
    key_ids = [p.findtext(f"{PREMIS}significantPropertiesValue") for p in premis.iter(f"{PREMIS}significantProperties")]
    assert key_ids and set(key_ids) == {new}
    assert validate_package(aip) == []
    schema = etree.XMLSchema(etree.parse(str(aip / "schemas/premis-v3-0.xsd")))
    assert schema.validate(etree.parse(str(aip / "metadata/preservation/PREMIS.xml"))), schema.error_log
    result = run_eark(aip)
    assert result.structure_status == "WellFormed", result.output[-2000:]
    assert result.errors == [], result.errors
    assert result.report["metadata"]["schema_results"]["status"] == "VALID"
    assert result.report["metadata"]["schematron_results"]["status"] == "VALID"


def test_taken_in_with_the_current_key_only(exported: Exported) -> None:
    base, old, new, plain, before = exported
    stranger = _open(base, "two", "other-keys")  # a key of its own, not the exporting archive's
    try:
        init_keys(stranger, "admin")
        with pytest.raises(PackageRefused, match=r"\.enc"):
            ingest_package(stranger, base / "aip", actor="archivist")
        assert _count(stranger, StoredObject) == 0 and not list(stranger.store.iter_digests())
    finally:
        stranger.close()
    target_keys = base / "target-keys"
    target = _open(base, "three", "target-keys")
    try:
        own = init_keys(target, "admin")
        shutil.copy2(base / "keys" / f"{new}.kek", target_keys / f"{new}.kek")  # the current KEK only
        assert not (target_keys / f"{old}.kek").exists()
        report = ingest_package(target, base / "aip", actor="archivist")
        assert report.documents_created == 1
        source = _open(base, "one", "keys")
        try:
            assert compare_archives(source, target, FILE_CODE, before=before) == []
        finally:
            source.close()
        carried = {sha for sha in plain if target.store.exists(sha)}
        assert carried and _count(target, EncryptedObject) == len(carried)
        envelope = next((base / "aip").rglob("*.enc"))
        sha = json.loads(envelope.with_name(envelope.name + ".key").read_bytes())["plaintext_sha256"]
        assert not check_envelope_plaintext(envelope, sha, KeyRing(target_keys))  # the header alone: no way in
        for sha in carried:
            assert target.store.is_encrypted(sha) and target.store.read(sha) == plain[sha]
            assert json.loads((target_keys / "records" / sha[:2] / f"{sha}.key").read_bytes())["key_id"] == new
        with target.db.session() as session:
            assert set(session.scalars(select(EncryptedObject.key_id))) == {new}
        assert own != new  # the target's own key stays current; a later rotation re-wraps under it
    finally:
        target.close()


def test_which_wrap_opens_an_envelope(exported: Exported, tmp_path: Path) -> None:
    """The record when its KEK is at hand; the header when only the sealing KEK is (or the package carries no
    record: an older package); neither: None; a record of another envelope refuses the package."""
    base, _old, new, _plain, _before = exported
    envelope = next((base / "aip").rglob("*.enc"))
    record = envelope.with_name(envelope.name + ".key")
    sha = json.loads(record.read_bytes())["plaintext_sha256"]
    path = envelope.relative_to(base / "aip").as_posix()
    only_new = tmp_path / "new"
    only_new.mkdir()
    shutil.copy2(base / "keys" / f"{new}.kek", only_new / f"{new}.kek")
    opened = how_it_opens(base / "aip", path, sha, KeyRing(only_new))
    assert opened is not None and opened.key_id == new
    opened = how_it_opens(base / "aip", path, sha, KeyRing(base / "old-keys"))
    assert opened is not None and opened.record is None  # the record names a key not here: the header opens it
    assert how_it_opens(base / "aip", path, sha, KeyRing(tmp_path / "none")) is None
    bare = tmp_path / "older" / path  # a package without key records
    bare.parent.mkdir(parents=True)
    shutil.copy2(envelope, bare)
    assert how_it_opens(tmp_path / "older", path, sha, KeyRing(only_new)) is None
    opened = how_it_opens(tmp_path / "older", path, sha, KeyRing(base / "old-keys"))
    assert opened is not None and opened.record is None
    other = next(p for p in (base / "aip").rglob("*.enc.key") if p != record)
    bare.with_name(bare.name + ".key").write_bytes(other.read_bytes())
    with pytest.raises(PackageRefused, match="does not belong"):
        how_it_opens(tmp_path / "older", path, sha, KeyRing(only_new))


def test_a_rotation_is_a_new_ocfl_version_of_the_key_records_only(tmp_path: Path) -> None:
    """The OCFL object of a hồ sơ is its AIP: a rotation changes the key records (and the PREMIS naming the key), so
    the next sync writes a new version that stores the new records, never the envelopes again; valid for ocfl-py."""
    ctx = _open(tmp_path, "data", "keys")
    try:
        init_keys(ctx, "admin")
        ingest_paths(ctx, [page_png(tmp_path / "scan" / "one.png", 70)], file_code=FILE_CODE,
                     engine_factory=fake_engine, one_document=True)
        encrypt_due(ctx)
        assert [r.version for r in sync_all(ctx)] == ["v1"]
        assert [r.version for r in sync_all(ctx)] == [None]  # unchanged: the same members, no version
        new = rotate_keys(ctx, "admin").key_id
        assert [r.version for r in sync_all(ctx)] == ["v2"]
        folder = ctx.settings.data / "ocfl" / object_path(hoso_object_id(FILE_CODE))
        stored = [p for p in (folder / "v2" / "content").rglob("*") if p.is_file()]
        keys = [p for p in stored if p.name.endswith(".enc.key")]
        assert keys and not [p for p in stored if p.name.endswith(".enc")]
        assert {json.loads(p.read_bytes())["key_id"] for p in keys} == {new}
        with ctx.db.session() as session:
            last = session.scalars(select(PreservationEvent).where(PreservationEvent.detail.like("OCFL %v2%"))).one()
        assert last.event_type == EventType.METADATA_MODIFICATION.value and "key records changed" in (last.detail or "")
        valid, output = ocfl_validate(ctx.settings.data / "ocfl")
        assert valid, output
    finally:
        ctx.close()


def test_key_records_travel_between_archives_on_s3(s3_env: S3Server, tmp_path: Path) -> None:
    """The same on the S3 store: the exporting archive's records come from its bucket; the receiving archive keeps
    each adopted envelope with its record beside it in its own bucket (and in its keys folder)."""
    def on_s3(name: str, keys: str) -> AppContext:
        return open_context(Settings(data=tmp_path / name, storage_url=f"s3://{s3_env.new_bucket(name)}/objects",
                                     s3_endpoint=s3_env.endpoint, workers=1, keys_dir=tmp_path / keys))

    ctx = on_s3("one", "keys")
    try:
        old = init_keys(ctx, "admin")
        ingest_paths(ctx, [page_png(tmp_path / "scan" / "s3.png", 60)], file_code=FILE_CODE,
                     engine_factory=fake_engine, one_document=True)
        encrypt_due(ctx)
        new = rotate_keys(ctx, "admin").key_id
        retire_key(ctx, old, "admin")
        report = export_package(ctx, PackageKind.AIP_HOSO, tmp_path / "aip", file_code=FILE_CODE)
        assert report.valid, report.problems
        envelopes = sorted((tmp_path / "aip").rglob("*.enc"))
        assert envelopes and all(p.with_name(p.name + ".key").is_file() for p in envelopes)
        with ctx.db.session() as session:
            plain = {o.sha256: ctx.store.read(o.sha256) for o in session.scalars(select(StoredObject))
                     if ctx.store.is_encrypted(o.sha256)}
    finally:
        ctx.close()
    (tmp_path / "target-keys").mkdir(mode=0o700)
    shutil.copy2(tmp_path / "keys" / f"{new}.kek", tmp_path / "target-keys" / f"{new}.kek")
    target = on_s3("two", "target-keys")
    try:
        assert ingest_package(target, tmp_path / "aip", actor="archivist").documents_created == 1
        store = target.store
        assert isinstance(store, S3ObjectStore)
        carried = [sha for sha in plain if store.exists(sha)]
        assert carried
        for sha in carried:
            assert target.store.is_encrypted(sha) and target.store.read(sha) == plain[sha]
            record = store.key_record(sha)
            assert record is not None and json.loads(record)["key_id"] == new
            assert (tmp_path / "target-keys" / "records" / sha[:2] / f"{sha}.key").is_file()
    finally:
        target.close()


def test_the_replica_follows_with_the_key_records(exported: Exported) -> None:
    """A receiving archive with a replica: the catch-up pass copies each adopted envelope there, and its key
    record (from the keys folder) goes beside it, so the replica's copy opens with the current key too."""
    base, _old, new, plain, _before = exported
    keys = base / "replica-keys"
    keys.mkdir(mode=0o700)
    shutil.copy2(base / "keys" / f"{new}.kek", keys / f"{new}.kek")
    target = open_context(Settings(data=base / "four", workers=1, keys_dir=keys, replica_url=str(base / "replica")))
    try:
        ingest_package(target, base / "aip", actor="archivist")
        report = sync_replica(target)
        assert not report.failed, report.failed
        replica = getattr(target.store, "replica", None)
        assert isinstance(replica, LocalObjectStore)
        carried = [sha for sha in plain if target.store.exists(sha)]
        assert carried
        for sha in carried:
            assert replica.is_encrypted(sha) and replica.read(sha) == plain[sha]
            record = replica.key_record(sha)
            assert record is not None and json.loads(record)["key_id"] == new
    finally:
        target.close()
