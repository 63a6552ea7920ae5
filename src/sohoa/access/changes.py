"""Access changes with warnings: a file's access level, per-file grants (with expiry) — each audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from sohoa.db.models import Document, FileGrant, FileUnit, User
from sohoa.domain.codes import AccessLevel
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.services.audit import record_event
from sohoa.services.context import AppContext

__all__ = ["AccessChange", "change_file_access", "grant_file", "list_grants", "revoke_grant"]

_RANK = {AccessLevel.PUBLIC: 0, AccessLevel.CONDITIONAL: 1, AccessLevel.INTERNAL: 2, AccessLevel.SECRET: 3}
MAX_GRANT_DAYS = 365


@dataclass(frozen=True)
class AccessChange:
    """What changed and what the person making the change must know (Vietnamese / English)."""

    entity_id: int
    warnings: tuple[str, ...]


def change_file_access(ctx: AppContext, file_id: int, level: str, actor: str, reason: str) -> AccessChange:
    """Set a file's access level and its documents' (độ mật documents stay secret); warn on widening."""
    if level not in _RANK:
        raise ValidationFailed(f"Mức độ tiếp cận không hợp lệ: {level}", f"Invalid access level: {level}")
    if not reason.strip():
        raise ValidationFailed("Cần nêu căn cứ thay đổi", "A reason (legal basis) is required")
    with ctx.db.session() as session:
        file = session.get(FileUnit, file_id)
        if file is None:
            raise NotFound(f"Không có hồ sơ số {file_id}", f"No file {file_id}")
        before = file.access_level
        docs = session.execute(select(func.count()).select_from(Document).where(Document.file_id == file_id)
                               ).scalar_one()
        secret = session.execute(select(func.count()).select_from(Document).where(
            Document.file_id == file_id, Document.secrecy.is_not(None))).scalar_one()
        warnings: list[str] = []
        if _RANK[AccessLevel(level)] < _RANK[AccessLevel(before)]:
            warnings.append(f"Mở rộng quyền truy cập ({before} → {level}): {docs} văn bản sẽ hiển thị cho nhiều "
                            f"người hơn / widening access: {docs} documents become visible to more people")
        if level == AccessLevel.PUBLIC:
            warnings.append("Văn bản sẽ xuất hiện trên cổng công dân và API công khai / documents will appear on "
                            "the citizen portal and the public API")
        if secret:
            warnings.append(f"{secret} văn bản có độ mật vẫn giữ mức mật / {secret} documents marked độ mật "
                            "stay secret")
        file.access_level = level
        session.execute(update(Document).where(Document.file_id == file_id, Document.secrecy.is_(None))
                        .values(access_level=level))
        ids = session.execute(select(Document.id).where(Document.file_id == file_id)).scalars().all()
        record_event(session, actor, "access.change", "file_unit", file_id,
                     {"before": before, "after": level, "reason": reason, "documents": docs})
        for doc_id in ids:  # the feed and webhooks follow documents
            record_event(session, actor, "access.change", "document", doc_id, {"before": before, "after": level})
        return AccessChange(file_id, tuple(warnings))


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


def list_grants(ctx: AppContext) -> list[dict[str, object]]:
    """Active grants with their file and user."""
    with ctx.db.session() as session:
        rows = session.execute(
            select(FileGrant, FileUnit.file_code, User.username).join(FileUnit, FileUnit.id == FileGrant.file_id)
            .join(User, User.id == FileGrant.user_id).where(FileGrant.revoked_at.is_(None)).order_by(FileGrant.id)
        ).all()
        return [{"id": g.id, "file_code": code, "username": name, "expires_at": g.expires_at.isoformat(),
                 "reason": g.reason} for g, code, name in rows]
