"""Corrections a data subject had recorded (data subject requests) shown beside the value where staff read it.

A correction never alters the value found, the document's text or the master: it is read from
``subject_request_items`` and shown next to the value, with who recorded it, when, and under which request. Only
principals who read personal data unmasked see them (a corrected value is personal data too); the value and
correction of a restricted value are masked for everyone but administrators.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, PersonalDatum, SubjectRequest, SubjectRequestItem
from sohoa.domain.personal import kind_label, mask_token
from sohoa.services.catalogue.personal_policy import reads_restricted, sees_personal_data
from sohoa.services.identity.principal import Principal

__all__ = ["Correction", "corrections_by_datum", "document_corrections"]


@dataclass(frozen=True)
class Correction:
    """A corrected value beside the value found (``value``, as the document has it), and its record."""

    datum_id: int
    kind: str
    value: str
    page_no: int | None
    corrected_value: str
    note: str | None
    request_code: str
    created_by: str
    created_at: datetime

    def label(self, lang: str = "vi") -> str:
        return kind_label(self.kind, lang)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def corrections_by_datum(session: Session, rows: Iterable[PersonalDatum],
                         principal: Principal | None) -> dict[int, list[Correction]]:
    """The corrections of each row (datum id → in the order recorded), for ``principal``: none unless it reads
    personal data; a restricted row's value and corrections masked unless it reads restricted values."""
    if not sees_personal_data(principal):
        return {}
    by_id = {row.id: row for row in rows}
    if not by_id:
        return {}
    stmt = (select(SubjectRequestItem, SubjectRequest.code)
            .join(SubjectRequest, SubjectRequest.id == SubjectRequestItem.request_id)
            .where(SubjectRequestItem.datum_id.in_(sorted(by_id)), SubjectRequestItem.action == "correction",
                   SubjectRequestItem.corrected_value.is_not(None))
            .order_by(SubjectRequestItem.id))
    found: dict[int, list[Correction]] = defaultdict(list)
    for item, code in session.execute(stmt).all():
        row = by_id.get(item.datum_id) if item.datum_id is not None else None
        if row is None:
            continue
        hidden = row.restricted and not reads_restricted(principal)
        token = mask_token(row.kind)
        found[row.id].append(Correction(
            datum_id=row.id, kind=row.kind, value=token if hidden else row.value, page_no=row.page_no,
            corrected_value=token if hidden else str(item.corrected_value), note=None if hidden else item.note,
            request_code=str(code), created_by=item.created_by, created_at=_aware(item.created_at)))
    return dict(found)


def document_corrections(session: Session, doc: Document, principal: Principal | None) -> list[Correction]:
    """Every correction recorded beside a value of ``doc``, pages first, as ``principal`` may read them."""
    rows = list(session.scalars(select(PersonalDatum).where(PersonalDatum.document_id == doc.id)
                                .order_by(PersonalDatum.page_no.is_(None), PersonalDatum.page_no, PersonalDatum.id)))
    by_datum = corrections_by_datum(session, rows, principal)
    return [c for row in rows for c in by_datum.get(row.id, [])]
