"""`sohoa migrate-to`: an embedded archive (SQLite, local objects; real Tesseract, personal data, a signed master,
a sealed object, audit events) copied into the cluster profile (PostgreSQL + S3) and proven there: rows, objects,
search results and their ranking, the audit chain, sequences, the staff web app serving a document and its PDF.
A run cut short is resumed, a non-empty destination refused, an object damaged at the source reported."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.app import create_app
from sohoa.db.models import Document, EncryptedObject, StoredObject
from sohoa.domain.errors import SohoaError
from sohoa.services.platform.audit import record_event, verify_chain
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.preservation.migrate import migrate_to
from sohoa.settings import Settings
from sohoa.storage.s3 import S3ObjectStore
from tests._s3 import S3Server
from tests.web import _helpers as web

from ._migrate_world import SIGNS, Picture, build_world, picture, tree_digests, world_settings

pytestmark = [pytest.mark.postgres, pytest.mark.tesseract]


@dataclass(frozen=True)
class World:
    """The source archive, built once for the module (the migration only reads it)."""

    settings: Settings
    picture: Picture
    pdfs: dict[int, bytes]


def _served(ctx: AppContext, doc_id: int) -> tuple[str, bytes]:
    """A document's page and its PDF as the staff web app serves them to a signed-in archivist."""
    with TestClient(create_app(ctx, watch_hot_folders=False)) as client:
        web.login(client, "archivist")
        page = client.get(f"/documents/{doc_id}")
        pdf = client.get(f"/documents/{doc_id}/pdf", follow_redirects=False)
    assert page.status_code == 200 and pdf.status_code == 200, (page.status_code, pdf.status_code)
    return page.text, bytes(pdf.content)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("migrate-world")
    settings = world_settings(folder / "data")
    ctx = open_context(settings)
    try:
        build_world(ctx, folder)
        with ctx.db.session() as session:
            ids = list(session.execute(select(Document.id).where(Document.pdf_object_id.is_not(None))
                                       .order_by(Document.id)).scalars())
        pdfs = {doc_id: _served(ctx, doc_id)[1] for doc_id in ids[:2]}
        shot = picture(ctx)
    finally:
        ctx.close()
    yield World(settings, shot, pdfs)


def _cluster(world: World, tmp_path: Path, pg_url: str, s3: S3Server, bucket: str) -> Settings:
    """The destination as a cluster host opens it: its own data folder, the archive's keys folder."""
    return Settings(data=tmp_path / "cluster-data", workers=1, database_url=pg_url,
                    storage_url=f"s3://{bucket}/archive", s3_endpoint=s3.endpoint,
                    keys_dir=world.settings.keys_path)


