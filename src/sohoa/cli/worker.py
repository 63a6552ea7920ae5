"""`sohoa worker`: a Celery worker of the cluster profile (one OCR engine per process, processes = cores).

This module imports only the Celery app and the settings: the worker's parent process forks its children
and must load nothing that cannot be forked (the tasks' bodies load in each child when it first runs one).
"""

from __future__ import annotations

import os

import typer

from sohoa.cli.common import err_console
from sohoa.services.platform.context import open_context
from sohoa.services.platform.logs import configure_logging
from sohoa.services.platform.tasks import QUEUES, celery_app
from sohoa.settings import Settings

__all__ = ["NO_BROKER", "cluster_settings", "worker"]

NO_BROKER = ("Chưa đặt SOHOA_BROKER_URL (redis://… hoặc amqp://…); lệnh này chỉ dùng trong cấu hình cụm / "
             "SOHOA_BROKER_URL is not set (redis://… or amqp://…); this command belongs to the cluster profile")


def cluster_settings() -> Settings:
    """The settings, or exit 2 with the bilingual message when no broker is set."""
    settings = Settings()
    if not settings.broker_url:
        err_console.print(f"[red]Lỗi / Error:[/red] {NO_BROKER}", soft_wrap=True)
        raise typer.Exit(2)
    return settings


def worker(concurrency: int | None = typer.Option(None, "--concurrency", min=1,
                                                  help="Tiến trình / processes (default: CPU cores)."),
           queues: str = typer.Option(",".join(QUEUES), "--queues", help="Hàng đợi / queues to take tasks from."),
           loglevel: str = typer.Option("INFO", "--loglevel")) -> None:
    """Chạy tiến trình xử lý của cụm / Run a cluster worker (ingest, page and periodic tasks)."""
    settings = cluster_settings()
    configure_logging(settings)  # SOHOA_LOG_FORMAT; Celery keeps a root logger that has a handler
    open_context(settings).close()  # the schema migrated once, before the processes fork
    os.environ["OMP_THREAD_LIMIT"] = "1"  # one Tesseract thread per process: the processes use the cores
    app = celery_app(settings)
    app.worker_main(["worker", f"--concurrency={concurrency or os.cpu_count() or 1}", f"--queues={queues}",
                     f"--loglevel={loglevel}", "--pool=prefork", f"--hostname=sohoa-{os.getpid()}@%h",
                     "--without-mingle"])
