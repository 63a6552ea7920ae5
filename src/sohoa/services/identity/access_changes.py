"""Access changes with warnings: a file's access level, per-file grants (with expiry) — each audited."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.db.models import Document, FileGrant, FileUnit, User
from sohoa.domain.codes import ACCESS_LEVELS, AccessLevel
from sohoa.domain.errors import NotFound, PermissionDenied, ValidationFailed
from sohoa.services.identity.policy import PUBLISHED_STATES, is_secret
from sohoa.services.identity.protection import LEVEL_RANK, level_rank, may_change_access
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext

__all__ = ["AccessChange", "AccessWarning", "FileAccessSummary", "GrantView", "change_file_access",
           "file_access_summary", "grant_file", "list_grants", "preview_file_access", "record_publication",
           "resolve_file", "revoke_grant"]

MAX_GRANT_DAYS = 365


@dataclass(frozen=True)
class AccessWarning:
    """One thing the person making a change must know, in each interface language (a page shows the one its
    reader chose, never both in one line)."""

    vi: str
    en: str

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


@dataclass(frozen=True)
class AccessChange:
    """What changed and what the person making the change must know."""

    entity_id: int
    warnings: tuple[AccessWarning, ...]
    changed: int = 0  # documents whose level changed
    published: int = 0  # documents the public sees now and did not before
    withdrawn: int = 0  # documents the public saw before and does not now


@dataclass(frozen=True)
class FileAccessSummary:
    """A file's documents against its access level, for the arrangement screen."""

    documents: int
    out_of_step: int  # documents a change to the file's own level would still change (filed in stricter, say)
    public_now: int  # documents the public sees now
    waiting: int  # documents not reviewed (or not through QC) yet: the public sees none of them before


def _named(level: str) -> tuple[str, str]:
    """The level's Vietnamese and English names (the code itself when it is off the list)."""
    for code, names in ACCESS_LEVELS.items():
        if code.value == level:
            return names
    return level, level


def _public(doc: Document) -> bool:
    """The document as the public sees it (the same rule as the policy's anonymous scope)."""
    return not is_secret(doc) and doc.access_level == AccessLevel.PUBLIC and doc.state in PUBLISHED_STATES


def _keeps_secret(doc: Document, file_before: str) -> bool:
    """Secret on its own account (độ mật, or a secret level its file did not give it): a file-level change never
    declassifies it."""
    return doc.secrecy is not None or (doc.access_level == AccessLevel.SECRET and file_before != AccessLevel.SECRET)


def _counts(session: Session, file: FileUnit) -> tuple[int, int]:
    """Documents in the file, and those of them that stay secret whatever the file's level."""
    docs = list(session.execute(select(Document).where(Document.file_id == file.id)).scalars())
    return len(docs), sum(1 for d in docs if _keeps_secret(d, file.access_level))


def _file_documents(session: Session, file_id: int) -> list[Document]:
    return list(session.execute(select(Document).where(Document.file_id == file_id).order_by(Document.id))
                .scalars())


def _lowers(role: str, file_level: str, level: str) -> bool:
    """Whether the change may bring documents filed in stricter than ``level`` down to it: always for a role that
    may lower even a secret level (admin); for the others only a change that widens the file or sets its own level
    again (an archivist's narrowing never lowers a document filed in stricter). The role check then weighs every
    level the change lowers, so a secret one stays the administrator's."""
    return (may_change_access(role, AccessLevel.SECRET, AccessLevel.PUBLIC)
            or level_rank(level) <= level_rank(file_level))


def _new_level(doc: Document, level: str, file_before: str, *, lower: bool = True) -> str:
    """The document's level once its file is set to ``level`` (độ mật documents stay secret; without ``lower``,
    only raised)."""
    if level_rank(level) > level_rank(doc.access_level) or (lower and not _keeps_secret(doc, file_before)):
        return level
    return doc.access_level


def _widest_before(docs: list[Document], file: FileUnit, level: str, *, lower: bool = True) -> str:
    """The strictest level the change would lower — the file's own or one of its documents' (a document filed in
    stricter than its file): the role check compares it with ``level``, so an equal file level hides no widening."""
    levels = [file.access_level, *(d.access_level for d in docs
                                   if _new_level(d, level, file.access_level, lower=lower) != d.access_level)]
    return max(levels, key=level_rank)


