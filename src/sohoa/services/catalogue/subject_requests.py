"""Data subject requests (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15): access, correction, restriction, deletion.

Staff record a request (who the data subject is, who asks, when it came: it is due
``SOHOA_SUBJECT_REQUEST_HOURS`` later), run the entity index for the subject (audited with the request's code as
purpose), attach the documents found, record a correction — the corrected value and a note kept beside the value:
the master, the document's text and the value found stay as they are — or a restriction (the value is then masked
for everyone but administrators), and answer or refuse the request with a text. Every change is audited
(``subject_request.create|item|answer``). Officers of a unit see the requests of their unit's lineage and those
they recorded; the archive's staff holding ``personal.search`` (the permission table) see every request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileUnit, PersonalDatum, SubjectRequest, SubjectRequestItem, Unit
from sohoa.domain.codes import Role
from sohoa.domain.errors import Conflict, NotFound, ValidationFailed
from sohoa.domain.personal import PersonalKind, mask_token, normalize_value
from sohoa.domain.text import fold, nfc
from sohoa.services.catalogue.index_docs import document_index_doc
from sohoa.services.catalogue.personal_search import PeopleResult, search_people
from sohoa.services.identity.permissions import Permission
from sohoa.services.identity.policy import can_view_document, document_scope
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.registry.units import related_unit_ids

__all__ = ["OUTCOMES", "REQUEST_KINDS", "NewRequest", "RequestItem", "RequestRow", "RequestView", "add_found",
           "answer_request", "create_request", "find_for_request", "get_request", "list_requests",
           "record_correction", "record_restriction", "request_purpose"]

REQUEST_KINDS = ("access", "correction", "restriction", "deletion")
OUTCOMES = ("answered", "refused")
_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read over the phone


@dataclass(frozen=True)
class NewRequest:
    """What the form records."""

    request_kind: str
    subject_name: str
    requester: str
    subject_id_number: str | None = None
    contact: str | None = None
    unit_id: int | None = None
    received_at: datetime | None = None
    note: str | None = None


@dataclass(frozen=True)
class RequestRow:
    code: str
    request_kind: str
    subject_name: str
    requester: str
    unit_name: str | None
    received_at: datetime
    due_at: datetime
    status: str
    overdue: bool


@dataclass(frozen=True)
class RequestItem:
    """A document found, a correction beside a value, or a restriction; ``value`` masked unless shown."""

    id: int
    action: str
    document_id: int
    type_name: str | None
    number: str | None
    issued_date: date | None
    unit_name: str | None
    file_code: str | None
    datum_id: int | None
    kind: str | None
    value: str | None
    page_no: int | None
    corrected_value: str | None
    note: str | None
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class RequestView:
    row: RequestRow
    subject_id_number: str | None
    contact: str | None
    note: str | None
    answer: str | None
    handled_by: str | None
    answered_at: datetime | None
    created_by: str
    items: tuple[RequestItem, ...]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _text(value: str | None, limit: int) -> str | None:
    cleaned = " ".join(nfc(value or "").split())
    return cleaned[:limit] or None


def _sees_all(session: Session, principal: Principal) -> bool:
    """Whether the principal handles every unit's requests: it holds ``personal.search`` (the permission table)
    and the access policy lets it see every unit (the archive's staff); officers of a unit see their lineage's."""
    return principal.can(Permission.PERSONAL_SEARCH) and document_scope(session, principal).unit_ids is None


def _visible(session: Session, principal: Principal) -> ColumnElement[bool]:
    if _sees_all(session, principal):
        return true()
    mine = SubjectRequest.created_by == principal.username
    if principal.unit_id is None:
        return mine
    return or_(mine, SubjectRequest.unit_id.in_(sorted(related_unit_ids(session, principal.unit_id))))


def _row(session: Session, req: SubjectRequest, now: datetime) -> RequestRow:
    unit = session.get(Unit, req.unit_id) if req.unit_id else None
    due = _aware(req.due_at)
    return RequestRow(req.code, req.request_kind, req.subject_name, req.requester, unit.name if unit else None,
                      _aware(req.received_at), due, req.status, req.status == "open" and due < now)


def _load(session: Session, principal: Principal, code: str) -> SubjectRequest:
    req = session.execute(select(SubjectRequest).where(
        SubjectRequest.code == nfc(code).strip().upper(), _visible(session, principal))).scalar_one_or_none()
    if req is None:
        raise NotFound(f"Không có yêu cầu {code}", f"No data subject request {code}")
    return req


def _open(req: SubjectRequest) -> None:
    if req.status != "open":
        raise Conflict(f"Yêu cầu {req.code} đã được xử lý xong", f"Request {req.code} is already closed")


def _new_code(session: Session) -> str:
    while True:
        code = "YC-" + "".join(secrets.choice(_CODE_LETTERS) for _ in range(6))
        if session.execute(select(SubjectRequest.id).where(SubjectRequest.code == code)).first() is None:
            return code


def _unit_for(session: Session, principal: Principal, unit_id: int | None) -> int | None:
    if _sees_all(session, principal):
        return unit_id
    if principal.unit_id is None:
        return unit_id
    if unit_id is None:
        return principal.unit_id
    if unit_id not in related_unit_ids(session, principal.unit_id):
        raise ValidationFailed("Chỉ ghi nhận yêu cầu cho đơn vị của mình", "Record requests for your own unit only")
    return unit_id


def create_request(ctx: AppContext, principal: Principal, new: NewRequest) -> str:
    """Record a request; its code. Due ``SOHOA_SUBJECT_REQUEST_HOURS`` after it was received."""
    name, requester = _text(new.subject_name, 200), _text(new.requester, 200)
    if new.request_kind not in REQUEST_KINDS:
        raise ValidationFailed(f"Loại yêu cầu không hợp lệ: {new.request_kind}",
                               f"Unknown kind of request: {new.request_kind}")
    if not name or not requester:
        raise ValidationFailed("Cần họ tên chủ thể dữ liệu và người yêu cầu",
                               "The data subject's name and the requester are required")
    id_number = normalize_value(PersonalKind.CCCD, new.subject_id_number or "") or None
    if id_number is not None and (not id_number.isdigit() or len(id_number) not in (9, 12)):
        raise ValidationFailed("Số CCCD/CMND gồm 12 hoặc 9 chữ số", "A citizen ID number has 12 or 9 digits")
    received = _aware(new.received_at) if new.received_at else datetime.now(UTC)
    if received > datetime.now(UTC) + timedelta(minutes=5):
        raise ValidationFailed("Ngày nhận yêu cầu không thể ở tương lai", "The date received cannot be in the future")
    with ctx.db.session() as session:
        req = SubjectRequest(
            code=_new_code(session), request_kind=new.request_kind, subject_name=name,
            subject_name_folded=fold(name), subject_id_number=id_number, requester=requester,
            contact=_text(new.contact, 200), unit_id=_unit_for(session, principal, new.unit_id), received_at=received,
            due_at=received + timedelta(hours=ctx.settings.subject_request_hours), status="open",
            note=_text(new.note, 2000), created_by=principal.username)
        session.add(req)
        session.flush()
        record_event(session, principal.username, "subject_request.create", "subject_request", req.id,
                     {"code": req.code, "kind": req.request_kind, "due_at": req.due_at.isoformat()})
        return req.code


def list_requests(ctx: AppContext, principal: Principal, status: str | None = None) -> list[RequestRow]:
    """The requests the principal may see, open ones first, the earliest due first."""
    now = datetime.now(UTC)
    with ctx.db.session() as session:
        stmt = select(SubjectRequest).where(_visible(session, principal))
        if status:
            stmt = stmt.where(SubjectRequest.status == status)
        rows = session.execute(stmt.order_by(SubjectRequest.due_at, SubjectRequest.id).limit(500)).scalars()
        found = [_row(session, r, now) for r in rows]
    return sorted(found, key=lambda r: (r.status != "open", r.due_at))


def _item(session: Session, principal: Principal, item: SubjectRequestItem, doc: Document) -> RequestItem:
    datum = session.get(PersonalDatum, item.datum_id) if item.datum_id else None
    unit = session.get(Unit, doc.unit_id) if doc.unit_id else None
    file = session.get(FileUnit, doc.file_id) if doc.file_id else None
    value = None
    if datum is not None:
        value = mask_token(datum.kind) if datum.restricted and principal.role != Role.ADMIN else datum.value
    return RequestItem(
        id=item.id, action=item.action, document_id=doc.id, type_name=doc.type_name,
        number="/".join(p for p in (doc.code_number, doc.code_notation) if p) or None, issued_date=doc.issued_date,
        unit_name=unit.name if unit else None, file_code=file.file_code if file else None, datum_id=item.datum_id,
        kind=datum.kind if datum else None, value=value, page_no=datum.page_no if datum else None,
        corrected_value=item.corrected_value, note=item.note, created_by=item.created_by,
        created_at=_aware(item.created_at))


def get_request(ctx: AppContext, principal: Principal, code: str) -> RequestView:
    """One request with its items (those on documents the principal may see)."""
    now = datetime.now(UTC)
    with ctx.db.session() as session:
        req = _load(session, principal, code)
        items = []
        for item in session.execute(select(SubjectRequestItem).where(SubjectRequestItem.request_id == req.id)
                                    .order_by(SubjectRequestItem.id)).scalars():
            doc = session.get(Document, item.document_id)
            if doc is not None and can_view_document(session, principal, doc):
                items.append(_item(session, principal, item, doc))
        return RequestView(_row(session, req, now), req.subject_id_number, req.contact, req.note, req.answer,
                           req.handled_by, _aware(req.answered_at) if req.answered_at else None, req.created_by,
                           tuple(items))


def request_purpose(code: str) -> str:
    """The purpose the entity index records for a request's searches."""
    return f"Giải quyết yêu cầu của chủ thể dữ liệu {code}"


def find_for_request(ctx: AppContext, principal: Principal, code: str, *,
                     limit: int = 50) -> tuple[PeopleResult, ...]:
    """The entity index for the subject: by name, and by ID number when the request has one (audited)."""
    with ctx.db.session() as session:
        req = _load(session, principal, code)
        name, number, unit_id = req.subject_name, req.subject_id_number, req.unit_id
    purpose = request_purpose(code.upper())
    found = [search_people(ctx, principal, name, kind="name", unit_id=unit_id, purpose=purpose, limit=limit)]
    if number:
        kind = "cccd" if len(number) == 12 else "cmnd"
        found.append(search_people(ctx, principal, number, kind=kind, unit_id=unit_id, purpose=purpose, limit=limit))
    return tuple(found)


def _datum(session: Session, principal: Principal, datum_id: int) -> tuple[PersonalDatum, Document]:
    datum = session.get(PersonalDatum, datum_id)
    doc = session.get(Document, datum.document_id) if datum else None
    if datum is None or doc is None or not can_view_document(session, principal, doc) or (
            datum.restricted and principal.role != Role.ADMIN):
        raise NotFound(f"Không có dữ liệu #{datum_id}", f"No personal data #{datum_id}")
    return datum, doc


def _add(session: Session, principal: Principal, req: SubjectRequest, action: str, document_id: int,
         datum_id: int | None, corrected: str | None = None, note: str | None = None) -> int:
    item = SubjectRequestItem(request_id=req.id, document_id=document_id, datum_id=datum_id, action=action,
                              corrected_value=corrected, note=note, created_by=principal.username,
                              created_at=datetime.now(UTC))
    session.add(item)
    session.flush()
    record_event(session, principal.username, "subject_request.item", "subject_request", req.id,
                 {"code": req.code, "action": action, "document_id": document_id, "datum_id": datum_id,
                  "item_id": item.id})
    return item.id


def add_found(ctx: AppContext, principal: Principal, code: str, document_id: int, datum_id: int | None = None) -> int:
    """Attach a document (and the value found in it) to the request's answer; attaching twice keeps one."""
    with ctx.db.session() as session:
        req = _load(session, principal, code)
        _open(req)
        if datum_id is not None:
            _value, doc = _datum(session, principal, datum_id)
            if doc.id != document_id:
                raise ValidationFailed("Dữ liệu không thuộc văn bản này", "The value is not in this document")
        else:
            found = session.get(Document, document_id)
            if found is None or not can_view_document(session, principal, found):
                raise NotFound(f"Không có văn bản #{document_id}", f"No document #{document_id}")
        same = session.execute(select(SubjectRequestItem.id).where(
            SubjectRequestItem.request_id == req.id, SubjectRequestItem.action == "found",
            SubjectRequestItem.document_id == document_id, SubjectRequestItem.datum_id.is_(None) if datum_id is None
            else SubjectRequestItem.datum_id == datum_id)).scalar()
        return int(same) if same is not None else _add(session, principal, req, "found", document_id, datum_id)


def record_correction(ctx: AppContext, principal: Principal, code: str, datum_id: int, corrected_value: str,
                      note: str | None = None) -> int:
    """The corrected value beside the value found (the master, the text and the value found are not changed)."""
    corrected = _text(corrected_value, 500)
    if not corrected:
        raise ValidationFailed("Cần nhập giá trị đã cải chính", "Type the corrected value")
    with ctx.db.session() as session:
        req = _load(session, principal, code)
        _open(req)
        datum, doc = _datum(session, principal, datum_id)
        # No reindex: a correction is kept beside the value and changes nothing the search index holds (the
        # document's text and fields, the rows' values and decisions stay as they are).
        return _add(session, principal, req, "correction", doc.id, datum.id, corrected, _text(note, 2000))


def record_restriction(ctx: AppContext, principal: Principal, code: str, datum_id: int,
                       note: str | None = None) -> int:
    """Restrict the value: masked for everyone but administrators from now on (the entity index lists it only to
    them too)."""
    with ctx.db.session() as session:
        req = _load(session, principal, code)
        _open(req)
        datum, doc = _datum(session, principal, datum_id)
        datum.restricted = True
        datum.decided_by, datum.decided_at = principal.username, datetime.now(UTC)
        session.flush()
        # A value a reviewer had set to 'shown' was in the shared search index in clear: masked there now too.
        ctx.index.upsert(session, document_index_doc(doc))
        return _add(session, principal, req, "restriction", doc.id, datum.id, None, _text(note, 2000))


def answer_request(ctx: AppContext, principal: Principal, code: str, outcome: str, text: str) -> None:
    """Close the request: answered or refused, with the text sent to the requester."""
    answer = (nfc(text or "")).strip()[:5000]
    if outcome not in OUTCOMES:
        raise ValidationFailed(f"Kết quả không hợp lệ: {outcome}", f"Unknown outcome: {outcome}")
    if not answer:
        raise ValidationFailed("Cần nhập nội dung trả lời", "Type the answer")
    with ctx.db.session() as session:
        req = _load(session, principal, code)
        _open(req)
        req.status, req.answer = outcome, answer
        req.handled_by, req.answered_at = principal.username, datetime.now(UTC)
        record_event(session, principal.username, "subject_request.answer", "subject_request", req.id,
                     {"code": req.code, "outcome": outcome})
