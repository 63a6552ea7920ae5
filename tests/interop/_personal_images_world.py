"""A public record holding (fictitious) personal data, stored as ingest stores one: a scanned page with a citizen
ID number, a phone number and a name in large print, its OCR words (boxes measured from the drawing), its
thumbnail and web-size image, and the two-layer PDF/A — plus the personal-data rows masking reads.

Every value is invented for the tests; none belongs to a real person.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from sohoa.db.models import Document, FileUnit, Fonds, Page, PersonalDatum
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.domain.personal import normalize_value
from sohoa.engines.ocr_formats import ocr_page_to_json
from sohoa.engines.pdfa import PdfPageInput, write_pdfa
from sohoa.engines.thumbnails import thumbnail_of
from sohoa.services.identity import accounts
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import store_bytes

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
DPI = 200
WIDTH, HEIGHT = 1654, 2339  # A4 at 200 dpi
CCCD = "001190034567"
PHONE = "0912345678"
NAME = "Nguyễn Văn Bình"
PASSWORD = "mat-khau-thu-nghiem"
LINES = (
    ("QUYẾT", "ĐỊNH", "giao", "đất"),
    ("Giao", "cho", "ông", "Nguyễn", "Văn", "Bình"),
    ("Số", "CCCD:", CCCD),
    ("Điện", "thoại:", PHONE),
    ("Dữ", "liệu", "hư", "cấu", "để", "thử"),
)
# value → (kind, the words of the page it covers)
VALUES = {CCCD: ("cccd", (CCCD,)), PHONE: ("phone", (PHONE,)), NAME: ("name", ("Nguyễn", "Văn", "Bình"))}


@dataclass
class Record:
    document_id: int
    page_id: int
    image: Image.Image  # the scan as stored (the master)
    ocr: OcrPage
    boxes: dict[str, BBox]  # value → its box on the page (the union of its words)


def scan() -> tuple[Image.Image, OcrPage]:
    image = Image.new("L", (WIDTH, HEIGHT), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 60)
    words: list[Word] = []
    for line_no, line in enumerate(LINES, start=1):
        x, y = 160, 200 + line_no * 150
        for text in line:
            left, top, right, bottom = (round(v) for v in draw.textbbox((x, y), text, font=font))
            draw.text((x, y), text, font=font, fill=0)
            words.append(Word(text, BBox(left, top, right, bottom), 0.95, 1, line_no))
            x = right + 34
    return image, OcrPage(WIDTH, HEIGHT, DPI, tuple(words), engine="test")


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def value_boxes(ocr: OcrPage) -> dict[str, BBox]:
    boxes: dict[str, BBox] = {}
    for value, (_kind, texts) in VALUES.items():
        found = [w.bbox for w in ocr.words if w.text in texts]
        box = found[0]
        for other in found[1:]:
            box = box.union(other)
        boxes[value] = box
    return boxes


def _pdf(image: Image.Image, ocr: OcrPage, rotation: int) -> bytes:
    out = io.BytesIO()
    write_pdfa([PdfPageInput(_png(image), "image/png", DPI, ocr, rotate=rotation)], out,
               title=f"Quyết định giao đất cho ông {NAME}", fields={"subject": f"Giao đất cho ông {NAME}"})
    return out.getvalue()


def build(ctx: AppContext, *, rotation: int = 0, level: str = "public") -> Record:
    """One published document of one page (shown turned ``rotation`` degrees), with its personal-data rows."""
    image, ocr = scan()
    unit = accounts.create_unit(ctx, "000.00.00.H26.PDIMG", "UBND phường Thử Nghiệm", "phường", "test")
    thumb = image.transpose({90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
                             270: Image.Transpose.ROTATE_90}[rotation]) if rotation else image
    preview = image.copy()
    preview.thumbnail((1200, 1200))
    with ctx.db.session() as session:
        fonds = Fonds(code="PD1", name="Phông thử dữ liệu cá nhân", unit_id=unit)
        session.add(fonds)
        session.flush()
        file = FileUnit(file_code="PDIMG.01", title="Hồ sơ giao đất", unit_id=unit, fonds_id=fonds.id,
                        access_level=level)
        session.add(file)
        session.flush()
        pdf = store_bytes(session, ctx.store, _pdf(image, ocr, rotation), media_type="application/pdf", kind="pdf")
        doc = Document(file_id=file.id, unit_id=unit, text=ocr.text, source_name="giao-dat.png",
                       type_name="Quyết định", code_number="12", code_notation="QĐ-UBND",
                       issued_date=date(2024, 5, 6), subject=f"Giao đất cho ông {NAME}", access_level=level,
                       state="published", page_amount=1, pdf_object_id=pdf.id)
        session.add(doc)
        session.flush()
        page = Page(document_id=doc.id, page_no=1, source_index=0, width=WIDTH, height=HEIGHT, dpi=DPI,
                    text=ocr.text, rotation=rotation,
                    master_object_id=store_bytes(session, ctx.store, _png(image), media_type="image/png",
                                                 kind="master").id,
                    ocr_object_id=store_bytes(session, ctx.store, ocr_page_to_json(ocr).encode(),
                                              media_type="application/json", kind="ocr").id,
                    thumbnail_object_id=store_bytes(session, ctx.store, thumbnail_of(thumb), media_type="image/jpeg",
                                                    kind="thumbnail").id,
                    image_object_id=store_bytes(session, ctx.store, _jpeg(preview), media_type="image/jpeg",
                                                kind="image").id)
        session.add(page)
        session.flush()
        boxes = value_boxes(ocr)
        for value, (kind, _texts) in VALUES.items():
            box = boxes[value]
            session.add(PersonalDatum(document_id=doc.id, page_no=1, kind=kind, value=value,
                                      normalized=normalize_value(kind, value), boxes=[[1, *box.as_list()]],
                                      source="detected", status="masked", confidence=0.99))
        return Record(doc.id, page.id, image, ocr, boxes)


def decide(ctx: AppContext, document_id: int, value: str, status: str) -> None:
    """A reviewer's decision on one value: 'shown' (not personal data) or 'masked'."""
    with ctx.db.session() as session:
        row = session.execute(select(PersonalDatum).where(PersonalDatum.document_id == document_id,
                                                          PersonalDatum.value == value)).scalar_one()
        row.status, row.decided_by = status, "reviewer"