def _warnings(session: Session, file: FileUnit, level: str, *, lower: bool = True) -> tuple[AccessWarning, ...]:
    """What the person must know before the change, in Vietnamese and in English."""
    docs, secret = _counts(session, file)
    rows = _file_documents(session, file.id)
    warnings: list[AccessWarning] = []
    before = _widest_before(rows, file, level, lower=lower)
    if level_rank(level) < level_rank(before):
        (vi_before, en_before), (vi_after, en_after) = _named(before), _named(level)
        warnings.append(AccessWarning(
            f"Mở rộng quyền truy cập ({vi_before} → {vi_after}): {docs} văn bản sẽ hiển thị cho nhiều người hơn",
            f"Widening access ({en_before} → {en_after}): {_documents(docs)} {_verb(docs, 'become')} visible to "
            "more people"))
    if level == AccessLevel.PUBLIC:
        ready = sum(1 for d in rows if not _public(d) and not is_secret(d) and d.state in PUBLISHED_STATES
                    and _new_level(d, level, file.access_level, lower=lower) == AccessLevel.PUBLIC)
        waiting = sum(1 for d in rows if d.state not in PUBLISHED_STATES and not _keeps_secret(d, file.access_level))
        warnings.append(AccessWarning(
            f"{ready} văn bản đã kiểm duyệt sẽ xuất hiện trên cổng công dân và API công khai",
            f"{_documents(ready, 'reviewed ')} will appear on the citizen portal and the public API"))
        if waiting:
            warnings.append(AccessWarning(
                f"{waiting} văn bản chưa kiểm duyệt, bị trả lại, đã gộp hoặc bị thay thế sẽ không hiển thị "
                "(chỉ hiển thị khi được duyệt)",
                f"{_documents(waiting)} not reviewed, sent back, merged or superseded {_verb(waiting, 'stay')} hidden "
                "(shown only once accepted)"))
    shown = sum(1 for d in rows if _public(d))
    if level != AccessLevel.PUBLIC and shown:
        warnings.append(AccessWarning(f"{shown} văn bản đang công bố sẽ bị rút khỏi cổng công dân",
                                      f"{_documents(shown, 'published ')} will be withdrawn from the citizen portal"))
    if secret:
        warnings.append(AccessWarning(f"{secret} văn bản có độ mật vẫn giữ mức mật",
                                      f"{_documents(secret, 'classified ')} {_verb(secret, 'stay')} secret"))
    return tuple(warnings)


def _documents(count: int, kind: str = "") -> str:
    """'1 reviewed document', '3 reviewed documents'."""
    return f"{count} {kind}document{'' if count == 1 else 's'}"


def _verb(count: int, verb: str) -> str:
    """The verb agreeing with a count of documents: '1 document stays', '2 documents stay'."""
    return verb + "s" if count == 1 else verb


def _checked(session: Session, file_id: int, level: str, reason: str, role: str) -> FileUnit:
    """The file, once the level, the reason and the role's right to the change (the file's level and every
    document it would lower) are checked."""
    if level not in LEVEL_RANK:
        raise ValidationFailed(f"Mức độ tiếp cận không hợp lệ: {level}", f"Invalid access level: {level}")
    if not reason.strip():
        raise ValidationFailed("Cần nêu căn cứ thay đổi", "A reason (legal basis) is required")
    file = session.get(FileUnit, file_id)
    if file is None:
        raise NotFound(f"Không có hồ sơ số {file_id}", f"No file {file_id}")
    docs = _file_documents(session, file.id)
    before = _widest_before(docs, file, level, lower=_lowers(role, file.access_level, level))
    if level == file.access_level:
        # The file's own level again: the change is meant for documents that lag behind it (stricter), and
        # bringing them to it widens them.
        before = _widest_before(docs, file, level)
    if not may_change_access(role, before, level):
        secret = level_rank(before) >= LEVEL_RANK[AccessLevel.SECRET]
        (vi_before, en_before), (vi_after, en_after) = _named(before), _named(level)
        raise PermissionDenied(f"Vai trò {role} không được đổi mức tiếp cận {vi_before} → {vi_after}: chỉ quản trị "
                               "viên " + ("được hạ mức Mật" if secret else "và lưu trữ viên được đổi mức tiếp cận"),
                               f"Role {role} may not change the access level {en_before} → {en_after}: only an "
                               + ("administrator lowers the secret level" if secret
                                  else "administrator or an archivist changes access levels"))
    return file


