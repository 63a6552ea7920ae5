"""Masked derivatives as a service: the boxes burned in the stored thumbnail, image and PDF (turned pages too),
built once per masking fingerprint, rebuilt when it changes, safe when two requests build at once."""

from __future__ import annotations

import io
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import func, select

from sohoa.db.models import Document, MaskedDerivative, Page, StoredObject
from sohoa.domain.ocr import BBox, OcrPage
from sohoa.domain.personal import mask_token
from sohoa.engines.ocr_formats import ocr_page_to_json
from sohoa.engines.redact import image_box
from sohoa.services.catalogue.personal_derivatives import masked_page_object, masked_pdf_object
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import store_bytes

from ._personal_images_world import CCCD, HEIGHT, NAME, PHONE, VALUES, WIDTH, Record, build


@dataclass
class LocalMasking:
    """A masking of known values with their boxes, as ``personal_data.masking_for`` gives one."""

    boxes: dict[str, BBox]
    values: tuple[str, ...] = (CCCD, PHONE, NAME)
    extra: list[BBox] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        return "|".join(sorted(self.values)) + f"|{len(self.extra)}"

    def page_boxes(self, page_no: int) -> list[BBox]:
        return [self.boxes[v] for v in self.values] + self.extra if page_no == 1 else []

    def ocr(self, ocr: OcrPage) -> OcrPage:
        hidden = {word: VALUES[value][0] for value in self.values for word in VALUES[value][1]}
        return replace(ocr, words=tuple(replace(w, text=mask_token(hidden[w.text])) if w.text in hidden else w
                                        for w in ocr.words))

    def text(self, text: str) -> str:
        for value in self.values:
            text = text.replace(value, mask_token(VALUES[value][0]))
        return text

    def fields(self, fields: dict[str, str | None]) -> dict[str, str | None]:
        return {k: self.text(v) if isinstance(v, str) else v for k, v in fields.items()}


def _page(ctx: AppContext, record: Record) -> tuple[Page, Document]:
    with ctx.db.session() as session:
        page = session.get(Page, record.page_id)
        doc = session.get(Document, record.document_id)
        assert page is not None and doc is not None
        session.expunge_all()
        return page, doc


def _object(ctx: AppContext, record: Record, kind: str, masking: LocalMasking) -> StoredObject:
    with ctx.db.session() as session:
        page = session.get(Page, record.page_id)
        assert page is not None
        found = masked_page_object(ctx.store, session, page, kind, masking)
        assert found is not None
        session.expunge(found)
        return found


def _pixels(ctx: AppContext, stored: StoredObject) -> np.ndarray:
    with Image.open(io.BytesIO(ctx.store.read(stored.sha256))) as image:
        return np.asarray(image.convert("L")).astype(int)


def _staff(ctx: AppContext, record: Record, kind: str) -> StoredObject:
    with ctx.db.session() as session:
        page = session.get(Page, record.page_id)
        assert page is not None
        stored = session.get(StoredObject, page.thumbnail_object_id if kind == "thumbnail" else page.image_object_id)
        assert stored is not None
        session.expunge(stored)
        return stored


def _rows(ctx: AppContext) -> int:
    with ctx.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(MaskedDerivative)) or 0)


@pytest.mark.parametrize("turn", [0, 90, 270])
@pytest.mark.parametrize("kind", ["thumbnail", "image"])
def test_a_page_image_is_masked_in_the_boxes_only_and_built_once(ctx: AppContext, kind: str, turn: int) -> None:
    record = build(ctx, rotation=turn)
    masking = LocalMasking(record.boxes)
    masked = _object(ctx, record, kind, masking)
    staff = _staff(ctx, record, kind)
    assert masked.sha256 != staff.sha256 and masked.kind == f"masked_{kind}"
    after, before = _pixels(ctx, masked), _pixels(ctx, staff)
    assert after.shape == before.shape
    size = (after.shape[1], after.shape[0])
    shown_turn = turn if kind == "thumbnail" else 0  # the stored image is in the scan's geometry
    inside = np.zeros(after.shape, dtype=bool)
    for box in record.boxes.values():
        placed = image_box(box, (WIDTH, HEIGHT), size, rotation=shown_turn)
        assert placed is not None
        assert after[placed.y0:placed.y1, placed.x0:placed.x1].mean() < 25  # opaque (JPEG may ring)
        grown = image_box(box, (WIDTH, HEIGHT), size, rotation=shown_turn, pad=40)
        assert grown is not None
        inside[grown.y0:grown.y1, grown.x0:grown.x1] = True
    assert np.abs(after[~inside] - before[~inside]).mean() < 1.5  # re-encoded, otherwise the same page
    # a second request finds it; no new row, no new object
    assert _object(ctx, record, kind, masking).id == masked.id
    assert _rows(ctx) == 1


