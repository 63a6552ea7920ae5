"""Accounts: create users, authenticate with throttling, change passwords, manage units, seed demo users."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from sohoa.db.models import Unit, User
from sohoa.domain.codes import Role
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.domain.text import fold, nfc
from sohoa.services.identity import login_throttle
from sohoa.services.identity.login_throttle import LoginLocked
from sohoa.services.identity.passwords import check_strength, hash_password, needs_rehash, verify_password
from sohoa.services.identity.principal import Principal
from sohoa.services.identity.user_sessions import principal_of, revoke_user_sessions
from sohoa.services.platform.audit import record_event
from sohoa.services.platform.context import AppContext
from sohoa.settings import Settings
from sohoa.storage.private import create_private_file

__all__ = [
    "MAX_FAILURES",
    "LoginLocked",
    "UserView",
    "authenticate",
    "change_password",
    "create_unit",
    "create_user",
    "end_sessions",
    "list_units",
    "list_users",
    "seed_demo_users",
    "update_user",
]

MAX_FAILURES: int = Settings.model_fields["login_max_failures"].default  # per username and address
DEMO_UNIT = ("000.00.00.H26.DEMO", "UBND phường Demo")


@dataclass(frozen=True)
class UserView:
    """A user as listed on the admin screen."""

    id: int
    username: str
    full_name: str
    role: str
    unit_id: int | None
    active: bool


def _view(user: User) -> UserView:
    return UserView(user.id, user.username, user.full_name, user.role, user.unit_id, user.active)


def _check_role(role: str) -> str:
    try:
        return Role(role).value
    except ValueError as exc:
        raise ValidationFailed(f"Vai trò không hợp lệ: {role}", f"Unknown role: {role}") from exc


def _check_username(username: str) -> str:
    name = nfc(username).strip()
    if not name or len(name) > 64 or any(ch.isspace() for ch in name):
        raise ValidationFailed("Tên đăng nhập không hợp lệ", "Invalid username")
    return name


def create_user(
    ctx: AppContext,
    username: str,
    password: str,
    role: str,
    *,
    full_name: str = "",
    unit_id: int | None = None,
    actor: str = "system",
) -> UserView:
    """Create an account with an argon2 hash; refuses duplicates, unknown roles and weak passwords."""
    name, role_value = _check_username(username), _check_role(role)
    with ctx.db.session() as session:
        if session.execute(select(User.id).where(User.username == name)).scalar() is not None:
            raise ValidationFailed(f"Tên đăng nhập đã tồn tại: {name}", f"Username already exists: {name}")
        user = User(
            username=name,
            full_name=nfc(full_name),
            password_hash=hash_password(password),
            role=role_value,
            unit_id=unit_id,
            active=True,
            session_version=1,
        )
        session.add(user)
        session.flush()
        record_event(session, actor, "user.create", "user", user.id, {"username": name, "role": role_value})
        return _view(user)


def _lookup(ctx: AppContext, name: str) -> tuple[int, str] | None:
    """(id, password hash) of an active account, None otherwise."""
    with ctx.db.session() as session:
        user = session.execute(select(User).where(User.username == name)).scalar_one_or_none()
        return (user.id, user.password_hash) if user is not None and user.active else None


def authenticate(ctx: AppContext, username: str, password: str, address: str) -> Principal | None:
    """The principal for good credentials, None for bad ones; raises LoginLocked when throttled.

    The attempt is counted (atomically, see :mod:`sohoa.services.identity.login_throttle`) before the password
    is verified, and the verification runs outside any transaction.
    """
    name = nfc(username).strip()
    with ctx.db.session() as session:
        reservation = login_throttle.reserve(session, name, address, login_throttle.Limits.of(ctx.settings))
    found = _lookup(ctx, name)
    ok = verify_password(found[1] if found else None, password) and found is not None
    with ctx.db.session() as session:
        if not ok or found is None:
            record_event(session, name or "?", "auth.login_failed", "user", found[0] if found else None,
                         {"address": address})
            return None
        login_throttle.refund(session, reservation)  # counters first: every writer locks them in one order
        user = session.get(User, found[0])
        if user is None or not user.active:
            return None
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        record_event(session, user.username, "auth.login", "user", user.id, {"address": address})
        return principal_of(user)


def change_password(ctx: AppContext, user_id: int, current: str, new: str, *, keep_session: str | None = None) -> None:
    """Change one's own password (current one required); every other session of the user ends."""
    check_strength(new)
    with ctx.db.session() as session:
        user = session.get(User, user_id)
        if user is None or not verify_password(user.password_hash, current):
            raise ValidationFailed("Mật khẩu hiện tại không đúng", "The current password is wrong")
        user.password_hash = hash_password(new)
        user.password_changed_at = datetime.now(UTC)
        revoked = revoke_user_sessions(session, user.id, keep_token=keep_session)
        record_event(session, user.username, "user.password_change", "user", user.id, {"sessions_revoked": revoked})


