"""API token commands: create (the secret is shown once), list, revoke."""

from __future__ import annotations

import typer
from rich.table import Table

from sohoa.cli.common import app_context, console
from sohoa.services.identity.tokens import SCOPES, create_token, list_tokens, revoke_token

app = typer.Typer(help="Mã truy cập API / API tokens for city systems.", no_args_is_help=True)


@app.command()
def create(name: str = typer.Option(..., "--name", help="Tên hệ thống / client name"),
           scope: list[str] = typer.Option(..., "--scope", help=f"Phạm vi / scope: {', '.join(SCOPES)}"),
           unit: str | None = typer.Option(None, "--unit", help="Mã đơn vị (read:unit) / unit identifier"),
           expires_days: int | None = typer.Option(None, "--expires-days", min=1)) -> None:
    """Tạo mã truy cập / Create a token; it is printed once and never again."""
    with app_context() as ctx:
        raw, info = create_token(ctx, name, scope, unit=unit, actor="cli", expires_days=expires_days)
    console.print(f"Mã số / id {info.id}, phạm vi / scopes {', '.join(info.scopes)}")
    console.print("Lưu ngay, sẽ không hiển thị lại / store it now, it is not shown again:")
    typer.echo(raw)


@app.command("list")
def list_cmd() -> None:
    """Liệt kê mã truy cập / List tokens (never their secrets)."""
    with app_context() as ctx:
        tokens = list_tokens(ctx)
    table = Table(title="Mã truy cập / API tokens")
    for column in ("id", "name", "prefix", "scopes", "unit", "created", "state"):
        table.add_column(column)
    for t in tokens:
        table.add_row(str(t.id), t.name, t.prefix + "…", ", ".join(t.scopes), str(t.unit_id or ""),
                      t.created_at.isoformat(timespec="minutes"), "revoked" if t.revoked else "active")
    console.print(table)


@app.command()
def revoke(token_id: int = typer.Argument(..., help="Mã số / token id")) -> None:
    """Thu hồi mã truy cập / Revoke a token."""
    with app_context() as ctx:
        info = revoke_token(ctx, token_id, actor="cli")
    console.print(f"Đã thu hồi / revoked: {info.id} {info.name}")
