"""A published record full of (fictitious) personal data, digitized as a citizen's records are: two scanned
pages rendered with the sample generator's font, ingested through the real pipeline with real Tesseract,
reviewed and published with the demo's publication (reviewer accepts, the file becomes public).

Every value below is invented for the tests (the page says so); none belongs to a real person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select

from sohoa.db.models import Document, FileUnit
from sohoa.domain.text import fold
from sohoa.samples import generate_corpus
from sohoa.services.platform.context import AppContext
from sohoa.services.production.demo import publish_sample_file
from sohoa.services.production.ingest import ingest_paths
from sohoa.services.production.review import update_fields

FONT = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"
BOLD = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"
FILE_CODE = "H26.PDTEST.2025.01"
FILE_TITLE = "Hồ sơ giao đất ở cho hộ ông Nguyễn Văn Bình"
DPI = 200


@dataclass(frozen=True)
class Protected:
    """One protected value as printed, and how a reader would recognise it in any text."""

    kind: str
    printed: str
    # 'digits': compare digit runs ('0912 345 678' ≈ '0912.345.678'); 'alnum': letters and digits (plates);
    # 'folded': tone-folded words ('Nguyễn Văn Bình' ≈ 'nguyen van binh').
    how: str

    @property
    def key(self) -> str:
        return squash(self.printed, self.how)

    def readable_in(self, text: str) -> bool:
        """True when ``text`` spells out this value (in any spacing, tones or case)."""
        return self.key in squash(text, self.how)


def squash(text: str, how: str) -> str:
    folded = fold(text).lower()
    if how == "digits":
        return re.sub(r"[^0-9]", "", folded)
    if how == "alnum":
        return re.sub(r"[^0-9a-z]", "", folded)
    return " ".join(re.sub(r"[^0-9a-z@.]+", " ", folded).split())


# The page's values. Each digit value is long or distinctive enough not to occur by chance in the rest of a
# text once its digits are run together (the parcel numbers are checked with their words).
CCCD = Protected("cccd", "001190034567", "digits")
CMND = Protected("cmnd", "013456789", "digits")
DOB = Protected("dob", "12/03/1965", "digits")
PHONE = Protected("phone", "0912 345 678", "digits")
EMAIL = Protected("email", "binhnv.thu@example.vn", "alnum")
ADDRESS = Protected("address", "ngõ 34 phố Hàng Bông", "folded")
BANK = Protected("bank_account", "0011004123456", "digits")
PLATE = Protected("plate", "29A-123.45", "alnum")
PARCEL = Protected("parcel", "thửa đất số 125", "folded")
PARCEL_MAP = Protected("parcel", "tờ bản đồ số 17", "folded")
NAME = Protected("name", "Nguyễn Văn Bình", "folded")
NAME_2 = Protected("name", "Trần Thị Hoa", "folded")
CCCD_2 = Protected("cccd", "001185067890", "digits")
NAME_3 = Protected("name", "Lê Minh Tuấn", "folded")
PHONE_2 = Protected("phone", "0987 654 321", "digits")

PROTECTED: tuple[Protected, ...] = (CCCD, CMND, DOB, PHONE, EMAIL, ADDRESS, BANK, PLATE, PARCEL, PARCEL_MAP, NAME,
                                    NAME_2, CCCD_2, NAME_3, PHONE_2)
# A name the detector misses (no title before it, a Hmong name): the reviewer masks it by hand.
MISSED = Protected("name", "Giàng A Páo", "folded")
# Words of the record that are not personal data: a citizen finds the record by them.
PUBLIC_WORDS = ("giao đất", "làm nhà ở")

PAGE_1 = [
    ("b", "ỦY BAN NHÂN DÂN PHƯỜNG THỬ NGHIỆM"),
    ("r", "Số: 125/QĐ-UBND"),
    ("r", "Hà Nội, ngày 5 tháng 3 năm 2025"),
    ("b", "QUYẾT ĐỊNH"),
    ("b", "Về việc giao đất ở cho hộ gia đình"),
    ("r", "(Dữ liệu cá nhân hư cấu, chỉ dùng để kiểm thử)"),
    ("r", f"Điều 1. Giao cho ông {NAME.printed}, sinh ngày {DOB.printed},"),
    ("r", f"số CCCD {CCCD.printed}, CMND số {CMND.printed},"),
    ("r", f"thường trú tại số 12 {ADDRESS.printed}, phường Hoàn Kiếm;"),
    ("r", f"điện thoại {PHONE.printed}, thư điện tử {EMAIL.printed};"),
    ("r", f"số tài khoản {BANK.printed} tại Ngân hàng Nông nghiệp;"),
    ("r", f"xe máy biển số {PLATE.printed};"),
    ("r", f"được sử dụng {PARCEL.printed}, {PARCEL_MAP.printed} để làm nhà ở."),
    ("r", "Điều 2. Quyết định này có hiệu lực kể từ ngày ký."),
]
PAGE_2 = [
    ("b", "DANH SÁCH HỘ GIA ĐÌNH ĐƯỢC GIAO ĐẤT"),
    ("r", "(Kèm theo Quyết định số 125/QĐ-UBND; dữ liệu hư cấu)"),
    ("r", f"1. Bà {NAME_2.printed}, số CCCD {CCCD_2.printed}."),
    ("r", f"2. Anh {NAME_3.printed}, điện thoại {PHONE_2.printed}."),
    ("r", f"Hồ sơ do {MISSED.printed} chuyển đến."),
]


def render_page(path: Path, lines: list[tuple[str, str]]) -> Path:
    """A clean scan at 200 dpi of ``lines`` in the sample generator's serif (bold for headings)."""
    image = Image.new("L", (1700, 140 + 62 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    fonts = {"r": ImageFont.truetype(FONT, 36), "b": ImageFont.truetype(BOLD, 36)}
    for n, (style, line) in enumerate(lines):
        draw.text((110, 70 + n * 62), line, fill=0, font=fonts[style])
    image.save(path, dpi=(DPI, DPI))
    return path


@dataclass(frozen=True)
class PersonalRecord:
    document_id: int
    file_id: int


def build_personal_record(ctx: AppContext, folder: Path) -> PersonalRecord:
    """Scan, ingest (real Tesseract), review (the reviewer types the trích yếu, naming the citizen) and
    publish the record; returns its ids."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = [render_page(folder / "p1.png", PAGE_1), render_page(folder / "p2.png", PAGE_2)]
    report = ingest_paths(ctx, pages, file_code=FILE_CODE, one_document=True)
    assert all(item.state == "done" for item in report.items), report.items
    document_id = report.items[0].documents[0]
    errors = update_fields(ctx, document_id, {
        "type_name": "Quyết định", "code_number": "125", "code_notation": "QĐ-UBND", "issued_date": "2025-03-05",
        "subject": f"Về việc giao đất ở cho ông {NAME.printed}"}, actor="reviewer")
    assert not errors, errors
    with ctx.db.session() as session:  # the hồ sơ is titled after the household, as land files are
        file = session.execute(select(FileUnit).where(FileUnit.file_code == FILE_CODE)).scalar_one()
        file.title = FILE_TITLE
    assert publish_sample_file(ctx, FILE_CODE, actor="reviewer") == 1
    with ctx.db.session() as session:
        doc = session.execute(select(Document).where(Document.id == document_id)).scalar_one()
        file = session.execute(select(FileUnit).where(FileUnit.file_code == FILE_CODE)).scalar_one()
        assert doc.state == "accepted" and file.access_level == "public", (doc.state, file.access_level)
        return PersonalRecord(document_id, file.id)


# ---------------------------------------------------------------- documents of the sample generator

GENERATED_FILE = "H26.PDGEN.2025.01"
_HOW = {"cccd": "digits", "cmnd": "digits", "phone": "digits", "bank_account": "digits", "dob": "digits",
        "plate": "alnum", "email": "alnum"}


def protected_of_truth(personal: list[tuple[str, str]]) -> tuple[Protected, ...]:
    """The generator's truth as values to look for; a bare year of birth ('1946') is too short to tell apart
    from other numbers and is left out."""
    out: list[Protected] = []
    for kind, value in personal:
        how = _HOW.get(kind, "folded")
        if kind == "dob" and len(squash(value, "digits")) < 8:
            continue
        candidate = Protected(kind, value, how)
        if candidate.key and candidate not in out:
            out.append(candidate)
    return tuple(out)


@dataclass(frozen=True)
class GeneratedRecord:
    document_id: int
    values: tuple[Protected, ...]


def build_generated_records(ctx: AppContext, folder: Path, *, documents: int = 2,
                            seed: int = 7) -> list[GeneratedRecord]:
    """Commune documents of ``sohoa.samples`` full of fictitious people (marked so on the page), ingested with
    real Tesseract and published like the record above; each with the personal data of its truth."""
    box = generate_corpus(folder, documents=documents, seed=seed, condition="clean300", personal=True)
    report = ingest_paths(ctx, box.pages, file_code=GENERATED_FILE)
    assert all(item.state == "done" for item in report.items), report.items
    ids = sorted(doc_id for item in report.items for doc_id in item.documents)
    assert len(ids) == len(box.documents), (ids, len(box.documents))
    assert publish_sample_file(ctx, GENERATED_FILE, actor="reviewer") == len(ids)
    return [GeneratedRecord(doc_id, protected_of_truth(truth.personal))
            for doc_id, truth in zip(ids, box.documents, strict=True)]
