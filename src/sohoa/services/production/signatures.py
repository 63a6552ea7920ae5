"""Digital signatures of ingested PDF masters: read once per master (never changing it), stored with each of
its documents, summarised in the document's provenance and search text, and noted in the PDF/A (dc:source)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import UTC
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, DocumentSignature, IngestItem, Page, StoredObject
from sohoa.engines.pdf_signatures import PdfSignature, read_pdf_signatures
from sohoa.engines.pdfa_source import note_source
from sohoa.pipeline.documents import BuiltDocument
from sohoa.pipeline.work import PageOutcome
from sohoa.services.platform.context import AppContext

__all__ = [
    "carry_signatures",
    "note_signed_originals",
    "read_master_signatures",
    "source_note",
    "store_signatures",
    "stored_source_note",
    "summary",
]

_PDF_MAGIC = b"%PDF-"


def _is_pdf(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return _PDF_MAGIC in handle.read(1024)
    except OSError:
        return False


def read_master_signatures(ctx: AppContext, outcomes: Sequence[PageOutcome]) -> dict[int, list[PdfSignature]]:
    """Item id → the signatures of its master, for every PDF master of ``outcomes`` that has any. Read from
    the batch's work copy, which is the master byte for byte; nothing is written."""
    paths: dict[int, str] = {}
    for outcome in outcomes:
        paths.setdefault(outcome.item_id, outcome.source_path)
    roots = ctx.settings.signature_trust_root_paths
    found: dict[int, list[PdfSignature]] = {}
    for item_id, path in paths.items():
        if path and _is_pdf(path):
            signatures = read_pdf_signatures(Path(path), trust_roots=roots)
            if signatures:
                found[item_id] = signatures
    return found


def _signer(sig: PdfSignature) -> str:
    names = [n for n in (sig.signer_common_name, sig.signer_organisation) if n]
    return " — ".join(dict.fromkeys(names)) or "?"


def source_note(signatures: Sequence[PdfSignature], source_name: str, master_sha256: str) -> str:
    """The dc:source of a PDF/A made from a signed master (vi / en)."""
    parts = []
    for sig in signatures:
        if sig.status != "read":
            parts.append("chữ ký không đọc được / unreadable signature")
            continue
        when = sig.signing_time.isoformat() if sig.signing_time else "?"
        state = "nguyên vẹn / intact" if sig.intact and sig.valid else "đã bị thay đổi / modified"
        parts.append(f"{_signer(sig)}, {when}, {state}")
    return (f"Bản gốc có chữ ký số / derived from a digitally signed original: {source_name} "
            f"(sha256 {master_sha256}); " + "; ".join(parts))


def _stored(session: Session, document_id: int) -> list[tuple[PdfSignature, str]]:
    """The stored signatures of a document (as read values) with their master's SHA-256."""
    rows = session.execute(
        select(DocumentSignature, StoredObject.sha256)
        .join(StoredObject, DocumentSignature.master_object_id == StoredObject.id)
        .where(DocumentSignature.document_id == document_id)
        .order_by(DocumentSignature.master_object_id, DocumentSignature.position)).all()
    return [(PdfSignature(index=row.position, field_name=row.field_name, status=row.status,
                          signer_common_name=row.signer_common_name, signer_organisation=row.signer_organisation,
                          signing_time=row.signing_time, intact=row.intact, valid=row.valid), sha)
            for row, sha in rows]


def stored_source_note(session: Session, doc: Document) -> str | None:
    """The dc:source of ``doc``'s PDF/A from its stored signatures (for a PDF/A rendered again); None when
    its master was not signed."""
    stored = _stored(session, doc.id)
    if not stored:
        return None
    return source_note([sig for sig, _ in stored], doc.source_name, stored[0][1])


