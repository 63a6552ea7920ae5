"""Certified copies leave the archive masked: a citizen's request, approved by staff, downloads a PDF built from
the masked public PDF/A — personal data burned into the pixels and absent from the text layer — still carrying a
valid PAdES signature and the copy stamp; the staff PDF and the master stay as they were."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from sohoa.db.models import Document, MaskedDerivative, Page, StoredObject
from sohoa.engines.tesseract import TesseractEngine
from sohoa.services.platform.context import AppContext
from sohoa.services.sharing.copies import Requester, approve_copy, copy_pdf, request_copy
from tests.interop._personal_images_world import CCCD, DPI, PHONE, Record, build, decide

from ._portal_helpers import check_signed_copy

REQUESTER = Requester("Phạm Thu Hà", "001195000111", "ha@example.vn", purpose="Bổ sung hồ sơ đất đai")


def _copy(ctx: AppContext, record: Record) -> bytes:
    info = request_copy(ctx, record.document_id, REQUESTER)
    approve_copy(ctx, info.id, "archivist")
    return copy_pdf(ctx, info.code).read()


def _text(pdf: bytes, tmp_path: Path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def _staff_pdf(ctx: AppContext, record: Record) -> tuple[bytes, bytes]:
    with ctx.db.session() as session:
        doc = session.get(Document, record.document_id)
        page = session.get(Page, record.page_id)
        assert doc is not None and page is not None
        pdf, master = session.get(StoredObject, doc.pdf_object_id), session.get(StoredObject, page.master_object_id)
        assert pdf is not None and master is not None
        return ctx.store.read(pdf.sha256), ctx.store.read(master.sha256)


def test_a_certified_copy_is_masked_signed_and_leaves_the_originals(ctx: AppContext, tmp_path: Path) -> None:
    record = build(ctx)
    staff_before, master_before = _staff_pdf(ctx, record)
    copy = _copy(ctx, record)
    check_signed_copy(ctx, copy)  # PAdES signature intact, valid and trusted; the stamp is there
    text = _text(copy, tmp_path, "copy")
    assert CCCD not in text and PHONE not in text and "Bình" not in text
    assert "[đã che: số CCCD]" in text and "Phạm Thu Hà" in text and "BẢN SAO" in text
    assert (staff_before, master_before) == _staff_pdf(ctx, record)
    assert CCCD in _text(staff_before, tmp_path, "staff")
    with ctx.db.session() as session:
        kinds = list(session.execute(select(MaskedDerivative.kind)).scalars())
    assert kinds == ["pdf"]  # the copy came from the masked PDF/A, kept for the next copy


def test_a_copy_after_a_decision_shows_what_the_reviewer_allowed(ctx: AppContext, tmp_path: Path) -> None:
    record = build(ctx)
    first = _text(_copy(ctx, record), tmp_path, "first")
    decide(ctx, record.document_id, PHONE, "shown")
    second = _copy(ctx, record)
    check_signed_copy(ctx, second)
    text = _text(second, tmp_path, "second")
    assert PHONE not in first and PHONE in text and CCCD not in text


@pytest.mark.tesseract
def test_tesseract_finds_no_value_on_the_copy(ctx: AppContext, tmp_path: Path) -> None:
    record = build(ctx)
    path = tmp_path / "copy.pdf"
    path.write_bytes(_copy(ctx, record))
    shown = subprocess.run(["pdftoppm", "-r", str(DPI), "-f", "1", "-l", "1", "-singlefile", "-gray", "-png",
                            str(path)], check=True, capture_output=True).stdout
    read = TesseractEngine().recognize(Image.open(io.BytesIO(shown)).convert("L"), DPI).text
    digits = "".join(ch for ch in read if ch.isdigit())
    assert CCCD not in digits and PHONE not in digits
    assert "Bình" not in read and "QUYẾT" in read
