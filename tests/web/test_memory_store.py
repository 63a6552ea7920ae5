"""Callers depend on the ObjectStore port only: a whole ingest, page previews, a PDF rebuild and
downloads (whole and by byte range) work over an in-memory store, and nothing lands in the local one."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from sohoa.app import create_app
from sohoa.db.models import Document, Page, StoredObject
from sohoa.services.platform.context import AppContext
from sohoa.services.production.rebuild import rebuild_document_pdf

from ..core._memory_store import MemoryObjectStore
from ..ingest._helpers import text_page
from . import _helpers as helpers


@pytest.fixture
def memory() -> MemoryObjectStore:
    return MemoryObjectStore()


@pytest.fixture
def mctx(ctx: AppContext, memory: MemoryObjectStore) -> AppContext:
    return dataclasses.replace(ctx, store=memory)


@pytest.fixture
def mclient(mctx: AppContext) -> Iterator[TestClient]:
    helpers.users(mctx)
    with TestClient(create_app(mctx, watch_hot_folders=False), raise_server_exceptions=False) as client:
        yield client


def _ingested(mctx: AppContext, tmp_path: Path) -> tuple[int, int, StoredObject]:
    page = text_page(tmp_path / "p.png", ["Quyết định về việc hòa giải"])
    report = helpers.fake_ingest(mctx, [page], unit_identifier="000.00.00.H26.T1")
    assert [i.state for i in report.items] == ["done"]  # type: ignore[attr-defined]
    with mctx.db.session() as session:
        doc = session.execute(select(Document)).scalar_one()
        page_id = session.execute(select(Page.id).where(Page.document_id == doc.id)).scalar_one()
        pdf = session.get(StoredObject, doc.pdf_object_id)
        assert pdf is not None
        session.expunge(pdf)
        return doc.id, page_id, pdf


def test_ingest_preview_rebuild_and_downloads_over_a_memory_store(
        mctx: AppContext, memory: MemoryObjectStore, mclient: TestClient, tmp_path: Path) -> None:
    doc_id, page_id, pdf = _ingested(mctx, tmp_path)
    with mctx.db.session() as session:
        kinds = set(session.execute(select(StoredObject.kind)).scalars())
        digests = set(session.execute(select(StoredObject.sha256)).scalars())
    assert {"master", "ocr", "thumbnail", "pdf"} <= kinds
    assert digests == set(memory.objects)
    assert not list((mctx.settings.objects_dir / "sha256").rglob("*")), "the local store was written"

    helpers.login(mclient, "archivist")
    preview = mclient.get(f"/pages/{page_id}/image")  # rendered from the master, read through the port
    assert preview.status_code == 200 and preview.content[:3] == b"\xff\xd8\xff"

    whole = mclient.get(f"/documents/{doc_id}/pdf")
    assert whole.status_code == 200 and whole.content == memory.objects[pdf.sha256]
    assert whole.headers["content-type"] == "application/pdf"
    assert whole.headers["etag"] == f'"{pdf.sha256}"' and whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-disposition"] == f'inline; filename="sohoa-{doc_id}.pdf"'

    memory.range_reads.clear()
    part = mclient.get(f"/documents/{doc_id}/pdf", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == memory.objects[pdf.sha256][100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{pdf.size}"
    assert memory.range_reads == [(pdf.sha256, 100, 200)]  # only the range was read
    tail = mclient.get(f"/documents/{doc_id}/pdf", headers={"Range": "bytes=-16"})
    assert tail.status_code == 206 and tail.content == memory.objects[pdf.sha256][-16:]
    stale = mclient.get(f"/documents/{doc_id}/pdf", headers={"Range": "bytes=0-9", "If-Range": '"other"'})
    assert stale.status_code == 200 and stale.content == memory.objects[pdf.sha256]
    beyond = mclient.get(f"/documents/{doc_id}/pdf", headers={"Range": f"bytes={pdf.size}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{pdf.size}"

    with mctx.db.session() as session:
        new_pdf = rebuild_document_pdf(mctx, session, doc_id, "test")
        rebuilt = session.get(StoredObject, new_pdf)
        assert rebuilt is not None and memory.read(rebuilt.sha256).startswith(b"%PDF")
    assert not list((mctx.settings.objects_dir / "sha256").rglob("*"))