def _cli(world: World, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    sohoa = str(Path(sys.executable).with_name("sohoa"))
    full = {**os.environ, **env, "SOHOA_DATA": str(world.settings.data), "SOHOA_WORKERS": "1",
            "SOHOA_USE_RUNNING_SERVER": "false", "SOHOA_CLI_RESIDENT": "false"}
    return subprocess.run([sohoa, "migrate-to", *args], env=full, capture_output=True, text=True, timeout=600)


@pytest.mark.tesseract
@pytest.mark.slow
def test_an_embedded_archive_moves_to_postgresql_and_s3(world: World, tmp_path: Path, pg_url: str,
                                                        s3_env: S3Server) -> None:
    source_files = tree_digests(world.settings.data, world.settings.keys_path)
    bucket = s3_env.new_bucket("migrate")
    done = _cli(world, "--database-url", pg_url, "--storage-url", f"s3://{bucket}/archive", "--yes", "--json",
                env=s3_env.env())
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["ok"] and report["mismatches"] == 0 and report["audit_ok"]
    assert report["objects"] == report["objects_copied"] == len(world.picture.objects)
    assert report["rows"] == sum(world.picture.counts.values()) and report["sequences"] > 10
    assert "objects:" in done.stderr and "tables:" in done.stderr  # progress on stderr
    assert tree_digests(world.settings.data, world.settings.keys_path) == source_files  # the source untouched

    ctx = open_context(_cluster(world, tmp_path, pg_url, s3_env, bucket))
    try:
        assert isinstance(ctx.store, S3ObjectStore) and ctx.db.engine.dialect.name == "postgresql"
        after = picture(ctx)
        assert after.counts == world.picture.counts
        assert after.objects == world.picture.objects
        assert after.audit == world.picture.audit
        assert all(ctx.store.verify(sha) for sha in after.objects)
        for query, hits in world.picture.hits.items():  # the same documents (FTS5's and PostgreSQL's scores
            assert sorted(after.hits[query]) == sorted(hits), query  # differ: ties of equal text may swap)
        for sign in SIGNS:  # the same document first
            assert after.hits[sign][:1] == world.picture.hits[sign][:1] and len(world.picture.hits[sign]) >= 1, sign
        assert sum(1 for hits in after.hits.values() if hits) >= 4
        with ctx.db.session() as session:
            sealed = session.execute(select(StoredObject.sha256).join(
                EncryptedObject, EncryptedObject.object_id == StoredObject.id)).scalars().first()
        assert sealed is not None and ctx.store.is_encrypted(sealed)  # copied as stored, still sealed
        assert ctx.store.key_record(sealed) is not None and ctx.store.verify(sealed)
        with ctx.db.session() as session:  # sequences past the copied ids: new rows, the chain goes on
            event = record_event(session, "test", "test.after_migration", None, None, {"ok": True})
            assert event.id == world.picture.audit[1] + 1
        for doc_id, pdf in world.pdfs.items():
            page, served = _served(ctx, doc_id)
            assert served == pdf and served.startswith(b"%PDF") and "<html" in page.lower()
        with ctx.db.session() as session:
            assert verify_chain(session).ok
    finally:
        ctx.close()

    again = _cli(world, "--database-url", pg_url, "--storage-url", f"s3://{bucket}/archive", "--yes",
                 env=s3_env.env())
    assert again.returncode == 1 and "không trống" in again.stderr and "not empty" in again.stderr


def test_a_run_cut_short_is_resumed(world: World, pg_url: str, s3_env: S3Server) -> None:
    bucket = s3_env.new_bucket("resume")
    target = (pg_url, f"s3://{bucket}/archive")
    cluster = world.settings.model_copy(update={"s3_endpoint": s3_env.endpoint})
    source_files = tree_digests(world.settings.data)

    def cut_at(stage: str) -> object:
        def progress(line: str) -> None:
            if line.startswith(stage):
                raise KeyboardInterrupt(f"killed during {line}")
        return progress

    with pytest.raises(KeyboardInterrupt):  # killed while copying the tables
        migrate_to(cluster, *target, progress=cut_at("tables: 10/"))  # type: ignore[arg-type]
    with pytest.raises(SohoaError) as refused:  # a partial destination is not empty
        migrate_to(cluster, *target)
    assert "--resume" in refused.value.en
    with pytest.raises(KeyboardInterrupt):  # resumed, killed again while the objects are copied
        migrate_to(cluster, *target, resume=True, progress=cut_at("objects:"))  # type: ignore[arg-type]
    report = migrate_to(cluster, *target, resume=True)
    assert report.ok, report
    assert report.objects_present >= 1  # copied and verified before the kill: skipped
    assert report.objects_copied + report.objects_present == report.objects == len(world.picture.objects)
    assert report.indexed > 0 and report.rows_copied < report.rows
    assert tree_digests(world.settings.data) == source_files


def test_a_killed_cli_run_is_refused_then_resumed(world: World, pg_url: str, s3_env: S3Server) -> None:
    bucket = s3_env.new_bucket("killed")
    args = ["--database-url", pg_url, "--storage-url", f"s3://{bucket}/archive", "--yes"]
    sohoa = str(Path(sys.executable).with_name("sohoa"))
    env = {**os.environ, **s3_env.env(), "SOHOA_DATA": str(world.settings.data), "SOHOA_WORKERS": "1",
           "SOHOA_USE_RUNNING_SERVER": "false", "SOHOA_CLI_RESIDENT": "false"}
    proc = subprocess.Popen([sohoa, "migrate-to", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stderr is not None
    for line in proc.stderr:  # the first table is committed: kill -9
        if line.startswith("tables:"):
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=120)
    assert proc.returncode == -signal.SIGKILL
    refused = _cli(world, *args, env=s3_env.env())
    assert refused.returncode == 1 and "--resume" in refused.stderr
    resumed = _cli(world, *args, "--resume", "--json", env=s3_env.env())
    assert resumed.returncode == 0, resumed.stdout[-3000:] + resumed.stderr[-3000:]
    report = json.loads(resumed.stdout)
    assert report["ok"] and report["objects"] == len(world.picture.objects)
    assert 0 < report["rows_copied"] < report["rows"]  # the rows copied before the kill were kept


def test_an_object_damaged_at_the_source_is_reported(world: World, tmp_path: Path, pg_url: str,
                                                     s3_env: S3Server) -> None:
    data = tmp_path / "copy" / "data"
    shutil.copytree(world.settings.data, data)
    shutil.copytree(world.settings.keys_path, tmp_path / "copy" / "keys")
    settings = Settings(data=data, workers=1, keys_dir=tmp_path / "copy" / "keys", s3_endpoint=s3_env.endpoint)
    victim = world.picture.objects[0]
    path = settings.objects_dir / "sha256" / victim[:2] / victim[2:4] / victim
    path.chmod(0o600)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    report = migrate_to(settings, pg_url, f"s3://{s3_env.new_bucket('damaged')}/archive")
    assert not report.ok and list(report.object_mismatches) == [victim]
    assert "damaged at the source" in report.object_mismatches[victim]
    assert report.objects_copied == len(world.picture.objects) - 1 and not report.count_mismatches
