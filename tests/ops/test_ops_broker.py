"""With a broker (a real Redis): /readyz checks it and /metrics shows each queue's depth."""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from kombu import Connection

from sohoa.app import create_app
from sohoa.services.platform.context import open_context
from sohoa.services.platform.metrics import QUEUES, queue_depth
from sohoa.settings import Settings

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
REDIS = "redis://127.0.0.1:6379/5"  # a database number of its own (the Celery tests use 8–15)


@pytest.fixture
def redis_url() -> Iterator[str]:
    try:
        with Connection(REDIS, connect_timeout=2) as connection:  # type: ignore[no-untyped-call]
            connection.ensure_connection(max_retries=1)
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"Redis at {REDIS} is unreachable: {exc}")
        pytest.skip(f"Redis at {REDIS} is unreachable: {exc}")
    yield REDIS
    with Connection(REDIS) as connection:  # type: ignore[no-untyped-call]
        for queue in QUEUES:
            connection.default_channel.client.delete(queue)


def test_queue_depth_and_readiness_with_redis(redis_url: str, tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data", workers=1, broker_url=redis_url)
    assert queue_depth(settings) == dict.fromkeys(QUEUES, 0)
    with Connection(redis_url) as connection:  # type: ignore[no-untyped-call]
        waiting = connection.SimpleQueue("ingest")
        for n in range(3):
            waiting.put({"n": n, "id": uuid.uuid4().hex})
        waiting.close()
    assert queue_depth(settings)["ingest"] == 3
    context = open_context(settings)
    try:
        with TestClient(create_app(context, watch_hot_folders=False), client=("127.0.0.1", 5000)) as local:
            ready = local.get("/readyz")
            body = local.get("/metrics").text
    finally:
        context.close()
    assert ready.status_code == 200, ready.text
    assert [c["name"] for c in ready.json()["checks"]] == ["database", "objects", "broker"]
    assert re.search(r'^sohoa_queue_depth\{queue="ingest"\} 3\.0$', body, re.M)
    assert re.search(r'^sohoa_queue_depth\{queue="pages"\} 0\.0$', body, re.M)
    assert re.search(r"^sohoa_broker_up 1\.0$", body, re.M)


def test_unreachable_broker_shows_as_down(tmp_path: Path) -> None:
    context = open_context(Settings(data=tmp_path / "data", workers=1, broker_url="redis://127.0.0.1:1/0"))
    try:
        with TestClient(create_app(context, watch_hot_folders=False), client=("127.0.0.1", 5000)) as local:
            body = local.get("/metrics").text
    finally:
        context.close()
    assert re.search(r"^sohoa_broker_up 0\.0$", body, re.M) and "sohoa_queue_depth{" not in body
