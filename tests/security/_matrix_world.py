"""The world of the route matrix: documents at every access level × secrecy × state, each with a unique
marker word and unique image bytes, users of every role, API tokens, and the oracle of who sees what.

The oracle is written from the rule as stated in docs/security.md, not from the policy code: a document
marked độ mật is seen by no network caller; archive staff see every other document in any state; unit
staff see their own unit's documents at their levels; everyone else (anonymous callers, public tokens,
other units) sees a document only when it is public and accepted or published.
"""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from datetime import date

from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import CopyRequest, Document, FileUnit, Page, QcInspection, StoredObject, Unit
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.engines.ocr_formats import ocr_page_to_json
from sohoa.index import make_index
from sohoa.services.identity import accounts, tokens
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import store_bytes
from sohoa.services.production.ingest_store import document_index_doc

PASSWORD = "mat-khau-thu-nghiem"
STAFF = ("admin", "coordinator", "qc_inspector", "archivist", "scan_operator", "unit_clerk", "unit_officer")
TOKENS = ("tok_public", "tok_unit", "tok_admin")
KINDS = ("anon", *STAFF, *TOKENS)
ARCHIVE = frozenset({"admin", "coordinator", "qc_inspector", "archivist", "scan_operator", "tok_admin"})
UNIT_KINDS = frozenset({"unit_clerk", "unit_officer", "tok_unit"})
PUBLISHED = frozenset({"accepted", "published"})
COMMON = "hòa giải"        # a phrase every document holds: counts and facets are checked with it
SUGGEST_WORD = "quyxetmat"  # only in độ mật documents: "did you mean" must never offer it
TYPO = "quyxetmaq"          # one edit away from SUGGEST_WORD


@dataclass(frozen=True)
class Spec:
    """One document of the matrix: unit ("own" is the unit of the unit users and token), level, secrecy, state."""

    unit: str
    level: str
    secrecy: str | None
    state: str
    pages: int = 1

    @property
    def secret(self) -> bool:
        return self.secrecy is not None or self.level == "secret"


SPECS: dict[str, Spec] = {
    "pubok": Spec("own", "public", None, "published"),
    "pubother": Spec("other", "public", None, "accepted"),
    "pubrev": Spec("own", "public", None, "review"),          # public but not reviewed yet
    "pubqc": Spec("other", "public", None, "qc"),             # public, waiting for QC
    "intown": Spec("own", "internal", None, "accepted"),
    "intother": Spec("other", "internal", None, "review"),
    "condother": Spec("other", "conditional", None, "published"),
    "pubsec": Spec("own", "public", "Mật", "published"),      # public level but marked độ mật
    "sec": Spec("other", "secret", "Tối mật", "published"),
    "secrev": Spec("own", "internal", "Mật", "review"),       # in the review queue
    "secqc": Spec("own", "secret", "Mật", "qc"),              # in the QC queue
    "secscan": Spec("own", "internal", "Mật", "rework_scan"),  # sent back to scanning, with a QC comment
    "pubtwo": Spec("own", "public", None, "published"),       # merged with sectwo below
    "sectwo": Spec("own", "secret", "Tuyệt mật", "review"),
    "secsplit": Spec("own", "internal", "Mật", "review", pages=3),  # split below
}
# Markers searched for before merge/split; those of sectwo and secsplit are kept for after (see the test).
LATE = ("sectwo", "secsplit")
BY_MERGE = ("pubtwo", *LATE)  # asked after merge/split (test_route_matrix_after_merge_and_split)


def marker(key: str) -> str:
    return f"zq{key}mark"


def visible(kind: str, spec: Spec) -> bool:
    """Whether the caller ``kind`` may see a document (the oracle)."""
    if spec.secret:
        return False
    if kind in ARCHIVE:
        return True
    if kind in UNIT_KINDS and spec.unit == "own":
        return True
    return spec.level == "public" and spec.state in PUBLISHED


@dataclass
class Matrix:
    """Ids, credentials and the documents' current specs (merge and split change them)."""

    docs: dict[str, int] = field(default_factory=dict)
    specs: dict[str, Spec] = field(default_factory=dict)
    pages: dict[str, list[int]] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    units: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    copies: dict[str, str] = field(default_factory=dict)  # document key → copy request code

    def secret_keys(self) -> list[str]:
        return [k for k, s in self.specs.items() if s.secret]


def _noise(seed: int, fmt: str) -> bytes:
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (48, 64), bytes(rng.randrange(256) for _ in range(48 * 64 * 3)))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def _store(ctx: AppContext, session: Session, data: bytes, media_type: str, kind: str) -> int:
    return store_bytes(session, ctx.store, data, media_type=media_type, kind=kind).id


def _page(ctx: AppContext, session: Session, doc: Document, number: int, words: list[str], seed: int) -> None:
    ocr_words = tuple(Word(w, BBox(100 + 120 * i, 200, 200 + 120 * i, 240), 0.9, 0, 0) for i, w in enumerate(words))
    ocr = ocr_page_to_json(OcrPage(480, 640, 150, ocr_words, "ocr", "fake")).encode()
    session.add(Page(document_id=doc.id, page_no=number, source_index=0, width=48, height=64, dpi=300,
                     text=" ".join(words),
                     master_object_id=_store(ctx, session, _noise(seed, "PNG"), "image/png", "master"),
                     image_object_id=_store(ctx, session, _noise(seed + 1, "JPEG"), "image/jpeg", "image"),
                     thumbnail_object_id=_store(ctx, session, _noise(seed + 2, "JPEG"), "image/jpeg", "thumbnail"),
                     ocr_object_id=_store(ctx, session, ocr, "application/json", "ocr")))


