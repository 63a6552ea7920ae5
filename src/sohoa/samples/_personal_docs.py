"""Sample documents of communes and wards full of (fictitious) people: land allocation decisions, social
allowance decisions with household lists, residence confirmations and replies to complaints.

Each is a ``Content`` like any sample document, with a visible note that its personal data is fictitious,
and its gold personal spans: (kind, value) pairs and their offsets in the document's plain text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sohoa.domain.codes import type_by_name
from sohoa.domain.personal import PersonalKind, PersonalSpan
from sohoa.samples._content import _end_block, _header, _sign, _title
from sohoa.samples._model import BOLD, ITALIC, Content, Para, Run
from sohoa.samples._people import BANKS, person
from sohoa.samples._personal_text import Builder, dob, parcel, title
from sohoa.samples._phrases import legal_bases, paragraph
from sohoa.samples._phrases import person as signer_name
from sohoa.samples._rand import between, chance, day_between, pick, short_date
from sohoa.samples._units import Organ, pick_organ

__all__ = ["FICTITIOUS_NOTE", "KINDS", "PersonalDocument", "make_personal_document"]

K = PersonalKind
FICTITIOUS_NOTE = "Dữ liệu cá nhân hư cấu — tài liệu mẫu"
KINDS = ("land", "allowance", "residence", "complaint")


@dataclass(frozen=True)
class PersonalDocument:
    """A document's content, its plain text (header, body, end block, one line per paragraph) and the gold
    personal spans in that text."""

    content: Content
    text: str
    spans: tuple[PersonalSpan, ...]


class _Doc:
    """Paragraphs written with their gold spans, kept in document order."""

    def __init__(self) -> None:
        self.paras: list[Para] = []
        self.text = Builder()

    def add(self, b: Builder, style: str = "regular", lead: str = "", **kwargs: object) -> None:
        runs = ((Run(lead, BOLD),) if lead else ()) + (Run(b.text(), style),)
        self.paras.append(Para(runs, **kwargs))  # type: ignore[arg-type]
        self.text.add(lead).extend(b).add("\n")


def _ward_organ(rng: np.random.Generator) -> Organ:
    for _ in range(50):
        organ = pick_organ(rng)
        if organ.kind == "ubnd" and organ.area.startswith(("phường", "xã")):
            return organ
    return organ


def _land(doc: _Doc, rng: np.random.Generator, organ: Organ) -> None:
    p = person(rng)
    b = Builder().add(f"Giao đất cho hộ {title(p, rng).lower()} ").add(p.name, K.NAME).add(", ")
    dob(b, p, rng)
    b.add(", số CCCD: ").add(p.cccd, K.CCCD).add(", thường trú tại ").add(p.address, K.ADDRESS)
    b.add(", điện thoại ").add(p.phone, K.PHONE).add(", được sử dụng ")
    parcel(b, rng)
    b.add(f", diện tích {between(rng, 60, 480)} m2 tại {organ.area}; mục đích sử dụng: đất ở.")
    doc.add(b, lead="Điều 1. ")
    owner = title(p, rng).lower()
    doc.add(Builder().add(f"Ủy ban nhân dân {organ.area} có trách nhiệm bàn giao đất trên thực địa cho {owner} ")
            .add(p.name, K.NAME).add(" theo đúng diện tích, ranh giới."), lead="Điều 2. ")


def _allowance(doc: _Doc, rng: np.random.Generator, organ: Organ) -> None:
    doc.add(Builder().add("Phê duyệt danh sách đối tượng hưởng trợ cấp xã hội hằng tháng gồm các hộ sau:"),
            lead="Điều 1. ")
    for i in range(between(rng, 3, 6)):
        p = person(rng)
        b = Builder().add(f"{i + 1}. ").add(p.name, K.NAME).add(", ")
        dob(b, p, rng)
        b.add(", trú tại ").add(p.address, K.ADDRESS)
        if chance(rng, 0.6):
            b.add(", số tài khoản ").add(p.bank_account, K.BANK_ACCOUNT).add(f" tại {pick(rng, BANKS)}")
        doc.add(b.add(f"; mức trợ cấp {between(rng, 5, 15) * 50}.000 đồng/tháng;"))


def _residence(doc: _Doc, rng: np.random.Generator, organ: Organ) -> None:
    p = person(rng)
    b = Builder().add("Họ và tên: ").add(p.name.upper() if chance(rng, 0.4) else p.name, K.NAME)
    doc.add(Builder().add(f"Ủy ban nhân dân {organ.area} xác nhận:"))
    doc.add(b)
    doc.add(Builder().add("Ngày, tháng, năm sinh: ").add(short_date(p.born), K.DOB))
    label = pick(rng, ("Số định danh cá nhân: ", "Số CCCD: "))
    doc.add(Builder().add(label).add(p.cccd, K.CCCD).add("; số CMND cũ: ").add(p.cmnd, K.CMND))
    doc.add(Builder().add("Nơi thường trú: ").add(p.address, K.ADDRESS))
    doc.add(Builder().add("Phương tiện đăng ký: xe mô tô biển số ").add(p.plate, K.PLATE))
    doc.add(Builder().add(f"Hiện đang cư trú thực tế tại {organ.area} từ năm {between(rng, 1990, 2020)}."))


def _complaint(doc: _Doc, rng: np.random.Generator, organ: Organ) -> None:
    p = person(rng)
    head = title(p, rng).capitalize()
    b = Builder().add(f"Kính gửi: {head} ").add(p.name, K.NAME).add(" (địa chỉ: ").add(p.address, K.ADDRESS)
    b.add(").")
    doc.add(b, align="center", indent=False)
    b = Builder().add(f"Ủy ban nhân dân {organ.area} nhận được đơn của {head.lower()} ").add(p.name, K.NAME)
    b.add(" (số điện thoại ").add(p.phone, K.PHONE).add(", thư điện tử ").add(p.email, K.EMAIL)
    b.add(") phản ánh về việc lấn chiếm ")
    parcel(b, rng)
    doc.add(b.add(". Sau khi kiểm tra, xác minh, Ủy ban nhân dân trả lời như sau:"))


_BODIES = {"land": _land, "allowance": _allowance, "residence": _residence, "complaint": _complaint}
_TYPES = {"land": "Quyết định", "allowance": "Quyết định", "residence": "Thông báo", "complaint": "Công văn"}
_SUBJECTS = {"land": "Về việc giao đất ở cho hộ gia đình, cá nhân", "residence": "Xác nhận thông tin về cư trú",
             "allowance": "Về việc trợ cấp xã hội hằng tháng đối với đối tượng bảo trợ xã hội",
             "complaint": "trả lời đơn phản ánh của công dân"}


def make_personal_document(rng: np.random.Generator, kind: str | None = None) -> PersonalDocument:
    """One generated document of ``kind`` (drawn when None) with fictitious personal data."""
    kind = kind or pick(rng, KINDS)
    organ = _ward_organ(rng)
    type_name, subject = _TYPES[kind], _SUBJECTS[kind]
    when = day_between(rng, organ.date_from, organ.date_to)
    number, notation, number_sign = _sign(rng, organ, type_name, when.year)
    signer, _ = signer_name(rng)
    left, right = _header(organ, number_sign, subject, type_name, when)
    doc = _Doc()
    for line in left + right:
        doc.text.add(line.text + "\n")
    title_paras = _title(type_name, subject, [])
    for p in title_paras:
        doc.text.add("".join(r.text for r in p.runs) + "\n")
    doc.add(Builder().add(f"({FICTITIOUS_NOTE})"), ITALIC, align="center", indent=False, space_before=4)
    for basis in legal_bases(rng, when.year, 2) if type_name == "Quyết định" else []:
        doc.add(Builder().add(basis + ";"), ITALIC)
    _BODIES[kind](doc, rng, organ)
    closing = paragraph(rng, {"place": organ.area, "superior": organ.superior}, when)
    doc.add(Builder().add(closing))
    end, recipients, position = _end_block(rng, organ, type_name, signer, [])
    for line in end.left + end.right:
        doc.text.add(line.text + "\n")
    doc_type = type_by_name(type_name)
    fields: dict[str, str | None] = {
        "type_name": type_name, "code_number": number, "code_notation": notation,
        "issued_date": when.isoformat(), "place": organ.place, "organ_name": " ".join(organ.organ_lines),
        "parent_organ_name": " ".join(organ.parent_lines) or None,
        "subject": f"V/v {subject}" if type_name == "Công văn" else subject,
        "signer_position": position, "signer_full_name": signer, "secrecy": None, "urgency": None,
    }
    content = Content(fields, doc_type.tt05_code if doc_type else "", number_sign, left, right, [], title_paras,
                      doc.paras, [], [], end, recipients, [], seal_text=organ.display.upper(),
                      personal=tuple((span.kind.value, span.text) for span in doc.text.spans()))
    return PersonalDocument(content, doc.text.text(), tuple(doc.text.spans()))

