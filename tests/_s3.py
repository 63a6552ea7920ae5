"""A real S3 API server for tests: moto's server (``python -m moto.server``), an in-memory S3 over HTTP on a
free loopback port, started once per test session as a subprocess.

Use the ``s3_server`` fixture (registered in tests/preservation/conftest.py; import it into another
conftest to use it elsewhere): ``s3_server.endpoint``, ``s3_server.client()`` (a boto3 client),
``s3_server.new_bucket()`` (a fresh, empty bucket), ``s3_server.env()`` (the ``SOHOA_S3_ENDPOINT`` and
``AWS_*`` variables a ``sohoa`` subprocess or :func:`sohoa.storage.factory.s3_client` needs). When moto is
not installed the tests that use it are skipped, and fail under ``CI=true``.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
_COUNTER = itertools.count(1)


@dataclass(frozen=True)
class S3Server:
    """Where the test S3 server listens, and the fake credentials it accepts."""

    endpoint: str
    access_key: str = "sohoa-test-key"
    secret_key: str = "sohoa-test-secret"  # a fake credential of a loopback test server
    region: str = "us-east-1"

    def env(self) -> dict[str, str]:
        """The variables that point Sohoa (and boto3) at this server."""
        return {"SOHOA_S3_ENDPOINT": self.endpoint, "AWS_ACCESS_KEY_ID": self.access_key,
                "AWS_SECRET_ACCESS_KEY": self.secret_key, "AWS_DEFAULT_REGION": self.region,
                "AWS_EC2_METADATA_DISABLED": "true"}

    def client(self) -> Any:
        """A raw boto3 client (tests use it to create buckets and to damage objects behind Sohoa's back)."""
        import boto3
        from botocore.config import Config

        return boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key, region_name=self.region,
            config=Config(s3={"addressing_style": "path"}, request_checksum_calculation="when_required",
                          response_checksum_validation="when_required"))

    def new_bucket(self, stem: str = "sohoa") -> str:
        """Create an empty bucket with a name no other test uses."""
        name = f"{stem}-{next(_COUNTER)}-{uuid.uuid4().hex[:8]}"
        self.client().create_bucket(Bucket=name)
        return name


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"the S3 test server is required under CI: {reason}")
    pytest.skip(reason)


@contextlib.contextmanager
def running_s3_server(log_dir: Path) -> Iterator[S3Server]:
    """Start moto's S3 server on a free loopback port; stop it (this process only) when done."""
    try:
        import boto3  # noqa: F401
        import moto.server  # noqa: F401
    except ImportError as exc:
        _unavailable(f"moto[s3] or boto3 is not installed ({exc}); run scripts/bootstrap.sh venv")
    port = _free_port()
    log_path = log_dir / "moto-s3.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not _listening(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                _unavailable(f"moto server did not start: {log_path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.1)
        yield S3Server(f"http://127.0.0.1:{port}")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A real S3 API (moto server) on loopback for the whole test session."""
    with running_s3_server(tmp_path_factory.mktemp("s3")) as server:
        yield server


@pytest.fixture
def s3_env(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Server:
    """The test S3 server's variables set in this process's environment for one test (for the factory)."""
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    return s3_server
