"""SOHOA_LOG_FORMAT=json: one JSON object per line, with the request id of the HTTP request being served."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from sohoa.app import create_app
from sohoa.http.rules import anonymous
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.logs import configure_logging
from sohoa.settings import Settings

probe = APIRouter(dependencies=[anonymous()])


@probe.get("/test-log")
def logs_a_line() -> dict[str, str]:  # a sync handler: it runs in the thread pool, the id must follow it
    logging.getLogger("sohoa.test").warning("đã ghi / logged %s", 42)
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("sohoa.test").exception("có lỗi / failed")
    return {"ok": "yes"}


@pytest.fixture
def captured() -> Iterator[tuple[io.StringIO, logging.Handler]]:
    root = logging.getLogger()
    level, before = root.level, list(root.handlers)
    stream = io.StringIO()
    handler = configure_logging(Settings(log_format="json"))
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    yield stream, handler
    root.removeHandler(handler)
    root.setLevel(level)
    assert root.handlers == before


def test_json_lines_carry_the_request_id(ctx: AppContext, captured: tuple[io.StringIO, logging.Handler]) -> None:
    stream, _ = captured
    with TestClient(create_app(ctx, [probe], watch_hot_folders=False)) as client:
        response = client.get("/test-log", headers={"X-Request-ID": "req-123"})
    assert response.status_code == 200 and response.headers["x-request-id"] == "req-123"
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]  # every line is JSON
    ours = [e for e in lines if e["logger"] == "sohoa.test"]
    assert [e["message"] for e in ours] == ["đã ghi / logged 42", "có lỗi / failed"]
    assert all(e["request_id"] == "req-123" for e in ours)
    assert ours[0]["level"] == "WARNING" and ours[0]["time"].endswith("+00:00")
    assert "ValueError: boom" in ours[1]["exc"] and "exc" not in ours[0]
    logging.getLogger("sohoa.test").info("outside")
    outside = json.loads(stream.getvalue().splitlines()[-1])
    assert outside["message"] == "outside" and "request_id" not in outside


def test_text_format_names_the_request(ctx: AppContext) -> None:
    stream, level = io.StringIO(), logging.getLogger().level
    handler = configure_logging(Settings(log_format="text"))
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(stream)
    try:
        with TestClient(create_app(ctx, [probe], watch_hot_folders=False)) as client:
            client.get("/test-log", headers={"X-Request-ID": "req-456"})
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(level)
    line = next(x for x in stream.getvalue().splitlines() if "logged 42" in x)
    assert "WARNING sohoa.test [req-456]: đã ghi / logged 42" in line


def test_sohoa_serve_writes_json_lines_with_request_ids(tmp_path: Path) -> None:
    """The real `sohoa serve` with SOHOA_LOG_FORMAT=json: every stderr line is a JSON object, uvicorn's access
    lines included, each carrying the id of its request."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "SOHOA_DATA": str(tmp_path / "data"), "SOHOA_WORKERS": "1", "SOHOA_LOG_FORMAT": "json",
           "SOHOA_PORT": str(port), "SOHOA_CLI_RESIDENT": "false"}
    err = (tmp_path / "stderr.txt").open("wb")
    server = subprocess.Popen([str(Path(sys.executable).with_name("sohoa")), "serve"], env=env, cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=err)
    try:
        answer = None
        for _ in range(240):
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": "probe-7"}, timeout=2)
                break
            except httpx.HTTPError:
                assert server.poll() is None, (tmp_path / "stderr.txt").read_text()
                time.sleep(0.5)
        assert answer is not None and answer.status_code == 200 and answer.headers["x-request-id"] == "probe-7"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        err.close()
    lines = [json.loads(line) for line in (tmp_path / "stderr.txt").read_text().splitlines() if line.strip()]
    access = [e for e in lines if e["logger"] == "uvicorn.access" and "/healthz" in e["message"]]
    assert access and access[0]["request_id"] == "probe-7"
    assert all({"time", "level", "logger", "message"} <= set(e) for e in lines)
