"""OAI-PMH records: the documents as harvesters see them, and the datestamp table kept in step with them.

A harvest never trusts a change to have been announced: before a list (or a GetRecord) it *reconciles* the
``oai_records`` table with the documents. Each document's metadata and visibility are hashed; a new hash, a new
document or a vanished one gets the reconciliation's clock as its datestamp. Reconciliations are serialised on
the ``oai_state`` row (PostgreSQL row lock, SQLite write lock) and read the clock only once they hold it, so a
datestamp written later is never earlier than one written before, and a list that reads after its own
reconciliation sees every datestamp written before it. Whatever the table says, what a caller is shown
is decided live by the access policy (:func:`in_view`): a stale row can never reveal a document.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, true, update
from sqlalchemy.orm import Session, load_only

from sohoa.db.models import Document, FileUnit, Fonds, OaiRecord, OaiState, Unit
from sohoa.domain.fields import RecordHeading
from sohoa.domain.text import fold
from sohoa.domain.workflow import DocumentState
from sohoa.services.identity.policy import DocumentScope, is_secret, scope_allows
from sohoa.services.platform.context import AppContext

__all__ = [
    "ANONYMOUS",
    "OaiDocument",
    "in_view",
    "load_documents",
    "reconcile",
    "set_spec",
]

ANONYMOUS = DocumentScope(frozenset({"public"}), frozenset())  # what document_scope(None) returns
_GONE_STATES = frozenset({DocumentState.MERGED, DocumentState.SUPERSEDED})
_SPEC_UNSAFE = re.compile(r"[^A-Za-z0-9\-_.!~*'()]+")
_DOC_COLUMNS = (Document.id, Document.file_id, Document.unit_id, Document.doc_code, Document.type_name,
                Document.code_number, Document.code_notation, Document.issued_date, Document.place,
                Document.organ_name, Document.parent_organ_name, Document.subject, Document.signer_position,
                Document.signer_full_name, Document.secrecy, Document.urgency, Document.language,
                Document.page_amount, Document.access_level, Document.state)
_BATCH = 500


def set_spec(kind: str, value: str | None) -> str | None:
    """``kind:value`` with the value folded to setSpec's characters (Vietnamese marks dropped, others → '-')."""
    if not value or not value.strip():
        return None
    slug = _SPEC_UNSAFE.sub("-", fold(value.strip()) if kind == "type" else value.strip()).strip("-")
    return f"{kind}:{slug}" if slug else None


@dataclass(frozen=True)
class OaiDocument(RecordHeading):
    """One document's harvestable metadata (NĐ 30 Phụ lục VI fields, its file, fonds and unit)."""

    doc_code: str | None
    signer_position: str | None
    signer_full_name: str | None
    secrecy: str | None
    urgency: str | None
    language: str | None
    page_amount: int
    access_level: str
    file_code: str | None
    file_title: str | None
    fonds_code: str | None
    fonds_name: str | None
    unit_identifier: str | None
    unit_name: str | None

    @property
    def sets(self) -> tuple[str, ...]:
        specs = (set_spec("unit", self.unit_identifier), set_spec("fonds", self.fonds_code),
                 set_spec("type", self.type_name))
        return tuple(s for s in specs if s)


@dataclass(frozen=True)
class _Loaded:
    doc: Document
    record: OaiDocument


def _query(ids: Sequence[int] | None) -> object:
    stmt = (select(Document, FileUnit.file_code, FileUnit.title, Fonds.code, Fonds.name, Unit.identifier,
                   Unit.name)
            .options(load_only(*_DOC_COLUMNS))
            .outerjoin(FileUnit, FileUnit.id == Document.file_id)
            .outerjoin(Fonds, Fonds.id == FileUnit.fonds_id)
            .outerjoin(Unit, Unit.id == Document.unit_id)
            .order_by(Document.id))
    return stmt if ids is None else stmt.where(Document.id.in_(ids))


def _chunks(ids: Sequence[int] | None) -> Iterable[Sequence[int] | None]:
    return [None] if ids is None else (ids[i:i + _BATCH] for i in range(0, len(ids), _BATCH))


def load_documents(session: Session, ids: Sequence[int] | None = None) -> dict[int, _Loaded]:
    """The documents (all, or ``ids``) with their harvestable metadata, by id."""
    out: dict[int, _Loaded] = {}
    for chunk in _chunks(ids):
        for doc, file_code, file_title, fonds_code, fonds_name, unit_ident, unit_name in session.execute(
                _query(chunk)):  # type: ignore[call-overload]
            fields = {c.key: getattr(doc, c.key) for c in _DOC_COLUMNS if c.key not in ("id", "file_id", "unit_id",
                                                                                        "state")}
            record = OaiDocument(document_id=doc.id, **fields, file_code=file_code, file_title=file_title,
                                 fonds_code=fonds_code, fonds_name=fonds_name, unit_identifier=unit_ident,
                                 unit_name=unit_name)
            out[doc.id] = _Loaded(doc, record)
    return out


