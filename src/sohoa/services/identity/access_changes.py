"""Access changes with warnings: a file's access level, per-file grants (with expiry) — each audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileGrant, FileUnit, User
from sohoa.domain.codes import AccessLevel
from sohoa.domain.errors import NotFound, PermissionDenied, ValidationFailed
from sohoa.services.identity.policy import PUBLISHED_STATES, is_secret
from sohoa.services.identity.protection import LEVEL_RANK, level_rank, may_change_access
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext

__all__ = ["AccessChange", "GrantView", "change_file_access", "grant_file", "list_grants", "preview_file_access",
           "record_publication", "revoke_grant"]

MAX_GRANT_DAYS = 365


@dataclass(frozen=True)
class AccessChange:
    """What changed and what the person making the change must know (Vietnamese / English)."""

    entity_id: int
    warnings: tuple[str, ...]


def _keeps_secret(doc: Document, file_before: str) -> bool:
    """Secret on its own account (độ mật, or a secret level its file did not give it): a file-level change never
    declassifies it."""
    return doc.secrecy is not None or (doc.access_level == AccessLevel.SECRET and file_before != AccessLevel.SECRET)


def _counts(session: Session, file: FileUnit) -> tuple[int, int]:
    """Documents in the file, and those of them that stay secret whatever the file's level."""
    docs = list(session.execute(select(Document).where(Document.file_id == file.id)).scalars())
    return len(docs), sum(1 for d in docs if _keeps_secret(d, file.access_level))


def _warnings(session: Session, file: FileUnit, level: str) -> tuple[str, ...]:
    """What the person must know before the change (Vietnamese / English)."""
    docs, secret = _counts(session, file)
    warnings: list[str] = []
    if level_rank(level) < level_rank(file.access_level):
        warnings.append(f"Mở rộng quyền truy cập ({file.access_level} → {level}): {docs} văn bản sẽ hiển thị cho "
                        f"nhiều người hơn / widening access: {docs} documents become visible to more people")
    if level == AccessLevel.PUBLIC:
        warnings.append("Văn bản đã kiểm duyệt sẽ xuất hiện trên cổng công dân và API công khai / reviewed "
                        "documents will appear on the citizen portal and the public API")
    if secret:
        warnings.append(f"{secret} văn bản có độ mật vẫn giữ mức mật / {secret} secret documents (độ mật) "
                        "stay secret")
    return tuple(warnings)


def _checked(session: Session, file_id: int, level: str, reason: str, role: str) -> FileUnit:
    if level not in LEVEL_RANK:
        raise ValidationFailed(f"Mức độ tiếp cận không hợp lệ: {level}", f"Invalid access level: {level}")
    if not reason.strip():
        raise ValidationFailed("Cần nêu căn cứ thay đổi", "A reason (legal basis) is required")
    file = session.get(FileUnit, file_id)
    if file is None:
        raise NotFound(f"Không có hồ sơ số {file_id}", f"No file {file_id}")
    if not may_change_access(role, file.access_level, level):
        raise PermissionDenied(f"Vai trò {role} không được đổi mức tiếp cận {file.access_level} → {level}",
                               f"Role {role} may not change the access level {file.access_level} → {level}")
    return file


def preview_file_access(ctx: AppContext, file_id: int, level: str, *, role: str) -> AccessChange:
    """The warnings a change would bring, without making it (the confirm step of a form)."""
    with ctx.db.session() as session:
        file = _checked(session, file_id, level, "preview", role)
        return AccessChange(file_id, _warnings(session, file, level))


def change_file_access(ctx: AppContext, file_id: int, level: str, actor: str, reason: str, *,
                       role: str) -> AccessChange:
    """Set a file's access level and its documents' (độ mật documents stay secret), if ``role`` may;
    warn on widening; audit the file and each document, and publish what becomes public."""
    with ctx.db.session() as session:
        file = _checked(session, file_id, level, reason, role)
        before, warnings = file.access_level, _warnings(session, file, level)
        docs = list(session.execute(select(Document).where(Document.file_id == file_id).order_by(Document.id))
                    .scalars())
        file.access_level = level
        record_event(session, actor, "access.change", "file_unit", file_id,
                     {"before": before, "after": level, "reason": reason, "documents": len(docs), "role": role})
        for doc in docs:  # the feed and webhooks follow documents
            _change_document(session, doc, level, before, actor)
        return AccessChange(file_id, warnings)


