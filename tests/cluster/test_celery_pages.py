"""``sohoa.page``: a long file's pages fanned out as tasks. With no worker at all the coordinating ingest takes
every page back and finishes alone (no slot ever waits on a task nobody started); with a real worker the file
gives the documents of the embedded ingest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from sohoa.db.models import Document
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.tasks import celery_app
from sohoa.services.platform.tasks.page_task import FANOUT_PAGES, CeleryPagePool
from sohoa.services.production.ingest import ingest_paths
from sohoa.settings import Settings
from tests.cluster import _celery as cel
from tests.ingest._helpers import FONT

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

PAGES = 40  # a born-digital PDF past one file job (32 pages): one page job per page


@pytest.fixture
def db10() -> Iterator[int]:
    cel.flush(10)
    yield 10
    cel.flush(10)


def _long_pdf(path: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("LiberationSerif", FONT))
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for n in range(PAGES):
        pdf.setFont("LiberationSerif", 13)
        for k, line in enumerate(["ỦY BAN NHÂN DÂN PHƯỜNG HOÀN KIẾM", f"Số: {100 + n}/KH-UBND", "KẾ HOẠCH",
                                  f"Về việc số hóa tài liệu lưu trữ, đợt {n + 1}"]):
            pdf.drawString(80, 780 - k * 22, line)
        pdf.showPage()
    pdf.save()
    return path


def _documents(ctx: AppContext) -> list[tuple[int, str, str]]:
    with ctx.db.session() as session:
        rows = session.execute(select(Document.page_amount, Document.code_number, Document.code_notation)
                               .order_by(Document.id)).all()
    return [(int(a), str(b), str(c)) for a, b, c in rows]


def test_long_file_fans_out_and_never_waits(tmp_path: Path, pg_url: str, db10: int) -> None:
    assert PAGES >= FANOUT_PAGES
    pdf = _long_pdf(tmp_path / "long.pdf")
    embedded = open_context(Settings(data=tmp_path / "embedded", workers=1))
    try:
        assert [i.state for i in ingest_paths(embedded, [pdf]).items] == ["done"]
        expected = _documents(embedded)
    finally:
        embedded.close()
    # No worker runs: every page sent is taken back by the coordinating ingest, which finishes alone.
    alone_settings = Settings(data=tmp_path / "alone", workers=1, broker_url=cel.redis_url(db10), secret_key=cel.SECRET)
    alone = open_context(alone_settings)
    try:
        report = ingest_paths(alone, [pdf], pool=CeleryPagePool(celery_app(alone_settings), alone))
        assert [i.state for i in report.items] == ["done"]
        assert _documents(alone) == expected
    finally:
        alone.close()
    cel.flush(db10)
    # A real worker of two processes: the coordinator and the other process share the pages.
    env = cel.environment(tmp_path / "cluster", pg_url, cel.redis_url(db10))
    with cel.worker(env, tmp_path / "worker.log", concurrency=2) as proc:
        code, result = cel.sohoa_json(["ingest", str(pdf), "--wait"], env)
        assert code == 0, result
        log = proc.text()
    assert [(i["state"], i["pages"]) for i in result["items"]] == [("done", PAGES)]
    assert "sohoa.ingest_file" in log
    cluster = open_context(Settings(data=tmp_path / "cluster", workers=1, database_url=pg_url))
    try:
        assert _documents(cluster) == expected
    finally:
        cluster.close()
