"""The restore drill: build an archive through the real ingest, full backup, more work, incremental backup,
destroy the data directory, restore into the empty path, and prove it: rows of every table, every object's
checksum, search results, the audit chain (which goes on), a document's PDF. SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from sohoa.app import create_app
from sohoa.domain.errors import SohoaError
from sohoa.services.platform.audit import record_event, verify_chain
from sohoa.services.platform.audit_checkpoint import write_checkpoint
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.preservation.backup import make_backup
from sohoa.services.preservation.backup_set import backup_history, read_manifest, verify_set
from sohoa.services.preservation.events import EventType, events_for
from sohoa.services.preservation.restore import restore_backup
from sohoa.settings import Settings
from tests.web import _helpers as web

from ._drill import add_document, build_archive, picture

ADDED_BY_RESTORE = {"events", "preservation_events"}  # the restore records itself


def _served_pdf(ctx: AppContext) -> bytes:
    """The first document's PDF as the web app serves it to a signed-in archivist."""
    with TestClient(create_app(ctx, watch_hot_folders=False)) as client:
        web.login(client, "archivist")
        answer = client.get("/documents/1/pdf", follow_redirects=False)
    assert answer.status_code == 200, (answer.status_code, answer.headers, answer.text[:3000])
    return bytes(answer.content)


def _drill(settings: Settings, tmp_path: Path, destroy_database: object = None) -> None:
    ctx = open_context(settings)
    file_code = build_archive(ctx, tmp_path / "scans")
    full = make_backup(ctx, full=True)
    add_document(ctx, tmp_path / "scans", file_code)
    incr = make_backup(ctx)
    assert (full.kind, incr.kind, incr.base) == ("full", "incremental", full.path.name)
    assert 0 < incr.objects_in_set < full.objects_in_set  # only what the full does not hold
    assert not full.problems and not incr.problems
    assert verify_set(full.path) == [] and verify_set(incr.path) == []
    assert [s.name for s in backup_history(settings)] == [incr.path.name, full.path.name]
    before = picture(ctx)
    served = _served_pdf(ctx)
    ctx.close()

    shutil.rmtree(settings.data)  # the disaster
    if callable(destroy_database):
        with pytest.raises(SohoaError):  # the database still holds the archive: nothing is restored over it
            restore_backup(settings, incr.path)
        destroy_database()
    report = restore_backup(settings, incr.path, actor="drill")
    assert report.ok, report
    assert report.chain == [full.path.name, incr.path.name]
    assert report.objects_verified == len(before.objects) == report.objects_restored
    assert report.audit_ok and report.checkpoints >= 1

    ctx = open_context(settings)
    try:
        after = picture(ctx)
        for table, rows in before.counts.items():
            if table not in ADDED_BY_RESTORE:
                assert after.counts[table] == rows, table
        assert after.counts["events"] == before.counts["events"] + 1
        assert after.counts["preservation_events"] == before.counts["preservation_events"] + len(before.objects)
        assert after.objects == before.objects
        assert all(ctx.store.verify(sha) for sha in after.objects)
        assert after.hits == before.hits and any(after.hits.values())
        assert after.pdf == before.pdf and after.pdf.startswith(b"%PDF")
        assert _served_pdf(ctx) == served and served.startswith(b"%PDF")  # the PDF downloads
        assert after.audit[0] == before.audit[0] + 1
        with ctx.db.session() as session:  # the chain goes on
            record_event(session, "drill", "drill.after_restore", None, None, {"ok": True})
        with ctx.db.session() as session:
            assert verify_chain(session).ok
            recovered = events_for(session, object_ids=[1], event_type=EventType.RECOVERY)
            assert [e.outcome for e in recovered] == ["success"]
        assert write_checkpoint(ctx) is not None
        manifest = read_manifest(incr.path)
        assert manifest["counts"] == before.counts
    finally:
        ctx.close()


def test_the_restore_drill_on_sqlite(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data", workers=1, backup_dir=tmp_path / "backups")
    _drill(settings, tmp_path)


@pytest.mark.postgres
def test_the_restore_drill_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    settings = Settings(data=tmp_path / "pgdata", workers=1, database_url=pg_url,
                        backup_dir=tmp_path / "backups")
    schema = sa.make_url(pg_url).query["options"]
    schema = str(schema).split("=", 1)[1]

    def drop_schema() -> None:
        engine = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()

    _drill(settings, tmp_path, drop_schema)
