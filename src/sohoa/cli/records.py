"""Records commands: init, ingest and extract (the reading commands are in `sohoa.cli.catalogue`)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from sohoa.cli.common import app_context, console, print_json, write_json
from sohoa.cli.ingest_report import print_report
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.pool import SharedPool
from sohoa.services.platform.remote_pool import running_pool
from sohoa.services.preservation.encryption import encrypt_after_ingest
from sohoa.services.preservation.formats import identify_new, latest_object_id
from sohoa.services.production.extract import extract_file
from sohoa.services.production.ingest import ProgressEvent, ingest_paths
from sohoa.services.sharing.copies import ensure_dev_certificate
from sohoa.settings import Settings
from sohoa.storage.private import open_to_others, tighten_tree


def init() -> None:
    """Khởi tạo thư mục dữ liệu và cơ sở dữ liệu / Create the data directory and database."""

    with app_context() as ctx:
        console.print(f"Sohoa: dữ liệu / data = {ctx.settings.data}  CSDL / database = {ctx.db.url}")
        tightened = tighten_tree(ctx.settings.data)
        if tightened:
            console.print(f"[yellow]{tightened} tệp/thư mục mở cho người khác đã được thu hẹp về chủ sở hữu / "
                          f"files or folders readable by others restricted to their owner[/yellow]")
        for configured in (ctx.settings.signing_key, ctx.settings.audit_key_file):  # the operator's files: not changed
            if configured is not None and open_to_others(configured):
                console.print(f"[yellow]Tệp khóa {configured} mở cho tài khoản khác; hãy chmod 600 / The key file "
                              f"{configured} is readable by other accounts: chmod 600 it[/yellow]", soft_wrap=True)
        key = ensure_dev_certificate(ctx)
        console.print(f"Chứng thư ký bản sao / copy signing certificate: {key.cert}"
                      + (" (phát triển / development)" if key.development else ""))


def ingest(paths: list[Path] = typer.Argument(..., exists=False, help="Images, TIFF, PDF or folders."),
           file_code: str | None = typer.Option(None, "--file-code", help="Mã hồ sơ / file code."),
           unit: str | None = typer.Option(None, "--unit", help="Mã đơn vị / unit identifier."),
           as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
           local_pool: bool = typer.Option(False, "--local-pool",
                                           help="Không dùng máy chủ đang chạy / Start a pool of this process even "
                                                "when a running `sohoa serve` could take the pages."),
           wait: bool = typer.Option(False, "--wait",
                                     help="Với SOHOA_BROKER_URL: chờ cụm xử lý xong và in kết quả / With a broker: "
                                          "wait for the cluster and print the report (else print the batch id).")
           ) -> None:
    """Số hóa tệp / Digitize files (idempotent and resumable).

    When `sohoa serve` runs on the same data directory (same account, same settings), it runs the ingest
    with its warm workers and this command only prints what it reports; with other OCR settings its
    workers still do the pages; otherwise, or with --local-pool, this process starts its own.
    """
    with app_context() as ctx:
        if ctx.settings.broker_url:  # the cluster profile: staged, queued, done by `sohoa worker` processes
            from sohoa.cli.cluster import run_cluster_ingest  # Celery, only with a broker

            code = run_cluster_ingest(ctx, console, sys.stdout, paths=paths, file_code=file_code, unit=unit,
                                      as_json=as_json, wait=wait)
            if code:
                raise typer.Exit(code)
            return
        running = None if local_pool or not ctx.settings.use_running_pool else running_pool(ctx.settings)
        code = run_ingest(ctx, console, sys.stdout, paths=paths, file_code=file_code, unit=unit, as_json=as_json,
                          pool=running, pool_label="local" if running is None else "running")
    if code:
        raise typer.Exit(code)


def run_ingest(ctx: AppContext, out: Console, raw: TextIO, *, paths: Sequence[Path], file_code: str | None,
               unit: str | None, as_json: bool, pool: SharedPool | None, pool_label: str) -> int:
    """What `sohoa ingest` does and prints (here, or in a running server for a client); the exit code."""
    with Progress(TextColumn("{task.description}"), BarColumn(),
                  TextColumn("{task.completed}/{task.total} trang · {task.fields[rate]}"),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=out, disable=as_json) as bar:
        task = bar.add_task("Số hóa / Ingest", total=0, rate="")

        def on_progress(event: ProgressEvent) -> None:
            elapsed = bar.tasks[task].elapsed or 0.0
            rate = f"{event.pages_done / elapsed:.2f} trang/s" if elapsed else ""
            bar.update(task, total=event.pages_total, completed=event.pages_done, rate=rate,
                       description=event.name[:40])

        stored_before = latest_object_id(ctx)
        report = ingest_paths(ctx, paths, unit_identifier=unit, file_code=file_code, actor="cli",
                              progress=on_progress, pool=pool)
    identify_new(ctx, stored_before)  # PRONOM formats of what was stored (about 2 ms of CPU an object)
    encrypt_after_ingest(ctx)  # restricted material sealed at rest now (nothing before `sohoa keys init`)
    if as_json:
        write_json(raw, {"items": [vars(i) for i in report.items], "pages": report.pages, "pool": pool_label,
                         "seconds": round(report.seconds, 2), "pages_per_second": round(report.pages_per_second, 3)})
    else:
        print_report(out, report, pool_label)
    return 2 if report.count("failed") else 0


def extract(path: Path, as_json: bool = typer.Option(False, "--json")) -> None:
    """Chạy quy trình trên một tệp, không lưu / Run the pipeline on one file without storing it."""

    result = extract_file(Settings(), path)
    if as_json:
        print_json(result.as_json())
    else:
        for doc in result.documents:
            console.print(f"[bold]Trang / pages {doc.pages}[/bold]")
            for name, value in doc.fields.items():
                console.print(f"  {name}: {value}")
    if result.error is not None:
        raise typer.Exit(1)
