"""The digital signatures of a document as readers see them (provenance read at ingest, never re-checked here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import DocumentSignature

__all__ = ["COVERAGE_LABELS", "SignatureView", "document_signatures", "vietnamese_time"]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# coverage → (vi, en)
COVERAGE_LABELS: dict[str, tuple[str, str]] = {
    "entire_file": ("Toàn bộ tệp", "The entire file"),
    "revision": ("Một phiên bản của tệp; tệp có cập nhật sau khi ký",
                 "One revision; the file was updated after signing"),
    "partial": ("Một phần của tệp", "Part of the file"),
    "unknown": ("Không xác định", "Unknown"),
}


@dataclass(frozen=True)
class SignatureView:
    """One signature of a document's master PDF: who, when (ISO 8601 and Vietnamese wording), intact or not,
    what it covers and where its stamp is."""

    field_name: str
    status: str                    # read / unreadable
    reason: str | None
    signer_common_name: str | None
    signer_organisation: str | None
    signer_subject: str | None
    issuer: str | None
    serial: str | None
    signing_time: str | None       # ISO 8601 with its offset, as signed
    signing_time_vi: str | None    # "ngày 3 tháng 2 năm 2025, 10:47" in Vietnam time
    signing_time_en: str | None    # "2025-02-03 10:47 (UTC+07:00)", the same instant
    time_source: str | None
    intact: bool | None
    valid: bool | None
    trust: str
    coverage: str
    coverage_vi: str
    coverage_en: str
    revision: int | None           # 1-based signed revision, of ``revisions``
    revisions: int | None
    pages_covered: int | None
    page_count: int | None
    widget_page: int | None
    widget_rect: list[float] | None


def vietnamese_time(moment: datetime | None) -> str | None:
    """'ngày 3 tháng 2 năm 2025, 10:47' in Vietnam time."""
    if moment is None:
        return None
    local = moment.astimezone(VN_TZ)
    return f"ngày {local.day} tháng {local.month} năm {local.year}, {local:%H:%M}"


def _utc(moment: datetime | None) -> datetime | None:
    """A stored time, aware: stored in UTC (SQLite gives it back without its offset)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _english_time(moment: datetime | None) -> str | None:
    return f"{moment.astimezone(VN_TZ):%Y-%m-%d %H:%M} (UTC+07:00)" if moment else None


def _view(row: DocumentSignature) -> SignatureView:
    details: dict[str, Any] = row.details or {}
    revision = details.get("revision")
    vi, en = COVERAGE_LABELS.get(row.coverage, COVERAGE_LABELS["unknown"])
    signed_at = _utc(row.signing_time)
    return SignatureView(
        field_name=row.field_name, status=row.status, reason=row.reason,
        signer_common_name=row.signer_common_name, signer_organisation=row.signer_organisation,
        signer_subject=row.signer_subject, issuer=row.issuer, serial=row.serial,
        signing_time=signed_at.isoformat() if signed_at else None,
        signing_time_vi=vietnamese_time(signed_at), signing_time_en=_english_time(signed_at),
        time_source=row.time_source,
        intact=row.intact, valid=row.valid, trust=row.trust, coverage=row.coverage, coverage_vi=vi,
        coverage_en=en, revision=revision + 1 if isinstance(revision, int) else None,
        revisions=details.get("revisions"), pages_covered=details.get("pages_covered"),
        page_count=details.get("page_count"), widget_page=details.get("widget_page"),
        widget_rect=details.get("widget_rect"))


def document_signatures(session: Session, document_id: int) -> list[SignatureView]:
    """The signatures stored with a document (the caller has checked that it may be seen)."""
    rows = session.execute(select(DocumentSignature).where(DocumentSignature.document_id == document_id)
                           .order_by(DocumentSignature.master_object_id, DocumentSignature.position)).scalars()
    return [_view(row) for row in rows]
