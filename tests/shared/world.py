"""A small shared database for tests: a unit chain, one document per unit × access level, files, grants."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import date

from PIL import Image

from sohoa.db.models import Document, FileUnit, Page, Unit, UnitLink, User
from sohoa.domain.ocr import BBox, OcrPage, Word
from sohoa.engines.ocr_formats import ocr_page_to_json
from sohoa.index import make_index
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import store_bytes
from sohoa.services.production.ingest_store import document_index_doc

# Relation of each unit to the principal's own unit M: P was merged into M, M was merged into S.
RELATIONS = ("own", "predecessor", "successor", "unrelated")
LEVELS = ("public", "conditional", "internal", "secret")
UNIT_OF_RELATION = {"own": "T.M", "predecessor": "T.P", "successor": "T.S", "unrelated": "T.U"}


@dataclass
class World:
    """Ids of what was created, keyed by (relation, level)."""

    units: dict[str, int] = field(default_factory=dict)
    docs: dict[tuple[str, str], int] = field(default_factory=dict)
    files: dict[tuple[str, str], int] = field(default_factory=dict)
    marked_secret: int = 0  # an internal-level document with độ mật set: secret all the same
    users: dict[str, int] = field(default_factory=dict)

    def marker(self, relation: str, level: str) -> str:
        return f"mk{relation}{level}"


def _page(ctx: AppContext, session: object, doc: Document, words: list[str]) -> None:
    from sqlalchemy.orm import Session

    assert isinstance(session, Session)
    ocr_words = tuple(Word(w, BBox(100 + 120 * i, 200, 200 + 120 * i, 240), 0.9, 0, 0) for i, w in enumerate(words))
    ocr = OcrPage(1200, 1600, 150, ocr_words, "ocr", "fake")
    ocr_obj = store_bytes(session, ctx.store, ocr_page_to_json(ocr).encode(), media_type="application/json",
                          kind="ocr")
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), (240, 240, 230)).save(buffer, "JPEG")
    thumb = store_bytes(session, ctx.store, buffer.getvalue(), media_type="image/jpeg", kind="thumbnail")
    session.add(Page(document_id=doc.id, master_object_id=thumb.id, source_index=doc.id, page_no=1, width=1200,
                     height=1600, dpi=150, text=" ".join(words), ocr_object_id=ocr_obj.id,
                     thumbnail_object_id=thumb.id))


def build_world(ctx: AppContext) -> World:
    """Units T.P → T.M → T.S and T.U; a file and a document per unit × level; users per role."""
    world = World()
    index = make_index(ctx.db.engine)
    with ctx.db.session() as session:
        for relation, ident in UNIT_OF_RELATION.items():
            unit = Unit(identifier=ident, name=f"Phường {relation}", name_folded=f"phuong {relation}",
                        unit_type="phường")
            session.add(unit)
            session.flush()
            world.units[relation] = unit.id
        session.add(UnitLink(from_unit_id=world.units["predecessor"], to_unit_id=world.units["own"],
                             kind="merged_into"))
        session.add(UnitLink(from_unit_id=world.units["own"], to_unit_id=world.units["successor"],
                             kind="merged_into"))
        year = 2020
        for relation in RELATIONS:
            for level in LEVELS:
                year += 1
                unit_id = world.units[relation]
                file = FileUnit(file_code=f"F.{relation}.{level}", title=f"Hồ sơ {relation} {level}",
                                unit_id=unit_id, access_level=level, bloc="government",
                                permanent=level == "public", retention_years=None if level == "public" else 10)
                session.add(file)
                session.flush()
                words = ["Quyết", "định", "về", "việc", "hòa", "giải", world.marker(relation, level)]
                doc = Document(file_id=file.id, unit_id=unit_id, text=" ".join(words), source_name="t.pdf",
                               type_name="Quyết định", code_number=str(100 + len(world.docs)),
                               code_notation="QĐ-UBND", issued_date=date(2000 + len(world.docs), 5, 1),
                               subject=f"Hòa giải ở cơ sở {relation}", access_level=level, page_amount=1,
                               secrecy="Mật" if level == "secret" else None, state="published")
                session.add(doc)
                session.flush()
                _page(ctx, session, doc, words)
                index.upsert(session, document_index_doc(doc))
                world.docs[(relation, level)] = doc.id
                world.files[(relation, level)] = file.id
        doc = Document(file_id=world.files[("own", "internal")], unit_id=world.units["own"], secrecy="Tối mật",
                       text="Quyết định hòa giải mksecretmark", source_name="s.pdf", access_level="internal",
                       type_name="Quyết định", state="published")
        session.add(doc)
        session.flush()
        index.upsert(session, document_index_doc(doc))
        world.marked_secret = doc.id
        for role in ("admin", "archivist", "coordinator", "qc_inspector", "scan_operator", "unit_clerk",
                     "unit_officer"):
            user = User(username=f"u_{role}", password_hash="x", role=role,
                        unit_id=world.units["own"] if role.startswith("unit_") else None)
            session.add(user)
            session.flush()
            world.users[role] = user.id
    return world


def dumps(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)
