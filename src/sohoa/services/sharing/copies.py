"""Certified copies for citizens: request (public documents only), staff approve or refuse, signed PDF delivery."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa import signing
from sohoa.db.models import CopyRequest, Document, StoredObject
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.workflow import CopyRequestState, transition
from sohoa.services.catalogue.documents import visible_document
from sohoa.services.catalogue.listing import document_clause
from sohoa.services.catalogue.personal_derivatives import masked_pdf_object
from sohoa.services.catalogue.personal_masking import masking_for
from sohoa.services.identity.policy import can_view_document, document_scope
from sohoa.services.identity.principal import SYSTEM, Principal
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.objects import ObjectDownload, download_of, store_bytes
from sohoa.signing import CopyStamp, SigningKey, sign_pdf, stamp_certified_copy

__all__ = ["CODE_ALPHABET", "CopyRequestInfo", "Requester", "approve_copy", "copy_pdf", "copy_status", "due_date",
           "ensure_dev_certificate", "list_copy_requests", "new_code", "refuse_copy", "request_copy", "short_code"]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_ID_NUMBER = re.compile(r"^[A-Z0-9]{6,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Tracking codes: 8 characters read aloud or typed from paper without doubt (no 0 or O, no 1, I or L, no U
# beside V), shown as two groups "K7MA-4QX2"; typed in any case, with or without the dash or spaces. 30⁸ ≈
# 6.6 × 10¹¹ codes, and the portal's per-address rate limit bounds guessing. Codes of the first releases
# (16 URL-safe characters) still resolve as they were given.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]+")  # spaces and dashes, typographic ones too


def new_code() -> str:
    """A new random tracking code, e.g. ``K7MA-4QX2``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def short_code(typed: str) -> str | None:
    """The tracking code as stored, from what a citizen typed ("k7ma 4qx2", "K7MA4QX2"); None if it is not one."""
    raw = _SEPARATORS.sub("", typed).upper()
    if len(raw) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in raw):
        return None
    return f"{raw[:4]}-{raw[4:]}"


def due_date(requested: datetime, working_days: int, zone: tzinfo = VN_TZ) -> date:
    """The day a decision is due: ``working_days`` Monday-to-Friday days after the day of the request in
    ``zone`` (public holidays are not known here)."""
    day = (requested if requested.tzinfo else requested.replace(tzinfo=UTC)).astimezone(zone).date()
    left = working_days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def ensure_dev_certificate(ctx: AppContext) -> SigningKey:
    """The signing key for copies; creates the self-signed development one when none is configured."""
    return signing.ensure_dev_certificate(ctx.settings)


@dataclass(frozen=True)
class Requester:
    """Who asks for the copy (kept in the request, not in the audit log)."""

    name: str
    id_number: str
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    purpose: str = ""

    def checked(self) -> Requester:
        name, id_number = " ".join(self.name.split()), self.id_number.strip().upper()
        if not 2 <= len(name) <= 200:
            raise ValidationFailed("Cần họ và tên người yêu cầu", "The requester's full name is required")
        if not _ID_NUMBER.match(id_number):
            raise ValidationFailed("Số CCCD/hộ chiếu không hợp lệ", "Invalid ID card or passport number")
        if self.email and not _EMAIL.match(self.email.strip()):
            raise ValidationFailed("Địa chỉ thư điện tử không hợp lệ", "Invalid email address")
        return Requester(name, id_number, (self.email or "").strip() or None, (self.phone or "").strip()[:20] or None,
                         (self.address or "").strip()[:300] or None, self.purpose.strip()[:1000])


@dataclass(frozen=True)
class CopyRequestInfo:
    id: int
    code: str
    document_id: int
    requester_name: str
    purpose: str
    state: str
    reason: str | None
    created_at: datetime
    decided_at: datetime | None


def _info(row: CopyRequest) -> CopyRequestInfo:
    return CopyRequestInfo(row.id, row.code, row.document_id, row.requester_name, row.purpose, row.state,
                           row.reason, row.created_at, row.decided_at)


def request_copy(ctx: AppContext, document_id: int, requester: Requester) -> CopyRequestInfo:
    """A pending request for a copy of a public document; the code lets the citizen follow it."""
    person = requester.checked()
    with ctx.db.session() as session:
        doc = visible_document(session, None, document_id)  # the portal reads as anonymous: public only
        row = CopyRequest(code=_unused_code(session), document_id=doc.id, requester_name=person.name,
                          id_number=person.id_number, email=person.email, phone=person.phone,
                          address=person.address, purpose=person.purpose)
        session.add(row)
        session.flush()
        record_event(session, "portal", "copy.request", "copy_request", row.id, {"document_id": doc.id})
        return _info(row)


def _unused_code(session: Session) -> str:
    for _ in range(10):
        code = new_code()
        if session.execute(select(CopyRequest.id).where(CopyRequest.code == code)).first() is None:
            return code
    raise RuntimeError("no unused tracking code after 10 draws")  # 30⁸ codes: not with any real number of requests


