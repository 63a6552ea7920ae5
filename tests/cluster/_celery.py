"""Helpers of the Celery tests: a Redis database of their own, `sohoa` subprocesses with the cluster settings."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SOHOA = str(Path(sys.executable).with_name("sohoa"))
REDIS_HOST = "127.0.0.1"
SECRET = "celery-tests-secret-key-0123456789-abcdefghij"


def redis_url(db: int) -> str:
    return f"redis://{REDIS_HOST}:6379/{db}"


def flush(db: int) -> None:
    import redis

    redis.Redis(host=REDIS_HOST, port=6379, db=db).flushdb()


def environment(data: Path, database_url: str, broker: str, **extra: str) -> dict[str, str]:
    """The process environment of the cluster profile for these tests (one data directory shared on this host)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
    env.update({"SOHOA_DATA": str(data), "SOHOA_DATABASE_URL": database_url, "SOHOA_BROKER_URL": broker,
                "SOHOA_SECRET_KEY": SECRET, "SOHOA_USE_RUNNING_SERVER": "false", "SOHOA_CLI_RESIDENT": "false",
                "SOHOA_WORKERS": "1"})
    env.update(extra)
    return env


class Proc:
    """A `sohoa` subprocess in a process group of its own, its output in a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out = log.open("ab")
        self.popen = subprocess.Popen([SOHOA, *args], env=env, stdout=self._out, stderr=subprocess.STDOUT,
                                      start_new_session=True)

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, marker: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while marker not in self.text():
            if self.popen.poll() is not None:
                raise AssertionError(f"process ended ({self.popen.returncode}):\n{self.text()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {marker!r} after {timeout}s:\n{self.text()[-3000:]}")
            time.sleep(0.2)

    def kill9(self) -> None:
        """kill -9 the whole process group (a worker and its children at once)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(30)
        self._out.close()

    def stop(self) -> None:
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                self.kill9()
        self._out.close()


@contextlib.contextmanager
def worker(env: dict[str, str], log: Path, concurrency: int = 1) -> Iterator[Proc]:
    proc = Proc(["worker", "--concurrency", str(concurrency)], env, log)
    try:
        proc.wait_for(" ready.")
        yield proc
    finally:
        proc.stop()


def sohoa_json(args: list[str], env: dict[str, str], timeout: float = 300.0) -> tuple[int, dict[str, Any]]:
    """Run `sohoa ARGS --json`; its exit code and JSON."""
    done = subprocess.run([SOHOA, *args, "--json"], env=env, capture_output=True, text=True, timeout=timeout,
                          check=False)
    assert done.stdout.strip(), done.stderr[-3000:]
    return done.returncode, json.loads(done.stdout)
