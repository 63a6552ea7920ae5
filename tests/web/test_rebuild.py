"""The PDF/A is rebuilt from masters and OCR after merge, split, reorder and field edits; search follows edits."""

from __future__ import annotations

import io
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pikepdf
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from sohoa.db.models import Document, Event, FileUnit, IngestBatch, IngestItem, Page, StoredObject
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.engines.ocr_formats import ocr_page_to_json
from sohoa.index import make_index
from sohoa.services.catalogue import catalog
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import store_bytes
from sohoa.services.production import rebuild, review
from sohoa.services.production.ingest_store import document_index_doc

from . import _helpers as helpers

DPI = 100
XMP = {"sohoa": "https://sohoa.vn/ns/1.0/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}


def _png(width: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, 500), "white").save(out, "PNG", dpi=(DPI, DPI))
    return out.getvalue()


def _ocr(word: str, width: int) -> bytes:
    words = (Word(word, BBox(40, 40, 240, 90), 0.96, 1, 1),)
    return ocr_page_to_json(OcrPage(width=width, height=500, dpi=DPI, words=words)).encode("utf-8")


def _document(ctx: AppContext, file_id: int, pages: list[tuple[int, str]], **fields: object) -> int:
    """A document whose pages each have their own PNG master (distinct widths) and stored OCR."""
    with ctx.db.session() as session:
        batch = IngestBatch(actor="scan_operator")
        session.add(batch)
        session.flush()
        unit_id = session.get(FileUnit, file_id).unit_id  # type: ignore[union-attr]
        doc = Document(file_id=file_id, unit_id=unit_id, source_name="scan.png", state="review",
                       page_amount=len(pages), text=" ".join(w for _w, w in pages), **fields)
        session.add(doc)
        session.flush()
        for number, (width, word) in enumerate(pages, start=1):
            master = store_bytes(session, ctx.store, _png(width), media_type="image/png", kind="master")
            item = IngestItem(batch_id=batch.id, sha256=master.sha256, original_name=f"{word}.png",
                              source_path="/x", master_object_id=master.id, file_id=file_id, state="done", pages=1)
            session.add(item)
            ocr = store_bytes(session, ctx.store, _ocr(word, width), media_type="application/json", kind="ocr")
            session.add(Page(document_id=doc.id, master_object_id=master.id, source_index=0, page_no=number,
                             width=width, height=500, dpi=DPI, text=word, ocr_object_id=ocr.id))
        session.flush()
        session.refresh(doc)
        make_index(ctx.db.engine).upsert(session, document_index_doc(doc))
        return doc.id


def _pdf_path(ctx: AppContext, doc_id: int) -> Path:
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None and doc.pdf_object_id is not None, "the document has no PDF"
        stored = session.get(StoredObject, doc.pdf_object_id)
        assert stored is not None and stored.kind == "pdf"
        return ctx.store.path(stored.sha256)


def _widths(path: Path) -> list[int]:
    """Page widths in scan pixels (points × dpi / 72): each test page has its own width."""
    with pikepdf.open(path) as pdf:
        return [round(float(p.mediabox[2]) * DPI / 72) for p in pdf.pages]


def _words(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return text.stdout.split()


def _xmp(path: Path, name: str) -> str | None:
    with pikepdf.open(path) as pdf:
        tree = ET.fromstring(bytes(pdf.Root.Metadata.read_bytes()))
    return tree.findtext(f".//sohoa:{name}", namespaces=XMP)


@pytest.fixture
def file_id(ctx: AppContext) -> int:
    _acc, (found,) = helpers.accession_with_files(ctx)
    return found


def test_merge_then_reorder_then_split_rebuild_the_pdf(ctx: AppContext, file_id: int) -> None:
    first = _document(ctx, file_id, [(400, "alpha"), (500, "beta")], type_name="Quyết định")
    second = _document(ctx, file_id, [(600, "gamma")])

    review.merge_documents(ctx, first, second, actor="archivist")
    merged = _pdf_path(ctx, first)
    assert _widths(merged) == [400, 500, 600] and _words(merged) == ["alpha", "beta", "gamma"]
    with ctx.db.session() as session:
        other = session.get(Document, second)
        assert other is not None and other.pdf_object_id is None and other.state == "merged"

    ids = [p["id"] for p in review.get_document(ctx, first).pages]
    review.reorder_pages(ctx, first, ids[::-1], actor="archivist")
    reordered = _pdf_path(ctx, first)
    assert _widths(reordered) == [600, 500, 400] and _words(reordered) == ["gamma", "beta", "alpha"]
    assert _xmp(reordered, "type_name") == "Quyết định"

    new = review.split_document(ctx, first, 2, actor="archivist")
    assert _widths(_pdf_path(ctx, first)) == [600] and _words(_pdf_path(ctx, first)) == ["gamma"]
    assert _widths(_pdf_path(ctx, new)) == [500, 400] and _words(_pdf_path(ctx, new)) == ["beta", "alpha"]
    with ctx.db.session() as session:
        rebuilt = session.execute(select(Event.entity_id).where(Event.action == "document.pdf_rebuilt")).scalars()
        assert sorted(rebuilt) == sorted([first, first, first, new])


def test_field_edit_shows_in_xmp_and_search(ctx: AppContext, client: TestClient, file_id: int) -> None:
    doc_id = _document(ctx, file_id, [(400, "alpha")], type_name="Quyết định", code_number="99",
                       code_notation="QĐ-UBND")
    assert catalog.search_documents(ctx, "99/QĐ-UBND").total == 1
    token = helpers.login(client, "archivist")
    saved = client.post(f"/review/{doc_id}", data={"code_number": "12", "csrf_token": token, "action": "save"})
    assert saved.status_code == 200
    path = _pdf_path(ctx, doc_id)
    assert _xmp(path, "code_number") == "12" and _xmp(path, "code_notation") == "QĐ-UBND"
    with pikepdf.open(path) as pdf:
        assert str(pdf.docinfo["/Title"]).startswith("Quyết định 12/QĐ-UBND")
    found = catalog.search_documents(ctx, "12/QĐ-UBND").results
    assert [r.document_id for r in found] == [doc_id]
    assert catalog.search_documents(ctx, "99/QĐ-UBND").total == 0


def test_embed_bytes_keep_png_and_upright_jpeg_and_decode_tiff_frames(ctx: AppContext) -> None:
    jpeg, tiff = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(jpeg, "JPEG", quality=90)
    frames = [Image.new("L", (100 + 50 * i, 80), 255) for i in range(2)]
    frames[0].save(tiff, "TIFF", save_all=True, append_images=frames[1:], dpi=(300, 300))
    with ctx.db.session() as session:
        stored_jpeg = store_bytes(session, ctx.store, jpeg.getvalue(), media_type="image/jpeg", kind="master")
        stored_tiff = store_bytes(session, ctx.store, tiff.getvalue(), media_type="image/tiff", kind="master")
        page = Page(master_object_id=stored_tiff.id, source_index=1, width=150, height=80, dpi=300)
        assert rebuild.embed_bytes(ctx, stored_jpeg, page) == (jpeg.getvalue(), "image/jpeg")
        data, media_type = rebuild.embed_bytes(ctx, stored_tiff, page)
    assert media_type == "image/png" and Image.open(io.BytesIO(data)).size == (150, 80)
