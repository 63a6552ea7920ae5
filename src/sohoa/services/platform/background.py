"""Background threads of one process: a queue worker (jobs in order) and a periodic task, both stoppable."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["PeriodicTask", "QueueWorker"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class _DaemonLoop:
    """A named daemon thread running ``_loop``; starting one that runs already does nothing."""

    name: str
    _thread: threading.Thread | None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        raise NotImplementedError


class QueueWorker(_DaemonLoop, Generic[T]):
    """One daemon thread that hands each submitted job to ``handler``, in order.

    Jobs submitted before ``start`` wait in the queue. A failing job is logged and the worker goes on:
    the handler records failures where people see them (the database), the log is for operators.
    """

    def __init__(self, name: str, handler: Callable[[T], None]) -> None:
        self.name = name
        self._handler = handler
        self._queue: queue.Queue[tuple[T] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    def submit(self, job: T) -> None:
        self._queue.put((job,))

    def idle(self) -> bool:
        """Nothing queued and nothing running (for tests and health pages)."""
        return self._queue.unfinished_tasks == 0

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the job in hand, leave the rest queued (they are resumed from the database at next start)."""
        if self._thread is None:
            return
        while True:  # drop what is queued so the stop marker comes next
            try:
                self._queue.get_nowait()
                self._queue.task_done()
            except queue.Empty:
                break
        self._queue.put(None)
        self._thread.join(timeout)
        self._thread = None

    def _loop(self) -> None:
        while (item := self._queue.get()) is not None:
            try:
                self._handler(item[0])
            except Exception:  # one bad job must never stop the worker
                log.exception("%s: job %r failed", self.name, item[0])
            finally:
                self._queue.task_done()
        self._queue.task_done()


class PeriodicTask(_DaemonLoop):
    """A daemon thread calling ``action`` every ``interval`` seconds until ``stop``; ``wake`` runs it sooner.

    The first pass runs at ``start``, or one interval later with ``wait_first`` (a poller that need not
    run while the process starts up).
    """

    def __init__(self, name: str, action: Callable[[], object], interval: float, *, wait_first: bool = False) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.name, self.interval = name, interval
        self._action = action
        self._wait_first = wait_first
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0

    def start(self) -> None:
        self._stop.clear()  # a task stopped before may run again
        super().start()

    def wake(self) -> None:
        self._wake.set()

    def run_once(self) -> None:
        """One pass now, in the calling thread (a Celery worker running the scheduled pass: `sohoa beat`)."""
        self._action()
        self.runs += 1

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the pass in hand (a pass is bounded by its own timeouts)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        if self._wait_first:
            self._wake.wait(self.interval)
            self._wake.clear()
        while not self._stop.is_set():
            try:
                self._action()
            except Exception:  # e.g. the database busy for a moment: try again next pass
                log.exception("%s: pass failed", self.name)
            self.runs += 1
            self._wake.wait(self.interval)
            self._wake.clear()
