"""Webhook commands: one delivery pass (for cron, next to or instead of the web app's thread), list."""

from __future__ import annotations

import typer
from rich.table import Table

from sohoa.cli.common import app_context, console
from sohoa.services.sharing.webhooks import deliver_due, webhook_statuses

app = typer.Typer(help="Webhook / webhooks to city systems.", no_args_is_help=True)


@app.command()
def deliver(timeout: float = typer.Option(5.0, "--timeout", min=0.1, help="Giây mỗi lần gửi / seconds per attempt"),
            limit: int = typer.Option(200, "--limit", min=1, help="Số lần gửi tối đa / most attempts")) -> None:
    """Gửi các sự kiện đến hạn / Deliver due webhook events once (safe beside the web app's own thread)."""
    with app_context() as ctx:
        report = deliver_due(ctx, timeout=timeout, limit=limit)
    console.print(f"Đã gửi / delivered {report.delivered}, thử lại sau / retrying {report.retrying}, "
                  f"thất bại / failed {report.failed}, bị từ chối / refused {report.refused}")


@app.command("list")
def list_cmd() -> None:
    """Liệt kê webhook / List webhooks with their deliveries by state."""
    with app_context() as ctx:
        statuses = webhook_statuses(ctx)
    table = Table(title="Webhook")
    for column in ("id", "url", "events", "state", "pending", "delivered", "failed", "refused", "last error"):
        table.add_column(column)
    for s in statuses:
        table.add_row(str(s.info.id), s.info.url, ", ".join(s.info.events), "active" if s.info.active else "deleted",
                      *(str(s.counts.get(k, 0)) for k in ("pending", "delivered", "failed", "refused")),
                      s.last_error or "")
    console.print(table)
