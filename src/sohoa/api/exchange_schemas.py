"""Request and response bodies of the record-request API (one-stop-shop systems, Bộ phận một cửa)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["RecordMatchOut", "RecordRequestIn", "RecordRequestOut"]


class RecordRequestIn(BaseModel):
    """Exactly one criterion: ``code``, or ``parcel`` with ``map_sheet``, or ``person_name``."""

    model_config = ConfigDict(extra="forbid")

    purpose: str = Field(min_length=3, max_length=500, pattern=r"\S",
                         description="Mục đích tra cứu / why the records are needed (audited).")
    case_reference: str = Field(min_length=1, max_length=100, pattern=r"\S",
                                description="Mã hồ sơ thủ tục hành chính / the administrative case reference.")
    code: str | None = Field(default=None, max_length=60, description="Số/ký hiệu, e.g. `45/QĐ-UBND` or `45`.")
    parcel: str | None = Field(default=None, max_length=6, pattern=r"^[0-9]+$", description="Thửa đất số.")
    map_sheet: str | None = Field(default=None, max_length=6, pattern=r"^[0-9]+$", description="Tờ bản đồ số.")
    person_name: str | None = Field(default=None, min_length=3, max_length=100,
                                    description="Họ và tên; matched tone-insensitively as whole words.")
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
