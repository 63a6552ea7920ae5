"""A small archive built through the real ingest (fake OCR engine): one hồ sơ with documents, for package tests.

Two PDF/TIFF-free masters (PNG page images in two folders, so each is its own sequence), filed into hồ sơ
``HS-PKG-01`` with TT 05 fields filled, one document made public.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from PIL import Image, ImageDraw
from sqlalchemy import select

from sohoa.db.models import Document, FileUnit
from sohoa.domain.ocr import BBox, Word
from sohoa.engines.fakes import FakeOcrEngine
from sohoa.services.platform.context import AppContext
from sohoa.services.production.ingest import ingest_paths

FILE_CODE = "HS-PKG-01"
WORDS = tuple(Word(t, BBox(60 + 130 * i, 60, 180 + 130 * i, 100), 0.95, 1, 1)
              for i, t in enumerate(["Quyết", "định", "về", "việc", "hòa", "giải"]))


def fake_engine() -> FakeOcrEngine:
    """A fast OCR engine (module level, so process pools can pickle it)."""
    return FakeOcrEngine(WORDS)


def page_png(path: Path, shade: int) -> Path:
    """A page with a few dark lines; ``shade`` varies the bytes (a different master each)."""
    image = Image.new("RGB", (900, 1200), (250, 250, shade))
    draw = ImageDraw.Draw(image)
    for n in range(12):
        draw.rectangle((80, 100 + 80 * n, 80 + 60 * (n % 5 + 6), 130 + 80 * n), fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(300, 300))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return path


def build_archive(ctx: AppContext, folder: Path, *, file_code: str = FILE_CODE, masters: int = 2) -> int:
    """Ingest ``masters`` pages (each its own document) into hồ sơ ``file_code``; fill its fields; return its id."""
    paths = [page_png(folder / f"scan{n}" / f"trang-{n}.png", 200 + 10 * n) for n in range(masters)]
    for path in paths:
        ingest_paths(ctx, [path], file_code=file_code, engine_factory=fake_engine)
    with ctx.db.session() as session:
        file = session.execute(select(FileUnit).where(FileUnit.file_code == file_code)).scalar_one()
        file.title = "Hồ sơ hòa giải ở cơ sở năm 2024"
        file.maintenance = "Vĩnh viễn"
        file.permanent = True
        file.start_date, file.end_date = date(2024, 1, 5), date(2024, 12, 20)
        file.keyword = "hòa giải"
        file.access_level = "public"
        docs = list(session.scalars(select(Document).where(Document.file_id == file.id).order_by(Document.id)))
        for n, doc in enumerate(docs, start=1):
            doc.doc_ordinal = n
            doc.code_number = str(10 + n)
            doc.code_notation = "QĐ-UBND"
            doc.issued_date = date(2024, 3, n)
            doc.organ_name = "Ủy ban nhân dân phường Bến Nghé"
            doc.subject = f"Quyết định về việc hòa giải số {n}"
            doc.signer_full_name = "Nguyễn Văn An"
            doc.signer_position = "Chủ tịch"
            doc.access_level = "public"
        file.doc_total = len(docs)
        return file.id
