"""Audit commands: verify the hash chain, list and export events."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer
from rich.table import Table

from sohoa.cli.common import app_context, console, err_console
from sohoa.services.audit_view import AuditFilter, export_events, list_audit_events, verify_log

app = typer.Typer(help="Nhật ký kiểm tra / Audit log (append-only, hash-chained).", no_args_is_help=True)


@app.command()
def verify() -> None:
    """Kiểm tra chuỗi băm / Verify the hash chain; exit 1 and name the first altered row."""
    with app_context() as ctx:
        result = verify_log(ctx)
    if result.ok:
        console.print(f"Nhật ký toàn vẹn / audit log intact: {result.checked} bản ghi / rows")
        return
    err_console.print(f"[red]Nhật ký bị sửa đổi / audit log tampered:[/red] bản ghi đầu tiên sai / first bad row "
                      f"id={result.first_bad_id} ({result.reason}); {result.checked} rows verified before it")
    raise typer.Exit(1)


def _filter(actor: str | None, action: str | None, since: str | None, until: str | None) -> AuditFilter:
    return AuditFilter(actor=actor, action=action, since=datetime.fromisoformat(since) if since else None,
                       until=datetime.fromisoformat(until) if until else None)


@app.command("list")
def list_events(actor: str | None = typer.Option(None, help="Người thực hiện / actor"),
                action: str | None = typer.Option(None, help="Hành động (tiền tố) / action prefix"),
                since: str | None = typer.Option(None, help="Từ / from (ISO 8601)"),
                until: str | None = typer.Option(None, help="Đến / until (ISO 8601)"),
                limit: int = typer.Option(50, min=1, max=10_000)) -> None:
    """Liệt kê sự kiện mới nhất / List the newest events."""
    with app_context() as ctx:
        rows, _ = list_audit_events(ctx, _filter(actor, action, since, until), limit=limit)
    table = Table(title="Nhật ký / Audit log")
    for column in ("id", "at", "actor", "action", "entity"):
        table.add_column(column)
    for row in rows:
        table.add_row(str(row["id"]), row["at"], row["actor"], row["action"],
                      f"{row['entity_type'] or ''} {row['entity_id'] or ''}")
    console.print(table)


@app.command()
def export(out: Path = typer.Argument(..., help="Tệp kết quả / output file (.csv or .xlsx)"),
           actor: str | None = typer.Option(None), action: str | None = typer.Option(None),
           since: str | None = typer.Option(None), until: str | None = typer.Option(None)) -> None:
    """Xuất nhật ký / Export events to CSV or XLSX."""
    fmt = out.suffix.lstrip(".").lower()
    with app_context() as ctx:
        content, _, _ = export_events(ctx, _filter(actor, action, since, until), fmt)
    out.write_bytes(content)
    console.print(f"{out} ({len(content)} bytes)")
