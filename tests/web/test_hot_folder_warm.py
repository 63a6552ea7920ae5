"""`sohoa serve`'s application with its warm pool: a page dropped into a hot folder becomes searchable,
its OCR done by the warm workers (real Tesseract), on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from sohoa.app import create_app
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.identity.principal import SYSTEM
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.control import connect
from sohoa.services.platform.remote_pool import running_pool
from sohoa.services.production import scanning
from sohoa.settings import Settings
from tests.ingest._helpers import text_page


def _found(ctx: AppContext, query: str) -> int:
    return search(ctx, SYSTEM, SearchRequest(query), audit=False).total


def test_a_page_dropped_into_a_hot_folder_becomes_searchable(any_ctx: AppContext, tmp_path: Path) -> None:
    page = text_page(tmp_path / "scan.png", ["Quyết định số 12/QĐ-UBND", "về việc hòa giải ở cơ sở"])
    with TestClient(create_app(any_ctx, warm_pool=True)) as client:
        pool = client.app.state.warm_pool  # type: ignore[attr-defined]
        workers = pool.pids()
        assert connect(any_ctx.settings) is not None and running_pool(any_ctx.settings) is not None
        assert _found(any_ctx, "hòa giải") == 0
        target = scanning.hot_folder(any_ctx, "tram-1") / "scan.png"
        page.rename(target)
        deadline = time.monotonic() + 120
        while not _found(any_ctx, "hòa giải") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _found(any_ctx, "hòa giải") == 1
        assert pool.sessions == 1 and pool.pids() == workers  # the warm workers did the page
    assert connect(any_ctx.settings) is None  # the server's socket went with it


def test_a_server_whose_engines_cannot_load_still_starts_without_a_warm_pool(tmp_path: Path) -> None:
    ctx = open_context(Settings(data=tmp_path / "data", workers=1, ocr_languages="khongco"))
    try:
        with TestClient(create_app(ctx, warm_pool=True)) as client:
            assert client.app.state.warm_pool is None  # type: ignore[attr-defined]
            assert connect(ctx.settings) is not None  # the control socket still answers its other operations
            assert running_pool(ctx.settings) is None  # but `sohoa ingest` keeps its pages
            assert client.get("/login").status_code == 200
    finally:
        ctx.close()
