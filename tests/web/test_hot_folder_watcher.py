"""The hot-folder watcher is a ``PeriodicTask``: no pass while the server starts, then stable files go to the
scan worker; it stops at once (no thread of its own to wait for)."""

from __future__ import annotations

import os
import time

from sohoa.services.platform.background import PeriodicTask
from sohoa.services.platform.context import AppContext
from sohoa.services.production import scanning

from .test_scanning import scan_png


class _Worker(scanning.ScanWorker):
    """Records what the watcher submits instead of ingesting it."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.submitted: list[str] = []

    def submit(self, job: str) -> None:
        self.submitted.append(job)


def test_the_watcher_waits_one_interval_then_hands_stable_files_to_the_worker(ctx: AppContext) -> None:
    target = scanning.hot_folder(ctx, "tram-2") / "scan.png"
    target.write_bytes(scan_png())
    old = time.time() - 60
    os.utime(target, (old, old))
    worker = _Worker(ctx)
    watcher = scanning.HotFolderWatcher(ctx, worker, interval=60.0)
    assert isinstance(watcher, PeriodicTask)
    watcher.start()
    try:
        time.sleep(0.5)
        assert watcher.runs == 0 and worker.submitted == []  # the first pass waits one interval
        watcher.wake()  # ... or a wake-up
        deadline = time.monotonic() + 20
        while not worker.submitted and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(worker.submitted) == 1
        assert scanning.upload_status(ctx, worker.submitted[0]).operator == "station:tram-2"
    finally:
        started = time.monotonic()
        watcher.stop()
    assert time.monotonic() - started < 5 and not watcher.running
