"""Personal data burned into what leaves the staff, over HTTP: the API's page thumbnail and image and PDF, the
portal's PDF, IIIF info, tiles and full images — masked for a citizen, original (and audited) for the archivist; a
reviewer's decision changes the fingerprint, the ETag and the pixels; Tesseract reads the values only on the
staff copies."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from sohoa.app import create_app
from sohoa.db.models import Document, Event, Page
from sohoa.domain.ocr import BBox
from sohoa.engines.redact import DEFAULT_PAD, image_box
from sohoa.engines.tesseract import TesseractEngine
from sohoa.services.catalogue.personal_derivatives import page_mask_boxes
from sohoa.services.catalogue.personal_masking import masking_for
from sohoa.services.identity import accounts, tokens
from sohoa.services.platform.context import AppContext
from tests.web import _helpers as web

from ._personal_images_world import CCCD, DPI, HEIGHT, PASSWORD, PHONE, WIDTH, Record, build, decide

IIIF = "/iiif/3/image"


@pytest.fixture
def record(ctx: AppContext) -> Record:
    accounts.create_user(ctx, "pd_archivist", PASSWORD, "archivist")
    return build(ctx)


@pytest.fixture
def anonymous(ctx: AppContext, record: Record) -> Iterator[TestClient]:
    with TestClient(create_app(ctx, watch_hot_folders=False), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def archivist(ctx: AppContext, record: Record) -> Iterator[TestClient]:
    with TestClient(create_app(ctx, watch_hot_folders=False), raise_server_exceptions=False) as client:
        web.login(client, "pd_archivist", PASSWORD)
        yield client


def _ok(client: TestClient, path: str, **params: str) -> bytes:
    response = client.get(path, params=params)
    assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return bytes(response.content)


def _grey(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("L")).astype(int)


def _views(ctx: AppContext, action: str) -> list[dict[str, object]]:
    with ctx.db.session() as session:
        return [e.payload or {} for e in session.execute(select(Event).where(Event.action == action)).scalars()]


def _burned(ctx: AppContext, record: Record) -> tuple[BBox, ...]:
    with ctx.db.session() as session:
        doc, page = session.get(Document, record.document_id), session.get(Page, record.page_id)
        assert doc is not None and page is not None
        masking = masking_for(session, doc, None)
        assert masking is not None
        return page_mask_boxes(ctx.store, session, page, masking)


def test_iiif_full_image_differs_from_the_original_only_inside_the_boxes(ctx: AppContext, record: Record,
                                                                       anonymous: TestClient,
                                                                       archivist: TestClient) -> None:
    path = f"{IIIF}/{record.document_id}-1/full/max/0/default.png"
    masked, original = _grey(_ok(anonymous, path)), _grey(_ok(archivist, path))
    assert original.shape == masked.shape == (HEIGHT, WIDTH)
    assert (original == np.asarray(record.image)).all()  # staff: the scan as it is
    for box in record.boxes.values():
        assert original[box.y0:box.y1, box.x0:box.x1].min() == 0  # ink was there
        assert masked[box.y0:box.y1, box.x0:box.x1].max() == 0  # and is gone
    inside = np.zeros(masked.shape, dtype=bool)
    for box in _burned(ctx, record):  # the values' boxes and those of any other word the masking rewrites
        placed = image_box(box, (WIDTH, HEIGHT), (WIDTH, HEIGHT), pad=DEFAULT_PAD)
        assert placed is not None
        inside[placed.y0:placed.y1, placed.x0:placed.x1] = True
    assert (masked[inside] == 0).all()
    assert (masked[~inside] == original[~inside]).all()
    assert inside.mean() < 0.05


def test_iiif_answers_for_staff_are_private_and_audited(ctx: AppContext, record: Record, anonymous: TestClient,
                                                        archivist: TestClient) -> None:
    base = f"{IIIF}/{record.document_id}-1"
    public = anonymous.get(f"{base}/0,0,512,512/max/0/default.jpg")
    staff = archivist.get(f"{base}/0,0,512,512/max/0/default.jpg")
    assert public.headers["cache-control"].startswith("public")
    assert staff.headers["cache-control"].startswith("private")  # originals never go to a shared cache
    assert public.headers["etag"] != staff.headers["etag"]
    assert archivist.get(f"{base}/info.json").status_code == 200
    assert anonymous.get(f"{base}/info.json").status_code == 200
    assert [p.get("channel") for p in _views(ctx, "personal.view")] == ["iiif"]  # the staff's info fetch only


def test_thumbnail_image_and_pdf_are_masked_for_a_citizen(ctx: AppContext, record: Record,
                                                                 anonymous: TestClient, archivist: TestClient,
                                                                 tmp_path: Path) -> None:
    doc = record.document_id
    for kind in ("thumbnail", "image"):
        masked = _grey(_ok(anonymous, f"/api/v1/documents/{doc}/pages/1/image", kind=kind))
        original = _grey(_ok(archivist, f"/documents/{doc}/pages/1/image", kind=kind))
        size = (masked.shape[1], masked.shape[0])
        box = image_box(record.boxes[CCCD], (WIDTH, HEIGHT), size)
        assert box is not None
        assert masked[box.y0:box.y1, box.x0:box.x1].mean() < 25
        assert original[box.y0:box.y1, box.x0:box.x1].mean() > 120
    public_pdf, staff_pdf = _ok(anonymous, f"/portal/documents/{doc}/pdf"), _ok(archivist, f"/documents/{doc}/pdf")
    for name, pdf, shown in (("public", public_pdf, False), ("staff", staff_pdf, True)):
        (tmp_path / f"{name}.pdf").write_bytes(pdf)
        text = subprocess.run(["pdftotext", str(tmp_path / f"{name}.pdf"), "-"], check=True, capture_output=True,
                              text=True).stdout
        assert (CCCD in text, PHONE in text, "Bình" in text) == (shown, shown, shown), name
    assert {p.get("channel") for p in _views(ctx, "personal.view")} == {"web"}  # the portal's PDF is masked
    assert len(_views(ctx, "personal.view")) == 3  # two staff images and the staff PDF


def test_api_pdf_is_masked_for_a_public_token_and_not_for_personal_read(ctx: AppContext, record: Record,
                                                                        anonymous: TestClient,
                                                                        tmp_path: Path) -> None:
    public = tokens.create_token(ctx, "pd-public", ["read:public"])[0]
    reader = tokens.create_token(ctx, "pd-reader", ["read:public", "personal:read"])[0]
    path = f"/api/v1/documents/{record.document_id}/pdf"
    for name, token, shown in (("public", public, False), ("reader", reader, True)):
        response = anonymous.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text[:300]
        (tmp_path / f"{name}.pdf").write_bytes(response.content)
        text = subprocess.run(["pdftotext", str(tmp_path / f"{name}.pdf"), "-"], check=True, capture_output=True,
                              text=True).stdout
        assert (CCCD in text) == shown, name


def test_a_decision_changes_the_etag_and_the_pixels(ctx: AppContext, record: Record, anonymous: TestClient) -> None:
    doc = record.document_id
    tile = f"{IIIF}/{doc}-1/0,0,1200,1200/max/0/default.png"
    api_image = f"/api/v1/documents/{doc}/pages/1/image"
    before_tile, before_image = anonymous.get(tile), anonymous.get(api_image, params={"kind": "image"})
    box = record.boxes[PHONE]
    assert _grey(before_tile.content)[box.y0:box.y1, box.x0:box.x1].max() == 0
    assert anonymous.get(tile, headers={"If-None-Match": before_tile.headers["etag"]}).status_code == 304
    decide(ctx, doc, PHONE, "shown")  # a reviewer: this number is not personal data to mask
    after_tile, after_image = anonymous.get(tile), anonymous.get(api_image, params={"kind": "image"})
    assert after_tile.headers["etag"] != before_tile.headers["etag"]
    assert after_image.headers["etag"] != before_image.headers["etag"]
    assert anonymous.get(tile, headers={"If-None-Match": before_tile.headers["etag"]}).status_code == 200
    shown = _grey(after_tile.content)
    assert (shown[box.y0:box.y1, box.x0:box.x1] == np.asarray(record.image)[box.y0:box.y1, box.x0:box.x1]).all()
    cccd = record.boxes[CCCD]
    assert shown[cccd.y0:cccd.y1, cccd.x0:cccd.x1].max() == 0  # still masked
    decide(ctx, doc, PHONE, "masked")  # masked again: the first pixels and ETag come back
    again = anonymous.get(tile)
    assert again.headers["etag"] == before_tile.headers["etag"] and again.content == before_tile.content


def _render(pdf: bytes, tmp_path: Path, name: str) -> Image.Image:
    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    shown = subprocess.run(["pdftoppm", "-r", str(DPI), "-singlefile", "-gray", "-png", str(tmp_path / f"{name}.pdf")],
                           check=True, capture_output=True).stdout
    return Image.open(io.BytesIO(shown))


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


@pytest.mark.tesseract
def test_tesseract_reads_the_values_only_on_the_staff_copies(record: Record, anonymous: TestClient,
                                                            archivist: TestClient, tmp_path: Path) -> None:
    engine = TesseractEngine()
    doc = record.document_id
    full = f"{IIIF}/{doc}-1/full/max/0/default.png"
    sources = {  # name → (the staff's address, the citizen's address)
        "iiif": (full, full),
        "pdf": (f"/documents/{doc}/pdf", f"/portal/documents/{doc}/pdf"),
        "image": (f"/documents/{doc}/pages/1/image?kind=image", f"/api/v1/documents/{doc}/pages/1/image?kind=image"),
    }

    def read(client: TestClient, path: str) -> str:
        data = _ok(client, path)
        image = _render(data, tmp_path, "p") if data.startswith(b"%PDF") else Image.open(io.BytesIO(data))
        if image.size != (WIDTH, HEIGHT):  # the web-size image: read at the scan's resolution
            image = image.resize((WIDTH, HEIGHT), Image.Resampling.LANCZOS)
        return engine.recognize(image.convert("L"), DPI).text

    for name, (staff_path, public_path) in sources.items():
        staff, public = read(archivist, staff_path), read(anonymous, public_path)
        assert CCCD in _digits(staff) and PHONE in _digits(staff) and "Bình" in staff, (name, staff)
        assert CCCD not in _digits(public) and PHONE not in _digits(public), (name, public)
        assert "Bình" not in public and "Nguyễn" not in public, (name, public)
        assert "QUYẾT" in public and "thử" in public, (name, public)  # the rest of the page still reads
