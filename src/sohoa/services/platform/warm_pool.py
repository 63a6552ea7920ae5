"""A warm page pool: worker processes started once by a long-running process and shared by all its ingests.

``sohoa serve`` builds one at start-up (workers forked, imports done, one engine loaded and used once per
worker) and every ingest it runs (scan uploads, hot folders, API uploads, CLI hand-offs through the control
socket) opens a ``PoolSession`` of its own: the session sees only the results of the jobs it submitted.
A worker that dies (killed, out of memory) breaks the executor: the pages in flight fail, retryably, as
in a ``PagePool``, and the next submission starts a new executor instead of wedging the pool.
"""

from __future__ import annotations

import collections
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType

import numpy as np

from sohoa.domain.ports import OcrEngineFactory
from sohoa.pipeline.work import PageFailure, PageJob
from sohoa.services.platform.pool import Result, default_factory, process_executor, run_in_worker, worker_engine
from sohoa.settings import Settings

__all__ = ["PoolSession", "WarmPool", "warm_worker"]

log = logging.getLogger(__name__)
_WARM_SECONDS = 300.0  # a worker that cannot load its engine in this time fails the start-up


def warm_worker() -> int:
    """A tiny job: the engine reads a blank strip once (Tesseract loads its language data); the worker's pid."""
    worker_engine().recognize(np.full((64, 256), 255, dtype=np.uint8), 300)
    return os.getpid()


class WarmPool:
    """One process pool for the life of a process; ``session()`` for each ingest, ``close()`` at the end."""

    def __init__(self, settings: Settings, engine_factory: OcrEngineFactory | None = None) -> None:
        self.settings = settings
        self.workers = settings.workers
        self.window = settings.workers * 3  # jobs in flight per session
        self._factory = engine_factory or default_factory(settings)
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._generation = 0  # which executor a job went to: only a broken current one is replaced
        self.sessions = 0  # sessions opened so far (health pages and tests)

    def start(self) -> WarmPool:
        """Start the workers and wait until each has loaded its engine (on failure: closed, and the error)."""
        with self._lock:
            self._executor = process_executor(self.workers, self._factory)
            executor = self._executor
        # Each submission finds no idle worker and starts one more process, up to ``workers``.
        try:
            futures = [executor.submit(warm_worker) for _ in range(self.workers)]
            for future in futures:
                future.result(timeout=_WARM_SECONDS)
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> WarmPool:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def session(self) -> PoolSession:
        """A window of page jobs of one ingest (a context manager that leaves the pool running)."""
        with self._lock:
            self.sessions += 1
        return PoolSession(self)

    def pids(self) -> list[int]:
        """Process ids of the current workers (health checks and tests)."""
        with self._lock:
            executor = self._executor
        # ProcessPoolExecutor keeps its processes in ``_processes`` (pid → process); there is no public view.
        processes = getattr(executor, "_processes", None) or {}
        return sorted(processes)

    def submit(self, job: PageJob) -> tuple[Future[Result], int]:
        """Run one page job; the future and the generation of the executor it went to."""
        with self._lock:
            if self._executor is None:
                raise RuntimeError("the warm pool is not running")
            try:
                return self._executor.submit(run_in_worker, job), self._generation
            except BrokenProcessPool:
                self._replace_locked()
                return self._executor.submit(run_in_worker, job), self._generation

    def replace(self, generation: int) -> None:
        """Replace the executor of ``generation`` if it is still the current one (it broke)."""
        with self._lock:
            if self._executor is not None and generation == self._generation:
                self._replace_locked()

    def _replace_locked(self) -> None:
        broken = self._executor
        assert broken is not None
        log.warning("a page worker died; starting new page workers")
        broken.shutdown(wait=False, cancel_futures=True)
        self._executor = process_executor(self.workers, self._factory)
        self._generation += 1
        for _ in range(self.workers):  # start every worker now (engines load while no page waits)
            self._executor.submit(warm_worker)


class PoolSession:
    """The page jobs of one ingest on a shared ``WarmPool``: the ``PagePool`` interface, its own results only.

    One thread uses a session (the ingest's own); several sessions run at once on one pool.
    """

    def __init__(self, pool: WarmPool) -> None:
        self._pool = pool
        self._queue: collections.deque[PageJob] = collections.deque()
        self._running: dict[Future[Result], tuple[PageJob, int]] = {}

    def __enter__(self) -> PoolSession:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for future in self._running:  # an ingest that stops early leaves no work behind it
            future.cancel()
        self._queue.clear()

    @property
    def pending(self) -> int:
        """Jobs submitted whose result has not been taken yet."""
        return len(self._queue) + len(self._running)

    def submit(self, jobs: Sequence[PageJob]) -> None:
        self._queue.extend(jobs)
        self._top_up()

    def _top_up(self) -> None:
        while self._queue and len(self._running) < self._pool.window:
            job = self._queue.popleft()
            future, generation = self._pool.submit(job)
            self._running[future] = (job, generation)

    def results(self, *, block: bool) -> Iterator[Result]:
        """Finished results of this session; with ``block`` keep going until every submitted job is done."""
        while self._running:
            done, _ = wait(list(self._running), timeout=None if block else 0, return_when=FIRST_COMPLETED)
            if not done:
                return
            for future in done:
                job, generation = self._running.pop(future)
                yield self._result(future, job, generation)
            self._top_up()

    def _result(self, future: Future[Result], job: PageJob, generation: int) -> Result:
        try:
            return future.result()
        except BrokenProcessPool as exc:  # the page is failed (retryable) and the pool gets new workers
            self._pool.replace(generation)
            return PageFailure(job.item_id, job.page.page_index, f"{type(exc).__name__}: {exc}")
        except Exception as exc:
            return PageFailure(job.item_id, job.page.page_index, f"{type(exc).__name__}: {exc}")
