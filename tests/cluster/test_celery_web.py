"""The web app with a broker: an API upload is queued for a real `sohoa worker` (the web process runs no OCR)
and reported done with its documents; the web process starts none of the embedded timers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sohoa.app import create_app
from sohoa.samples import generate_corpus
from sohoa.services.identity.tokens import create_token
from sohoa.services.platform.context import open_context
from sohoa.services.platform.tasks.client import ClusterScanWorker
from sohoa.settings import Settings
from tests.cluster import _celery as cel

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.tesseract]


@pytest.fixture
def db9() -> Iterator[int]:
    cel.flush(9)
    yield 9
    cel.flush(9)


def test_api_upload_is_ingested_by_the_cluster(tmp_path: Path, pg_url: str, db9: int) -> None:
    generate_corpus(tmp_path / "box", documents=1, seed=11, condition="clean300", multipage=False)
    data = (tmp_path / "box" / "page_0001.png").read_bytes()
    settings = Settings(data=tmp_path / "data", workers=1, database_url=pg_url, broker_url=cel.redis_url(db9),
                        secret_key=cel.SECRET)
    ctx = open_context(settings)
    raw, _ = create_token(ctx, "city-dms", ["write:ingest"])
    headers = {"Authorization": f"Bearer {raw}"}
    env = cel.environment(tmp_path / "data", pg_url, cel.redis_url(db9))
    try:
        app = create_app(ctx, watch_hot_folders=False)
        with cel.worker(env, tmp_path / "worker.log") as proc, TestClient(app) as client:
            assert isinstance(app.state.scan_worker, ClusterScanWorker)
            timers = {"sohoa-webhooks", "audit-checkpoint", "format-identification", "encryption", "ocfl-sync",
                      "fixity", "replica", "backup"}
            assert not timers & {t.name for t in threading.enumerate()}  # `sohoa beat` schedules them
            accepted = client.post("/api/v1/ingest", headers=headers,
                                   files={"file": ("trang 1.png", data, "image/png")})
            assert accepted.status_code == 202, accepted.text
            sha = accepted.json()["sha256"]
            deadline = time.monotonic() + 180
            status: dict[str, Any] = {}
            while time.monotonic() < deadline:
                status = client.get(f"/api/v1/ingest/{sha}", headers=headers).json()
                if status["state"] not in ("queued", "processing"):
                    break
                time.sleep(0.5)
            assert status["state"] == "done" and len(status["documents"]) == 1, status
            assert "sohoa.ingest_file" in proc.text()  # the worker did it, not the web process
    finally:
        ctx.close()
