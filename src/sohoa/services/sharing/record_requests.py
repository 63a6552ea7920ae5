"""Record requests of one-stop-shop systems (Bộ phận một cửa): a citizen's prior records, under the policy.

A service officer's system (an API token with the ``records:request`` scope) asks with a purpose and the
administrative case reference (mã hồ sơ thủ tục hành chính) for the records of a document number/sign, a land
parcel or a person's name, optionally within a unit (which includes its predecessors and successors, so a
request for the new ward finds the old commune's records). The answer holds only documents the token may see
(:mod:`sohoa.services.identity.policy`), ranked; it is stored, audited with its purpose and case reference, and
can be fetched again by the same token only — each time through the policy of that moment.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, PersonalDatum, RecordRequest, Unit
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.personal import PersonalKind, normalize_value
from sohoa.domain.search import SearchFilters
from sohoa.domain.text import nfc
from sohoa.domain.workflow import DocumentState
from sohoa.services.catalogue.listing import document_clause
from sohoa.services.catalogue.personal_masking import shown_to
from sohoa.services.identity.policy import DocumentScope, document_scope, scope_allows
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.registry.units import related_unit_ids
from sohoa.services.sharing.record_matching import Criterion, code_score, criterion_of, name_score, parcel_score

__all__ = ["CANDIDATES", "RecordAsk", "RecordMatch", "RecordRequestAnswer", "answer_request", "fetch_request"]

CANDIDATES = 500  # documents the index hands over per request before matching (bounded work)
_GONE = (DocumentState.MERGED, DocumentState.SUPERSEDED)


@dataclass(frozen=True)
class RecordAsk:
    """What the caller asks: one criterion, why, for which case, optionally within a unit's lineage."""

    purpose: str
    case_reference: str
    code: str | None = None
    parcel: str | None = None
    map_sheet: str | None = None
    person_name: str | None = None
    unit: str | None = None
    limit: int = 20


@dataclass(frozen=True)
class RecordMatch:
    """One record of the answer: identifiers, title fields, unit, date, why it matched, links."""

    document_id: int
    doc_code: str | None
    code_number: str | None
    code_notation: str | None
    type_name: str | None
    subject: str | None
    organ_name: str | None
    issued_date: date | None
    unit_identifier: str | None
    unit_name: str | None
    file_id: int | None
    matched_on: str
    score: float
    href: str
    pdf_href: str | None


@dataclass(frozen=True)
class RecordRequestAnswer:
    request_id: str
    created_at: datetime
    purpose: str
    case_reference: str
    criteria: dict[str, Any]
    results: list[RecordMatch] = field(default_factory=list)


def _unit_ids(session: Session, identifier: str | None) -> set[int] | None:
    if not identifier:
        return None
    found = session.execute(select(Unit.id).where(Unit.identifier == identifier)).scalar_one_or_none()
    if found is None:
        raise NotFound(f"Không tìm thấy đơn vị '{identifier}'", f"Unknown unit '{identifier}'")
    return related_unit_ids(session, int(found))


def _candidates(ctx: AppContext, session: Session, scope: DocumentScope, crit: Criterion,
                units: set[int] | None) -> list[Document]:
    """Documents in scope that may match: by their số/ký hiệu columns, else through the search index."""
    if crit.kind == "code":
        stmt = select(Document).where(document_clause(scope), Document.code_number.in_(
            {crit.number, crit.number.zfill(2), crit.number.zfill(3)}))
        if units is not None:
            stmt = stmt.where(Document.unit_id.in_(sorted(units)))
        return list(session.execute(stmt.order_by(Document.id).limit(CANDIDATES)).scalars())
    filters = SearchFilters(unit_ids=units, **scope.filter_args())
    hits = ctx.index.search(session, crit.query, filters, limit=CANDIDATES).hits
    ids = {h.document_id for h in hits} | _entity_candidates(session, crit)
    stmt = select(Document).where(Document.id.in_(sorted(ids)), document_clause(scope))
    if units is not None:
        stmt = stmt.where(Document.unit_id.in_(sorted(units)))
    return list(session.execute(stmt).scalars())


def _entity_candidates(session: Session, crit: Criterion) -> set[int]:
    """Documents whose personal data (the entity index) holds the name or parcel: the search index keeps these
    masked. A value under a data subject's restriction is never a way in."""
    if crit.kind == "name":
        match = (PersonalDatum.kind == PersonalKind.NAME.value) & (
            PersonalDatum.normalized == normalize_value(PersonalKind.NAME, crit.name))
    else:
        match = (PersonalDatum.kind == PersonalKind.PARCEL.value) & PersonalDatum.normalized.contains(crit.number)
    stmt = select(PersonalDatum.document_id).where(match, PersonalDatum.restricted.is_(False)).distinct()
    return set(session.scalars(stmt.limit(CANDIDATES)))


