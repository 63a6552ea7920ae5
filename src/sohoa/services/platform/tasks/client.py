"""The side that queues: a Celery app per process for sending, the cluster's ingest function (same arguments
and report as ``ingest_paths``) and the web app's upload worker that hands uploads to the cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from celery import Celery

from sohoa.services.platform.context import AppContext
from sohoa.services.platform.tasks.batches import enqueue_ingest, wait_batch
from sohoa.services.platform.tasks.config import celery_app
from sohoa.services.production.ingest import IngestReport, ProgressEvent
from sohoa.services.production.scanning import IngestFn, ScanWorker
from sohoa.settings import Settings

__all__ = ["UPLOAD_THREADS", "ClusterScanWorker", "cluster_ingest", "sender", "sender_app"]

UPLOAD_THREADS = 16  # uploads of one web process followed at once (each waits for its batch, no CPU)
_APPS: dict[str, Celery] = {}


def sender_app(settings: Settings) -> Celery:
    """This process's Celery app for sending tasks (one per broker URL)."""
    key = f"{settings.broker_url}|{settings.result_backend_url}"
    if key not in _APPS:
        _APPS[key] = celery_app(settings)
    return _APPS[key]


def sender(settings: Settings) -> Callable[[str, list[Any], dict[str, Any]], object]:
    """``send(task name, args, kwargs)`` over this process's app."""
    app = sender_app(settings)
    return lambda name, args, kwargs: app.send_task(name, args=args, kwargs=kwargs)


def cluster_ingest(ctx: AppContext, paths: Sequence[Path], *, unit_identifier: str | None = None,
                   file_code: str | None = None, actor: str = "system",
                   progress: Callable[[ProgressEvent], None] | None = None, one_document: bool = False,
                   **_: Any) -> IngestReport:
    """``ingest_paths`` on the cluster: stage, queue, wait for every file; the same report."""
    batch = enqueue_ingest(ctx, sender(ctx.settings), paths, unit_identifier=unit_identifier, file_code=file_code,
                           actor=actor, one_document=one_document)
    return wait_batch(ctx, batch, progress=progress)


class ClusterScanWorker(ScanWorker):
    """The web app's upload worker with a broker: each upload (or group) is queued on the cluster at once and
    followed by one of ``UPLOAD_THREADS`` threads; this process runs no OCR."""

    def __init__(self, ctx: AppContext, ingest: IngestFn | None = None) -> None:
        super().__init__(ctx, ingest or cluster_ingest)
        self._threads: ThreadPoolExecutor | None = None

    def start(self, *, resume: bool = True) -> None:
        self._threads = ThreadPoolExecutor(UPLOAD_THREADS, thread_name_prefix="sohoa-cluster-upload")
        super().start(resume=resume)

    def submit(self, job: str) -> None:
        if self._threads is None:
            super().submit(job)  # before start: queued, handed over when the thread starts
            return
        self._threads.submit(self._ingest_one, job)

    def stop(self, timeout: float = 10.0) -> None:
        if self._threads is not None:
            self._threads.shutdown(wait=False, cancel_futures=True)
            self._threads = None
        super().stop(timeout)
