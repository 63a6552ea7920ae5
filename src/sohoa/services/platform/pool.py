"""Run page jobs on all cores (a process pool, one OCR engine per worker) or in-process for one worker."""

from __future__ import annotations

import collections
import ctypes
import ctypes.util
import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Protocol

from sohoa.domain.ports import OcrEngine, OcrEngineFactory
from sohoa.pipeline.files import FileJob, FileOutcome, safe_run_file_job
from sohoa.pipeline.work import PageFailure, PageJob, PageOutcome, safe_run_page_job
from sohoa.services.platform.preload import WORKER_MODULES, start_forkserver
from sohoa.settings import Settings

__all__ = ["TRIM_AFTER_GROWTH", "WORKER_MODULES", "PageJobs", "PagePool", "SharedPool", "default_factory",
           "init_worker", "process_executor", "release_memory", "run_in_worker", "run_page", "tesseract_factory",
           "worker_engine"]

Result = PageOutcome | PageFailure | FileOutcome  # a file job's result is a FileOutcome or a PageFailure



def _find_malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim`` (None elsewhere: musl, macOS, Windows have no such call)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_MALLOC_TRIM = _find_malloc_trim()
# Trim once the resident memory has grown this much since the last trim: an OCR'd page leaves tens of MiB of
# freed heap resident, a born-digital page little (a trim after each of those cost it 0.5–1 ms of ~15 ms).
TRIM_AFTER_GROWTH = 16 * 1024 * 1024
_rss_after_trim = 0


def _resident_bytes() -> int | None:
    """This process's resident memory (Linux ``/proc/self/statm``; None where it cannot be read)."""
    try:
        with open("/proc/self/statm", "rb") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def release_memory(*, always: bool = False) -> bool:
    """After a page job: give the C heap's freed pages back to the system (glibc ``malloc_trim(0)``) once
    the resident memory has grown by ``TRIM_AFTER_GROWTH`` since the last trim. True when it trimmed;
    always False where the C library has no ``malloc_trim`` (musl, macOS, Windows).

    A page job allocates tens of MiB through malloc (Tesseract, OpenCV, numpy, pypdfium2, Pillow) and frees
    it; glibc keeps the freed pages resident, so a long-lived worker holds its largest page's memory and
    more as its heap fragments (docs/benchmarks.md, after the memory soak). ``always``: whatever the growth
    (the ingesting process, after each stored sequence).
    """
    global _rss_after_trim
    if _MALLOC_TRIM is None:
        return False
    resident = _resident_bytes()
    if not always and resident is not None and resident - _rss_after_trim < TRIM_AFTER_GROWTH:
        return False
    _MALLOC_TRIM(0)
    _rss_after_trim = _resident_bytes() or 0
    return True


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
    """Worker processes forked from a forkserver that preloaded ``WORKER_MODULES``, one engine each
    (:func:`~sohoa.services.platform.preload.start_forkserver`; already running when the launcher started it)."""
    start_forkserver()  # its imports run while this process registers the first files
    context = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(workers, mp_context=context, initializer=init_worker, initargs=(factory,))


def worker_engine() -> OcrEngine:
    """The engine ``init_worker`` built in this worker process."""
    if _WORKER_ENGINE is None:
        raise RuntimeError("no OCR engine built in this worker process")
    return _WORKER_ENGINE


def run_page(job: PageJob, engine: OcrEngine) -> Result:
    """Run one page job — or a whole-file job (:mod:`sohoa.pipeline.files`) — (a failure becomes a
    ``PageFailure``), then give its freed memory back."""
    try:
        if isinstance(job, FileJob):
            return safe_run_file_job(job, engine)
        return safe_run_page_job(job, engine)
    finally:
        release_memory()


def run_in_worker(job: PageJob) -> Result:
    """Run one page job with this worker's engine (what the process pool calls)."""
    return run_page(job, worker_engine())


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
                yield run_page(self._queue.popleft(), self._engine)
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
