"""Replica commands: `sohoa replica sync` (catch up and re-verify the second copy) and `sohoa replica status`."""

from __future__ import annotations

from dataclasses import asdict

import typer

from sohoa.cli.common import app_context, console, err_console, print_json
from sohoa.services.preservation.replica import replica_status, sync_replica

app = typer.Typer(help="Bản sao thứ hai / The replica: a second copy of every object (SOHOA_REPLICA_URL).",
                  no_args_is_help=True)


@app.command()
def sync(limit: int | None = typer.Option(None, "--limit", min=1, help="Tối đa / at most this many objects"),
         verify: bool = typer.Option(False, "--verify", help="Kiểm tra lại bản sao đã có / re-verify copies held"),
         as_json: bool = typer.Option(False, "--json", help="JSON")) -> None:
    """Đồng bộ bản sao / Copy every pending object to the replica (exit 1 while some cannot be copied)."""
    with app_context() as ctx:
        report = sync_replica(ctx, limit=limit, verify=verify)
    if as_json:
        print_json(asdict(report))
    else:
        console.print(f"Đã chép / copied {report.copied}, đã có / already there {report.present}, kiểm tra lại / "
                      f"re-verified {report.verified}, còn chờ / pending {report.pending}")
    for sha256, reason in report.failed:
        err_console.print(f"[red]{sha256}[/red]: {reason}", soft_wrap=True)
    if report.failed:
        raise typer.Exit(1)


@app.command()
def status(as_json: bool = typer.Option(False, "--json", help="JSON")) -> None:
    """Tình trạng bản sao / How far the replica is in step (exit 1 when none is configured)."""
    with app_context() as ctx:
        state = replica_status(ctx)
    if state is None:
        err_console.print("Chưa cấu hình bản sao / no replica configured (SOHOA_REPLICA_URL)")
        raise typer.Exit(1)
    if as_json:
        print_json(asdict(state))
        return
    console.print(f"Bản sao / replica {state.url}: {state.replicated}/{state.objects} đối tượng / objects, "
                  f"còn chờ / pending {state.pending}; chép lần cuối / last copy {state.last_replicated_at}, "
                  f"kiểm tra lần cuối / last verified {state.last_verified_at}", soft_wrap=True)
