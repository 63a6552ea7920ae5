"""Ingest with a fake OCR engine: bad inputs, idempotency, resume, failures (no Tesseract needed)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from sohoa.db.models import Document, IngestItem, Page, StoredObject
from sohoa.domain.ocr import BBox, Word
from sohoa.engines.fakes import CrashingOcrEngine, FakeOcrEngine
from sohoa.services.catalogue.catalog import status_counts
from sohoa.services.platform.context import AppContext
from sohoa.services.production.ingest import ingest_paths

from ._helpers import bad_inputs, text_page

WORDS = tuple(Word(t, BBox(60 + 130 * i, 60, 180 + 130 * i, 100), 0.95, 1, 1)
              for i, t in enumerate(["Quyết", "định", "về", "việc", "hòa", "giải"]))


def fake() -> FakeOcrEngine:
    return FakeOcrEngine(WORDS)


def crashing() -> CrashingOcrEngine:
    return CrashingOcrEngine()


def _count(ctx: AppContext, model: type) -> int:
    with ctx.db.session() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def test_bad_inputs_are_quarantined_and_the_batch_goes_on(ctx: AppContext, tmp_path: Path) -> None:
    good = text_page(tmp_path / "good.png", ["Hà Nội, ngày 05 tháng 6 năm 2025"])
    bad = bad_inputs(tmp_path / "bad", good)
    report = ingest_paths(ctx, [good, *bad.values()], engine_factory=fake)
    states = {i.name: (i.state, i.reason) for i in report.items}
    assert states["good.png"][0] == "done"
    assert states["empty.png"] == ("quarantined", "empty")
    assert states["truncated.png"] == ("quarantined", "truncated")
    assert states["random.jpg"][1] in {"corrupt", "truncated"}
    assert states["notes.txt"] == ("quarantined", "unsupported")
    assert states["report.docx"] == ("quarantined", "unsupported")
    assert states["bomb.png"] == ("quarantined", "too_large")
    assert states["locked.pdf"] == ("quarantined", "encrypted")
    for item in report.items:
        if item.state == "quarantined":
            assert item.message and " / " in item.message  # Vietnamese / English
    reasons = list((ctx.settings.quarantine_dir).glob("*/reason.json"))
    assert len(reasons) == 7
    assert _count(ctx, Document) == 1


def test_same_master_twice_creates_nothing(ctx: AppContext, tmp_path: Path) -> None:
    page = text_page(tmp_path / "p.png", ["Quyết định"])
    first = ingest_paths(ctx, [page], engine_factory=fake)
    counts = (_count(ctx, Document), _count(ctx, Page), _count(ctx, StoredObject))
    copy = tmp_path / "copy-of-p.png"
    copy.write_bytes(page.read_bytes())
    second = ingest_paths(ctx, [page, copy], engine_factory=fake)
    assert first.items[0].state == "done"
    assert [i.state for i in second.items] == ["duplicate", "duplicate"]
    assert (_count(ctx, Document), _count(ctx, Page), _count(ctx, StoredObject)) == counts


def test_master_is_stored_unmodified_and_read_only(ctx: AppContext, tmp_path: Path) -> None:
    page = text_page(tmp_path / "p.png", ["Quyết định"])
    original = page.read_bytes()
    ingest_paths(ctx, [page], engine_factory=fake)
    with ctx.db.session() as session:
        master = session.execute(select(StoredObject).where(StoredObject.kind == "master")).scalar_one()
    stored = ctx.store.path(master.sha256)
    assert stored.read_bytes() == original == page.read_bytes()
    assert stored.stat().st_mode & 0o222 == 0


def test_ocr_is_stored_once_as_json_without_hocr(ctx: AppContext, tmp_path: Path) -> None:
    """Each page keeps one OCR copy, the JSON its row references; hOCR and ALTO are derived when asked for."""
    from sohoa.engines.ocr_formats import ocr_page_from_json

    pages = [text_page(tmp_path / f"p{i}.png", [f"Trang {i}"]) for i in range(2)]
    ingest_paths(ctx, pages, engine_factory=fake)
    with ctx.db.session() as session:
        kinds = set(session.execute(select(StoredObject.kind)).scalars())
        rows = list(session.execute(select(Page)).scalars())
        assert "hocr" not in kinds and "ocr" in kinds
        assert len(rows) == 2
        for row in rows:
            stored = session.get(StoredObject, row.ocr_object_id) if row.ocr_object_id else None
            assert stored is not None and stored.kind == "ocr" and stored.media_type == "application/json"
            with ctx.store.open(stored.sha256) as handle:
                ocr = ocr_page_from_json(handle.read().decode("utf-8"))
            assert [w.text for w in ocr.words] == [w.text for w in WORDS]


def test_engine_failure_marks_the_file_failed_and_a_rerun_finishes(ctx: AppContext, tmp_path: Path) -> None:
    page = text_page(tmp_path / "p.png", ["Quyết định"])
    report = ingest_paths(ctx, [page], engine_factory=crashing)
    assert report.items[0].state == "failed" and "Simulated OCR failure" in (report.items[0].message or "")
    assert _count(ctx, Document) == 0
    again = ingest_paths(ctx, [page], engine_factory=fake)
    assert again.items[0].state == "done"
    assert _count(ctx, Document) == 1 and _count(ctx, IngestItem) == 1


def test_interrupted_item_is_resumed_without_duplicates(ctx: AppContext, tmp_path: Path) -> None:
    """A crash after registration (state 'processing', master stored, nothing else) is finished on rerun."""
    pages = [text_page(tmp_path / f"p{i}.png", [f"Trang {i}"]) for i in range(3)]
    ingest_paths(ctx, pages[:1], engine_factory=fake)
    with ctx.db.session() as session:
        session.add(IngestItem(batch_id=1, sha256=__import__("hashlib").sha256(pages[1].read_bytes()).hexdigest(),
                               original_name="p1.png", source_path=str(pages[1]), state="processing", attempts=1))
    report = ingest_paths(ctx, pages, engine_factory=fake)
    assert [i.state for i in report.items] == ["duplicate", "done", "done"]
    assert _count(ctx, IngestItem) == 3 and _count(ctx, Page) == 3
    assert status_counts(ctx)["ingest_items"] == {"done": 3}


def test_unsorted_intake_without_unit_or_file(ctx: AppContext, tmp_path: Path) -> None:
    page = text_page(tmp_path / "p.png", ["Quyết định"])
    ingest_paths(ctx, [page], engine_factory=fake)
    with ctx.db.session() as session:
        doc = session.execute(select(Document)).scalar_one()
    assert doc.state == "unsorted" and doc.file_id is None and doc.unit_id is None


def _born_digital_pdf(path: Path) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from ._helpers import FONT

    pdfmetrics.registerFont(TTFont("LiberationSerif", FONT))
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("LiberationSerif", 13)
    lines = ["ỦY BAN NHÂN DÂN PHƯỜNG HOÀN KIẾM", "Số: 155/KH-UBND", "KẾ HOẠCH",
             "Về việc số hóa tài liệu lưu trữ tập trung của các cơ quan trên địa bàn phường",
             "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư"]
    for n, line in enumerate(lines):
        pdf.drawString(80, 780 - n * 22, line)
    pdf.save()
    return path


def test_born_digital_pdf_skips_ocr(ctx: AppContext, tmp_path: Path) -> None:
    pdf = _born_digital_pdf(tmp_path / "born-digital.pdf")
    report = ingest_paths(ctx, [pdf], engine_factory=crashing)  # OCR would crash: it must not run
    assert report.items[0].state == "done", report.items[0].message
    with ctx.db.session() as session:
        page = session.execute(select(Page)).scalar_one()
        doc = session.execute(select(Document)).scalar_one()
    assert page.text_source == "pdf"
    assert "Về việc số hóa tài liệu lưu trữ" in doc.text
    assert doc.code_number == "155" and doc.code_notation == "KH-UBND"


def test_qr_separator_sheets_assign_documents_to_files(ctx: AppContext, tmp_path: Path) -> None:
    import subprocess

    from sohoa.db.models import FileUnit
    from sohoa.intelligence.separator import separator_sheets_pdf

    folder = tmp_path / "batch"
    folder.mkdir()
    separator_sheets_pdf(["H26.2025.01.VP", "H26.2025.02.VP"], tmp_path / "sheets.pdf")
    subprocess.run(["pdftoppm", "-r", "100", "-png", str(tmp_path / "sheets.pdf"), str(folder / "s")], check=True)
    sheets = sorted(folder.glob("s-*.png"))
    (folder / "p1_sep.png").write_bytes(sheets[0].read_bytes())
    text_page(folder / "p2_doc.png", ["QUYẾT ĐỊNH"])
    (folder / "p3_sep.png").write_bytes(sheets[1].read_bytes())
    text_page(folder / "p4_doc.png", ["KẾ HOẠCH"])
    for sheet in sheets:
        sheet.unlink()
    report = ingest_paths(ctx, [folder], engine_factory=fake)
    assert {i.state for i in report.items} == {"done"}
    with ctx.db.session() as session:
        docs = session.execute(select(Document).order_by(Document.id)).scalars().all()
        codes = [session.get(FileUnit, d.file_id).file_code if d.file_id else None for d in docs]
        separators = session.execute(select(Page).where(Page.document_id.is_(None))).scalars().all()
    assert codes == ["H26.2025.01.VP", "H26.2025.02.VP"]
    assert len(separators) == 2


def test_undecodable_page_in_a_folder_is_quarantined_and_the_rest_stored(ctx: AppContext, tmp_path: Path) -> None:
    import struct
    import zlib

    folder = tmp_path / "scans"
    folder.mkdir()
    text_page(folder / "p1.png", ["QUYẾT ĐỊNH"])

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 100, 100, 8, 2, 0, 0, 0)
    (folder / "p2.png").write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
                                    + chunk(b"IDAT", b"not zlib" * 30) + chunk(b"IEND", b""))
    text_page(folder / "p3.png", ["KẾ HOẠCH"])
    report = ingest_paths(ctx, [folder], engine_factory=fake)
    states = {i.name: (i.state, i.reason) for i in report.items}
    assert states == {"p1.png": ("done", None), "p2.png": ("quarantined", "corrupt"), "p3.png": ("done", None)}
    assert (ctx.settings.quarantine_dir).glob("*/p2.png")
    assert _count(ctx, Page) == 2
    again = ingest_paths(ctx, [folder], engine_factory=fake)
    assert {i.name: i.state for i in again.items} == {"p1.png": "duplicate", "p2.png": "quarantined",
                                                       "p3.png": "duplicate"}


def test_long_sequence_stores_closed_documents_before_the_last_page(ctx: AppContext, tmp_path: Path) -> None:
    """A folder of one-page documents: documents are stored while later pages are still in OCR."""
    from PIL import Image, ImageDraw, ImageFont

    from ..intelligence.pages import first_page
    from ._helpers import FONT

    words = first_page().page().words  # every page reads as the first page of a new document
    folder = tmp_path / "box"
    folder.mkdir()
    font = ImageFont.truetype(FONT, 48)
    for n in range(9):
        page = Image.new("L", (2480, 3508), 255)
        draw = ImageDraw.Draw(page)
        for line in range(30):  # enough ink not to be a blank page
            draw.text((300, 300 + 100 * line), f"Trang {n}, dòng {line}: Quyết định về việc hòa giải", font=font)
        page.save(folder / f"p{n:02d}.png", dpi=(300, 300))
    events: list[tuple[str, str]] = []
    report = ingest_paths(ctx, [folder], engine_factory=lambda: FakeOcrEngine(words),
                          progress=lambda e: events.append((e.kind, e.name)))
    assert [i.state for i in report.items] == ["done"] * 9
    kinds = [k for k, _ in events]
    last_page = len(kinds) - 1 - kinds[::-1].index("page")
    assert "file_done" in kinds[:last_page], "nothing was stored before the last page came back"
    with ctx.db.session() as session:
        docs = session.execute(select(Document).order_by(Document.id)).scalars().all()
        assert len(docs) == 9 and all(d.page_amount == 1 for d in docs)
        assert [d.source_name for d in docs] == [f"p{n:02d}.png" for n in range(9)]


def test_missing_path_is_reported_and_leaves_no_trace(ctx: AppContext, tmp_path: Path) -> None:
    good = text_page(tmp_path / "p.png", ["Quyết định"])
    report = ingest_paths(ctx, [tmp_path / "nope.png", good, tmp_path / "gone.tif"], engine_factory=fake)
    assert [(i.name, i.state, i.reason) for i in report.items] == [
        ("nope.png", "failed", "not_found"), ("p.png", "done", None), ("gone.tif", "failed", "not_found")]
    assert _count(ctx, IngestItem) == 1


def test_a_file_that_changes_while_read_is_refused_and_the_batch_goes_on(
        ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The master is hashed once to find duplicates and again while it is copied into the store;
    when the two differ (a scanner still writing the file) nothing is kept for that file."""
    import sohoa.storage.objects as objects

    moving = text_page(tmp_path / "moving.png", ["Quyết định"])
    steady = text_page(tmp_path / "steady.png", ["Công văn"])
    real = objects.sha256_file
    monkeypatch.setattr(objects, "sha256_file",
                        lambda path: "0" * 64 if Path(path).name == "moving.png" else real(path))
    report = ingest_paths(ctx, [moving, steady], engine_factory=fake)
    states = {i.name: (i.state, i.reason) for i in report.items}
    assert states == {"moving.png": ("failed", "changed_while_reading"), "steady.png": ("done", None)}
    assert "changed while it was being read" in (report.items[0].message or "")
    with ctx.db.session() as session:
        assert session.execute(select(IngestItem.original_name)).scalars().all() == ["steady.png"]
