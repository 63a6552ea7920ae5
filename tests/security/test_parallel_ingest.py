"""Two `sohoa ingest` processes on the same box: every master once, the OCR never done twice, no traceback.

The CLI runs in processes of its own (tests/security/_fake_cli.py: the real command with a fake OCR
engine that logs each page it reads), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from sohoa.db.base import utcnow
from sohoa.db.models import Document, IngestItem, Page
from sohoa.db.models.intake import IngestClaim
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.objects import store_file
from sohoa.services.production import scanning
from sohoa.services.production.ingest import ingest_paths
from sohoa.services.sharing import api_ingest
from sohoa.settings import Settings
from sohoa.storage.objects import sha256_file
from tests._profiles import PROFILES, profile_database
from tests.ingest._helpers import text_page
from tests.security._fake_cli import logging_factory

ROOT = Path(__file__).resolve().parents[2]
CLAIM_MESSAGE = ("đang được xử lý bởi tiến trình khác", "being processed by another process")


@pytest.fixture(params=PROFILES)
def env_ctx(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[dict[str, str], AppContext]]:
    """Environment for CLI processes and the context on the same (migrated) database and object store."""
    url = profile_database(request)  # first: the cluster profile's storage variables go into the environment
    env = {**os.environ, "SOHOA_DATA": str(tmp_path / "data"), "SOHOA_WORKERS": "1",
           "SOHOA_TEST_PAGE_LOG": str(tmp_path / "pages.log")}
    env.pop("SOHOA_DATABASE_URL", None)
    if url is not None:
        env["SOHOA_DATABASE_URL"] = url
    context = open_context(Settings(data=Path(env["SOHOA_DATA"]), workers=1,
                                    database_url=env.get("SOHOA_DATABASE_URL")))  # schema first: no migration race
    yield env, context
    context.close()


def _box(folder: Path, pages: int) -> Path:
    folder.mkdir(parents=True)
    for n in range(pages):
        text_page(folder / f"{folder.name}_{n:03d}.png", [f"Quyết định số {n + 1}/QĐ-UBND", f"Hồ sơ {folder.name}"])
    return folder


def _page(path: Path, line: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return text_page(path, [line])


def _start(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.security._fake_cli", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _ingest_result(proc: subprocess.Popen[str]) -> dict[str, str]:
    """{file name: state} of a finished `sohoa ingest --json`; it must have exited cleanly."""
    out, err = proc.communicate(timeout=300)
    assert "Traceback" not in err and "IntegrityError" not in err, err
    assert proc.returncode == 0, (out, err)
    items = json.loads(out)["items"]
    for item in items:
        if item["state"] == "busy":
            assert all(part in item["message"].lower() for part in CLAIM_MESSAGE), item
    return {item["name"]: item["state"] for item in items}


def _wait_for(condition: object, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _count(ctx: AppContext, model: type) -> int:
    with ctx.db.session() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _pages_read(env: dict[str, str]) -> Counter[int]:
    log = Path(env["SOHOA_TEST_PAGE_LOG"])
    return Counter(int(line) for line in log.read_text().split()) if log.exists() else Counter()


def _audit_clean(env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "sohoa.cli.main", "audit", "verify"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_second_process_skips_what_the_first_is_ingesting(env_ctx: tuple[dict[str, str], AppContext],
                                                              tmp_path: Path) -> None:
    env, ctx = env_ctx
    box = _box(tmp_path / "box" / "H26.01", 4)
    gate = str(tmp_path / "gate")
    first = _start({**env, "SOHOA_TEST_GATE": gate}, "ingest", str(box.parent), "--json")
    # One worker: every master is registered (and claimed) before the first page is read.
    _wait_for(lambda: Path(gate + ".started").exists() or first.poll() is not None, "the first process's OCR")
    assert first.poll() is None, first.communicate()
    assert _count(ctx, IngestClaim) == 4

    second = _ingest_result(_start(env, "ingest", str(box.parent), "--json"))
    assert set(second.values()) == {"busy"} and len(second) == 4

    Path(gate + ".open").touch()
    assert set(_ingest_result(first).values()) == {"done"}
    rerun = _ingest_result(_start(env, "ingest", str(box.parent), "--json"))
    assert set(rerun.values()) == {"duplicate"}

    assert _pages_read(env) == Counter({first.pid: 4})  # the loser read no page
    assert _count(ctx, Page) == 4 and _count(ctx, IngestItem) == 4 and _count(ctx, IngestClaim) == 0
    with ctx.db.session() as session:
        assert set(session.execute(select(IngestItem.state)).scalars()) == {"done"}
    _audit_clean(env)


def test_two_processes_at_once_ingest_every_master_once(env_ctx: tuple[dict[str, str], AppContext],
                                                        tmp_path: Path) -> None:
    env, ctx = env_ctx
    _box(tmp_path / "box" / "H26.01", 3)
    _box(tmp_path / "box" / "H26.02", 3)
    runs = [_start(env, "ingest", str(tmp_path / "box"), "--json") for _ in range(2)]
    results = [_ingest_result(run) for run in runs]

    for name in results[0]:
        states = sorted(result[name] for result in results)
        assert states in (["busy", "done"], ["done", "duplicate"]), (name, states)  # done by exactly one
    pages = _pages_read(env)
    assert sum(pages.values()) == 6 and set(pages) <= {run.pid for run in runs}  # no page read twice
    assert _count(ctx, Page) == 6 and _count(ctx, IngestItem) == 6 and _count(ctx, IngestClaim) == 0
    with ctx.db.session() as session:
        assert set(session.execute(select(IngestItem.state)).scalars()) == {"done"}
        assert session.execute(select(func.count(func.distinct(Page.master_object_id)))).scalar_one() == 6
    _audit_clean(env)


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()  # reaped: the pid runs nothing now
    return child.pid


def _claim(ctx: AppContext, path: Path, host: str, pid: int, expires_in: timedelta) -> None:
    now = utcnow()
    with ctx.db.session() as session:
        session.add(IngestClaim(sha256=sha256_file(path), owner="f" * 32, host=host, pid=pid, claimed_at=now,
                                expires_at=now + expires_in))


def test_a_claim_of_a_dead_process_is_taken_over(any_ctx: AppContext, tmp_path: Path) -> None:
    page = _page(tmp_path / "box" / "p.png", "Quyết định")
    _claim(any_ctx, page, socket.gethostname(), _dead_pid(), timedelta(hours=1))
    report = ingest_paths(any_ctx, [page], engine_factory=logging_factory())
    assert [i.state for i in report.items] == ["done"]
    assert _count(any_ctx, IngestClaim) == 0


def test_an_expired_claim_of_another_host_is_taken_over(any_ctx: AppContext, tmp_path: Path) -> None:
    page = _page(tmp_path / "box" / "p.png", "Quyết định")
    _claim(any_ctx, page, "another-host", os.getpid(), timedelta(seconds=-1))
    assert [i.state for i in ingest_paths(any_ctx, [page], engine_factory=logging_factory()).items] == ["done"]


def test_a_live_claim_is_respected_with_a_clear_message(any_ctx: AppContext, tmp_path: Path) -> None:
    box = tmp_path / "box"
    first = _page(box / "p1.png", "Quyết định")
    _page(box / "p2.png", "Công văn")
    other = _page(tmp_path / "other" / "q.png", "Thông báo")
    _claim(any_ctx, first, "another-host", 4242, timedelta(minutes=5))  # alive until it expires
    report = ingest_paths(any_ctx, [box, other], engine_factory=logging_factory())
    states = {i.name: i.state for i in report.items}
    # The held folder is left whole to its holder (a sequence cut in two splits documents wrongly);
    # the batch goes on with the rest.
    assert states == {"p1.png": "busy", "p2.png": "busy", "q.png": "done"}
    message = report.items[0].message or ""
    assert "another-host:4242" in message and all(part in message.lower() for part in CLAIM_MESSAGE)
    assert _count(any_ctx, IngestClaim) == 1  # the other process's claim is not ours to drop
    assert _count(any_ctx, Document) == 1


def test_a_database_conflict_fails_one_item_not_the_batch(any_ctx: AppContext, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    bad = _page(tmp_path / "a" / "p.png", "Quyết định")
    good = _page(tmp_path / "b" / "q.png", "Công văn")

    def racing(session: object, store: object, path: Path, **kwargs: object) -> object:
        if path.read_bytes() == bad.read_bytes():  # ingest stores a private work copy of the master
            raise IntegrityError("INSERT INTO ingest_items", {}, Exception("UNIQUE constraint failed"))
        return store_file(session, store, path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("sohoa.services.production.ingest.store_file", racing)
    report = ingest_paths(any_ctx, [bad, good], engine_factory=logging_factory())
    failed, done = report.items
    assert (failed.state, failed.reason, done.state) == ("failed", "conflict", "done")
    assert failed.message is not None and " / " in failed.message and "run the ingest again" in failed.message
    assert _count(any_ctx, IngestClaim) == 0


def test_the_same_bytes_twice_in_one_run_are_ingested_once(any_ctx: AppContext, tmp_path: Path) -> None:
    page = _page(tmp_path / "box" / "p1.png", "Quyết định")
    (tmp_path / "box" / "p2.png").write_bytes(page.read_bytes())
    report = ingest_paths(any_ctx, [tmp_path / "box"], engine_factory=logging_factory())
    assert [(i.name, i.state) for i in report.items] == [("p1.png", "done"), ("p2.png", "duplicate")]
    assert _count(any_ctx, Page) == 1


def test_the_scan_worker_leaves_a_held_master_to_its_holder(any_ctx: AppContext, tmp_path: Path) -> None:
    data = _page(tmp_path / "scan.png", "Quyết định").read_bytes()
    _claim(any_ctx, tmp_path / "scan.png", "another-host", 4242, timedelta(minutes=5))
    upload = scanning.start_upload(any_ctx, None, "scan.png", len(data), operator="op")
    scanning.append_chunk(any_ctx, upload.token, 0, data, operator="op")
    worker = scanning.ScanWorker(any_ctx, partial(ingest_paths, engine_factory=logging_factory()))
    worker.start()  # takes the queued upload
    _wait_for(lambda: scanning.upload_status(any_ctx, upload.token).state in scanning.TERMINAL, "the scan worker")
    worker.stop()
    status = scanning.upload_status(any_ctx, upload.token)
    assert status.state == "failed" and status.message and "another-host:4242" in status.message
    assert _count(any_ctx, Page) == 0


def test_api_ingest_leaves_a_held_master_to_its_holder(any_ctx: AppContext, tmp_path: Path) -> None:
    data = _page(tmp_path / "scan.png", "Quyết định").read_bytes()
    _claim(any_ctx, tmp_path / "scan.png", "another-host", 4242, timedelta(minutes=5))
    sink = api_ingest.new_upload(any_ctx)
    sink.open("scan.png")
    sink.write(data)
    _, item_id = api_ingest.accept_upload(any_ctx, sink, api_ingest.IngestTarget(None, None, None), actor="api")
    ingest = partial(ingest_paths, engine_factory=logging_factory())
    assert api_ingest.process_item(any_ctx, item_id, ingest) == "processing"  # not failed: the holder settles it
    with any_ctx.db.session() as session:
        assert session.get(IngestItem, item_id).state == "processing"  # type: ignore[union-attr]
    assert (sink.folder / "scan.png").exists()  # the upload is kept
    with any_ctx.db.session() as session:  # the holder went away without ingesting it: the next try does
        session.execute(delete(IngestClaim))
    assert api_ingest.process_item(any_ctx, item_id, ingest) == "done"