def list_copy_requests(ctx: AppContext, state: CopyRequestState | None = CopyRequestState.PENDING, *,
                       principal: Principal | None = SYSTEM) -> list[CopyRequestInfo]:
    """Copy requests (pending by default) for documents ``principal`` may see: the list the menu's count
    (``sohoa.services.sharing.worklists``) counts."""
    with ctx.db.session() as session:
        visible = document_clause(document_scope(session, principal))
        stmt = (select(CopyRequest).join(Document, Document.id == CopyRequest.document_id)
                .where(visible).order_by(CopyRequest.id))
        if state:
            stmt = stmt.where(CopyRequest.state == state)
        return [_info(r) for r in session.execute(stmt).scalars()]


def copy_status(ctx: AppContext, code: str) -> CopyRequestInfo:
    with ctx.db.session() as session:
        return _info(_by_code(session, code))


def _by_code(session: Session, code: str) -> CopyRequest:
    """The request of a code, while its document is still one the portal shows (a document marked độ mật or
    withdrawn since the request answers as an unknown code: the copy is not served any more)."""
    row = session.execute(select(CopyRequest).where(CopyRequest.code == code)).scalar_one_or_none()
    short = short_code(code) if row is None else None
    if short is not None:  # typed in another case, without the dash, with spaces
        row = session.execute(select(CopyRequest).where(CopyRequest.code == short)).scalar_one_or_none()
    doc = session.get(Document, row.document_id) if row is not None else None
    if row is None or doc is None or not can_view_document(session, None, doc):
        raise NotFound("Không tìm thấy yêu cầu", "No such request")
    return row


def _pending(session: Session, request_id: int) -> CopyRequest:
    row = session.get(CopyRequest, request_id)
    if row is None:
        raise NotFound(f"Không có yêu cầu số {request_id}", f"No request {request_id}")
    if row.state != CopyRequestState.PENDING:
        raise ValidationFailed("Yêu cầu đã được xử lý", "The request has already been decided")
    return row


def _certified_pdf(ctx: AppContext, session: Session, row: CopyRequest, doc: Document, now: datetime) -> bytes:
    """The document's PDF as the public may read it (personal data burned in), stamped and signed."""
    masking = masking_for(session, doc, None)  # the copy leaves the archive: masked as for anyone outside
    if masking is not None:
        pdf = masked_pdf_object(ctx.store, session, doc, masking)
    else:
        pdf = session.get(StoredObject, doc.pdf_object_id) if doc.pdf_object_id else None
    if pdf is None:
        raise ValidationFailed("Văn bản chưa có bản PDF để sao", "The document has no PDF to copy")
    stamp = CopyStamp(agency=ctx.settings.copy_agency, number=f"{row.id}/SY-LT", place="Hà Nội",
                      at=now.astimezone(VN_TZ), requester=row.requester_name)
    stamped = stamp_certified_copy(ctx.store.read(pdf.sha256), stamp)
    key = ensure_dev_certificate(ctx)
    return sign_pdf(stamped, key, reason=f"Bản sao y số {stamp.number}", location="Hà Nội")


def approve_copy(ctx: AppContext, request_id: int, actor: str) -> CopyRequestInfo:
    """Stamp the copy form on the document's PDF, sign it (PAdES) and make it available to the requester."""
    now = datetime.now(UTC)
    with ctx.db.session() as session:
        row = _pending(session, request_id)
        doc = visible_document(session, None, row.document_id)  # still public at decision time
        signed = _certified_pdf(ctx, session, row, doc, now)
        stored = store_bytes(session, ctx.store, signed, media_type="application/pdf", kind="certified_copy")
        row.state = transition(row.state, CopyRequestState.APPROVED)
        row.decided_by, row.decided_at, row.copy_object_id = actor, now, stored.id
        record_event(session, actor, "copy.approve", "copy_request", row.id,
                     {"document_id": doc.id, "sha256": stored.sha256})
        return _info(row)


def refuse_copy(ctx: AppContext, request_id: int, actor: str, reason: str) -> CopyRequestInfo:
    """Refuse with a reason the requester will read."""
    if not reason.strip():
        raise ValidationFailed("Cần nêu lý do từ chối", "A reason is required to refuse")
    with ctx.db.session() as session:
        row = _pending(session, request_id)
        row.state, row.reason = transition(row.state, CopyRequestState.REFUSED), reason.strip()[:2000]
        row.decided_by, row.decided_at = actor, datetime.now(UTC)
        record_event(session, actor, "copy.refuse", "copy_request", row.id, {"reason": row.reason})
        return _info(row)


def copy_pdf(ctx: AppContext, code: str) -> ObjectDownload:
    """The signed certified copy of an approved request (the download is recorded)."""
    with ctx.db.session() as session:
        row = _by_code(session, code)
        stored = session.get(StoredObject, row.copy_object_id) if row.copy_object_id else None
        if row.state != CopyRequestState.APPROVED or stored is None:
            raise NotFound("Bản sao chưa sẵn sàng", "The copy is not ready")
        record_event(session, "portal", "copy.download", "copy_request", row.id, {})
        return download_of(ctx.store, stored, media_type="application/pdf",
                           filename=f"ban-sao-{row.document_id}-{row.id}.pdf")
