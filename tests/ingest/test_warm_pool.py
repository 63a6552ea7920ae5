"""The warm pool of a serving process: shared by concurrent ingests (each gets its own results), it survives a
killed worker (the pages in hand fail retryably, a rerun stores them once). Real Tesseract, SQLite and
PostgreSQL."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from sohoa.db.models import Document, IngestItem
from sohoa.pipeline.triage import triage
from sohoa.pipeline.work import PageJob, PageOutcome
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.warm_pool import WarmPool
from sohoa.services.production.ingest import IngestReport, ingest_paths
from tests.ingest._gated_engine import gated_factory
from tests.ingest._helpers import text_page


@pytest.fixture
def warm(any_ctx: AppContext) -> Iterator[WarmPool]:
    with WarmPool(any_ctx.settings.model_copy(update={"workers": 2})) as pool:
        yield pool


def _page(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return text_page(path, lines)


def _box(folder: Path, words: list[str]) -> Path:
    folder.mkdir(parents=True)
    for n, word in enumerate(words):
        text_page(folder / f"{folder.name}_{n:02d}.png", [f"Quyết định số {n + 1}/QĐ-UBND", word])
    return folder


def _wait(condition: object, seconds: float = 120.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.02)
    assert condition(), "timed out"  # type: ignore[operator]


def test_sessions_of_one_pool_get_only_their_own_results(warm: WarmPool, tmp_path: Path) -> None:
    pages = [triage(text_page(tmp_path / f"p{n}.png", [f"Trang {n}"]), max_pixels=10**8).pages[0] for n in range(4)]
    collected: dict[int, list[int]] = {}

    def run(item_id: int) -> None:
        with warm.session() as session:
            session.submit([PageJob(item_id, page) for page in pages])
            results = list(session.results(block=True))
        assert all(isinstance(r, PageOutcome) for r in results), results
        collected[item_id] = sorted(r.item_id for r in results)

    threads = [threading.Thread(target=run, args=(item_id,)) for item_id in (1, 2, 3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert collected == {1: [1] * 4, 2: [2] * 4, 3: [3] * 4}
    assert len(warm.pids()) == 2


def test_two_concurrent_ingests_share_the_warm_pool(any_ctx: AppContext, warm: WarmPool, tmp_path: Path) -> None:
    boxes = {"hai": _box(tmp_path / "hai", ["Phường Hoàn Kiếm", "Phường Ba Đình"]),
             "ba": _box(tmp_path / "ba", ["Xã Sóc Sơn", "Xã Đông Anh", "Xã Mê Linh"])}
    pids = warm.pids()
    reports: dict[str, IngestReport] = {}
    threads = [threading.Thread(target=lambda n=name, b=box: reports.__setitem__(n, ingest_paths(any_ctx, [b],
                                                                                               pool=warm)))
               for name, box in boxes.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert [i.state for i in reports["hai"].items] == ["done"] * 2
    assert [i.state for i in reports["ba"].items] == ["done"] * 3
    with any_ctx.db.session() as session:
        for name, box in boxes.items():
            names = {p.name for p in box.iterdir()}
            docs = session.execute(select(Document.id).join(IngestItem, Document.ingest_item_id == IngestItem.id)
                                   .where(IngestItem.original_name.in_(names))).scalars().all()
            assert docs and set(docs) == {d for i in reports[name].items for d in i.documents}
    assert warm.pids() == pids  # the same warm workers did every page; the pool is still running
    again = ingest_paths(any_ctx, [boxes["hai"]], pool=warm)
    assert [i.state for i in again.items] == ["duplicate"] * 2


def test_a_killed_worker_fails_its_pages_retryably_and_the_pool_recovers(any_ctx: AppContext,
                                                                        tmp_path: Path) -> None:
    gate = str(tmp_path / "gate")
    settings = any_ctx.settings.model_copy(update={"workers": 1})
    page = _page(tmp_path / "in" / "trang.png", ["Quyết định số 7/QĐ-UBND", "Phường Tây Hồ"])
    with WarmPool(settings, gated_factory(gate)) as pool:
        (victim,) = pool.pids()
        reports: list[IngestReport] = []
        thread = threading.Thread(target=lambda: reports.append(ingest_paths(any_ctx, [page], pool=pool)))
        thread.start()
        _wait(lambda: Path(gate + ".started").exists())  # the page is in the worker's hands
        os.kill(victim, signal.SIGKILL)
        thread.join(300)
        (item,) = reports[0].items
        assert (item.state, item.reason) == ("failed", "page_error")
        assert "BrokenProcessPool" in (item.message or "")
        Path(gate + ".open").touch()
        other = ingest_paths(any_ctx, [_page(tmp_path / "khac" / "khac.png", ["Xã Ba Vì"])], pool=pool)
        assert [i.state for i in other.items] == ["done"]  # the next ingest works, on new workers
        assert victim not in pool.pids()
        rerun = ingest_paths(any_ctx, [page], pool=pool)
        assert [i.state for i in rerun.items] == ["done"]
        assert [i.state for i in ingest_paths(any_ctx, [page], pool=pool).items] == ["duplicate"]
    with any_ctx.db.session() as session:
        stored = session.execute(select(func.count(Document.id)).join(IngestItem, Document.ingest_item_id
                                                                      == IngestItem.id)
                                 .where(IngestItem.original_name == "trang.png")).scalar_one()
    assert stored == len(rerun.items[0].documents) == 1  # stored exactly once


def test_a_pool_whose_engine_cannot_load_fails_to_start_and_leaves_nothing_running(any_ctx: AppContext) -> None:
    pool = WarmPool(any_ctx.settings.model_copy(update={"ocr_languages": "khongco"}))
    with pytest.raises(Exception, match="khongco"):
        pool.start()
    assert pool.pids() == []
    with pytest.raises(RuntimeError, match="not running"):
        pool.submit(PageJob(1, triage(_page(Path(any_ctx.settings.data) / "x.png", ["x"]),
                                      max_pixels=10**8).pages[0]))
