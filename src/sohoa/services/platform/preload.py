"""What a page worker imports, and the forkserver that imports it once for every worker.

Standard library only: the `sohoa` launcher starts the forkserver for an ingest before it imports the
application (:mod:`sohoa.cli.launch`), so the forkserver's imports and the command's run at the same time
on two cores; :func:`sohoa.services.platform.pool.process_executor` then finds it running.
"""

from __future__ import annotations

import multiprocessing
import os
from multiprocessing import forkserver

__all__ = ["WORKER_MODULES", "start_forkserver"]

# What a page worker imports. The forkserver imports these once and forks every worker from there;
# left to its default it would first import the parent's __main__ — for `sohoa ingest` the whole CLI,
# about a second before the first page could start.
WORKER_MODULES = ("sohoa.pipeline.work", "sohoa.pipeline.files", "sohoa.pipeline.documents",
                  "sohoa.pipeline.preprocess", "sohoa.pipeline.triage",
                  "sohoa.pipeline.ocr", "sohoa.pipeline.layout", "sohoa.intelligence",
                  "sohoa.engines.thumbnails", "sohoa.engines.tesseract", "sohoa.services.platform.pool",
                  "sohoa.services.platform.warm_pool")


def start_forkserver() -> None:
    """Start this process's forkserver with :data:`WORKER_MODULES` preloaded (nothing when it runs).

    forkserver: workers start from a clean process, never from a fork of a parent that already runs
    threads (OpenMP, web servers), which can deadlock after fork(). ``OMP_THREAD_LIMIT=1`` (unless set)
    is inherited by the server and every worker.
    """
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    multiprocessing.get_context("forkserver").set_forkserver_preload(list(WORKER_MODULES))
    forkserver.ensure_running()