def _score(crit: Criterion, doc: Document) -> float:
    if crit.kind == "code":
        return code_score(crit, doc.code_number, doc.code_notation, doc.issued_date.year if doc.issued_date else None)
    if crit.kind == "parcel":
        return parcel_score(crit, doc.text)
    return name_score(crit, doc.text)


def _match(session: Session, doc: Document, matched_on: str, score: float,
           principal: Principal | None = None) -> RecordMatch:
    """One record of the answer; its subject masked unless the token may read personal data (personal:read)."""
    unit = session.get(Unit, doc.unit_id) if doc.unit_id else None
    masking = shown_to(session, doc, principal, "api")
    subject = masking.optional_text(doc.subject) if masking is not None else doc.subject
    return RecordMatch(
        document_id=doc.id, doc_code=doc.doc_code, code_number=doc.code_number, code_notation=doc.code_notation,
        type_name=doc.type_name, subject=subject, organ_name=doc.organ_name, issued_date=doc.issued_date,
        unit_identifier=unit.identifier if unit else None, unit_name=unit.name if unit else None,
        file_id=doc.file_id, matched_on=matched_on, score=score, href=f"/api/v1/documents/{doc.id}",
        pdf_href=f"/api/v1/documents/{doc.id}/pdf" if doc.pdf_object_id else None)


def _ranked(session: Session, scope: DocumentScope, scored: list[tuple[Document, float]],
            crit: Criterion, limit: int, principal: Principal | None = None) -> list[RecordMatch]:
    """Best score first, then the most recent issue date, then the document id (a stable order)."""
    kept = [(d, s) for d, s in scored if s > 0 and d.state not in _GONE and scope_allows(scope, d)]
    kept.sort(key=lambda pair: (-pair[1], -(pair[0].issued_date or date.min).toordinal(), pair[0].id))
    return [_match(session, d, crit.kind, s, principal) for d, s in kept[:limit]]


def _check(ask: RecordAsk) -> tuple[str, str]:
    purpose, case = nfc(ask.purpose).strip(), nfc(ask.case_reference).strip()
    if not purpose or not case:
        raise ValidationFailed("Cần nêu mục đích và mã hồ sơ thủ tục hành chính",
                               "A purpose and the administrative case reference are required")
    return purpose, case


def answer_request(ctx: AppContext, principal: Principal, token_id: int, ask: RecordAsk) -> RecordRequestAnswer:
    """Find, rank, store and audit one request; the answer holds only what ``principal`` may see."""
    purpose, case = _check(ask)
    crit = criterion_of(ask.code, ask.parcel, ask.map_sheet, ask.person_name)
    criteria = {k: v for k, v in {"code": ask.code, "parcel": ask.parcel, "map_sheet": ask.map_sheet,
                                  "person_name": ask.person_name, "unit": ask.unit}.items() if v}
    with ctx.db.session() as session:
        scope = document_scope(session, principal)
        docs = _candidates(ctx, session, scope, crit, _unit_ids(session, ask.unit))
        results = _ranked(session, scope, [(d, _score(crit, d)) for d in docs], crit, max(1, min(ask.limit, 100)),
                          principal)
        row = RecordRequest(public_id=f"rr_{secrets.token_urlsafe(16)}", token_id=token_id,
                            actor=principal.username, purpose=purpose, case_reference=case, criteria=criteria,
                            results=[{"document_id": r.document_id, "matched_on": r.matched_on, "score": r.score}
                                     for r in results], created_at=datetime.now(UTC))
        session.add(row)
        session.flush()
        record_event(session, principal.username, "record.request", "record_request", row.id,
                     {"request_id": row.public_id, "purpose": purpose, "case_reference": case, "criteria": criteria,
                      "results": [r.document_id for r in results]})
        return RecordRequestAnswer(row.public_id, row.created_at, purpose, case, criteria, results)


def fetch_request(ctx: AppContext, principal: Principal, token_id: int, request_id: str) -> RecordRequestAnswer:
    """A stored request, for the token that made it only (NotFound for anyone else), under today's policy."""
    with ctx.db.session() as session:
        row = session.execute(select(RecordRequest).where(RecordRequest.public_id == request_id)).scalar_one_or_none()
        if row is None or row.token_id != token_id:
            raise NotFound(f"Không có yêu cầu {request_id}", f"No record request {request_id}")
        scope = document_scope(session, principal)
        docs = {d.id: d for d in session.execute(select(Document).where(
            Document.id.in_([int(r["document_id"]) for r in row.results]))).scalars()}
        results = []
        for stored in row.results:  # in the stored rank order; what the token may no longer see is left out
            doc = docs.get(int(stored["document_id"]))
            if doc is not None and doc.state not in _GONE and scope_allows(scope, doc):
                results.append(_match(session, doc, str(stored["matched_on"]), float(stored["score"]), principal))
        record_event(session, principal.username, "record.request_view", "record_request", row.id,
                     {"request_id": row.public_id, "case_reference": row.case_reference})
        created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
        return RecordRequestAnswer(row.public_id, created, row.purpose, row.case_reference, dict(row.criteria), results)
