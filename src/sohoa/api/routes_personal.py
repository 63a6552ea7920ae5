"""API v1: the entity index of personal data for one-stop-shop systems (scope ``personal:read``).

``GET /personal-data?q=&kind=&unit=&purpose=`` answers the same values and records as the staff screen
(``/staff/personal-data``), in what the token's read scopes see (``read:unit``: its unit's lineage; otherwise
public records), never độ mật records, restricted values never (a token is not an administrator); every query is
audited with its purpose under the token's name.
"""

# No `from __future__ import annotations`: FastAPI reads the Annotated dependencies at import.
from datetime import date
from typing import Annotated

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from sohoa.api.deps import api_router, api_state
from sohoa.api.security import Caller, caller_dependency
from sohoa.domain.personal import PersonalKind
from sohoa.http.deps import Ctx
from sohoa.services.catalogue.personal_search import MIN_PURPOSE, search_people
from sohoa.services.registry.units import unit_id_by_identifier

__all__ = ["PeopleOut", "router"]

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
