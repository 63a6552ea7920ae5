"""Run page jobs on all cores (a process pool, one OCR engine per worker) or in-process for one worker."""

from __future__ import annotations

import collections
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import AbstractContextManager
from multiprocessing import forkserver
from types import TracebackType
from typing import Protocol

from sohoa.domain.ports import OcrEngine, OcrEngineFactory
from sohoa.pipeline.work import PageFailure, PageJob, PageOutcome, safe_run_page_job
from sohoa.settings import Settings

__all__ = ["WORKER_MODULES", "PageJobs", "PagePool", "SharedPool", "default_factory", "init_worker", "process_executor",
           "run_in_worker", "tesseract_factory", "worker_engine"]

Result = PageOutcome | PageFailure

# What a page worker imports. The forkserver imports these once and forks every worker from there;
# left to its default it would first import the parent's __main__ — for `sohoa ingest` the whole CLI,
# about a second before the first page could start.
WORKER_MODULES = ("sohoa.pipeline.work", "sohoa.pipeline.preprocess", "sohoa.pipeline.triage",
                  "sohoa.pipeline.ocr", "sohoa.pipeline.layout", "sohoa.intelligence",
                  "sohoa.engines.thumbnails", "sohoa.engines.tesseract", "sohoa.services.platform.pool",
                  "sohoa.services.platform.warm_pool")


class tesseract_factory:
    """Builds the Tesseract engine inside each worker (never shared across processes)."""

    def __init__(self, lang: str, tessdata: str | None, variables: str = "") -> None:
        from sohoa.engines.tesseract import parse_variables

        self.lang, self.tessdata = lang, tessdata
        self.variables = parse_variables(variables)  # a bad setting fails here, before any worker starts

    def __call__(self) -> OcrEngine:
        from sohoa.engines.tesseract import TesseractEngine

        return TesseractEngine(lang=self.lang, tessdata=self.tessdata, variables=self.variables)


# The engine of this worker process: built once by ``init_worker``, passed to every page job it runs.
_WORKER_ENGINE: OcrEngine | None = None


def init_worker(factory: OcrEngineFactory) -> None:
    """Process-pool initializer: one thread for Tesseract, one engine reused for every page."""
    global _WORKER_ENGINE
    os.environ["OMP_THREAD_LIMIT"] = "1"
    import cv2

    cv2.setNumThreads(1)  # one thread per worker: the pool already uses every core
    _WORKER_ENGINE = factory()


def default_factory(settings: Settings) -> OcrEngineFactory:
    """Tesseract as the settings describe it."""
    tessdata = str(settings.tessdata) if settings.tessdata else None
    return tesseract_factory(settings.ocr_languages, tessdata, settings.tesseract_variables)


def process_executor(workers: int, factory: OcrEngineFactory) -> ProcessPoolExecutor:
    """Worker processes forked from a forkserver that preloaded ``WORKER_MODULES``, one engine each.

    forkserver: workers start from a clean process, never from a fork of a parent that already runs
    threads (OpenMP, web servers), which can deadlock after fork().
    """
    context = multiprocessing.get_context("forkserver")
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # inherited by the server and every worker
    context.set_forkserver_preload(list(WORKER_MODULES))
    forkserver.ensure_running()  # its imports run while this process registers the first files
    return ProcessPoolExecutor(workers, mp_context=context, initializer=init_worker, initargs=(factory,))


def worker_engine() -> OcrEngine:
    """The engine ``init_worker`` built in this worker process."""
    if _WORKER_ENGINE is None:
        raise RuntimeError("no OCR engine built in this worker process")
    return _WORKER_ENGINE


def run_in_worker(job: PageJob) -> Result:
    """Run one page job with this worker's engine (what the process pool calls)."""
    return safe_run_page_job(job, worker_engine())


class PageJobs(Protocol):
    """What an ingest feeds page jobs to: ``PagePool``, a session of a ``WarmPool``, a ``RemotePagePool``."""

    def submit(self, jobs: Sequence[PageJob]) -> None: ...

    def results(self, *, block: bool) -> Iterator[Result]: ...


class SharedPool(Protocol):
    """A pool that outlives one ingest: each ingest opens a session of its own (and never shuts it down)."""

    def session(self) -> AbstractContextManager[PageJobs]: ...


class PagePool:
    """A bounded window of page jobs in flight; results come back as they finish."""

    def __init__(self, settings: Settings, engine_factory: OcrEngineFactory | None = None) -> None:
        self._factory = engine_factory or default_factory(settings)
        self._workers = settings.workers
        self._window = settings.workers * 3
        self._queue: collections.deque[PageJob] = collections.deque()
        self._running: dict[Future[Result], PageJob] = {}
        self._executor: ProcessPoolExecutor | None = None
        self._engine: OcrEngine | None = None  # in-process: the one engine, built on entry

    def __enter__(self) -> PagePool:
        if self._workers > 1:
            self._executor = process_executor(self._workers, self._factory)
        else:
            self._engine = self._factory()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=exc is None, cancel_futures=True)

    def submit(self, jobs: Sequence[PageJob]) -> None:
        self._queue.extend(jobs)
        self._top_up()

    def _top_up(self) -> None:
        while self._executor is not None and self._queue and len(self._running) < self._window:
            job = self._queue.popleft()
            self._running[self._executor.submit(run_in_worker, job)] = job

    def results(self, *, block: bool) -> Iterator[Result]:
        """Finished results; with ``block`` keep going until every submitted job is done."""
        if self._executor is None:
            while block and self._queue:
                assert self._engine is not None, "results() outside the pool's with block"
                yield safe_run_page_job(self._queue.popleft(), self._engine)
            return
        while self._running:
            done, _ = wait(list(self._running), timeout=None if block else 0, return_when=FIRST_COMPLETED)
            if not done:
                return
            for future in done:
                job = self._running.pop(future)
                yield self._result(future, job)
            self._top_up()

    @staticmethod
    def _result(future: Future[Result], job: PageJob) -> Result:
        try:
            return future.result()
        except Exception as exc:
            return PageFailure(job.item_id, job.page.page_index, f"{type(exc).__name__}: {exc}")
