"""Response and request bodies of API v1 (documented in the OpenAPI spec)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = [
    "DocumentOut",
    "IngestAccepted",
    "IngestStatusOut",
    "ListOut",
    "SavedSearchIn",
    "SavedSearchOut",
    "SearchOut",
    "WebhookCreated",
    "WebhookIn",
    "WebhookOut",
]


class SearchHitOut(BaseModel):
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


class SearchOut(BaseModel):
    total: int
    total_exact: bool = Field(description="False when more than `total` documents match (counting was bounded).")
    results: list[SearchHitOut]
    facets: dict[str, list[dict[str, Any]]]
    suggestion: str | None = Field(description="'Did you mean': a corrected query, when one is likely.")
    next_cursor: str | None


class DocumentOut(BaseModel):
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
    pages: list[dict[str, int]]
    highlights: list[dict[str, Any]]


class ListOut(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end.")


class SavedSearchIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    query: str = Field(min_length=1, max_length=500)
    unit: str | None = Field(default=None, max_length=35)
    year: int | None = Field(default=None, ge=1000, le=9999)
    type_name: str | None = Field(default=None, max_length=100)
    sort: Literal["relevance", "date_desc", "date_asc", "newest"] = "relevance"


class SavedSearchOut(BaseModel):
    id: int
    name: str
    query: str
    params: dict[str, Any]


class WebhookIn(BaseModel):
    url: str = Field(min_length=8, max_length=500, pattern=r"^https?://")
    events: list[str] = Field(min_length=1)


class WebhookOut(BaseModel):
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


class IngestStatusOut(BaseModel):
    state: IngestState
    reason: str | None = Field(description="Machine code of a quarantine or failure (e.g. `corrupt`).")
    message: str | None = Field(description="Vietnamese / English explanation of a quarantine or failure.")
    documents: list[int] = Field(description="Ids of the documents made from the file (never độ mật ones).")
