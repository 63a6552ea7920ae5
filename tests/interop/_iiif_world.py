"""Documents for the IIIF tests: generated page images (distinct per page), OCR words, access levels, callers."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from fastapi.testclient import TestClient
from PIL import Image, ImageDraw
from sqlalchemy import select

from sohoa.db.models import Document, FileUnit, Fonds, Page
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.engines.ocr_formats import ocr_page_to_json
from sohoa.index import make_index
from sohoa.services.identity import accounts, tokens
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import store_bytes
from sohoa.services.production.ingest_store import document_index_doc
from tests.web import _helpers as web

PASSWORD = "mat-khau-thu-nghiem"
WIDTH, HEIGHT = 1300, 1700
# Words of every page: (text, box); the second word carries diacritics the search ignores.
WORDS = (("Quyết", (100, 200, 260, 250)), ("định", (280, 200, 400, 250)), ("hòa", (420, 200, 500, 250)),
         ("giải", (520, 200, 620, 250)))


def page_image(seed: int, width: int = WIDTH, height: int = HEIGHT) -> Image.Image:
    """A page whose every pixel depends on its position and ``seed`` (so crops and turns are checkable)."""
    image = Image.linear_gradient("L").resize((width, height))
    red = Image.linear_gradient("L").rotate(90).resize((width, height))
    blue = Image.new("L", (width, height), (seed * 37) % 256)
    image = Image.merge("RGB", (red, image, blue))
    draw = ImageDraw.Draw(image)
    for n in range(0, width, 97):
        draw.line([(n, 0), (width - n, height)], fill=(seed * 50 % 256, 0, 0), width=3)
    draw.rectangle((40, 40, 200 + seed * 40, 120), fill=(0, 0, 0))
    return image


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@dataclass
class World:
    docs: dict[str, int] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    fonds: int = 0
    unit: int = 0
    tokens: dict[str, str] = field(default_factory=dict)
    seeds: dict[tuple[str, int], int] = field(default_factory=dict)  # (doc key, page_no) → image seed


# key → (access level, state, secrecy, pages)
SPECS = {
    "public": ("public", "published", None, 3),
    "internal": ("internal", "accepted", None, 1),
    "secret": ("public", "published", "Mật", 1),
    "review": ("public", "review", None, 1),
}


def _ocr(words: tuple[tuple[str, tuple[int, int, int, int]], ...] = WORDS) -> bytes:
    ocr_words = tuple(Word(text, BBox(*box), 0.93, 0, 0) for text, box in words)
    return ocr_page_to_json(OcrPage(WIDTH, HEIGHT, 300, ocr_words, "ocr", "fake")).encode()


def build(ctx: AppContext) -> World:
    """A unit with a fonds and one file per document, documents of ``SPECS``, users and tokens."""
    world = World(unit=accounts.create_unit(ctx, "000.00.00.H26.IIIF", "UBND phường IIIF", "phường", "test"))
    index = make_index(ctx.db.engine)
    with ctx.db.session() as session:
        fonds = Fonds(code="P01", name="Phông UBND phường IIIF", unit_id=world.unit)
        session.add(fonds)
        session.flush()
        world.fonds = fonds.id
        for serial, (key, (level, state, secrecy, pages)) in enumerate(SPECS.items(), start=1):
            file = FileUnit(file_code=f"IIIF.{key}", title=f"Hồ sơ {key}", unit_id=world.unit, fonds_id=fonds.id,
                            access_level=level)
            session.add(file)
            session.flush()
            world.files[key] = file.id
            doc = Document(file_id=file.id, unit_id=world.unit, text="Quyết định hòa giải", source_name=f"{key}.png",
                           type_name="Quyết định", code_number=str(10 + serial), code_notation="QĐ-UBND",
                           issued_date=date(2020, 3, serial), subject=f"Về việc hòa giải {key}",
                           access_level=level, secrecy=secrecy, state=state, page_amount=pages)
            session.add(doc)
            session.flush()
            for number in range(1, pages + 1):
                seed = serial * 10 + number
                master = store_bytes(session, ctx.store, png(page_image(seed)), media_type="image/png", kind="master")
                ocr = store_bytes(session, ctx.store, _ocr(), media_type="application/json", kind="ocr")
                session.add(Page(document_id=doc.id, page_no=number, source_index=0, width=WIDTH, height=HEIGHT,
                                 dpi=300, text="Quyết định hòa giải", master_object_id=master.id,
                                 ocr_object_id=ocr.id))
                world.seeds[(key, number)] = seed
            session.flush()
            index.upsert(session, document_index_doc(doc))
            world.docs[key] = doc.id
    accounts.create_user(ctx, "iiif_archivist", PASSWORD, "archivist")
    world.tokens["public"] = tokens.create_token(ctx, "iiif-public", ["read:public"])[0]
    world.tokens["admin"] = tokens.create_token(ctx, "iiif-admin", ["admin"])[0]
    return world


def page_ids(ctx: AppContext, document_id: int) -> list[int]:
    with ctx.db.session() as session:
        return list(session.execute(select(Page.id).where(Page.document_id == document_id)
                                    .order_by(Page.page_no)).scalars())


def login(client: TestClient, username: str = "iiif_archivist") -> None:
    web.login(client, username, PASSWORD)
