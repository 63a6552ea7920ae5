"""The restore drill's archive and what it compares before and after: built through the real ingest (fake OCR
engine, no Tesseract), one document edited, one file published, a signed audit checkpoint."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from sohoa.db.models import Document, FileUnit, StoredObject
from sohoa.services.platform.audit import verify_chain
from sohoa.services.platform.audit_checkpoint import write_checkpoint
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.backup_db import table_counts
from sohoa.services.production.demo import publish_sample_file
from sohoa.services.production.ingest import ingest_paths
from sohoa.services.production.review import update_fields
from tests.ingest._helpers import text_page
from tests.web import _helpers as web

QUERIES = ("hòa giải", "hoa giai", "Quyết định", "ubnd")


@dataclass(frozen=True)
class Picture:
    """What the drill compares: rows per table, stored objects, search hits, the audit head, a PDF's bytes."""

    counts: dict[str, int]
    objects: list[str]
    hits: dict[str, list[int]]
    audit: tuple[int, int, str]
    pdf: bytes


def build_archive(ctx: AppContext, folder: Path) -> str:
    """A hồ sơ with two ingested documents, one edited by hand; the file published; returns its file code."""
    web.users(ctx)  # one staff account per role (the drill downloads a PDF as the archivist)
    _acc, (file_id,) = web.accession_with_files(ctx)
    with ctx.db.session() as session:
        file_code = session.get_one(FileUnit, file_id).file_code
    folder.mkdir(parents=True, exist_ok=True)
    pages = [text_page(folder / f"p{n}.png", [f"Quyết định số {n}/QĐ-UBND về việc hòa giải"]) for n in (1, 2)]
    for page in pages:  # one document each
        report = ingest_paths(ctx, [page], file_code=file_code, engine_factory=web.fake_engine)  # type: ignore[arg-type]
        assert [i.state for i in report.items] == ["done"]
    with ctx.db.session() as session:
        first = session.execute(select(Document.id).order_by(Document.id)).scalars().first()
    assert first is not None
    assert not update_fields(ctx, first, {"subject": "Về việc hòa giải ở cơ sở (sửa tay)"}, actor="archivist")
    assert publish_sample_file(ctx, file_code) >= 1
    return file_code


def add_document(ctx: AppContext, folder: Path, file_code: str) -> None:
    page = text_page(folder / "p3.png", ["Công văn số 7/UBND về việc hoà giải viên"])
    report = ingest_paths(ctx, [page], file_code=file_code, engine_factory=web.fake_engine)  # type: ignore[arg-type]
    assert [i.state for i in report.items] == ["done"]
    write_checkpoint(ctx)


def picture(ctx: AppContext) -> Picture:
    with ctx.db.engine.connect() as conn:
        counts = table_counts(conn)
    with ctx.db.session() as session:
        objects = list(session.execute(select(StoredObject.sha256).order_by(StoredObject.id)).scalars())
        hits = {q: [h.document_id for h in ctx.index.search(session, q).hits] for q in QUERIES}
        chain = verify_chain(session)
        pdf_id = session.execute(select(Document.pdf_object_id).where(Document.pdf_object_id.is_not(None))
                                 .order_by(Document.id)).scalars().first()
        assert pdf_id is not None
        pdf_sha = session.get_one(StoredObject, pdf_id).sha256
    assert chain.ok
    return Picture(counts, objects, hits, (chain.checked, chain.head_id, chain.head_hash), ctx.store.read(pdf_sha))
