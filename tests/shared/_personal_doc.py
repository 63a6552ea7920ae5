"""One published public record with (fictitious) personal data on its page and in its subject, for the masking
tests of every text outlet. The values are invented; none belongs to a real person."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from PIL import Image
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileUnit, Page, PersonalDatum, Unit, User
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.domain.personal import normalize_value
from sohoa.engines.ocr_formats import ocr_page_to_json
from sohoa.services.catalogue.index_docs import document_index_doc
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import store_bytes

CCCD = "001190034567"
PHONE = "0912 345 678"
NAME = "Nguyễn Văn Bình"
PARCEL = "thửa đất số 125, tờ bản đồ số 17"
SIGNER = "Phạm Quốc Hùng"
LINES = [
    "QUYẾT ĐỊNH Về việc giao đất ở",
    f"Giao cho ông {NAME}, số CCCD {CCCD}, điện thoại {PHONE}",
    f"sử dụng {PARCEL} tại phường Hàng Trống.",
    f"CHỦ TỊCH {SIGNER}",
]
SUBJECT = f"Về việc giao đất ở cho ông {NAME}"


@dataclass(frozen=True)
class PersonalDoc:
    document_id: int
    page: OcrPage
    users: dict[str, str]  # role → username


def ocr_page() -> OcrPage:
    words: list[Word] = []
    for line, text in enumerate(LINES):
        for n, word in enumerate(text.split()):
            words.append(Word(word, BBox(100 + 90 * n, 100 + 60 * line, 180 + 90 * n, 140 + 60 * line), 0.95, 0,
                              line))
    return OcrPage(2000, 1400, 200, tuple(words), "ocr", "test")


def build_personal_doc(ctx: AppContext, session: Session, *, access_level: str = "public") -> PersonalDoc:
    """The record, its file and unit, its page (OCR JSON in the object store), and one user per role."""
    unit = Unit(identifier="T.PD", name="Phường Hàng Trống", name_folded="phuong hang trong", unit_type="phường")
    session.add(unit)
    session.flush()
    file = FileUnit(file_code="F.PD.1", title="Hồ sơ giao đất", unit_id=unit.id, access_level=access_level,
                    bloc="government", permanent=True)
    session.add(file)
    session.flush()
    page = ocr_page()
    doc = Document(file_id=file.id, unit_id=unit.id, text=page.text, source_name="giao-dat.pdf",
                   type_name="Quyết định", code_number="12", code_notation="QĐ-UBND", issued_date=date(2024, 3, 5),
                   organ_name="UBND phường Hàng Trống", subject=SUBJECT, signer_full_name=SIGNER,
                   signer_position="Chủ tịch", access_level=access_level, page_amount=1, state="published")
    session.add(doc)
    session.flush()
    ocr = store_bytes(session, ctx.store, ocr_page_to_json(page).encode(), media_type="application/json", kind="ocr")
    buffer = io.BytesIO()
    Image.new("L", (page.width, page.height), 255).save(buffer, "JPEG")
    scan = store_bytes(session, ctx.store, buffer.getvalue(), media_type="image/jpeg", kind="master")
    session.add(Page(document_id=doc.id, master_object_id=scan.id, source_index=0, page_no=1, width=page.width,
                     height=page.height, dpi=200, text=page.text, ocr_object_id=ocr.id))
    users = {}
    for role in ("admin", "archivist", "coordinator", "unit_officer"):
        session.add(User(username=f"pd_{role}", password_hash="x", role=role,
                         unit_id=unit.id if role.startswith("unit_") else None))
        users[role] = f"pd_{role}"
    session.flush()
    return PersonalDoc(doc.id, page, users)


def add_rows(session: Session, document_id: int, page: OcrPage) -> None:
    """The rows detection makes of the page (kind, value, boxes of the words), as a reviewer would see them."""
    text = " ".join(w.text for w in page.words)
    for kind, value in (("name", NAME), ("cccd", CCCD), ("phone", PHONE), ("parcel", PARCEL)):
        start = text.index(value)
        first = text[:start].count(" ")
        count = value.count(" ") + 1
        boxes = [[1, *w.bbox.as_list()] for w in page.words[first:first + count]]
        session.add(PersonalDatum(document_id=document_id, page_no=1, kind=kind, value=value,
                                  normalized=normalize_value(kind, value), boxes=boxes, source="detected",
                                  status="masked", restricted=False, confidence=0.99))
    session.flush()


def indexed_personal_doc(ctx: AppContext) -> PersonalDoc:
    """The personal document with its rows recorded and its (masked) index entry written, as after ingest."""
    with ctx.db.session() as session:
        built = build_personal_doc(ctx, session)
        add_rows(session, built.document_id, built.page)
        ctx.index.upsert(session, document_index_doc(session.get_one(Document, built.document_id)))
    return built