def carry_signatures(session: Session, source: Document, target: Document) -> None:
    """``target`` now holds pages of ``source``'s masters (a split or a merge): it gets their signature rows
    too, and its provenance summary follows. Call before the target is indexed and its PDF/A rebuilt."""
    masters = set(session.execute(select(Page.master_object_id).where(Page.document_id == target.id)).scalars())
    have = {(master, position) for master, position in session.execute(
        select(DocumentSignature.master_object_id, DocumentSignature.position)
        .where(DocumentSignature.document_id == target.id))}
    rows = session.execute(select(DocumentSignature).where(DocumentSignature.document_id == source.id,
                                                           DocumentSignature.master_object_id.in_(masters))).scalars()
    copied = [_copy(row, target.id) for row in rows if (row.master_object_id, row.position) not in have]
    if not copied:
        return
    session.add_all(copied)
    session.flush()
    provenance = dict(target.provenance or {})
    provenance["_signatures"] = summary([sig for sig, _ in _stored(session, target.id)])
    target.provenance = provenance


def _copy(row: DocumentSignature, document_id: int) -> DocumentSignature:
    columns = {c.key: getattr(row, c.key) for c in DocumentSignature.__table__.columns if c.key not in ("id",)}
    return DocumentSignature(**{**columns, "document_id": document_id})


def note_signed_originals(built_docs: Sequence[BuiltDocument], outcomes: Sequence[PageOutcome],
                          items: Mapping[int, IngestItem],
                          signatures: Mapping[int, list[PdfSignature]]) -> list[BuiltDocument]:
    """``built_docs`` with the PDF/A of every document of a signed master saying so in its XMP."""
    result = []
    for built in built_docs:
        item = items[outcomes[built.page_indexes[0]].item_id]
        found = signatures.get(item.id)
        if found:
            built = dataclasses.replace(built, pdf=note_source(built.pdf, source_note(
                found, item.original_name, item.sha256)))
        result.append(built)
    return result


def summary(signatures: Sequence[PdfSignature]) -> dict[str, Any]:
    """What the document's provenance keeps: count, signers, whether every signature is intact."""
    read = [s for s in signatures if s.status == "read"]
    return {"count": len(signatures), "unreadable": len(signatures) - len(read),
            "signers": list(dict.fromkeys(_signer(s) for s in read)),
            "intact": bool(read) and all(s.intact and s.valid for s in read)}


def store_signatures(session: Session, doc: Document, item: IngestItem, signatures: Sequence[PdfSignature]) -> None:
    """One row per signature of ``item``'s master for ``doc`` (replacing earlier ones: idempotent), and the
    summary in the document's provenance (``_signatures``)."""
    if item.master_object_id is None:
        return
    session.execute(delete(DocumentSignature).where(DocumentSignature.document_id == doc.id,
                                                    DocumentSignature.master_object_id == item.master_object_id))
    session.add_all(_row(doc.id, item.master_object_id, sig) for sig in signatures)
    provenance = dict(doc.provenance or {})
    provenance["_signatures"] = summary(signatures)
    doc.provenance = provenance  # a new dict: the JSON column sees the change


def _row(document_id: int, master_id: int, sig: PdfSignature) -> DocumentSignature:
    details = {k: v for k, v in sig.as_dict().items()
               if k in ("revision", "revisions", "pages_covered", "page_count", "digest_algorithm",
                        "widget_page", "widget_rect")}
    return DocumentSignature(
        document_id=document_id, master_object_id=master_id, position=sig.index, field_name=sig.field_name[:200],
        status=sig.status, reason=sig.reason, signer_subject=sig.signer_subject,
        signer_common_name=(sig.signer_common_name or None) and sig.signer_common_name[:500],
        signer_organisation=(sig.signer_organisation or None) and sig.signer_organisation[:500],
        issuer=sig.issuer, serial=sig.serial, time_source=sig.time_source,
        signing_time=sig.signing_time.astimezone(UTC) if sig.signing_time else None,  # SQLite keeps no offset
        intact=sig.intact, valid=sig.valid, trust=sig.trust, coverage=sig.coverage, details=details)