def test_nothing_to_burn_serves_the_staff_object(ctx: AppContext) -> None:
    record = build(ctx)
    masking = LocalMasking(record.boxes, values=())
    assert _object(ctx, record, "thumbnail", masking).sha256 == _staff(ctx, record, "thumbnail").sha256
    assert _rows(ctx) == 1  # remembered: the next request does not look again
    assert _object(ctx, record, "thumbnail", masking).sha256 == _staff(ctx, record, "thumbnail").sha256
    assert _rows(ctx) == 1


def test_a_new_fingerprint_makes_a_new_object(ctx: AppContext) -> None:
    record = build(ctx)
    everything = _object(ctx, record, "image", LocalMasking(record.boxes))
    name_shown = _object(ctx, record, "image", LocalMasking(record.boxes, values=(CCCD, PHONE)))
    assert name_shown.sha256 != everything.sha256
    assert _rows(ctx) == 2
    # the name's words are dark again in the second, not in the first
    box = image_box(record.boxes[NAME], (WIDTH, HEIGHT), (1200 * WIDTH // HEIGHT, 1200))
    assert box is not None
    assert _pixels(ctx, everything)[box.y0:box.y1, box.x0:box.x1].mean() < 25
    assert _pixels(ctx, name_shown)[box.y0:box.y1, box.x0:box.x1].mean() > 150


def test_a_rewritten_word_is_burned_even_without_a_box(ctx: AppContext) -> None:
    """The safety net: a word the masking rewrites in the OCR is painted over though no row gave its box."""
    record = build(ctx)
    masking = LocalMasking({**record.boxes, PHONE: BBox(0, 0, 1, 1)})
    masked = _pixels(ctx, _object(ctx, record, "image", masking))
    box = image_box(record.boxes[PHONE], (WIDTH, HEIGHT), (masked.shape[1], masked.shape[0]))
    assert box is not None
    assert masked[box.y0:box.y1, box.x0:box.x1].mean() < 25


def _pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "masked.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_the_masked_pdf_has_no_value_in_its_text_or_metadata(ctx: AppContext, tmp_path: Path) -> None:
    record = build(ctx, rotation=90)
    _page_row, doc = _page(ctx, record)
    with ctx.db.session() as session:
        stored = masked_pdf_object(ctx.store, session, doc, LocalMasking(record.boxes))
        assert stored is not None
        again = masked_pdf_object(ctx.store, session, doc, LocalMasking(record.boxes))
        assert again is not None and again.id == stored.id
        sha = stored.sha256
    data = ctx.store.read(sha)
    text = _pdftotext(data, tmp_path)
    assert CCCD not in text and PHONE not in text and "Nguyễn" not in text
    assert mask_token("cccd") in text and "Giao" in text
    assert CCCD.encode() not in data
    info = subprocess.run(["pdfinfo", str(tmp_path / "masked.pdf")], check=True, capture_output=True, text=True)
    assert "Bình" not in info.stdout and "[đã che: họ tên]" in info.stdout
    assert "Page rot:        90" in info.stdout


def test_two_requests_at_once_build_without_error(ctx: AppContext) -> None:
    record = build(ctx)
    masking = LocalMasking(record.boxes)
    with ThreadPoolExecutor(max_workers=4) as pool:
        found = list(pool.map(lambda _: _object(ctx, record, "thumbnail", masking).sha256, range(4)))
    assert len(set(found)) == 1
    assert _rows(ctx) == 1


def test_new_ocr_or_fields_make_a_new_object_under_the_same_fingerprint(ctx: AppContext) -> None:
    """A corrected OCR (its words are burned too) or edited fields (the PDF's metadata) are built again."""
    record = build(ctx)
    masking = LocalMasking(record.boxes)
    first = _object(ctx, record, "image", masking)
    _page_row, doc = _page(ctx, record)
    with ctx.db.session() as session:
        pdf = masked_pdf_object(ctx.store, session, doc, masking)
        assert pdf is not None
        first_pdf = pdf.sha256
    corrected = replace(record.ocr, words=record.ocr.words[:-1])
    with ctx.db.session() as session:
        page = session.get(Page, record.page_id)
        assert page is not None
        page.ocr_object_id = store_bytes(session, ctx.store, ocr_page_to_json(corrected).encode(),
                                         media_type="application/json", kind="ocr").id
        edited = session.get(Document, record.document_id)
        assert edited is not None
        edited.subject = "Giao đất ở"
    assert _object(ctx, record, "image", masking).sha256 == first.sha256  # looked at again: the same pixels
    assert _rows(ctx) == 3
    _page_row, doc = _page(ctx, record)
    with ctx.db.session() as session:
        pdf = masked_pdf_object(ctx.store, session, doc, masking)
        assert pdf is not None and pdf.sha256 != first_pdf
    assert _rows(ctx) == 4
