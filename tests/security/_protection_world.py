"""Builders for the protection tests: extra pages on a document, and a small world per generated example."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass, field

from PIL import Image
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileUnit, Page, Unit
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.engines.ocr_formats import ocr_page_to_json
from sohoa.index import make_index
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import store_bytes
from sohoa.services.production.ingest_store import document_index_doc

_SERIAL = itertools.count(1)
_PAGES = itertools.count(10_000)


def _page_row(ctx: AppContext, session: Session, doc: Document, words: list[str], page_no: int) -> None:
    ocr_words = tuple(Word(w, BBox(100 + 120 * i, 200, 200 + 120 * i, 240), 0.9, 0, 0) for i, w in enumerate(words))
    ocr = store_bytes(session, ctx.store, ocr_page_to_json(OcrPage(1200, 1600, 150, ocr_words, "ocr", "fake"))
                      .encode(), media_type="application/json", kind="ocr")
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), (240, 240, 230)).save(buffer, "JPEG")
    image = store_bytes(session, ctx.store, buffer.getvalue(), media_type="image/jpeg", kind="thumbnail")
    # (master, source index) is unique: each page its own index into the one shared little image.
    session.add(Page(document_id=doc.id, master_object_id=image.id, source_index=next(_PAGES), page_no=page_no,
                     width=1200, height=1600, dpi=150, text=" ".join(words), ocr_object_id=ocr.id,
                     thumbnail_object_id=image.id))


def add_page(ctx: AppContext, doc_id: int, words: list[str], page_no: int) -> None:
    """One more page (text ``words``) at ``page_no``; the document's text and search row follow."""
    with ctx.db.session() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        _page_row(ctx, session, doc, words, page_no)
        session.flush()
        session.refresh(doc)
        doc.page_amount = len(doc.pages)
        doc.text = "\n\f".join(p.text for p in sorted(doc.pages, key=lambda p: p.page_no))
        make_index(ctx.db.engine).upsert(session, document_index_doc(doc))


@dataclass
class SmallWorld:
    """Two units (A: the officer's, B: another), four files and five documents of two pages each."""

    marker: str
    units: dict[str, int] = field(default_factory=dict)
    files: list[int] = field(default_factory=list)
    docs: list[int] = field(default_factory=list)


# (unit, file level, document level, secrecy, state) of each document; file i holds document i (the last: B).
_FILES = (("A", "public"), ("A", "internal"), ("A", "secret"), ("B", "public"))
_DOCS = (("A", 0, "public", None, "accepted"), ("A", 1, "internal", None, "review"),
         ("A", 2, "secret", "Mật", "accepted"), ("A", 1, "internal", "Tối mật", "accepted"),
         ("B", 3, "public", None, "accepted"))


def small_world(ctx: AppContext) -> SmallWorld:
    """A fresh small world whose pages all hold a marker of its own (searching it finds this world only)."""
    serial = next(_SERIAL)
    world = SmallWorld(marker=f"mkhyp{serial}")
    index = make_index(ctx.db.engine)
    with ctx.db.session() as session:
        for name in ("A", "B"):
            unit = Unit(identifier=f"H{serial}.{name}", name=f"Phường {name}{serial}", name_folded=f"phuong {name}",
                        unit_type="phường")
            session.add(unit)
            session.flush()
            world.units[name] = unit.id
        for unit_name, level in _FILES:
            file = FileUnit(file_code=f"H{serial}.{len(world.files)}", title="Hồ sơ", unit_id=world.units[unit_name],
                            access_level=level)
            session.add(file)
            session.flush()
            world.files.append(file.id)
        for unit_name, file_index, level, secrecy, state in _DOCS:
            doc = Document(file_id=world.files[file_index], unit_id=world.units[unit_name], source_name="h.pdf",
                           access_level=level, secrecy=secrecy, state=state, page_amount=2)
            session.add(doc)
            session.flush()
            for page_no in (1, 2):
                _page_row(ctx, session, doc, ["hòa", "giải", world.marker, f"p{page_no}"], page_no)
            session.flush()
            session.refresh(doc)
            doc.text = "\n\f".join(p.text for p in doc.pages)
            index.upsert(session, document_index_doc(doc))
            world.docs.append(doc.id)
    return world
