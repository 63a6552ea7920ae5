"""Audit commands: verify the chain against signed checkpoints, sign and export checkpoints, list and export events."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from sohoa.cli.common import app_context, console, err_console, print_json
from sohoa.services.catalogue.audit_view import AuditFilter, export_events, list_audit_events
from sohoa.services.platform.audit_checkpoint import export_checkpoints, write_checkpoint
from sohoa.services.platform.audit_report import AuditReport, audit_report
from sohoa.services.platform.context import AppContext

app = typer.Typer(help="Nhật ký kiểm tra / Audit log (append-only, hash-chained).", no_args_is_help=True)


def _report_dict(report: AuditReport) -> dict[str, Any]:
    return {"ok": report.ok, "chain": asdict(report.chain) | {"marks": None}, "checkpoints": report.checkpoints,
            "latest_checkpoint": asdict(report.latest) if report.latest else None,
            "unsigned_rows": report.unsigned_rows, "problems": [asdict(p) for p in report.problems]}


def _print_report(report: AuditReport) -> None:
    if report.chain.ok:
        console.print(f"Chuỗi băm toàn vẹn / hash chain intact: {report.chain.checked} bản ghi / rows")
    latest = report.latest
    if latest is None:
        console.print("[yellow]Chưa có điểm kiểm tra đã ký / no signed checkpoint:[/yellow] không phát hiện được "
                      "việc xóa cuối nhật ký / truncation cannot be detected (sohoa audit checkpoint)")
    else:
        console.print(f"Điểm kiểm tra / checkpoints: {report.checkpoints}; mới nhất / latest {latest.timestamp}: "
                      f"{latest.size} bản ghi / rows, id={latest.head_id}; "
                      f"{report.unsigned_rows} bản ghi sau đó chưa ký / rows since, not yet signed", soft_wrap=True)
    for problem in report.problems:
        err_console.print(f"[red]{problem.vi}[/red] / {problem.en}", soft_wrap=True)
    if report.ok:
        console.print("Nhật ký toàn vẹn / audit log intact")
    else:
        err_console.print("[red]Nhật ký bị sửa đổi / audit log tampered[/red]")


@app.command()
def verify(checkpoints: list[Path] = typer.Option(
               None, "--checkpoints", help="Tệp điểm kiểm tra / checkpoint file(s) (default: this server's)"),
           public_key: Path | None = typer.Option(None, help="Khóa công khai tin cậy / trusted public key (PEM)"),
           require_checkpoint: bool = typer.Option(False, help="Lỗi nếu chưa có điểm kiểm tra / fail without one"),
           as_json: bool = typer.Option(False, "--json", help="JSON")) -> None:
    """Kiểm tra chuỗi băm và điểm kiểm tra / Verify the hash chain and the signed checkpoints; exit 1 naming
    the altered or missing rows."""
    with app_context() as ctx:
        report = audit_report(ctx, checkpoint_files=checkpoints or None, public_key_file=public_key,
                              require_checkpoint=require_checkpoint)
    if as_json:
        print_json(_report_dict(report))
    else:
        _print_report(report)
    if not report.ok:
        raise typer.Exit(1)


def _export(ctx: AppContext, out: Path, public_key: Path | None) -> None:
    key_out = public_key or out.with_name(out.stem + ".pub.pem")
    count, fingerprint = export_checkpoints(ctx, out, key_out)
    console.print(f"{count} điểm kiểm tra / checkpoints → {out}; khóa công khai / public key → {key_out} "
                  f"(key id {fingerprint})", soft_wrap=True)


@app.command()
def checkpoint(export: Path | None = typer.Option(None, help="Xuất mọi điểm kiểm tra / export all to this file"),
               public_key: Path | None = typer.Option(None, help="Nơi ghi khóa công khai / public key output")) -> None:
    """Ký điểm kiểm tra ngay / Sign a checkpoint of the chain head now (refused if the chain was tampered)."""
    with app_context() as ctx:
        made = write_checkpoint(ctx)
        assert made is not None
        console.print(f"Điểm kiểm tra / checkpoint {made.timestamp}: {made.size} bản ghi / rows, "
                      f"id={made.head_id}, hash={made.head_hash}", soft_wrap=True)
        if export is not None:
            _export(ctx, export, public_key)


@app.command("export-checkpoints")
def export_checkpoints_command(
        out: Path = typer.Argument(..., help="Tệp JSON lines / output file (JSON lines)"),
        public_key: Path | None = typer.Option(None, help="Nơi ghi khóa công khai / public key output "
                                                          "(default: OUT's name + .pub.pem)")) -> None:
    """Xuất điểm kiểm tra đã ký và khóa công khai / Export the signed checkpoints and the public key."""
    with app_context() as ctx:
        _export(ctx, out, public_key)


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
        table.add_row(str(row.id), row.at, row.actor, row.action, f"{row.entity_type or ''} {row.entity_id or ''}")
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
