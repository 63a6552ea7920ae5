"""A small world like a fresh ``sohoa demo`` for the browser scans and role journeys: the Hà Nội units, one
user per role, an accession with a file whose reviewed documents wait to be published (internal) and one file
already public, documents in review and QC, a fonds, and a citizen's copy request — without OCR."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from sohoa.db.models import Document, FileUnit
from sohoa.index import make_index
from sohoa.services.catalogue.subject_requests import NewRequest, create_request
from sohoa.services.identity.access_changes import change_file_access
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext
from sohoa.services.production import arrangement
from sohoa.services.production.ingest_store import document_index_doc
from sohoa.services.registry.units import import_hanoi_2025
from sohoa.services.sharing.copies import Requester, request_copy

from . import _helpers as helpers

__all__ = ["RoleWorld", "build_role_world"]


@dataclass
class RoleWorld:
    """Ids the scans and journeys open pages with."""

    accession_id: int
    waiting_file: int  # internal: its reviewed documents wait for the file to be made public
    public_file: int
    fonds_id: int
    docs: dict[str, int] = field(default_factory=dict)  # reviewed, review, qc, published
    copy_code: str = ""
    subject_request: str = ""  # a data subject request's code (access, for Nguyễn Văn An)

    def file_code(self, ctx: AppContext, file_id: int) -> str:
        with ctx.db.session() as session:
            return str(session.execute(select(FileUnit.file_code).where(FileUnit.id == file_id)).scalar_one())


def _document(ctx: AppContext, file_id: int, state: str, number: int, subject: str) -> int:
    return helpers.document(
        ctx,
        file_id,
        state=state,
        type_name="Quyết định",
        code_number=str(number),
        code_notation="QĐ-UBND",
        issued_date=date(2020, 6, 5),
        subject=subject,
        organ_name="Ủy ban nhân dân phường Thử",
        signer_full_name="Nguyễn Văn Bình",
        signer_position="Chủ tịch",
    )


def build_role_world(ctx: AppContext, *, copy_request: bool = True) -> RoleWorld:
    """The world; without ``copy_request`` no citizen has asked for a copy yet."""
    import_hanoi_2025(ctx, actor="demo")
    helpers.users(ctx)
    accession_id, (waiting_file, public_file) = helpers.accession_with_files(ctx, files=2)
    docs = {
        "reviewed": _document(ctx, waiting_file, "accepted", 15, "Về việc thành lập tổ công tác số hóa tài liệu"),
        "review": _document(ctx, waiting_file, "review", 16, "Về việc kiện toàn tổ hòa giải"),
        "qc": _document(ctx, waiting_file, "qc", 17, "Về việc giao chỉ tiêu lưu trữ"),
        "published": _document(ctx, public_file, "accepted", 9, "Về việc công nhận tổ dân phố văn hóa"),
    }
    change_file_access(ctx, public_file, "public", "admin", "QĐ 1/QĐ-VP", role="admin")
    index = make_index(ctx.db.engine)
    with ctx.db.session() as session:
        for doc in session.execute(select(Document).where(Document.id.in_(docs.values()))).scalars():
            index.upsert(session, document_index_doc(doc))
    fonds_id = arrangement.create_fonds(ctx, "P01", "Phông UBND phường Thử", helpers.unit(ctx), actor="admin")
    code = ""
    if copy_request:
        code = request_copy(
            ctx,
            docs["published"],
            Requester("Nguyễn Văn An", "001090012345", "an@example.vn", purpose="Bổ sung hồ sơ đất đai"),
        ).code
    subject_request = create_request(ctx, Principal(0, "demo", "archivist"), NewRequest(
        "access", "Nguyễn Văn An", "Nguyễn Văn An", subject_id_number="001090012345", note="Dữ liệu giả lập"))
    return RoleWorld(accession_id, waiting_file, public_file, fonds_id, docs, code, subject_request)
