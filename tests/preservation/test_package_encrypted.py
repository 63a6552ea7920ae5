"""An AIP of restricted material holds its objects as envelopes (`.enc`): taken into an archive that holds the
exporting archive's key, they stay encrypted there and read back as the same plaintext; without the key the
package is refused, naming the object, and nothing is stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from sohoa.db.models import EncryptedObject, StoredObject
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.preservation.encryption import encrypt_due, init_keys
from sohoa.services.preservation.intake.compare import compare_archives, snapshot
from sohoa.services.preservation.intake.service import ingest_package
from sohoa.services.preservation.intake.source import PackageRefused
from sohoa.services.preservation.packages.export import export_package
from sohoa.services.preservation.packages.model import PackageKind
from sohoa.services.production.ingest import ingest_paths
from sohoa.settings import Settings
from tests.preservation._package_world import fake_engine, page_png

FILE_CODE = "HS-MAT-2025-01"


def _open(tmp_path: Path, name: str, keys: str) -> AppContext:
    return open_context(Settings(data=tmp_path / name, workers=1, keys_dir=tmp_path / keys))


def _count(ctx: AppContext, model: type) -> int:
    with ctx.db.session() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_encrypted_objects_travel_as_envelopes(tmp_path: Path) -> None:
    source = _open(tmp_path, "one", "keys")
    try:
        init_keys(source, "admin")
        ingest_paths(source, [page_png(tmp_path / "scan" / "mat.png", 120)], file_code=FILE_CODE,
                     engine_factory=fake_engine, one_document=True)  # internal by default: encrypted
        assert encrypt_due(source).sealed > 0
        before = snapshot(source, FILE_CODE)
        aip = export_package(source, PackageKind.AIP_HOSO, tmp_path / "aip", file_code=FILE_CODE).written.path
        assert list(aip.rglob("*.enc"))
        with source.db.session() as session:
            master = session.execute(select(StoredObject).where(StoredObject.kind == "master")).scalar_one().sha256
        stranger = _open(tmp_path, "two", "other-keys")  # no key: refused, nothing stored
        try:
            with pytest.raises(PackageRefused, match=r"\.enc"):
                ingest_package(stranger, aip, actor="archivist")
            assert _count(stranger, StoredObject) == 0 and not list(stranger.store.iter_digests())
        finally:
            stranger.close()
        target = _open(tmp_path, "three", "keys")  # the same key ring (an archive of the same institution)
        try:
            report = ingest_package(target, aip, actor="archivist")
            assert report.documents_created == 1
            assert compare_archives(source, target, FILE_CODE, before=before) == []
            assert target.store.is_encrypted(master) and target.store.read(master) == source.store.read(master)
            assert _count(target, EncryptedObject) == len(list(aip.rglob("*.enc")))
        finally:
            target.close()
    finally:
        source.close()