def _document(ctx: AppContext, session: Session, matrix: Matrix, key: str, spec: Spec, serial: int) -> Document:
    file = FileUnit(file_code=f"MX.{key}", title=f"Hồ sơ {serial}", unit_id=matrix.units[spec.unit],
                    access_level=spec.level if spec.level != "secret" else "secret", bloc="government")
    session.add(file)
    session.flush()
    words = ["Quyết", "định", "về", "việc", "hòa", "giải", marker(key)] + ([SUGGEST_WORD] if spec.secret else [])
    doc = Document(file_id=file.id, unit_id=matrix.units[spec.unit], text=" ".join(words),
                   source_name=f"{marker(key)}.pdf", type_name="Quyết định", code_number=str(500 + serial),
                   code_notation="QĐ-UBND",
                   issued_date=date(2001, 1, 1 + serial), subject=f"Hòa giải {marker(key)}",
                   access_level=spec.level, secrecy=spec.secrecy, state=spec.state, page_amount=spec.pages)
    session.add(doc)
    session.flush()
    for number in range(1, spec.pages + 1):
        _page(ctx, session, doc, number, words, serial * 100 + number * 10)
    pdf = b"%PDF-1.4\n% " + marker(key).encode() + b" " + _noise(serial * 100 + 99, "PNG") + b"\n%%EOF\n"
    doc.pdf_object_id = _store(ctx, session, pdf, "application/pdf", "pdf")
    session.flush()
    record_event(session, "system", "document.create", "document", doc.id, {})
    if spec.state.startswith("rework_"):
        session.add(QcInspection(document_id=doc.id, inspector="mx_qc_inspector", operator="mx_scan_operator",
                                 decision="reject", defects=["D01"], comment=f"Ảnh mờ {marker(key)}",
                                 rework_to="scanning", checks=[], decided_on=date(2024, 1, 1)))
    if spec.state in PUBLISHED:
        record_event(session, "system", "document.publish", "document", doc.id, {})
    matrix.files[key] = file.id
    return doc


def _copy(ctx: AppContext, session: Session, matrix: Matrix, key: str) -> None:
    """An approved certified copy of a document (its signed PDF stands in as plain bytes)."""
    blob = b"%PDF-1.4\n% copy " + marker(key).encode() + b"\n%%EOF\n"
    code = f"copy{key}"
    session.add(CopyRequest(code=code, document_id=matrix.docs[key], requester_name="Nguyễn Văn A",
                            id_number="001099000001", purpose="", state="approved",
                            copy_object_id=_store(ctx, session, blob, "application/pdf", "certified_copy")))
    matrix.copies[key] = code


def build_matrix(ctx: AppContext) -> Matrix:
    """Units, documents, copies, users of every role and three API tokens."""
    matrix = Matrix(specs=dict(SPECS))
    index = make_index(ctx.db.engine)
    with ctx.db.session() as session:
        for name, ident in (("own", "MX.OWN"), ("other", "MX.OTHER")):
            unit = Unit(identifier=ident, name=f"Phường {name}", name_folded=f"phuong {name}", unit_type="phường")
            session.add(unit)
            session.flush()
            matrix.units[name] = unit.id
        for serial, (key, spec) in enumerate(SPECS.items(), start=1):
            doc = _document(ctx, session, matrix, key, spec, serial)
            index.upsert(session, document_index_doc(doc))
            matrix.docs[key] = doc.id
        for key in ("pubok", "pubtwo", "sec"):
            _copy(ctx, session, matrix, key)
        # What a local correction of a độ mật document leaves in the audit log: its field values.
        record_event(session, "system", "document.update", "document", matrix.docs["secrev"],
                     {"changes": {"subject": ["", f"Trích yếu {marker('secrev')}"]}})
    refresh_pages(ctx, matrix)
    for role in STAFF:
        accounts.create_user(ctx, f"mx_{role}", PASSWORD, role,
                             unit_id=matrix.units["own"] if role.startswith("unit_") else None)
    matrix.tokens["tok_public"] = tokens.create_token(ctx, "mx-public", ["read:public"])[0]
    matrix.tokens["tok_unit"] = tokens.create_token(ctx, "mx-unit", ["read:unit"], unit="MX.OWN")[0]
    matrix.tokens["tok_admin"] = tokens.create_token(ctx, "mx-admin", ["admin"])[0]
    return matrix


def refresh_pages(ctx: AppContext, matrix: Matrix) -> None:
    with ctx.db.session() as session:
        for key, doc_id in matrix.docs.items():
            matrix.pages[key] = list(session.execute(select(Page.id).where(Page.document_id == doc_id)
                                                     .order_by(Page.page_no)).scalars())


def secret_blobs(ctx: AppContext, matrix: Matrix) -> list[bytes]:
    """A 48-byte slice from the middle of every image and PDF of a độ mật document (the OCR JSON of all
    documents looks alike byte for byte: the marker words check it)."""
    slices: list[bytes] = []
    with ctx.db.session() as session:
        for key in matrix.secret_keys():
            doc = session.get(Document, matrix.docs[key])
            assert doc is not None
            ids = [doc.pdf_object_id] + [i for p in doc.pages for i in (p.master_object_id, p.image_object_id,
                                                                       p.thumbnail_object_id)]
            for stored in session.execute(select(StoredObject).where(StoredObject.id.in_([i for i in ids if i]))
                                          ).scalars():
                data = ctx.store.read(stored.sha256)
                middle = max(0, len(data) // 2 - 24)
                slices.append(data[middle:middle + 48])
    return slices
