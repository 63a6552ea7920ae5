"""``sohoa.page``: the pages of a long file spread over the cluster's workers, without a slot ever waiting.

The ``sohoa.ingest_file`` task of a file with at least ``FANOUT_PAGES`` pages opens a :class:`CeleryPagePool`:
the master's work copy is staged once (any host can read it), and each page job goes out as a ``sohoa.page``
task on the ``pages`` queue. Any worker process runs it with its own engine and returns the page's result.
The coordinating task never waits on a task that has not started: when no result is ready it takes back the
oldest page no worker has started (revoked, and run with its own engine), so a cluster whose every slot is a
coordinator still finishes — the file simply runs in one process, as without fan-out. A page started
elsewhere and silent for ``STEAL_STARTED_AFTER`` seconds (its host died) is run here too. Running a page twice
is harmless: a page job is a pure function of its input.

Jobs and results are pickled dataclasses (words, images): they travel as base64 text inside the JSON messages,
with an HMAC-SHA256 of the archive's secret key (``SOHOA_SECRET_KEY``, the same on every host), and a worker
refuses any that does not carry it.
"""

from __future__ import annotations

import base64
import collections
import hashlib
import hmac
import pickle
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from celery import Celery
from celery.result import AsyncResult

from sohoa.domain.ports import OcrEngine
from sohoa.pipeline.work import PageJob
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.pool import PageJobs, Result, run_page
from sohoa.services.platform.tasks.base import PAGES_QUEUE, guarded, process_engine, worker_context
from sohoa.services.platform.tasks.staging import fetch_staged, remove_staged, staging_root
from sohoa.storage.private import private_dir

__all__ = ["FANOUT_PAGES", "CeleryPagePool", "register", "run_page_task"]

FANOUT_PAGES = 8  # a file with fewer pages runs in its ingest task's process
STEAL_STARTED_AFTER = 600.0
_POLL = 0.05


def _sign(payload: bytes, key: str) -> str:
    mac = hmac.new(key.encode("utf-8"), payload, hashlib.sha256).hexdigest()
    return f"{mac}:{base64.b64encode(payload).decode('ascii')}"


def _unsign(text: str, key: str) -> Any:
    mac, _, data = text.partition(":")
    payload = base64.b64decode(data.encode("ascii"))
    if not hmac.compare_digest(mac, hmac.new(key.encode("utf-8"), payload, hashlib.sha256).hexdigest()):
        raise PermissionError("sohoa.page: a message not signed with this archive's key was refused")
    return pickle.loads(payload)  # signed by a process holding the archive's secret key


def pack(value: object, key: str) -> str:
    return _sign(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), key)


_SOURCES: dict[str, Path] = {}  # staged key → this process's download (one master's pages come in a row)


def run_page_task(key: str, sha256: str, job_text: str) -> str:
    """Run one signed page job whose master is staged at ``key``; the signed result."""
    ctx = worker_context()
    job: PageJob = _unsign(job_text, ctx.secret_key)
    local = _SOURCES.get(key)
    if local is None or not local.exists():
        for stale in _SOURCES.values():
            stale.unlink(missing_ok=True)
        _SOURCES.clear()
        folder = Path(tempfile.mkdtemp(dir=private_dir(ctx.settings.work_dir), prefix="page-"))
        local = fetch_staged(staging_root(ctx.settings), key, sha256, folder / Path(job.page.source_path).name)
        _SOURCES[key] = local
    moved = replace(job, page=replace(job.page, source_path=str(local)))
    return pack(run_page(moved, process_engine()), ctx.secret_key)


class _Session:
    """One ingest's page jobs: small files here, long files fanned out (see the module's text)."""

    def __init__(self, pool: CeleryPagePool) -> None:
        self.pool = pool
        self.local: collections.deque[PageJob] = collections.deque()
        self.remote: dict[str, tuple[PageJob, AsyncResult, float]] = {}  # task id → job, result, sent at
        self.staged: dict[str, tuple[str, str]] = {}  # work copy → staged key and digest

    def _engine(self) -> OcrEngine:
        return process_engine(self.pool.ctx.settings)

    def _stage(self, path: str) -> tuple[str, str]:
        if path not in self.staged:
            root = staging_root(self.pool.ctx.settings)
            with open(path, "rb") as stream:
                key = f"pages/{hashlib.sha256(path.encode()).hexdigest()[:16]}-{time.time_ns()}"
                digest, _ = root.write_stream(key, stream)
            self.staged[path] = (key, digest)
        return self.staged[path]

    def submit(self, jobs: Sequence[PageJob]) -> None:
        if len(jobs) < FANOUT_PAGES or type(jobs[0]) is not PageJob:
            self.local.extend(jobs)
            return
        secret = self.pool.ctx.secret_key
        for job in jobs:
            key, digest = self._stage(job.page.source_path)
            sent = self.pool.app.send_task("sohoa.page", args=[key, digest, pack(job, secret)], queue=PAGES_QUEUE)
            self.remote[sent.id] = (job, sent, time.monotonic())

    def _ready(self) -> Iterator[Result]:
        for task_id, (job, result, _) in list(self.remote.items()):
            if result.ready():
                del self.remote[task_id]
                yield self._outcome(job, result)

    def _outcome(self, job: PageJob, result: AsyncResult) -> Result:
        try:
            value = result.get(propagate=True, disable_sync_subtasks=False)
            if isinstance(value, dict) and value.get("state") == "dead":
                raise RuntimeError(str(value.get("error")))
            outcome: Result = _unsign(str(value), self.pool.ctx.secret_key)
            return outcome
        except Exception:  # the page failed or was lost elsewhere: run it here
            return run_page(job, self._engine())
        finally:
            result.forget()

    def _take_back(self) -> Result | None:
        """Run here the oldest page nobody started (or one started long ago and silent)."""
        now = time.monotonic()
        for task_id, (job, result, sent_at) in list(self.remote.items()):
            if result.state in ("PENDING", "RETRY") or now - sent_at > STEAL_STARTED_AFTER:
                del self.remote[task_id]
                result.revoke()
                return run_page(job, self._engine())
        return None

    def _one(self) -> Result | None:
        if self.local:
            return run_page(self.local.popleft(), self._engine())
        return self._take_back()

    def results(self, *, block: bool) -> Iterator[Result]:
        """Results ready now; when none is, one page run here; with ``block`` until every page is back."""
        while self.local or self.remote:
            got = False
            for result in self._ready():
                got = True
                yield result
            if not got:
                one = self._one()
                if one is not None:
                    got = True
                    yield one
            if not block:
                return
            if not got:
                time.sleep(_POLL)

    def close(self) -> None:
        root = staging_root(self.pool.ctx.settings)
        for key, _ in self.staged.values():
            remove_staged(root, key)
        for _, result, _ in self.remote.values():
            result.revoke()


class CeleryPagePool:
    """A ``SharedPool`` whose sessions fan the pages of long files out as ``sohoa.page`` tasks."""

    def __init__(self, app: Celery, ctx: AppContext) -> None:
        self.app, self.ctx = app, ctx

    @contextmanager
    def session(self) -> Iterator[PageJobs]:
        jobs = _Session(self)
        try:
            yield jobs
        finally:
            jobs.close()


def _page(task: Any, key: str, sha256: str, job_text: str, first_failed: str | None = None) -> Any:
    return guarded(task, run_page_task, key, sha256, job_text, first_failed=first_failed)


def register(app: Celery) -> None:
    """Add ``sohoa.page`` to ``app``."""
    app.task(name="sohoa.page", bind=True, acks_late=True)(_page)
