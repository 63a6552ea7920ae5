"""The embedded archive that ``sohoa migrate-to`` copies in the tests: the restore drill's hồ sơ (documents
ingested, one edited by hand, the file published, staff accounts), a generated commune document full of
fictitious personal data read by real Tesseract, a signed PDF master, an internal document sealed at rest (an
envelope and its key record), audit events with a signed checkpoint; and what is compared across profiles."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from sohoa.db.models import Document, DocumentSignature, EncryptedObject, PersonalDatum, StoredObject
from sohoa.samples import generate_corpus
from sohoa.services.platform.audit import record_event, verify_chain
from sohoa.services.platform.audit_checkpoint import write_checkpoint
from sohoa.services.platform.context import AppContext
from sohoa.services.preservation.backup_db import table_counts
from sohoa.services.preservation.encryption import encrypt_due, init_keys
from sohoa.services.production.ingest import ingest_paths
from sohoa.settings import Settings
from sohoa.signing.pades import sign_pdf
from tests.engines.test_pdf_signatures import make_signer
from tests.ingest.test_born_digital import legal_pdf
from tests.web import _helpers as web

from ._drill import build_archive

SIGNS = ("191/UBND-TH", "2112/QĐ-UBND")  # số/ký hiệu lookups (Tesseract read them): one document each
QUERIES = ("hòa giải", "hoa giai", "Quyết định", "ubnd", "phường", "ban hành", "uỷ ban", *SIGNS)


@dataclass(frozen=True)
class Picture:
    """What must be equal on both profiles: rows per table, stored objects, search hits (ranked), audit head."""

    counts: dict[str, int]
    objects: list[str]
    hits: dict[str, list[int]]
    audit: tuple[int, int, str]


def build_world(ctx: AppContext, folder: Path) -> None:
    """The archive described above, in ``ctx`` (embedded profile)."""
    file_code = build_archive(ctx, folder / "scans")
    generate_corpus(folder / "commune", documents=1, seed=11, multipage=False, personal=True)
    (folder / "commune" / "truth.json").unlink()
    report = ingest_paths(ctx, [folder / "commune"], file_code=file_code)  # Tesseract, as configured
    assert [i.state for i in report.items] == ["done"], report.items
    signer = make_signer(folder / "signer")
    signed = folder / "signed" / "qd-ky-so.pdf"
    signed.parent.mkdir()
    signed.write_bytes(sign_pdf(legal_pdf(folder / "signed-plain.pdf").read_bytes(), signer.key,
                                reason="Ban hành", location="Hà Nội", field_name="ChuKy1"))
    report = ingest_paths(ctx, [signed], file_code=file_code, engine_factory=web.fake_engine)  # type: ignore[arg-type]
    assert [i.state for i in report.items] == ["done"], report.items
    with ctx.db.session() as session:
        file_id = session.execute(select(Document.file_id).order_by(Document.id)).scalars().first()
    assert file_id is not None
    web.document(ctx, file_id, pages=1, access_level="internal")
    init_keys(ctx, "test")
    assert encrypt_due(ctx).sealed >= 1
    with ctx.db.session() as session:
        record_event(session, "test", "test.before_migration", None, None, {"note": "Trước khi chuyển"})
    assert write_checkpoint(ctx) is not None
    with ctx.db.session() as session:  # the world holds what the migration must carry
        for model in (PersonalDatum, DocumentSignature, EncryptedObject):
            assert session.execute(select(model.id).limit(1)).first() is not None, model.__name__


def picture(ctx: AppContext) -> Picture:
    with ctx.db.engine.connect() as conn:
        counts = table_counts(conn)
    with ctx.db.session() as session:
        objects = list(session.execute(select(StoredObject.sha256).order_by(StoredObject.id)).scalars())
        hits = {q: [h.document_id for h in ctx.index.search(session, q).hits] for q in QUERIES}
        chain = verify_chain(session)
    assert chain.ok
    return Picture(counts, objects, hits, (chain.checked, chain.head_id, chain.head_hash))


def tree_digests(*roots: Path) -> dict[str, str]:
    """SHA-256 of every file under ``roots`` (the source must come out of a migration byte for byte)."""
    found = {}
    for root in roots:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def world_settings(data: Path) -> Settings:
    return Settings(data=data, workers=1)
