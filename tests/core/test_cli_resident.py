"""The resident CLI helper: a `sohoa search` that no server answers runs here and starts one resident, which
answers the next commands; it declines other code, other settings and ingests, leaves when idle, stopped,
terminated or when its files go, makes way for `sohoa serve`, and a killed one blocks nothing.

Real processes through the real `sohoa` launcher (.venv/bin/sohoa). Which process answered is read from the
resident itself (its pid and the count of commands it answered, ``resident.info``), never from timing. Every
test stops what it started (the ``archive`` fixture stops any resident left on its data directory).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import sohoa
from sohoa.cli.resident import OTHER_CODE, fingerprint
from sohoa.cli.resident_server import INFO
from sohoa.db.models import Document
from sohoa.domain.search import IndexDoc
from sohoa.services.platform.context import open_context
from sohoa.services.platform.control import STOP_RESIDENT, ControlClient, socket_path
from sohoa.services.platform.control_owner import CONTROL_LOCK, held_elsewhere
from sohoa.settings import Settings
from tests.core._two_documents import add_two_documents

SOHOA = Path(sys.executable).with_name("sohoa")
ROOT = Path(__file__).resolve().parents[2]
WAIT = 120.0  # seconds any one wait may take on a loaded machine (none of this is a timing check)


def _env(settings: Settings, **extra: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(settings.data.parent),
            "SOHOA_DATA": str(settings.data), "SOHOA_WORKERS": "1", "SOHOA_CLI_RESIDENT": "true",
            "SOHOA_CLI_RESIDENT_IDLE_SECONDS": "300", **extra}


def _run(settings: Settings, *args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SOHOA), *args], env=_env(settings, **extra), capture_output=True, text=True,
                          timeout=300)


def _wait(what: str, check: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + WAIT
    while not (found := check()):
        assert time.monotonic() < deadline, f"waited in vain for {what}"
        time.sleep(0.1)
    return found


def _info(settings: Settings) -> dict[str, Any] | None:
    """What the resident listening on the data directory says of itself (None: nobody, or not a resident)."""
    try:
        answers = list(ControlClient(socket_path(settings), 0).call(INFO, timeout=30))
    except (OSError, RuntimeError, EOFError):
        return None
    return dict(answers[0]) if answers else None


def _listener(settings: Settings) -> int | None:
    """The pid of whatever listens on the data directory's control socket (a resident or a server)."""
    try:
        return int(next(iter(ControlClient(socket_path(settings), 0).call("ping", timeout=30)))["pid"])
    except (OSError, RuntimeError, EOFError, StopIteration):
        return None


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def _residents(settings: Settings) -> list[int]:
    """The live resident processes of this data directory, starting ones included (read from /proc)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if b"sohoa.cli.resident" in (proc / "cmdline").read_bytes() and \
                    f"SOHOA_DATA={settings.data}".encode() in (proc / "environ").read_bytes().split(b"\0") and \
                    _alive(int(proc.name)):
                found.append(int(proc.name))
        except (OSError, ValueError):
            continue
    return sorted(found)


def _gone(settings: Settings, pid: int) -> bool:
    return not _alive(pid) and not held_elsewhere(settings.data / "run" / CONTROL_LOCK)


def _stop_all(settings: Settings) -> None:
    deadline = time.monotonic() + WAIT
    while pids := _residents(settings):
        if time.monotonic() > deadline:
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
        else:
            with contextlib.suppress(OSError, RuntimeError, EOFError):
                list(ControlClient(socket_path(settings), 0).call(STOP_RESIDENT, timeout=30))
        time.sleep(0.1)


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Settings]:
    """An archive of two documents, nothing listening on it; any resident left is stopped at the end."""
    settings = Settings(data=tmp_path / "data", workers=1)
    ctx = open_context(settings)
    add_two_documents(ctx)
    ctx.close()
    yield settings
    _stop_all(settings)


def _started(settings: Settings) -> dict[str, Any]:
    """A `sohoa search` that nobody answers: it prints the answer itself, and a resident starts listening."""
    first = _run(settings, "search", "hoa giai", "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["total"] == 2
    info: dict[str, Any] = _wait("the resident to listen", lambda: _info(settings))
    return info


def test_the_first_search_starts_a_resident_that_answers_the_next_commands(archive: Settings) -> None:
    local = {args: _run(archive, *args, SOHOA_USE_RUNNING_SERVER="false")
             for args in (("search", "hoa giai", "--json"), ("status",), ("search", "hòa giải", "--limit", "1"))}
    opted_out = _run(archive, "status", SOHOA_CLI_RESIDENT="false")
    assert opted_out.stdout == local[("status",)].stdout
    assert _info(archive) is None and not _residents(archive)  # neither opt-out started anything
    info = _started(archive)
    assert info["answered"] == 0  # the first search was answered by its own process
    for n, (args, expected) in enumerate(local.items(), start=1):
        served = _run(archive, *args)
        assert (served.stdout, served.stderr, served.returncode) == (expected.stdout, expected.stderr, 0)
        now = _info(archive)
        assert now is not None and (now["pid"], now["answered"]) == (info["pid"], n)  # by the resident
    ctx = open_context(archive)  # a document stored by another process: the resident reads it at once
    try:
        with ctx.db.session() as session:
            doc = Document(text="Quyết định về việc hòa giải mới", source_name="m.pdf", type_name="Quyết định")
            session.add(doc)
            session.flush()
            ctx.index.upsert(session, IndexDoc(doc.id, doc.text, ""))
    finally:
        ctx.close()
    found = _run(archive, "search", "hoa giai", "--json")
    assert json.loads(found.stdout)["total"] == 3
    now = _info(archive)
    assert now is not None and (now["pid"], now["answered"]) == (info["pid"], len(local) + 1)
    assert _residents(archive) == [info["pid"]]
    run = archive.data / "run"
    assert stat.S_IMODE(run.stat().st_mode) == 0o700
    for name in ("control.sock", "control.lock", "serve.lock", "resident.log"):
        assert stat.S_IMODE((run / name).stat().st_mode) == 0o600, name
    assert f"resident pid {info['pid']} serves" in (run / "resident.log").read_text()
    shown = _run(archive, "resident", "--json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["resident"]["pid"] == info["pid"]


def test_concurrent_first_searches_start_exactly_one_resident(archive: Settings) -> None:
    clients = [subprocess.Popen([str(SOHOA), "search", "hoa giai", "--json"], env=_env(archive),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(6)]
    outputs = [client.communicate(timeout=300) for client in clients]
    assert all(c.returncode == 0 for c in clients), outputs
    assert len({out for out, _err in outputs}) == 1
    info = _wait("the resident to listen", lambda: _info(archive))
    _wait("the other residents to leave", lambda: len(_residents(archive)) == 1)
    assert _residents(archive) == [info["pid"]]
    assert (archive.data / "run" / "resident.log").read_text().count(" serves ") == 1


def test_a_resident_declines_other_settings_other_code_and_ingests(archive: Settings) -> None:
    info = _started(archive)
    long_query = "quyết định hòa giải"  # over 10 characters: refused where SOHOA_MAX_QUERY_CHARS=10
    other = _run(archive, "search", long_query, SOHOA_MAX_QUERY_CHARS="10")
    assert other.returncode == 1 and "Lỗi / Error" in other.stderr  # run by the client, with its setting
    opted_out = _run(archive, "status", "--json", SOHOA_CLI_RESIDENT="false")
    assert opted_out.returncode == 0 and json.loads(opted_out.stdout)["documents"]
    request = {"argv": ["ingest", "x.pdf"], "env": _env(archive), "cwd": str(ROOT), "fingerprint": fingerprint()}
    client = ControlClient(socket_path(archive), info["pid"])
    assert list(client.call("cli", request)) == [("declined", "the server has no warm pool")]
    now = _info(archive)
    assert now is not None and (now["pid"], now["answered"]) == (info["pid"], 0)  # none of these was answered
    upgraded = {**request, "argv": ["status"], "fingerprint": "0.0.0:other"}  # a client of newer code
    assert list(client.call("cli", upgraded)) == [("declined", OTHER_CODE)]
    _wait("the resident of other code to leave", lambda: _gone(archive, info["pid"]))
    assert not socket_path(archive).exists()
    assert "declined: " + OTHER_CODE in (archive.data / "run" / "resident.log").read_text()
    again = _started(archive)  # the next search starts a resident of the client's code
    assert again["pid"] != info["pid"] and again["code"] == fingerprint()


def test_the_fingerprint_follows_the_package_files(tmp_path: Path) -> None:
    package = tmp_path / "sohoa"
    (package / "cli").mkdir(parents=True)
    (package / "__init__.py").write_text('__version__ = "0.1.0"\n')
    module = package / "cli" / "m.py"
    module.write_text("x = 1\n")
    first = fingerprint(str(package))
    assert fingerprint(str(package)) == first and fingerprint() == fingerprint(str(Path(sohoa.__file__).parent))
    info = module.stat()
    os.utime(module, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    touched = fingerprint(str(package))
    (package / "__init__.py").write_text('__version__ = "0.2.0"\n')  # a new version, same size, a later time
    os.utime(package / "__init__.py", ns=(info.st_atime_ns, info.st_mtime_ns + 2_000_000_000))
    upgraded = fingerprint(str(package))
    (package / "cli" / "n.py").write_text("")
    assert len({first, touched, upgraded, fingerprint(str(package))}) == 4


def test_a_resident_leaves_when_idle_and_when_its_data_directory_moves(archive: Settings) -> None:
    first = _run(archive, "status", SOHOA_CLI_RESIDENT_IDLE_SECONDS="1")
    assert first.returncode == 0, first.stderr
    log = archive.data / "run" / "resident.log"
    # idle for 1 s: on a loaded machine it may be gone before anyone could look, so its log tells
    started = _wait("the resident to start", lambda: log.exists() and re.search(r"resident pid (\d+) serves",
                                                                                 log.read_text()))
    _wait("the idle resident to leave", lambda: _gone(archive, int(started.group(1))))
    assert not socket_path(archive).exists()
    assert f"resident pid {started.group(1)} stopped: no command for 1 s" in log.read_text()
    moved = _started(archive)
    archive.data.rename(archive.data.with_name("moved"))
    _wait("the resident to leave a moved data directory", lambda: not _alive(moved["pid"]))
    assert "data directory, database file or socket file is gone" in \
           (archive.data.with_name("moved") / "run" / "resident.log").read_text()


def test_a_resident_stops_on_request_and_on_sigterm(archive: Settings) -> None:
    info = _started(archive)
    stopped = _run(archive, "resident", "--stop")
    assert stopped.returncode == 0 and f"pid {info['pid']}" in stopped.stdout, stopped.stderr
    assert not socket_path(archive).exists()
    _wait("the stopped resident to exit", lambda: not _alive(info["pid"]))
    terminated = _started(archive)
    os.kill(terminated["pid"], signal.SIGTERM)
    _wait("the resident to leave on SIGTERM", lambda: _gone(archive, terminated["pid"]))
    assert not socket_path(archive).exists()
    assert "stopped: SIGTERM" in (archive.data / "run" / "resident.log").read_text()
    none = _run(archive, "resident")
    assert none.returncode == 0 and "no resident" in none.stdout


def test_a_killed_resident_leaves_nothing_that_blocks_the_next(archive: Settings) -> None:
    info = _started(archive)
    os.kill(info["pid"], signal.SIGKILL)
    _wait("the killed resident to die", lambda: not _alive(info["pid"]))
    assert socket_path(archive).exists()  # stale: nobody listens
    again = _started(archive)  # answered here, and a new resident replaces the stale socket
    assert again["pid"] != info["pid"]
    served = _run(archive, "status", "--json")
    assert served.returncode == 0 and json.loads(served.stdout)["documents"]
    now = _info(archive)
    assert now is not None and (now["pid"], now["answered"]) == (again["pid"], 1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_sohoa_serve_takes_the_socket_over_from_a_resident(archive: Settings) -> None:
    info = _started(archive)
    server = subprocess.Popen([sys.executable, "-m", "sohoa.cli.main", "serve", "--port", str(_free_port())],
                              cwd=ROOT, env={**_env(archive), "SOHOA_CLI_RESIDENT": "false"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        def serving() -> bool:
            assert server.poll() is None, server.communicate()[1]
            return _listener(archive) == server.pid

        _wait("the server to take the socket", serving)
        _wait("the resident to leave", lambda: not _alive(info["pid"]))
        assert "asked to stop by pid" in (archive.data / "run" / "resident.log").read_text()
        shown = _run(archive, "resident", "--json")
        assert json.loads(shown.stdout) == {"resident": None, "server_pid": server.pid, "stopped": None}
        found = _run(archive, "search", "hoa giai", "--json")  # answered by the server: no resident starts
        assert found.returncode == 0 and json.loads(found.stdout)["total"] == 2
        assert _residents(archive) == []
        refused = _run(archive, "resident", "--stop")
        assert refused.returncode == 1 and _listener(archive) == server.pid
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # a graceful stop: the socket file goes with it
        server.wait(60)
    assert not socket_path(archive).exists()