def _change_document(session: Session, doc: Document, level: str, file_before: str, actor: str) -> None:
    was_public = not is_secret(doc) and doc.access_level == AccessLevel.PUBLIC
    before = doc.access_level
    if not _keeps_secret(doc, file_before) or level_rank(level) > level_rank(doc.access_level):
        doc.access_level = level
    record_event(session, actor, "access.change", "document", doc.id, {"before": before, "after": doc.access_level})
    if doc.access_level == AccessLevel.PUBLIC and not was_public and doc.state in PUBLISHED_STATES:
        record_publication(session, doc, actor, "access.change")


def record_publication(session: Session, doc: Document, actor: str, via: str) -> bool:
    """``document.publish``: an accepted document reaches its audience (``public``: the portal and public
    tokens; ``restricted``: its unit and the archive staff). Never for độ mật: those stay on the local machine."""
    if is_secret(doc):
        return False
    audience = "public" if doc.access_level == AccessLevel.PUBLIC else "restricted"
    record_event(session, actor, "document.publish", "document", doc.id, {"via": via, "audience": audience})
    return True


def grant_file(ctx: AppContext, file_id: int, username: str, days: int, actor: str, reason: str) -> AccessChange:
    """Let one user read one file for ``days`` days (never its độ mật documents)."""
    if not 1 <= days <= MAX_GRANT_DAYS:
        raise ValidationFailed(f"Thời hạn từ 1 đến {MAX_GRANT_DAYS} ngày", f"Duration 1–{MAX_GRANT_DAYS} days")
    with ctx.db.session() as session:
        file = session.get(FileUnit, file_id)
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if file is None or user is None:
            raise NotFound("Không tìm thấy hồ sơ hoặc người dùng", "Unknown file or user")
        grant = FileGrant(file_id=file_id, user_id=user.id, granted_by=actor, reason=reason.strip()[:500],
                          expires_at=datetime.now(UTC) + timedelta(days=days))
        session.add(grant)
        session.flush()
        record_event(session, actor, "grant.create", "file_unit", file_id,
                     {"user": username, "days": days, "reason": grant.reason, "grant_id": grant.id})
        warning = (f"{username} được xem hồ sơ {file.file_code} ({file.access_level}) đến "
                   f"{grant.expires_at.date().isoformat()} / {username} may read file {file.file_code} until then")
        return AccessChange(grant.id, (warning,))


def revoke_grant(ctx: AppContext, grant_id: int, actor: str) -> None:
    with ctx.db.session() as session:
        grant = session.get(FileGrant, grant_id)
        if grant is None or grant.revoked_at is not None:
            raise NotFound(f"Không có quyền số {grant_id}", f"No active grant {grant_id}")
        grant.revoked_at = datetime.now(UTC)
        record_event(session, actor, "grant.revoke", "file_unit", grant.file_id, {"grant_id": grant_id})


@dataclass(frozen=True)
class GrantView:
    """One active per-file grant as the admin page lists it."""

    id: int
    file_code: str
    username: str
    expires_at: str  # ISO 8601
    reason: str


def list_grants(ctx: AppContext) -> list[GrantView]:
    """Active grants with their file and user."""
    with ctx.db.session() as session:
        rows = session.execute(
            select(FileGrant, FileUnit.file_code, User.username).join(FileUnit, FileUnit.id == FileGrant.file_id)
            .join(User, User.id == FileGrant.user_id).where(FileGrant.revoked_at.is_(None)).order_by(FileGrant.id)
        ).all()
        return [GrantView(id=g.id, file_code=code, username=name, expires_at=g.expires_at.isoformat(),
                          reason=g.reason) for g, code, name in rows]
