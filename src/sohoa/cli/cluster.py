"""Cluster profile commands: `sohoa beat`, `sohoa ingest-status`, and `sohoa ingest` with a broker (`sohoa worker`:
:mod:`sohoa.cli.worker`)."""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from sohoa.cli.common import app_context, console, err_console, write_json
from sohoa.cli.ingest_report import print_report
from sohoa.cli.worker import cluster_settings
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.logs import configure_logging
from sohoa.services.platform.tasks import celery_app
from sohoa.services.platform.tasks.batches import batch_state, enqueue_ingest, wait_batch
from sohoa.services.platform.tasks.client import sender
from sohoa.services.platform.tasks.periodic import beat_schedule
from sohoa.services.preservation.lease import release, try_acquire
from sohoa.services.production.ingest import IngestReport, ProgressEvent

__all__ = ["beat", "ingest_status", "run_cluster_ingest"]

log = logging.getLogger(__name__)

BEAT_LEASE, BEAT_TTL = "celery-beat", 30.0
def _renew(ctx: AppContext, holder: str, stop: threading.Event) -> None:
    """Keep the beat lease; when it is lost, stop this beat (another one has taken over)."""
    while not stop.wait(BEAT_TTL / 3):
        try:
            if try_acquire(ctx, BEAT_LEASE, holder, ttl=BEAT_TTL):
                continue
        except Exception:
            log.exception("beat lease renewal failed")
            continue
        log.error("beat: the lease was lost; stopping")
        os.kill(os.getpid(), signal.SIGTERM)
        return


def beat(loglevel: str = typer.Option("INFO", "--loglevel")) -> None:
    """Chạy lịch công việc định kỳ của cụm / Run the cluster's periodic schedule (one beat at a time)."""
    settings = cluster_settings()
    configure_logging(settings)  # SOHOA_LOG_FORMAT; Celery keeps a root logger that has a handler
    ctx = open_context(settings)
    holder = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
    waiting = False
    while not try_acquire(ctx, BEAT_LEASE, holder, ttl=BEAT_TTL):
        if not waiting:
            console.print("beat: một beat khác đang chạy; chờ / another beat runs; standing by")
            waiting = True
        time.sleep(BEAT_TTL / 6)
    console.print(f"beat: đang lập lịch / scheduling as {holder}")
    app = celery_app(settings)
    app.conf.beat_schedule = beat_schedule(ctx)
    stop = threading.Event()
    threading.Thread(target=_renew, args=(ctx, holder, stop), name="beat-lease", daemon=True).start()
    schedule = settings.work_dir / f"celerybeat-{os.getpid()}"
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    try:
        app.Beat(schedule=str(schedule), loglevel=loglevel).run()
    finally:
        stop.set()
        release(ctx, BEAT_LEASE, holder)
        for leftover in settings.work_dir.glob(f"celerybeat-{os.getpid()}*"):
            leftover.unlink(missing_ok=True)
        ctx.close()


def _follow(ctx: AppContext, out: Console, batch: str, as_json: bool) -> IngestReport:
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total} trang"),
                  TimeElapsedColumn(), console=out, disable=as_json) as bar:
        task = bar.add_task("Số hóa / Ingest", total=0)

        def on_progress(event: ProgressEvent) -> None:
            bar.update(task, total=event.pages_total, completed=event.pages_done, description=event.name[:40])

        return wait_batch(ctx, batch, progress=on_progress)


def _finish(out: Console, raw: TextIO, report: IngestReport, batch: str, as_json: bool) -> int:
    if as_json:
        write_json(raw, {"batch": batch, "items": [vars(i) for i in report.items], "pages": report.pages,
                         "pool": "cluster", "seconds": round(report.seconds, 2),
                         "pages_per_second": round(report.pages_per_second, 3)})
    else:
        print_report(out, report, "cluster")  # the same summary as the embedded ingest prints
    return 2 if report.count("failed") else 0


def run_cluster_ingest(ctx: AppContext, out: Console, raw: TextIO, *, paths: Sequence[Path], file_code: str | None,
                       unit: str | None, as_json: bool, wait: bool) -> int:
    """`sohoa ingest` with a broker: stage and queue; with ``wait`` follow the batch and print its report."""
    batch = enqueue_ingest(ctx, sender(ctx.settings), paths, unit_identifier=unit, file_code=file_code, actor="cli")
    if not wait:
        if as_json:
            write_json(raw, {"batch": batch})
        else:
            out.print(f"Đã xếp hàng lô / batch queued: {batch}  (sohoa ingest-status {batch} --wait)")
        return 0
    return _finish(out, raw, _follow(ctx, out, batch, as_json), batch, as_json)


def ingest_status(batch: str = typer.Argument(..., help="Mã lô / batch id."),
                  wait: bool = typer.Option(False, "--wait", help="Chờ đến khi xong / wait until it is done."),
                  as_json: bool = typer.Option(False, "--json")) -> None:
    """Tình trạng một lô số hóa trong cụm / Status of an ingest batch queued on the cluster."""
    with app_context() as ctx:
        if wait:
            report = _follow(ctx, console, batch, as_json)
        else:
            state = batch_state(ctx, batch)
            report = IngestReport(items=state.items)
        if not report.items:
            err_console.print(f"[red]Lỗi / Error:[/red] Không có lô {batch} / No batch {batch}")
            raise typer.Exit(1)
        code = _finish(console, sys.stdout, report, batch, as_json)
        if not wait and report.count("queued") + report.count("running"):
            code = code or 3
    if code:
        raise typer.Exit(code)
