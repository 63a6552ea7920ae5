"""User commands: create staff accounts from the terminal."""

from __future__ import annotations

import typer

from sohoa.cli.common import app_context, console
from sohoa.domain.codes import Role
from sohoa.services.identity.accounts import create_user
from sohoa.services.registry.units import unit_id_by_identifier

user_app = typer.Typer(help="Người dùng / Users.")


@user_app.command("create")
def create(username: str = typer.Option(..., "--username", help="Tên đăng nhập / username"),
           password: str = typer.Option(..., "--password", help="Mật khẩu / password"),
           role: Role = typer.Option(..., "--role", help="Vai trò / role"),
           full_name: str = typer.Option("", "--full-name", help="Họ tên / full name"),
           unit: str | None = typer.Option(None, "--unit", help="Mã đơn vị / unit identifier")) -> None:
    """Tạo người dùng / Create a user (password stored as an argon2 hash)."""

    with app_context() as ctx:
        unit_id = unit_id_by_identifier(ctx, unit) if unit else None
        user = create_user(ctx, username, password, role.value, full_name=full_name, unit_id=unit_id, actor="cli")
    console.print(f"Đã tạo / created: {user.username} ({user.role})")
