"""Request and response bodies of the record-request API (one-stop-shop systems, Bộ phận một cửa)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ByCode", "ByName", "ByParcel", "RecordMatchOut", "RecordRequestIn", "RecordRequestOut"]


# The same forms the service accepts (sohoa.services.sharing.record_matching): a schema-valid request is answered.
CODE_PATTERN = r"(?i)^\s*(?:s[ốôo]\s*:?\s*)?0*(\d{1,6})\s*(?:/\s*(?:\d{4}\s*/\s*)?([^\s/][^/]*?))?\s*$"
NUMBER_PATTERN = r"^[0-9]{1,6}$"
NAME_PATTERN = r"^[^\s]+(?: [^\s]+)+$"


class ByCode(BaseModel):
    """Số/ký hiệu: ``45/QĐ-UBND``, ``45/2024/QĐ-UBND``, ``số 45/QĐ-UBND``, or a bare ``45``."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["code"]
    code: str = Field(max_length=60, pattern=CODE_PATTERN)


class ByParcel(BaseModel):
    """Thửa đất số ``parcel``, tờ bản đồ số ``map_sheet``."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["parcel"]
    parcel: str = Field(pattern=NUMBER_PATTERN)
    map_sheet: str = Field(pattern=NUMBER_PATTERN)


class ByName(BaseModel):
    """Họ và tên (at least two words, single spaces), matched tone-insensitively as whole words."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["name"]
    person_name: str = Field(min_length=3, max_length=100, pattern=NAME_PATTERN)


class RecordRequestIn(BaseModel):
    """Why, for which case, and exactly one criterion; ``unit`` adds its predecessors and successors."""

    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(min_length=3, max_length=500, pattern=r"\S",
                         description="Mục đích tra cứu / why the records are needed (audited).")
    case_reference: str = Field(min_length=1, max_length=100, pattern=r"\S",
                                description="Mã hồ sơ thủ tục hành chính / the administrative case reference.")
    criterion: Annotated[ByCode | ByParcel | ByName, Field(discriminator="kind")]
    unit: str | None = Field(default=None, max_length=35,
                             description="Mã định danh of a unit: its predecessors and successors are included.")
    limit: int = Field(default=20, ge=1, le=100)


class RecordMatchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    document_id: int
    doc_code: str | None = Field(description="Mã định danh văn bản.")
    code_number: str | None
    code_notation: str | None
    type_name: str | None
    subject: str | None
    organ_name: str | None
    issued_date: date | None
    unit_identifier: str | None
    unit_name: str | None
    file_id: int | None
    matched_on: str = Field(description="`code`, `parcel` or `name`.")
    score: float
    href: str = Field(description="The document in this API.")
    pdf_href: str | None = Field(description="Its PDF/A, when it has one (the access policy applies).")


class RecordRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    request_id: str = Field(description="Fetch the request again with GET /record-requests/{request_id}.")
    created_at: datetime
    purpose: str
    case_reference: str
    criteria: dict[str, str | int]
    results: list[RecordMatchOut] = Field(description="Ranked: best match first, then the most recent.")