def resolve_file(ctx: AppContext, text: str) -> int:
    """The file a person names: its code (mã hồ sơ, as printed on the label) or its number."""
    wanted = unicodedata.normalize("NFC", text.strip())
    if not wanted:
        raise ValidationFailed("Cần nhập mã hồ sơ", "A file code is required")
    with ctx.db.session() as session:
        found = session.execute(select(FileUnit.id).where(FileUnit.file_code == wanted)).scalars().all()
        if not found:
            found = session.execute(select(FileUnit.id).where(func.lower(FileUnit.file_code) == wanted.lower())
                                    ).scalars().all()
        if len(found) == 1:
            return int(found[0])
        if not found and wanted.isdigit() and session.get(FileUnit, int(wanted)) is not None:
            return int(wanted)
    if found:
        raise ValidationFailed(f"Có nhiều hồ sơ mang mã {wanted}", f"Several files have the code {wanted}")
    raise NotFound(f"Không có hồ sơ mã {wanted}", f"No file with the code {wanted}")


def file_access_summary(ctx: AppContext, file_id: int) -> FileAccessSummary:
    """How the file's documents stand against its level: what the arrangement screen shows next to the control."""
    with ctx.db.session() as session:
        file = session.get(FileUnit, file_id)
        if file is None:
            raise NotFound(f"Không có hồ sơ số {file_id}", f"No file {file_id}")
        docs = _file_documents(session, file_id)
        return FileAccessSummary(
            documents=len(docs),
            out_of_step=sum(1 for d in docs if _new_level(d, file.access_level, file.access_level) != d.access_level),
            public_now=sum(1 for d in docs if _public(d)),
            waiting=sum(1 for d in docs if d.state not in PUBLISHED_STATES))


def preview_file_access(ctx: AppContext, file_id: int, level: str, *, role: str) -> AccessChange:
    """The warnings a change would bring and how many documents it would change, without making it (the confirm
    step of a form)."""
    with ctx.db.session() as session:
        file = _checked(session, file_id, level, "preview", role)
        docs = _file_documents(session, file_id)
        lower = _lowers(role, file.access_level, level)
        changed = sum(1 for d in docs if _new_level(d, level, file.access_level, lower=lower) != d.access_level)
        return AccessChange(file_id, _warnings(session, file, level, lower=lower), changed=changed)


def change_file_access(ctx: AppContext, file_id: int, level: str, actor: str, reason: str, *,
                       role: str) -> AccessChange:
    """Set a file's access level and its documents' (độ mật documents stay secret), if ``role`` may;
    warn on widening; audit the file and each document, and publish what becomes public."""
    with ctx.db.session() as session:
        file = _checked(session, file_id, level, reason, role)
        lower = _lowers(role, file.access_level, level)
        before, warnings = file.access_level, _warnings(session, file, level, lower=lower)
        docs = _file_documents(session, file_id)
        shown_before = {d.id for d in docs if _public(d)}
        file.access_level = level
        record_event(session, actor, "access.change", "file_unit", file_id,
                     {"before": before, "after": level, "reason": reason, "documents": len(docs), "role": role})
        changed = sum(_change_document(session, doc, level, before, actor, lower=lower)
                      for doc in docs)  # the feed and webhooks follow documents
        shown_after = {d.id for d in docs if _public(d)}
        return AccessChange(file_id, warnings, changed=changed, published=len(shown_after - shown_before),
                            withdrawn=len(shown_before - shown_after))


def _change_document(session: Session, doc: Document, level: str, file_before: str, actor: str, *,
                     lower: bool) -> bool:
    was_public, shown = not is_secret(doc) and doc.access_level == AccessLevel.PUBLIC, _public(doc)
    before = doc.access_level
    doc.access_level = _new_level(doc, level, file_before, lower=lower)
    payload: dict[str, object] = {"before": before, "after": doc.access_level}
    if shown and not _public(doc):
        payload["withdrawn"] = True  # the public saw it until now (publication states read this)
    record_event(session, actor, "access.change", "document", doc.id, payload)
    if doc.access_level == AccessLevel.PUBLIC and not was_public and doc.state in PUBLISHED_STATES:
        record_publication(session, doc, actor, "access.change")
    return doc.access_level != before


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
        (vi_level, en_level), until = _named(file.access_level), grant.expires_at.strftime("%d/%m/%Y")
        warning = AccessWarning(f"{username} được xem hồ sơ {file.file_code} ({vi_level}) đến hết ngày {until}",
                                f"{username} may read file {file.file_code} ({en_level}) until {until}")
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
