"""Page workers give the C heap's freed memory back after page jobs (glibc ``malloc_trim``, once the resident
memory has grown enough since the last trim), and the call is harmless where the C library has no such function."""

from __future__ import annotations

import platform
from collections.abc import Iterator
from pathlib import Path

import pytest

from sohoa.engines.fakes import FakeOcrEngine
from sohoa.pipeline.types import SourcePage
from sohoa.pipeline.work import PageFailure, PageJob, PageOutcome
from sohoa.services.platform import pool
from sohoa.services.platform.pool import TRIM_AFTER_GROWTH, PagePool, release_memory, run_in_worker
from sohoa.settings import Settings

from ._helpers import text_page

MIB = 1024 * 1024


class _CountingTrim:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def __call__(self, pad: int) -> int:
        self.calls.append(pad)
        return 1


@pytest.fixture
def trim(monkeypatch: pytest.MonkeyPatch) -> _CountingTrim:
    counting = _CountingTrim()
    monkeypatch.setattr(pool, "_MALLOC_TRIM", counting)
    monkeypatch.setattr(pool, "_rss_after_trim", 0)
    return counting


def _resident(monkeypatch: pytest.MonkeyPatch, mib: list[int]) -> None:
    """``_resident_bytes`` returns these values (MiB), one per call."""
    values: Iterator[int] = iter(mib)
    monkeypatch.setattr(pool, "_resident_bytes", lambda: next(values) * MIB)


def _jobs(tmp_path: Path, count: int) -> list[PageJob]:
    paths = [text_page(tmp_path / f"p{n}.png", [f"Trang {n}"]) for n in range(count)]
    return [PageJob(n, SourcePage(str(p), 0, "image", 300)) for n, p in enumerate(paths)]


def test_the_worker_function_releases_memory_after_every_page_job_failed_ones_included(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trim: _CountingTrim) -> None:
    monkeypatch.setattr(pool, "_WORKER_ENGINE", FakeOcrEngine())
    monkeypatch.setattr(pool, "TRIM_AFTER_GROWTH", 0)  # trim after every job
    jobs = [*_jobs(tmp_path, 2), PageJob(9, SourcePage(str(tmp_path / "missing.png"), 0, "image", 300))]
    results = [run_in_worker(job) for job in jobs]
    assert [type(r) for r in results] == [PageOutcome, PageOutcome, PageFailure]
    assert trim.calls == [0, 0, 0]  # malloc_trim(0): every free page, one call per job


def test_an_in_process_pool_releases_memory_after_every_page_job(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []

    def counting_release() -> bool:
        calls.append(True)
        return True

    monkeypatch.setattr(pool, "release_memory", counting_release)
    with PagePool(Settings(data=tmp_path / "data", workers=1), FakeOcrEngine) as page_pool:
        page_pool.submit(_jobs(tmp_path, 3))
        results = list(page_pool.results(block=True))
    assert sorted(r.item_id for r in results if isinstance(r, PageOutcome)) == [0, 1, 2]
    assert len(calls) == 3


def test_the_heap_is_trimmed_once_the_resident_memory_grew_enough_since_the_last_trim(
        monkeypatch: pytest.MonkeyPatch, trim: _CountingTrim) -> None:
    grown = TRIM_AFTER_GROWTH // MIB
    # (before the decision, after a trim) per call: trim, then two small steps, then growth, then a trim
    _resident(monkeypatch, [300, 200, 200 + grown - 1, 200 + grown, 180, 180 + grown - 1])
    assert [release_memory() for _ in range(4)] == [True, False, True, False]
    assert len(trim.calls) == 2
    assert pool._rss_after_trim == 180 * MIB


def test_where_the_resident_memory_cannot_be_read_every_job_trims(monkeypatch: pytest.MonkeyPatch,
                                                                  trim: _CountingTrim) -> None:
    monkeypatch.setattr(pool, "_resident_bytes", lambda: None)
    assert [release_memory() for _ in range(3)] == [True, True, True]
    assert len(trim.calls) == 3


def test_without_malloc_trim_page_jobs_run_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "_MALLOC_TRIM", None)  # musl, macOS, Windows
    monkeypatch.setattr(pool, "_WORKER_ENGINE", FakeOcrEngine())
    assert release_memory() is False
    assert isinstance(run_in_worker(_jobs(tmp_path, 1)[0]), PageOutcome)


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_glibc_malloc_trim_is_found_and_called(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pool, "_rss_after_trim", -TRIM_AFTER_GROWTH)  # due now
    assert pool._MALLOC_TRIM is not None
    resident = pool._resident_bytes()
    assert resident is not None and resident > 0
    assert release_memory() is True
    assert pool._rss_after_trim > 0
