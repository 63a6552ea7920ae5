"""Administration (quản trị): users, roles (the permission matrix) and units."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from sohoa.domain.codes import Role
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.http.deps import Ctx
from sohoa.http.rules import require
from sohoa.services.catalogue.lookup import resolve, unit_texts
from sohoa.services.identity import accounts
from sohoa.services.identity.permissions import ROLE_PERMISSIONS, Permission
from sohoa.services.identity.principal import Principal
from sohoa.services.identity.user_sessions import list_sessions
from sohoa.services.platform.context import AppContext
from sohoa.web.deps import optional_int
from sohoa.web.flash import flash
from sohoa.web.templating import render

__all__ = ["router"]

router = APIRouter(prefix="/admin")
Admin = Annotated[Principal, require(Permission.ADMIN)]


def _page(request: Request, ctx: AppContext, **extra: object) -> Response:
    status = 400 if extra.get("error") else 200
    return render(
        request,
        "admin.html",
        {
            "users": accounts.list_users(ctx),
            "sessions": Counter(view.user_id for view in list_sessions(ctx)),
            "unit_texts": unit_texts(ctx, (u.unit_id for u in accounts.list_users(ctx))),
            "roles": [r.value for r in Role],
            **extra,
        },
        status_code=status,
    )


def _unit(ctx: AppContext, who: Principal, typed: str | None, picked: str) -> int | None:
    """The unit of the form's picker (``typed``: "CODE — Name", a code or an exact name; blank: none), or,
    from a client that sends no picker field, ``unit_id`` alone."""
    if typed is None:
        return optional_int(picked)
    return resolve(ctx, who, "units", typed, picked) if typed.strip() else None


@router.get("")
def admin_home(request: Request, ctx: Ctx, _who: Admin) -> Response:
    return _page(request, ctx)


@router.post("/users")
def create_user(
    request: Request,
    ctx: Ctx,
    who: Admin,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    role: Annotated[str, Form()],
    full_name: Annotated[str, Form()] = "",
    unit_id: Annotated[str, Form()] = "",
    unit: Annotated[str | None, Form(max_length=300)] = None,
) -> Response:
    try:
        chosen = _unit(ctx, who, unit, unit_id)
        accounts.create_user(ctx, username, password, role, full_name=full_name, unit_id=chosen, actor=who.username)
    except (ValidationFailed, NotFound) as exc:
        return _page(request, ctx, error=exc)
    flash(request, "Đã tạo tài khoản {user}", user=username.strip())
    return RedirectResponse("/admin", status_code=303)


@router.post("/users/{user_id}")
def update_user(
    request: Request,
    ctx: Ctx,
    who: Admin,
    user_id: int,
    role: Annotated[str, Form()],
    active: Annotated[str, Form()] = "",
    unit_id: Annotated[str, Form()] = "",
    unit: Annotated[str | None, Form(max_length=300)] = None,
    new_password: Annotated[str, Form()] = "",
) -> Response:
    try:
        accounts.update_user(
            ctx,
            user_id,
            role=role,
            active=bool(active),
            unit_id=_unit(ctx, who, unit, unit_id),
            new_password=new_password or None,
            actor=who.username,
        )
    except (ValidationFailed, NotFound) as exc:
        return _page(request, ctx, error=exc)
    flash(request, "Đã lưu tài khoản số {user}", user=user_id)
    return RedirectResponse("/admin", status_code=303)


@router.post("/users/{user_id}/sessions/revoke")
def end_sessions(request: Request, ctx: Ctx, who: Admin, user_id: int) -> Response:
    accounts.end_sessions(ctx, user_id, who.username)
    flash(request, "Đã kết thúc các phiên đăng nhập của tài khoản số {user}", user=user_id)
    return RedirectResponse("/admin", status_code=303)


@router.get("/roles")
def roles(request: Request, _who: Admin) -> Response:
    matrix = [(p.value, [(r.value, p in ROLE_PERMISSIONS[r]) for r in Role]) for p in Permission]
    return render(request, "admin_roles.html", {"matrix": matrix, "roles": [r.value for r in Role]})


@router.post("/units")
def create_unit(
    request: Request,
    ctx: Ctx,
    who: Admin,
    identifier: Annotated[str, Form()],
    name: Annotated[str, Form()],
    unit_type: Annotated[str, Form()] = "",
) -> Response:
    try:
        accounts.create_unit(ctx, identifier, name, unit_type, who.username)
    except ValidationFailed as exc:
        return _page(request, ctx, error=exc)
    flash(request, "Đã tạo đơn vị {name}", name=name.strip())
    return RedirectResponse("/admin", status_code=303)

