"""The preservation page's replica and backup actions: for preservation.manage only, refused while a pass runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sohoa.app import create_app
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.objects import store_bytes
from sohoa.services.preservation.backup import backup_history
from sohoa.services.preservation.lease import single_runner
from sohoa.services.preservation.replica import replica_status
from sohoa.settings import Settings
from tests.web import _helpers as web


@pytest.fixture
def rctx(tmp_path: Path) -> Iterator[AppContext]:
    context = open_context(Settings(data=tmp_path / "data", workers=1, replica_url=str(tmp_path / "replica"),
                                    backup_dir=tmp_path / "backups"))
    yield context
    context.close()


@pytest.fixture
def client(rctx: AppContext) -> Iterator[TestClient]:
    web.users(rctx)
    with TestClient(create_app(rctx, watch_hot_folders=False), raise_server_exceptions=False) as test_client:
        yield test_client


def test_replica_sync_and_backup_now_from_the_page(rctx: AppContext, client: TestClient) -> None:
    with rctx.db.session() as session:
        store_bytes(session, rctx.store, b"bien ban 2025", media_type="text/plain", kind="master")
    token = web.login(client, "archivist")  # views, may not act
    page = client.get("/staff/preservation").text
    assert 'id="replica"' in page and 'action="/staff/preservation/replica/sync"' not in page
    for action in ("/staff/preservation/replica/sync", "/staff/preservation/backup/run"):
        assert client.post(action, data={"csrf_token": token}, follow_redirects=False).status_code == 403
    client.post("/logout", data={"csrf_token": token})

    token = web.login(client, "admin")
    page = client.get("/staff/preservation").text
    assert 'action="/staff/preservation/replica/sync"' in page and 'action="/staff/preservation/backup/run"' in page
    with single_runner(rctx, "backup"):  # a backup already running: told so, nothing started
        busy = client.post("/staff/preservation/backup/run", data={"csrf_token": token}, follow_redirects=True)
        assert "Đang sao lưu" in busy.text
    started = client.post("/staff/preservation/replica/sync", data={"csrf_token": token}, follow_redirects=False)
    assert started.status_code == 303
    client.app.state.replica_web_sync.join(60)  # type: ignore[attr-defined]
    status = replica_status(rctx)
    assert status is not None and status.pending == 0 and status.replicated == 1
    started = client.post("/staff/preservation/backup/run", data={"csrf_token": token}, follow_redirects=False)
    assert started.status_code == 303
    client.app.state.backup_web_run.join(60)  # type: ignore[attr-defined]
    assert [s.kind for s in backup_history(rctx.settings)] == ["full"]
    client.get("/lang/en")
    page = client.get("/staff/preservation").text
    assert "Catch the replica up now" in page and "Back up now" in page
