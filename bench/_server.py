"""A `sohoa serve` for the benchmarks: started on a fresh data directory, ready when ``/login`` answers 200
(and, when the server makes one, its control socket exists), stopped with SIGINT; read-only looks at its
SQLite database (documents with a search-index row, pages stored)."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

SOHOA = Path(sys.executable).with_name("sohoa")  # the installed console script, as a user runs it
CONTROL_SOCKETS = ("run/control.sock",)  # where a server's control socket is looked for, under SOHOA_DATA


def sohoa_env(data: Path, cores: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
    return env | {"SOHOA_DATA": str(data), "SOHOA_WORKERS": str(cores), "OMP_THREAD_LIMIT": "1"} | extra


def init_data(data: Path, cores: int) -> None:
    done = subprocess.run([str(SOHOA), "init"], env=sohoa_env(data, cores), capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"sohoa init failed: {done.stderr[-2000:]}")


def control_socket(data: Path) -> Path | None:
    """The server's control socket, when there is one."""
    for name in CONTROL_SOCKETS:
        path = data / name
        try:
            if stat.S_ISSOCK(path.stat().st_mode):
                return path
        except OSError:
            continue
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``with Server(data, cores) as srv:`` runs ``sohoa serve --port P`` until the block ends."""

    def __init__(self, data: Path, cores: int, timeout: float = 120.0, socket_wait: float = 10.0) -> None:
        self.data, self.cores, self.timeout, self.socket_wait = data, cores, timeout, socket_wait
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.ready_seconds = 0.0
        self.socket: Path | None = None
        self.log = data.parent / f"serve-{self.port}.log"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def __enter__(self) -> Server:
        started = time.perf_counter()
        with self.log.open("wb") as log:
            self.proc = subprocess.Popen([str(SOHOA), "serve", "--port", str(self.port)],
                                         env=sohoa_env(self.data, self.cores), stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{self.port}/login"
        while True:
            if self.proc.poll() is not None:
                raise SystemExit(f"sohoa serve ended ({self.proc.returncode}): {self.log.read_text()[-2000:]}")
            if time.perf_counter() - started > self.timeout:
                self.__exit__(None, None, None)
                raise SystemExit(f"sohoa serve not ready after {self.timeout} s")
            try:
                with urllib.request.urlopen(url, timeout=2) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        self.socket = control_socket(self.data)
        while self.socket is None and time.perf_counter() - started < self.socket_wait:
            time.sleep(0.1)
            self.socket = control_socket(self.data)
        self.ready_seconds = time.perf_counter() - started
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _count(data: Path, sql: str) -> int | None:
    """One count from the server's SQLite database, read-only; None while it cannot be read."""
    try:
        db = sqlite3.connect(f"file:{data / 'sohoa.db'}?mode=ro", uri=True, timeout=5)
        try:
            return int(db.execute(sql).fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return None


def searchable_documents(data: Path) -> int:
    """Documents that have a row in the search index (``doc_fts``): what a search can find."""
    return _count(data, "SELECT count(*) FROM documents d WHERE EXISTS "
                        "(SELECT 1 FROM doc_fts f WHERE f.rowid = d.id)") or 0


def stored_pages(data: Path) -> int | None:
    """Pages stored so far (rows of ``pages``)."""
    return _count(data, "SELECT count(*) FROM pages")
