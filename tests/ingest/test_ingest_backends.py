"""The ingest repository path on both backends: rows, idempotency, search, audit chain."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from sohoa.db.models import Document, IngestItem, Page
from sohoa.services.catalogue.catalog import search_documents, show_document
from sohoa.services.platform.audit import verify_chain
from sohoa.services.platform.context import AppContext
from sohoa.services.production.ingest import ingest_paths

from ._helpers import text_page
from .test_ingest_fast import fake


def test_ingest_search_and_idempotency(any_ctx: AppContext, tmp_path: Path) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    for n in range(3):
        text_page(folder / f"p{n}.png", [f"Trang số {n}"])
    first = ingest_paths(any_ctx, [folder], engine_factory=fake, file_code="H26.2025.01.VP")
    assert {i.state for i in first.items} == {"done"}
    second = ingest_paths(any_ctx, [folder], engine_factory=fake, file_code="H26.2025.01.VP")
    assert {i.state for i in second.items} == {"duplicate"}
    with any_ctx.db.session() as session:
        assert session.execute(select(func.count()).select_from(IngestItem)).scalar_one() == 3
        assert session.execute(select(func.count()).select_from(Page)).scalar_one() == 3
        docs = session.execute(select(Document.id)).scalars().all()
        assert verify_chain(session).ok
    assert docs
    found = search_documents(any_ctx, "hoa giai")
    assert found.total == len(docs) and not found.results[0].exact
    assert search_documents(any_ctx, "hòa giải").results[0].exact
    shown = show_document(any_ctx, docs[0])
    assert "hòa giải" in shown.documents[0].text
