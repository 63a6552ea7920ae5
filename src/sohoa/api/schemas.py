"""Response and request bodies of API v1: what the OpenAPI document states is exactly what is served.

Every route returns one of these models (read from the services' frozen dataclasses by attribute), so the
schema cannot drift from the bodies. ``CURSOR_PATTERN`` is the stated form of the keyset cursors.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from sohoa.services.sharing.event_contract import EVENTS_SCHEMA_URL

__all__ = [
    "CURSOR_PATTERN",
    "DocumentItem",
    "DocumentOut",
    "DocumentPage",
    "ErrorOut",
    "EventItem",
    "EventPage",
    "FacetValue",
    "FileItem",
    "FilePage",
    "FondsItem",
    "FondsPage",
    "IngestAccepted",
    "IngestStatusOut",
    "PageBoxes",
    "PageBoxesList",
    "PageSize",
    "SavedSearchIn",
    "SavedSearchOut",
    "SearchHitOut",
    "SearchOut",
    "UnitItem",
    "UnitPage",
    "WebhookCreated",
    "WebhookIn",
    "WebhookOut",
]

# A cursor is the decimal position after which the next page starts (opaque to clients: pass it back as is).
CURSOR_PATTERN = r"^[0-9]{1,10}$"
NEXT_CURSOR = Field(description="Pass as `cursor` for the next page; null at the end.", pattern=CURSOR_PATTERN)


class _Out(BaseModel):
    """Models read from the services' dataclasses by attribute."""

    model_config = ConfigDict(from_attributes=True)


class ErrorOut(BaseModel):
    """Every error answer: a Vietnamese / English message."""

    detail: str


class FacetValue(_Out):
    value: str | int
    count: int
    label: str | int | None = Field(default=None, description="The unit's name (unit facet only).")


class SearchHitOut(_Out):
    document_id: int
    source: str
    fields: dict[str, str | None]
    unit_id: int | None
    file_id: int | None
    access_level: str
    pages: int
    score: float
    exact: bool = Field(description="The tones match as typed (ranked first).")
    snippet: str
    snippet_html: str


class SearchOut(_Out):
    total: int
    total_exact: bool = Field(description="False when more than `total` documents match (counting was bounded).")
    results: list[SearchHitOut]
    facets: dict[str, list[FacetValue]]
    suggestion: str | None = Field(description="'Did you mean': a corrected query, when one is likely.")
    partial: bool = Field(False, description="True when no document holds every word of the query: the results "
                                              "hold some of them, best first (docs/search.md).")
    next_cursor: str | None = NEXT_CURSOR


class PageSize(_Out):
    page: int
    width: int
    height: int


class PageBoxes(PageSize):
    boxes: list[list[int]] = Field(description="[left, top, right, bottom] in pixels of the page image.")


class PageBoxesList(RootModel[list[PageBoxes]]):
    """The pages of a document with boxes around the words matching the query."""

    model_config = ConfigDict(from_attributes=True)


class SignatureOut(_Out):
    """A digital signature of the document's master PDF, read at ingest (provenance; revocation never checked)."""

    field_name: str
    status: str = Field(description="read, or unreadable (then `reason` says why)")
    reason: str | None
    signer_common_name: str | None
    signer_organisation: str | None = Field(description="O of the signer certificate's subject")
    signer_subject: str | None = Field(description="the subject, RFC 4514")
    issuer: str | None
    serial: str | None = Field(description="hexadecimal")
    signing_time: str | None = Field(description="ISO 8601: the signed attribute, else the dictionary's /M")
    signing_time_vi: str | None = Field(description="ngày … tháng … năm …, hh:mm (Vietnam time)")
    time_source: str | None = Field(description="signed_attribute or dictionary")
    intact: bool | None = Field(description="the signed bytes match the signed digest")
    valid: bool | None = Field(description="the signature over that digest verifies")
    trust: str = Field(description="not_checked (no trust roots configured), trusted or untrusted")
    coverage: str = Field(description="entire_file, revision (updated after signing), partial or unknown")
    revision: int | None = Field(description="the signed revision (1-based) of `revisions`")
    revisions: int | None
    pages_covered: int | None
    page_count: int | None
    widget_page: int | None = Field(description="page of the visible signature stamp (1-based)")
    widget_rect: list[float] | None = Field(description="its rectangle in PDF points [x0, y0, x1, y1]")