def in_view(scope: DocumentScope, doc: Document | None) -> bool:
    """Whether a harvester with ``scope`` is shown the document as a live record (else: deleted, or nothing).
    The access policy decides; documents merged away or superseded by a rescan are gone for every harvester."""
    return doc is not None and doc.state not in _GONE_STATES and scope_allows(scope, doc)


def _base(ids: Sequence[int] | None) -> Any:
    return (select(*_DOC_COLUMNS, FileUnit.file_code, FileUnit.title, Fonds.code, Fonds.name, Unit.identifier,
                   Unit.name)
            .outerjoin(FileUnit, FileUnit.id == Document.file_id)
            .outerjoin(Fonds, Fonds.id == FileUnit.fonds_id)
            .outerjoin(Unit, Unit.id == Document.unit_id)
            .where(true() if ids is None else Document.id.in_(ids)))


def _fingerprints(session: Session, ids: Sequence[int] | None) -> dict[int, str]:
    """SHA-256 of each document's metadata and visibility columns (plain rows: no ORM objects for the scan)."""
    out: dict[int, str] = {}
    connection = session.connection()
    for chunk in _chunks(ids):
        for row in connection.execute(_base(chunk)):
            out[row[0]] = hashlib.sha256("\x1f".join(map(str, row)).encode("utf-8")).hexdigest()
    return out


def _apply(row: OaiRecord, loaded: _Loaded, now: datetime, fingerprint: str) -> None:
    doc, record = loaded.doc, loaded.record
    public = in_view(ANONYMOUS, doc)
    row.datestamp, row.fingerprint, row.gone = now, fingerprint, False
    row.public, row.ever_public = public, bool(row.ever_public) or public
    if is_secret(doc):
        return  # its sets and unit stay those under which it was last offered
    row.offered, row.last_unit_id, row.last_file_id = True, doc.unit_id, doc.file_id
    row.unit_spec, row.unit_name = set_spec("unit", record.unit_identifier), record.unit_name
    row.fonds_spec, row.fonds_name = set_spec("fonds", record.fonds_code), record.fonds_name
    row.type_spec, row.type_name = set_spec("type", record.type_name), record.type_name


def _lock(session: Session) -> tuple[datetime, datetime | None]:
    """Take the reconciliation lock (the first write of the transaction), then read the clock and the moment
    of the last full pass."""
    session.execute(update(OaiState).where(OaiState.id == 1).values(passes=OaiState.passes + 1))
    last = session.scalar(select(OaiState.synced_at).where(OaiState.id == 1))
    return datetime.now(UTC), (last if last is None or last.tzinfo else last.replace(tzinfo=UTC))


def _sync(session: Session, now: datetime, ids: Sequence[int] | None) -> int:
    prints = _fingerprints(session, ids)
    known: dict[int, tuple[str, bool]] = {}
    for chunk in _chunks(ids):
        stmt = select(OaiRecord.document_id, OaiRecord.fingerprint, OaiRecord.gone)
        for doc_id, fingerprint, gone in session.execute(
                stmt if chunk is None else stmt.where(OaiRecord.document_id.in_(chunk))):
            known[doc_id] = (fingerprint, bool(gone))
    changed = [d for d, fp in prints.items() if known.get(d) != (fp, False)]
    vanished = [d for d, (_, gone) in known.items() if d not in prints and not gone]
    for chunk in _chunks(changed):
        assert chunk is not None
        loaded = load_documents(session, chunk)
        rows = {r.document_id: r for r in session.scalars(select(OaiRecord).where(OaiRecord.document_id.in_(chunk)))}
        for doc_id in chunk:
            row = rows.get(doc_id)
            if row is None:
                row = OaiRecord(document_id=doc_id, ever_public=False, offered=False)
                session.add(row)
            _apply(row, loaded[doc_id], now, prints[doc_id])
    for chunk in _chunks(vanished):
        session.execute(update(OaiRecord).where(OaiRecord.document_id.in_(chunk or []))
                        .values(gone=True, public=False, datestamp=now))
    return len(changed) + len(vanished)


def reconcile(ctx: AppContext, ids: Sequence[int] | None = None, *, max_age: float = 0) -> bool:
    """Bring ``oai_records`` in step with the documents (all, or ``ids``). A full pass is skipped when the last
    one is less than ``max_age`` seconds old: the lock is still taken, so every pass before has committed.
    Whether a pass ran."""
    with ctx.db.session() as session:
        now, last = _lock(session)
        if ids is None and last is not None and (now - last).total_seconds() < max_age:
            return False
        _sync(session, now, ids)
        if ids is None:
            session.execute(update(OaiState).where(OaiState.id == 1).values(synced_at=now))
        return True
