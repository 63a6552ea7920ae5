"""The preservation page's OCFL card: its figures, and "write the new versions now" for preservation.manage only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sohoa.app import create_app
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.lease import single_runner
from sohoa.services.preservation.ocfl import ocfl_status
from tests.preservation.test_ocfl_sync import build_archive
from tests.web import _helpers as web


@pytest.fixture
def client(ctx: AppContext) -> Iterator[TestClient]:
    web.users(ctx)
    with TestClient(create_app(ctx, watch_hot_folders=False), raise_server_exceptions=False) as test_client:
        yield test_client


def test_sync_now_from_the_page(ctx: AppContext, client: TestClient, tmp_path: Path) -> None:
    build_archive(ctx, tmp_path / "in")
    token = web.login(client, "archivist")  # views, may not write
    page = client.get("/staff/preservation").text
    assert 'id="ocfl"' in page and 'action="/staff/preservation/ocfl/sync"' not in page
    refused = client.post("/staff/preservation/ocfl/sync", data={"csrf_token": token}, follow_redirects=False)
    assert refused.status_code == 403
    client.post("/logout", data={"csrf_token": token})

    token = web.login(client, "admin")
    assert 'action="/staff/preservation/ocfl/sync"' in client.get("/staff/preservation").text
    with single_runner(ctx, "ocfl"):  # a pass already running: told so, nothing started
        busy = client.post("/staff/preservation/ocfl/sync", data={"csrf_token": token}, follow_redirects=True)
        assert "Kho OCFL đang được ghi" in busy.text
    started = client.post("/staff/preservation/ocfl/sync", data={"csrf_token": token}, follow_redirects=False)
    assert started.status_code == 303
    client.app.state.ocfl_web_sync.join(60)  # type: ignore[attr-defined]
    assert ocfl_status(ctx).objects == 2
    client.get("/lang/en")
    page = client.get("/staff/preservation").text
    assert "Write the new OCFL versions now" in page