class DocumentOut(_Out):
    document_id: int
    source: str
    fields: dict[str, str | None]
    access_level: str
    unit_id: int | None
    file_id: int | None
    state: str
    text: str
    has_pdf: bool
    updated_at: str | None
    pages: list[PageSize]
    highlights: list[PageBoxes]
    signatures: list[SignatureOut] = Field(default_factory=list, description="digital signatures of the master PDF")


class DocumentItem(_Out):
    document_id: int
    fields: dict[str, str | None]
    unit_id: int | None
    file_id: int | None
    access_level: str
    pages: int
    state: str
    updated_at: str | None


class FileItem(_Out):
    file_id: int
    file_code: str
    title: str
    unit_id: int | None
    fonds_id: int | None
    access_level: str
    bloc: str | None
    retention: int | Literal["permanent"] | None
    start_date: str | None
    end_date: str | None


class FondsItem(_Out):
    fonds_id: int
    code: str
    name: str
    unit_id: int | None
    status: str
    start_year: int | None
    end_year: int | None


class UnitItem(_Out):
    unit_id: int
    identifier: str
    name: str
    unit_type: str | None
    bloc: str | None
    parent_id: int | None
    valid_from: str | None
    valid_to: str | None


class EventItem(_Out):
    model_config = ConfigDict(from_attributes=True, serialize_by_alias=True)

    event_id: int
    at: str
    action: str
    document_id: int | None
    hash: str
    event_schema: str = Field(default=EVENTS_SCHEMA_URL, serialization_alias="schema",
                              description="The JSON Schema of this event (the integration contract, v1).")


class DocumentPage(_Out):
    items: list[DocumentItem]
    next_cursor: str | None = NEXT_CURSOR


class FilePage(_Out):
    items: list[FileItem]
    next_cursor: str | None = NEXT_CURSOR


class FondsPage(_Out):
    items: list[FondsItem]
    next_cursor: str | None = NEXT_CURSOR


class UnitPage(_Out):
    items: list[UnitItem]
    next_cursor: str | None = NEXT_CURSOR


class EventPage(_Out):
    items: list[EventItem]
    next_cursor: str | None = NEXT_CURSOR


class SavedSearchIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, pattern=r"\S", description="Not blank.")
    query: str = Field(min_length=1, max_length=500, pattern=r"\S", description="Not blank.")
    unit: str | None = Field(default=None, max_length=35)
    year: int | None = Field(default=None, ge=1000, le=9999)
    type_name: str | None = Field(default=None, max_length=100)
    sort: Literal["relevance", "date_desc", "date_asc", "newest"] = "relevance"


class SavedSearchOut(_Out):
    id: int
    name: str
    query: str
    params: dict[str, str | bool | int | None]


WebhookEvent = Literal["document.create", "document.publish", "document.update", "access.change"]


class WebhookIn(BaseModel):
    url: str = Field(min_length=8, max_length=500, pattern=r"^https?://")
    events: list[WebhookEvent] = Field(min_length=1)


class WebhookOut(_Out):
    id: int
    url: str
    events: list[str]
    active: bool


class WebhookCreated(WebhookOut):
    secret: str = Field(description="HMAC-SHA256 signing secret; shown only once.")


IngestState = Literal["queued", "processing", "done", "duplicate", "quarantined", "failed"]


class IngestAccepted(BaseModel):
    sha256: str = Field(description="SHA-256 of the uploaded bytes: the key of its status.")
    state: IngestState
    status_url: str


class IngestStatusOut(_Out):
    state: IngestState
    reason: str | None = Field(description="Machine code of a quarantine or failure (e.g. `corrupt`).")
    message: str | None = Field(description="Vietnamese / English explanation of a quarantine or failure.")
    documents: list[int] = Field(description="Ids of the documents made from the file (never độ mật ones).")
