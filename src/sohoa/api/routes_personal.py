"""API v1: the entity index of personal data for one-stop-shop systems (scope ``personal:read``).

``GET /personal-data?q=&kind=&unit=&purpose=`` answers the same values and records as the staff screen
(``/staff/personal-data``), in what the token's read scopes see (``read:unit``: its unit's lineage; otherwise
public records), never độ mật records, restricted values never (a token is not an administrator); every query is
audited with its purpose under the token's name. ``POST /personal-data/requests`` (scope ``records:request``)
forwards a data subject request to the archive; ``GET /personal-data/requests/{code}`` (``personal:read``) follows
it to its answer.
"""

# No `from __future__ import annotations`: FastAPI reads the Annotated dependencies at import.
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import Depends, Path, Query
from pydantic import BaseModel, Field

from sohoa.api.deps import RecordRequester, api_router, api_state
from sohoa.api.security import Caller, caller_dependency
from sohoa.domain.personal import PersonalKind
from sohoa.http.deps import Ctx
from sohoa.services.catalogue import subject_requests as sr
from sohoa.services.catalogue.personal_search import MIN_PURPOSE, search_people
from sohoa.services.registry.units import unit_id_by_identifier

__all__ = ["PeopleOut", "SubjectRequestIn", "SubjectRequestOut", "router"]

router = api_router()
PersonalReader = Annotated[Caller, Depends(caller_dependency(api_state, "personal:read"))]
KIND_PATTERN = "^(" + "|".join(k.value for k in PersonalKind) + ")$"


class PersonRecordOut(BaseModel):
    document_id: int
    href: str = Field(description="The document in this API (masking and the access policy apply there).")
    type_name: str | None
    number: str | None = Field(description="Số, ký hiệu.")
    issued_date: date | None
    subject: str | None = Field(description="Trích yếu.")
    unit_identifier: str | None
    unit_name: str | None
    file_code: str | None = Field(description="Mã hồ sơ.")
    pages: list[int] = Field(description="Pages where the value was found.")
    corrections: list[str] = Field(description="Corrections a data subject had recorded beside the value "
                                               "(the record itself is never altered).")


class PersonGroupOut(BaseModel):
    kind: str = Field(description="cccd, cmnd, dob, phone, email, address, bank_account, plate, parcel or name.")
    value: str = Field(description="The value as found (NFC).")
    normalized: str = Field(description="What the index compares: digits, or the tone-folded words.")
    rank: int = Field(description="0: as typed (same tones, the whole number); higher: looser matches.")
    records: list[PersonRecordOut]


class PeopleOut(BaseModel):
    query: str
    kind: str | None
    total: int = Field(description="Values found (groups), over every page.")
    offset: int
    limit: int
    groups: list[PersonGroupOut] = Field(description="Best match first.")


@router.get("/personal-data", response_model=PeopleOut,
            summary="Tra cứu dữ liệu cá nhân / the entity index of personal data (personal:read)")