def update_user(
    ctx: AppContext,
    user_id: int,
    *,
    role: str,
    active: bool,
    unit_id: int | None,
    new_password: str | None,
    actor: str,
) -> UserView:
    """Admin edit: role, active flag, unit and optionally a new password; any change ends the user's sessions."""
    role_value = _check_role(role)
    with ctx.db.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("Không tìm thấy người dùng", "User not found")
        changes: dict[str, object] = {"role": role_value, "active": active, "unit_id": unit_id}
        before = (user.role, user.active, user.unit_id)
        user.role, user.active, user.unit_id = role_value, active, unit_id
        if new_password:
            user.password_hash = hash_password(new_password)
            changes["password_reset"] = True
        if new_password or before != (role_value, active, unit_id):
            changes["sessions_revoked"] = revoke_user_sessions(session, user.id)
        record_event(session, actor, "user.update", "user", user.id, changes)
        return _view(user)


def end_sessions(ctx: AppContext, user_id: int, actor: str) -> int:
    """An administrator signs a user out everywhere (a lost laptop, a shared password); returns how many."""
    with ctx.db.session() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("Không tìm thấy người dùng", "User not found")
        revoked = revoke_user_sessions(session, user.id)
        record_event(session, actor, "user.sessions_revoke", "user", user.id, {"sessions_revoked": revoked})
        return revoked


def list_users(ctx: AppContext) -> list[UserView]:
    with ctx.db.session() as session:
        return [_view(u) for u in session.execute(select(User).order_by(User.username)).scalars()]


def list_units(ctx: AppContext, query: str = "", limit: int = 200) -> list[tuple[int, str, str]]:
    """(id, identifier, name) of units, filtered tone-insensitively by name."""
    with ctx.db.session() as session:
        stmt = select(Unit.id, Unit.identifier, Unit.name).order_by(Unit.name).limit(limit)
        if query:
            stmt = stmt.where(Unit.name_folded.contains(fold(query)))
        return [(r[0], r[1], r[2]) for r in session.execute(stmt)]


def create_unit(ctx: AppContext, identifier: str, name: str, unit_type: str, actor: str) -> int:
    """Register a unit (cơ quan/đơn vị); identifier ≤ 35 characters, unique."""
    ident, label = nfc(identifier).strip(), nfc(name).strip()
    if not ident or len(ident) > 35 or not label:
        raise ValidationFailed(
            "Mã định danh (≤35 ký tự) và tên là bắt buộc", "Identifier (≤35 characters) and name are required"
        )
    with ctx.db.session() as session:
        if session.execute(select(Unit.id).where(Unit.identifier == ident)).scalar() is not None:
            raise ValidationFailed(f"Mã định danh đã tồn tại: {ident}", f"Identifier already exists: {ident}")
        unit = Unit(identifier=ident, name=label, name_folded=fold(label), unit_type=nfc(unit_type) or "khác")
        session.add(unit)
        session.flush()
        record_event(session, actor, "unit.create", "unit", unit.id, {"identifier": ident, "name": label})
        return unit.id


def _demo_unit(ctx: AppContext) -> int:
    with ctx.db.session() as session:
        found = session.execute(select(Unit.id).where(Unit.identifier == DEMO_UNIT[0])).scalar()
    return found if found is not None else create_unit(ctx, DEMO_UNIT[0], DEMO_UNIT[1], "phường", "system")


def seed_demo_users(ctx: AppContext) -> list[tuple[str, str, str]]:
    """One demo account per role (``demo_<role>``), created once; returns (username, password, role).

    Passwords are random per data directory and kept in ``demo-users.txt`` there (mode 600), so a
    demo install never ships a guessable password yet ``make run`` can print them every time.
    """
    path = ctx.settings.data / "demo-users.txt"
    if path.exists():
        rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line]
        return [(r[0], r[1], r[2]) for r in rows if len(r) == 3]
    unit_id = _demo_unit(ctx)
    created: list[tuple[str, str, str]] = []
    existing = {u.username for u in list_users(ctx)}
    for role in Role:
        username = f"demo_{role.value}"
        password = secrets.token_urlsafe(9)
        if username in existing:
            continue
        unit = unit_id if role in (Role.UNIT_CLERK, Role.UNIT_OFFICER) else None
        create_user(ctx, username, password, role.value, full_name=f"Demo {role.value}", unit_id=unit)
        created.append((username, password, role.value))
    create_private_file(path, "".join("\t".join(r) + "\n" for r in created).encode("utf-8"))  # 0600 from the start
    return created
