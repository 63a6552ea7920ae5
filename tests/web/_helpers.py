"""Builders for web tests: users, accessions with files, documents with real page images."""

from __future__ import annotations

import io
import itertools
import re
from datetime import date

from fastapi.testclient import TestClient
from PIL import Image, ImageDraw
from sqlalchemy import select

from sohoa.db.models import Accession, Document, FileUnit, IngestBatch, IngestItem, Page, Unit
from sohoa.services.identity import accounts
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import store_bytes

PASSWORD = "mat-khau-thu-nghiem"
_SERIAL = itertools.count(1)
ROLES = ("admin", "coordinator", "qc_inspector", "archivist", "scan_operator", "unit_clerk", "unit_officer")


def unit(ctx: AppContext, identifier: str = "000.00.00.H26.T1", name: str = "UBND phường Thử") -> int:
    with ctx.db.session() as session:
        found = session.execute(select(Unit.id).where(Unit.identifier == identifier)).scalar()
    return found if found is not None else accounts.create_unit(ctx, identifier, name, "phường", "test")


def users(ctx: AppContext) -> dict[str, str]:
    """One user per role (username = role), clerks and officers in the test unit."""
    unit_id = unit(ctx)
    for role in ROLES:
        accounts.create_user(
            ctx, role, PASSWORD, role, unit_id=unit_id if role in ("unit_clerk", "unit_officer") else None
        )
    return {role: role for role in ROLES}


def csrf(client: TestClient, path: str = "/login") -> str:
    html = client.get(path).text
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page without a CSRF token"
    return match.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    token = csrf(client)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    return csrf(client, "/")


def accession_with_files(ctx: AppContext, sheets: int = 2, files: int = 1) -> tuple[int, list[int]]:
    unit_id = unit(ctx)
    with ctx.db.session() as session:
        acc = Accession(
            code=f"GN-T{unit_id}-{files}",
            unit_id=unit_id,
            title="Đợt thử",
            planned_pages=100,
            deadline=date(2030, 1, 1),
        )
        session.add(acc)
        session.flush()
        ids = []
        for n in range(1, files + 1):
            file = FileUnit(
                file_code=f"{acc.code}.{n:02d}.VP",
                file_notation=f"{n:02d}.VP",
                title=f"Hồ sơ {n}",
                accession_id=acc.id,
                unit_id=unit_id,
                sheet_total=sheets,
                page_total=sheets,
            )
            session.add(file)
            session.flush()
            ids.append(file.id)
        return acc.id, ids


def page_png(width: int = 600, height: int = 800, text: str = "QUYẾT ĐỊNH") -> bytes:
    image = Image.new("RGB", (width, height), "white")
    ImageDraw.Draw(image).text((50, 60), text, fill="black")
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(300, 300))
    return out.getvalue()


def document(
    ctx: AppContext,
    file_id: int | None,
    *,
    pages: int = 2,
    operator: str = "scan_operator",
    state: str = "review",
    **fields: object,
) -> int:
    """A document as ingest leaves it: a master object, an ingest item of the operator's batch, pages."""
    with ctx.db.session() as session:
        master = store_bytes(
            session,
            ctx.store,
            page_png(text=f"doc {file_id} {next(_SERIAL)} {fields}"),
            media_type="image/png",
            kind="master",
        )
        batch = IngestBatch(actor=operator)
        session.add(batch)
        session.flush()
        item = IngestItem(
            batch_id=batch.id,
            sha256=master.sha256,
            original_name="scan.png",
            source_path="/x",
            master_object_id=master.id,
            file_id=file_id,
            state="done",
            pages=pages,
        )
        session.add(item)
        session.flush()
        unit_id = session.get_one(FileUnit, file_id).unit_id if file_id else None
        doc = Document(
            file_id=file_id,
            unit_id=unit_id,
            ingest_item_id=item.id,
            source_name="scan.png",
            state=state,
            page_amount=pages,
            text="QUYẾT ĐỊNH",
            confidence={"subject": 0.5, "type_name": 0.95},
            provenance={"subject": {"page": 1, "boxes": [[50, 60, 300, 90]]}},
            **fields,
        )
        session.add(doc)
        session.flush()
        for n in range(pages):
            session.add(
                Page(
                    document_id=doc.id,
                    master_object_id=master.id,
                    source_index=n if n == 0 else 1000 + n,
                    page_no=n + 1,
                    width=600,
                    height=800,
                    dpi=300,
                    text=f"trang {n + 1}",
                    quality={"colour_mode": "color", "skew_degrees": 0.1},
                )
            )
        return doc.id


def fake_engine() -> object:
    """A fast OCR engine for ingest in tests (module level, so process pools can pickle it)."""
    from sohoa.domain.ocr import BBox, Word
    from sohoa.engines.fakes import FakeOcrEngine

    words = tuple(
        Word(t, BBox(60 + 130 * i, 60, 180 + 130 * i, 100), 0.95, 1, 1)
        for i, t in enumerate(["Quyết", "định", "về", "việc", "hòa", "giải"])
    )
    return FakeOcrEngine(words)


def fake_ingest(ctx: AppContext, paths: list[object], **kwargs: object) -> object:
    """ingest_paths with the fake engine: the real pipeline, without Tesseract."""
    from sohoa.services.production.ingest import ingest_paths

    return ingest_paths(ctx, paths, engine_factory=fake_engine, **kwargs)  # type: ignore[arg-type]