def api_personal_data(
    ctx: Ctx, caller: PersonalReader,
    q: Annotated[str, Query(min_length=1, max_length=300,
                            description="A name (tones optional), an ID or phone number (6+ digits), a parcel "
                                        "('thửa 123 tờ 45', '123/45'), an address, an e-mail or a licence plate.")],
    purpose: Annotated[str, Query(min_length=MIN_PURPOSE, max_length=300,
                                  description="Why the records are looked up (audited).")],
    kind: Annotated[str | None, Query(pattern=KIND_PATTERN, description="Read the query as this kind.")] = None,
    unit: Annotated[str | None, Query(max_length=35, description="A unit identifier: the unit with its "
                                                                 "predecessors and successors.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> PeopleOut:
    """The values matching ``q`` and the records holding them that the token may read; audited with ``purpose``."""
    client = caller.client
    assert client is not None  # the scope check refused anonymous callers
    unit_id = unit_id_by_identifier(ctx, unit) if unit else None
    found = search_people(ctx, client.principal(), q, kind=kind, unit_id=unit_id, purpose=purpose, limit=limit,
                          offset=offset, actor=caller.actor)
    return PeopleOut(query=found.query, kind=found.kind, total=found.total, offset=found.offset, limit=found.limit,
                     groups=[PersonGroupOut(kind=g.kind, value=g.value, normalized=g.normalized, rank=g.rank, records=[
                         PersonRecordOut(document_id=r.document_id, href=f"/api/v1/documents/{r.document_id}",
                                         type_name=r.type_name, number=r.number, issued_date=r.issued_date,
                                         subject=r.subject, unit_identifier=r.unit_identifier,
                                         unit_name=r.unit_name, file_code=r.file_code, pages=list(r.pages),
                                         corrections=list(r.corrections)) for r in g.records])
                             for g in found.groups])


# --- data subject requests -----------------------------------------------------------------------------------

class SubjectRequestIn(BaseModel):
    """A data subject request a one-stop-shop system forwards (received now)."""

    request_kind: Literal["access", "correction", "restriction", "deletion"]
    subject_name: str = Field(min_length=1, max_length=200, description="The data subject's full name.")
    requester: str = Field(min_length=1, max_length=200, description="Who asks: the subject or their "
                                                                     "legal representative.")
    subject_id_number: str | None = Field(default=None, pattern=r"^(\d{9}|\d{12})$",
                                          description="CCCD (12 digits) or CMND (9 digits).")
    contact: str | None = Field(default=None, max_length=200)
    unit: str | None = Field(default=None, max_length=35, description="A unit identifier (a token of read:unit: "
                                                                      "its own unit when left out).")
    note: str | None = Field(default=None, max_length=2000)


class SubjectRequestItemOut(BaseModel):
    action: str = Field(description="found, correction or restriction.")
    document_id: int
    href: str
    kind: str | None
    value: str | None = Field(description="The value as found (masked when restricted).")
    corrected_value: str | None = Field(description="A correction recorded beside the value.")
    note: str | None
    created_at: datetime


class SubjectRequestOut(BaseModel):
    code: str = Field(description="The tracking code (YC-…).")
    request_kind: str
    subject_name: str
    requester: str
    unit_name: str | None
    received_at: datetime
    due_at: datetime = Field(description="Received + SOHOA_SUBJECT_REQUEST_HOURS.")
    status: str = Field(description="open, answered or refused.")
    overdue: bool
    answer: str | None = None
    answered_at: datetime | None = None
    items: list[SubjectRequestItemOut] = Field(default_factory=list)


def _out(view: sr.RequestView) -> SubjectRequestOut:
    row = view.row
    return SubjectRequestOut(
        code=row.code, request_kind=row.request_kind, subject_name=row.subject_name, requester=row.requester,
        unit_name=row.unit_name, received_at=row.received_at, due_at=row.due_at, status=row.status,
        overdue=row.overdue, answer=view.answer, answered_at=view.answered_at,
        items=[SubjectRequestItemOut(action=i.action, document_id=i.document_id,
                                     href=f"/api/v1/documents/{i.document_id}", kind=i.kind, value=i.value,
                                     corrected_value=i.corrected_value, note=i.note, created_at=i.created_at)
               for i in view.items])


@router.post("/personal-data/requests", response_model=SubjectRequestOut, status_code=201,
             summary="Chuyển yêu cầu của chủ thể dữ liệu / forward a data subject request (records:request)")
def api_subject_request_create(ctx: Ctx, caller: RecordRequester, body: SubjectRequestIn) -> SubjectRequestOut:
    """Record the request (audited); the archive's staff handle it and answer by the due time."""
    client = caller.client
    assert client is not None
    principal = client.principal()
    unit_id = unit_id_by_identifier(ctx, body.unit) if body.unit else None
    code = sr.create_request(ctx, principal, sr.NewRequest(
        body.request_kind, body.subject_name, body.requester, body.subject_id_number, body.contact, unit_id,
        None, body.note))
    return _out(sr.get_request(ctx, principal, code))


@router.get("/personal-data/requests/{code}", response_model=SubjectRequestOut,
            summary="Một yêu cầu của chủ thể dữ liệu / a data subject request (personal:read)")
def api_subject_request(ctx: Ctx, caller: PersonalReader,
                        code: Annotated[str, Path(max_length=16, pattern=r"^YC-[A-Z0-9]{6}$")]) -> SubjectRequestOut:
    """Its state, answer and the records found (those the token may read); requests of the token's unit lineage,
    or every request for a token of the archive (admin)."""
    client = caller.client
    assert client is not None
    return _out(sr.get_request(ctx, client.principal(), code))
