"""The control socket: generic operations (streamed answers, conversations), only for the same account, and
`sohoa ingest` handing its pages to a running `sohoa serve` (falling back to a pool of its own when the
socket is stale). Real server processes, real Tesseract, SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from sohoa.db.models import Document, IngestItem
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.control import Channel, ControlServer, connect, same_user, socket_path
from sohoa.services.platform.remote_pool import running_pool
from sohoa.services.production.ingest import IngestReport, ingest_paths
from sohoa.settings import Settings
from tests._profiles import PROFILES, profile_database
from tests.ingest._helpers import text_page

ROOT = Path(__file__).resolve().parents[2]


def _conversation(_payload: Any, channel: Channel) -> None:
    while (frame := channel.recv()) != "stop":
        channel.send(frame * 2)


def _count(n: int, channel: Channel) -> None:
    for i in range(n):
        channel.send(i)


def _fail(_payload: Any, _channel: Channel) -> None:
    raise ValueError("hỏng / broken")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Settings, ControlServer]]:
    settings = Settings(data=tmp_path / "data")
    control = ControlServer(settings)
    control.register("count", _count)
    control.register("double", _conversation)
    control.register("fail", _fail)
    assert control.start()
    yield settings, control
    control.stop()


def test_operations_stream_their_answers_and_may_converse(server: tuple[Settings, ControlServer]) -> None:
    settings, control = server
    assert stat.S_IMODE(control.path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(control.path.stat().st_mode) == 0o600
    client = connect(settings)
    assert client is not None and client.server_pid == os.getpid()
    assert list(client.call("count", 3)) == [0, 1, 2]
    with client.open("double") as channel:
        channel.send("ab")
        assert channel.next() == (True, "abab")
        channel.send(21)
        assert channel.next() == (True, 42)
        channel.send("stop")
        assert channel.next() == (False, None)
    with pytest.raises(RuntimeError, match="hỏng / broken"):
        list(client.call("fail"))
    with pytest.raises(RuntimeError, match="unknown operation"):
        list(client.call("nope"))
    assert list(client.call("count", 1)) == [0]  # the server goes on after errors
    control.stop()
    assert not control.path.exists() and connect(settings) is None


def test_a_stale_socket_file_means_no_server(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data")
    assert connect(settings) is None  # no file
    path = socket_path(settings)
    path.parent.mkdir(parents=True)
    left = socket.socket(socket.AF_UNIX)
    left.bind(str(path))  # a server that died: the file stays, nobody listens
    left.close()
    assert path.exists() and connect(settings) is None and running_pool(settings) is None
    control = ControlServer(settings)
    assert control.start()  # the next server replaces the stale file
    try:
        assert connect(settings) is not None
        assert running_pool(settings) is None  # a server without a warm pool: nothing to hand pages to
        assert not ControlServer(settings).start()  # a second server leaves the running one alone
    finally:
        control.stop()


def test_a_long_data_path_still_works(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / ("d" * 120))
    control = ControlServer(settings)
    assert control.start()
    try:
        client = connect(settings)
        assert client is not None and list(client.call("ping")) == [{"pid": os.getpid()}]
    finally:
        control.stop()


def _as_nobody(path: Path) -> str:
    """Connect and ask as the account nobody (a forked child that drops root): what came back."""
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through its exit code
        code = 3
        try:
            os.setgid(65534)
            os.setuid(65534)
            sock = socket.socket(socket.AF_UNIX)
            sock.connect(str(path))
            code = 2  # connected
            data = pickle.dumps({"op": "ping", "payload": None})
            sock.sendall(struct.pack(">I", len(data)) + data)
            code = 0 if sock.recv(1) == b"" else 1
        except (BrokenPipeError, ConnectionResetError):  # closed by the server before or while we wrote
            code = 0 if code == 2 else code
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    return {0: "refused", 1: "answered"}.get(os.waitstatus_to_exitcode(status), "failed to connect")


def test_another_account_is_refused() -> None:
    assert same_user(os.getuid()) and not same_user(os.getuid() + 1)
    if os.getuid() != 0:
        return  # the check above is all an unprivileged test can do
    folder = Path(tempfile.mkdtemp(prefix="sohoa-control-"))
    control = ControlServer(Settings(data=folder / "data"))
    try:
        assert control.start()
        for opened in (folder, folder / "data", control.path.parent):  # as if the modes were loosened
            opened.chmod(0o755)
        control.path.chmod(0o666)
        assert _as_nobody(control.path) == "refused"
        client = connect(Settings(data=folder / "data"))
        assert client is not None and client.server_pid == os.getpid()  # its own account still gets in
    finally:
        control.stop()
        shutil.rmtree(folder)


# ------------------------------------------------------------------ the CLI hands its pages to `sohoa serve`

@pytest.fixture(params=PROFILES)
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    url = profile_database(request)  # first: the cluster profile's storage variables go into the environment
    env = {**os.environ, "SOHOA_DATA": str(tmp_path / "data"), "SOHOA_WORKERS": "1"}
    for name in ("SOHOA_DATABASE_URL", "SOHOA_USE_RUNNING_POOL"):
        env.pop(name, None)
    if url is not None:
        env["SOHOA_DATABASE_URL"] = url
    open_context(_settings(env)).close()  # the schema first
    yield env


def _settings(env: dict[str, str]) -> Settings:
    return Settings(data=Path(env["SOHOA_DATA"]), workers=1, database_url=env.get("SOHOA_DATABASE_URL"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(env: dict[str, str]) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-m", "sohoa.cli.main", "serve", "--port", str(_free_port())],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # its own group: the test ends it with its workers
    deadline = time.monotonic() + 180
    while running_pool(_settings(env)) is None:  # the socket answers once every worker is warm
        assert proc.poll() is None, proc.communicate()[1]
        assert time.monotonic() < deadline, "the server did not get ready"
        time.sleep(0.2)
    return proc


def _ingest(env: dict[str, str], *args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "sohoa.cli.main", "ingest", "--json", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def _box(folder: Path, line: str) -> Path:
    folder.mkdir(parents=True)
    text_page(folder / f"{folder.name}.png", ["Quyết định số 3/QĐ-UBND", line])
    return folder


def _stored(env: dict[str, str], name: str) -> int:
    ctx = open_context(_settings(env))
    try:
        with ctx.db.session() as session:
            return int(session.execute(select(func.count(Document.id)).join(
                IngestItem, Document.ingest_item_id == IngestItem.id).where(IngestItem.original_name == name))
                .scalar_one())
    finally:
        ctx.close()


def test_cli_ingest_hands_its_pages_to_the_running_server(env: dict[str, str], tmp_path: Path) -> None:
    boxes = [_box(tmp_path / name, line) for name, line in
             (("mot", "Phường Hoàn Kiếm"), ("hai", "Phường Ba Đình"), ("ba", "Xã Sóc Sơn"))]
    server = _serve(env)
    try:
        handed = _ingest(env, str(boxes[0]))
        assert handed["pool"] == "running" and [i["state"] for i in handed["items"]] == ["done"]
        own = _ingest(env, "--local-pool", str(boxes[1]))
        assert own["pool"] == "local" and [i["state"] for i in own["items"]] == ["done"]
        opted_out = _ingest({**env, "SOHOA_USE_RUNNING_POOL": "false"}, str(boxes[0]))
        assert opted_out["pool"] == "local" and [i["state"] for i in opted_out["items"]] == ["duplicate"]
    finally:
        os.killpg(server.pid, signal.SIGKILL)  # the server, its forkserver and its workers; the socket stays
        server.wait(30)
    assert socket_path(_settings(env)).exists()
    stale = _ingest(env, str(boxes[2]), str(boxes[0]))
    assert stale["pool"] == "local" and [i["state"] for i in stale["items"]] == ["done", "duplicate"]
    assert [_stored(env, f"{b.name}.png") for b in boxes] == [1, 1, 1]  # each page stored once


def test_a_server_that_dies_mid_batch_fails_the_pages_it_had_retryably(any_ctx: AppContext, tmp_path: Path) -> None:
    gate = str(tmp_path / "gate")
    page = text_page(tmp_path / "trang.png", ["Quyết định số 9/QĐ-UBND", "Phường Long Biên"])
    server = subprocess.Popen([sys.executable, "-m", "tests.ingest._gated_server", str(any_ctx.settings.data), gate],
                              cwd=ROOT, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while (running := running_pool(any_ctx.settings)) is None:
            assert server.poll() is None, server.communicate()[1]
            assert time.monotonic() < deadline, "the server did not get ready"
            time.sleep(0.1)
        reports: list[IngestReport] = []
        thread = threading.Thread(target=lambda: reports.append(ingest_paths(any_ctx, [page], pool=running)))
        thread.start()
        while not Path(gate + ".started").exists():  # the page is in the server's worker
            assert time.monotonic() < deadline and thread.is_alive()
            time.sleep(0.02)
        os.killpg(server.pid, signal.SIGKILL)
        thread.join(120)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
        server.wait(30)
    (item,) = reports[0].items
    assert (item.state, item.reason) == ("failed", "page_error") and "running server lost" in (item.message or "")
    assert running_pool(any_ctx.settings) is None  # its socket is stale now
    rerun = ingest_paths(any_ctx, [page])  # a pool of this process
    assert [i.state for i in rerun.items] == ["done"]
    with any_ctx.db.session() as session:
        stored = session.execute(select(func.count(Document.id)).join(
            IngestItem, Document.ingest_item_id == IngestItem.id).where(IngestItem.original_name == "trang.png"))
        assert stored.scalar_one() == 1  # stored once


_LAUNCH = ("import json, sys\nfrom sohoa.cli.launch import main\nsys.argv = ['sohoa', *sys.argv[1:]]\ncode = 0\n"
           "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
           "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'typer', 'pydantic'))\n"
           "sys.stderr.write('\\nLAUNCHER ' + json.dumps({'heavy': heavy, 'code': code}))\n")


def test_the_sohoa_command_is_run_by_the_running_server(env: dict[str, str], tmp_path: Path) -> None:
    """`sohoa status` and `sohoa ingest` (the console script's launcher) are run by `sohoa serve`: the client
    imports neither SQLAlchemy, Typer nor pydantic, and the ingest's pages are stored once."""
    box = _box(tmp_path / "bon", "Phường Cửa Nam")
    server = _serve(env)
    try:
        for args in (["status", "--json"], ["ingest", "--json", str(box)]):
            out = subprocess.run([sys.executable, "-c", _LAUNCH, *args], cwd=ROOT, env=env, capture_output=True,
                                 text=True, timeout=300)
            assert json.loads(out.stderr.rsplit("\nLAUNCHER ", 1)[1]) == {"heavy": [], "code": 0}, out.stderr
        report = json.loads(out.stdout)
        assert report["pool"] == "running" and [i["state"] for i in report["items"]] == ["done"]
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(30)
    assert _stored(env, "bon.png") == 1
