"""`sohoa personal-data scan`: find the personal data of documents already in the archive, and reindex them.

Documents ingested before personal data was detected (or after the detector improved) are read again from
their stored page OCR and fields (``record_document_personal_data``): detected rows are replaced, reviewers'
decisions and rows, restrictions and rows a data subject request cites stay. Each batch commits on its own, so
an interrupted scan keeps what it did; ``after`` resumes past the last document id it printed. Running it twice
changes nothing the second time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select

from sohoa.db.models import Document, PersonalDatum
from sohoa.domain.errors import NotFound
from sohoa.domain.workflow import DocumentState
from sohoa.services.catalogue.index_docs import document_index_doc
from sohoa.services.catalogue.personal_data import record_document_personal_data
from sohoa.services.platform.context import AppContext

__all__ = ["BATCH", "ScanReport", "scan_personal_data"]

BATCH = 50


@dataclass
class ScanReport:
    """What a scan did: documents read, the rows they hold now by kind, the last document id done."""

    documents: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)
    last_id: int = 0


def _ids(ctx: AppContext, document_ids: Sequence[int] | None, after: int) -> list[int]:
    with ctx.db.session() as session:
        if document_ids is not None:
            found = set(session.scalars(select(Document.id).where(Document.id.in_(list(document_ids)))))
            missing = sorted(set(document_ids) - found)
            if missing:
                raise NotFound(f"Không có văn bản số {missing[0]}", f"No document {missing[0]}")
            return sorted(found)
        stmt = select(Document.id).where(Document.id > after, Document.state != DocumentState.MERGED)
        return list(session.scalars(stmt.order_by(Document.id)))


def scan_personal_data(ctx: AppContext, document_ids: Sequence[int] | None = None, *, after: int = 0,
                       batch: int = BATCH, progress: Callable[[ScanReport], None] | None = None) -> ScanReport:
    """Detect the personal data of ``document_ids`` (or of every document after id ``after``), batch by batch,
    reindexing each document with its masked text."""
    report = ScanReport()
    ids = _ids(ctx, document_ids, after)
    for start in range(0, len(ids), max(1, batch)):
        chunk = ids[start:start + max(1, batch)]
        with ctx.db.session() as session:
            for document_id in chunk:
                doc = session.get_one(Document, document_id)
                record_document_personal_data(session, ctx.store, doc)
                ctx.index.upsert(session, document_index_doc(doc))
            kinds = session.scalars(select(PersonalDatum.kind).where(PersonalDatum.document_id.in_(chunk)))
            report.by_kind.update(kinds)
        report.documents += len(chunk)
        report.last_id = chunk[-1]
        if progress is not None:
            progress(report)
    return report
