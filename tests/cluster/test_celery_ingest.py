"""The cluster profile's ingest on a real `sohoa worker` (Redis broker, PostgreSQL, real Tesseract): the same
documents as the embedded ingest, the same file twice stores nothing more, and a worker killed with -9 mid-file
leaves every document stored exactly once once another worker has taken the file up again."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from sohoa.db.models import Document, IngestItem, Page, TaskBatchFile
from sohoa.domain.workflow import IngestItemState
from sohoa.samples import generate_corpus
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.production.ingest import ingest_paths
from sohoa.settings import Settings
from tests.cluster import _celery as cel

pytestmark = [pytest.mark.postgres, pytest.mark.tesseract, pytest.mark.redis]


@pytest.fixture
def redis_db(request: pytest.FixtureRequest) -> Iterator[int]:
    """A Redis database of this test's own (bench/load.py uses 11, tests/ops 5)."""
    db = {"test_ingest_wait_gives_the_embedded_documents_and_is_idempotent": 12,
          "test_worker_killed_mid_file_stores_every_document_once": 13}[request.node.name]
    cel.flush(db)
    yield db
    cel.flush(db)


@pytest.fixture(scope="module")
def box(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("box") / "box"
    generate_corpus(folder, documents=2, seed=101, condition="clean300", multipage=False)
    (folder / "truth.json").unlink()
    return folder


def _documents(ctx: AppContext) -> list[tuple[str, int, str, str]]:
    with ctx.db.session() as session:
        rows = session.execute(select(Document.source_name, Document.page_amount, Document.code_number,
                                      Document.code_notation).order_by(Document.id)).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_ingest_wait_gives_the_embedded_documents_and_is_idempotent(tmp_path: Path, pg_url: str, redis_db: int,
                                                                    box: Path) -> None:
    embedded = open_context(Settings(data=tmp_path / "embedded", workers=1))
    try:
        report = ingest_paths(embedded, [box])
        assert [i.state for i in report.items] == ["done", "done"]
        expected = _documents(embedded)
    finally:
        embedded.close()
    env = cel.environment(tmp_path / "cluster", pg_url, cel.redis_url(redis_db))
    with cel.worker(env, tmp_path / "worker.log", concurrency=2):
        code, first = cel.sohoa_json(["ingest", str(box), "--wait"], env)
        assert code == 0, first
        assert first["pool"] == "cluster" and first["batch"]
        assert [(i["name"], i["state"]) for i in first["items"]] == [(p.name, "done") for p in sorted(box.iterdir())]
        code, again = cel.sohoa_json(["ingest", str(box), "--wait"], env)
        assert code == 0
        assert [i["state"] for i in again["items"]] == ["duplicate", "duplicate"]
    cluster = open_context(Settings(data=tmp_path / "cluster", workers=1, database_url=pg_url))
    try:
        assert _documents(cluster) == expected  # same documents, stored once though the files came twice
        with cluster.db.session() as session:
            staged = session.execute(select(TaskBatchFile.staged_key)).scalars().all()
        assert len(staged) == 4
        assert not any((tmp_path / "cluster" / "staging" / key).exists() for key in staged)  # removed once stored
    finally:
        cluster.close()


def _three_page_tiff(box: Path, target: Path) -> Path:
    frames = [Image.open(p) for p in sorted(box.glob("*.png"))]
    frames = (frames * 2)[:3]
    frames[0].save(target, save_all=True, append_images=frames[1:], compression="tiff_deflate", dpi=(300, 300))
    return target


def _wait(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def test_worker_killed_mid_file_stores_every_document_once(tmp_path: Path, pg_url: str, redis_db: int,
                                                          box: Path) -> None:
    tiff = _three_page_tiff(box, tmp_path / "three.tif")
    # A short visibility timeout: the Redis broker gives the task of a killed worker to the next one quickly.
    env = cel.environment(tmp_path / "cluster", pg_url, cel.redis_url(redis_db),
                          SOHOA_BROKER_VISIBILITY_TIMEOUT="10")
    ctx = open_context(Settings(data=tmp_path / "cluster", workers=1, database_url=pg_url))
    try:
        first = cel.Proc(["worker", "--concurrency", "1"], env, tmp_path / "worker1.log")
        try:
            first.wait_for(" ready.")
            code, queued = cel.sohoa_json(["ingest", str(tiff)], env)
            assert code == 0 and queued["batch"]

            def processing() -> bool:
                with ctx.db.session() as session:
                    state = session.execute(select(IngestItem.state)).scalar()
                return state == IngestItemState.PROCESSING

            _wait(processing, 120, "the worker never started the file")
        finally:
            first.kill9()  # mid-file: the master registered, its pages in OCR
        with ctx.db.session() as session:
            assert session.execute(select(func.count()).select_from(Document)).scalar_one() == 0
        with cel.worker(env, tmp_path / "worker2.log"):
            code, report = cel.sohoa_json(["ingest-status", queued["batch"], "--wait"], env)
        assert code == 0, report
        assert [(i["state"], i["pages"]) for i in report["items"]] == [("done", 3)]
        with ctx.db.session() as session:
            documents = session.execute(select(Document.id, Document.page_amount)).all()
            pages = session.execute(select(Page.document_id, Page.page_no)).all()
            items = session.execute(select(IngestItem.state, IngestItem.attempts)).all()
        assert sorted(d for d, _ in documents) == sorted(report["items"][0]["documents"])
        assert sum(n for _, n in documents) == 3 and len(pages) == 3  # each page once, in one document each
        assert len(set(pages)) == 3
        assert items == [(IngestItemState.DONE, 2)]  # the second delivery took the dead worker's claim over
    finally:
        ctx.close()
