"""Registration never runs more than a bounded number of pages ahead of the pool (the ingesting process's
memory follows the pool, not the size of the folder)."""

from __future__ import annotations

import collections
import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from sohoa.engines.fakes import FakeOcrEngine
from sohoa.pipeline.work import PageJob
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.pool import PageJobs, Result, run_page
from sohoa.services.production import ingest
from sohoa.services.production.ingest import ingest_paths

from ._helpers import text_page
from .test_ingest_fast import WORDS


class _SlowPool:
    """A shared pool slower than registration: one page finished every fourth look
    (``results(block=False)``); it records the longest queue."""

    def __init__(self) -> None:
        self.queue: collections.deque[PageJob] = collections.deque()
        self.most = self.looks = 0
        self.engine = FakeOcrEngine(WORDS)

    @contextlib.contextmanager
    def session(self) -> Iterator[PageJobs]:
        yield self

    def submit(self, jobs: Sequence[PageJob]) -> None:
        self.queue.extend(jobs)
        self.most = max(self.most, len(self.queue))

    def results(self, *, block: bool) -> Iterator[Result]:
        self.looks += 1
        if not block and self.looks % 4:
            return
        while self.queue:
            yield run_page(self.queue.popleft(), self.engine)
            if not block:
                return


@pytest.fixture
def pages(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "box"
    folder.mkdir()
    return [text_page(folder / f"page_{n:02}.png", [f"Trang {n}"], dpi=100) for n in range(12)]


def test_registration_waits_for_the_pool(ctx: AppContext, pages: list[Path],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "PAGES_AHEAD_MIN", 3)
    monkeypatch.setattr(ingest, "PAGES_AHEAD_PER_WORKER", 0)
    pool = _SlowPool()
    report = ingest_paths(ctx, pages, pool=pool)
    assert [i.state for i in report.items] == ["done"] * 12
    assert pool.most == 4  # three waiting, and the master just registered
    monkeypatch.setattr(ingest, "PAGES_AHEAD_MIN", 100)
    pool = _SlowPool()
    ingest_paths(ctx, [text_page(p.with_name(f"again_{p.name}"), [f"Lại {p.name}"], dpi=100) for p in pages],
                 pool=pool)
    assert pool.most > 6  # not held back: registration runs ahead of this pool


def test_one_worker_in_process_runs_what_is_queued(ctx: AppContext, pages: list[Path],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The in-process pool runs its jobs only when asked to finish: held back, it finishes them then."""
    monkeypatch.setattr(ingest, "PAGES_AHEAD_MIN", 2)
    monkeypatch.setattr(ingest, "PAGES_AHEAD_PER_WORKER", 0)
    assert ctx.settings.workers == 1
    most = 0
    real = ingest._Batch.add

    def add(self: ingest._Batch, *args: object) -> None:
        nonlocal most
        real(self, *args)  # type: ignore[arg-type]
        most = max(most, self.total - self.done)

    monkeypatch.setattr(ingest._Batch, "add", add)
    report = ingest_paths(ctx, pages, engine_factory=lambda: FakeOcrEngine(WORDS))
    assert [i.state for i in report.items] == ["done"] * 12
    assert most == 3


def test_each_stored_sequence_gives_the_heap_back(ctx: AppContext, pages: list[Path],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The ingesting process trims its C heap after every stored sequence, whatever it grew (the soak showed
    its peak creeping up by fragmentation otherwise)."""
    calls: list[bool] = []
    monkeypatch.setattr(ingest, "release_memory", lambda *, always=False: calls.append(always) or True)
    report = ingest_paths(ctx, pages, engine_factory=lambda: FakeOcrEngine(WORDS))
    assert {i.state for i in report.items} == {"done"}
    assert calls and all(calls)
