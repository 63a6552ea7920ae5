"""The Celery application of the cluster profile: broker, result backend, JSON arguments, late acks.

Tasks are acknowledged after their result is stored (``task_acks_late``) and given back to the broker when
the process running them dies (``task_reject_on_worker_lost``); a worker takes one message at a time per
process (``worker_prefetch_multiplier=1``: a long file never holds others back on a busy worker). Task
arguments and results are JSON (no pickles cross hosts). Queues: ``ingest`` (one task per input file or
folder sequence), ``pages`` (page jobs of long files) and ``celery`` (periodic work scheduled by `sohoa beat`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from celery import Celery

from sohoa.services.platform.tasks import page_task
from sohoa.services.platform.tasks.base import INGEST_QUEUE, PAGES_QUEUE, PERIODIC_NAMES, PERIODIC_QUEUE, require_broker
from sohoa.settings import Settings

__all__ = ["backend_url", "celery_app"]

def backend_url(settings: Settings) -> str:
    """Where results go: SOHOA_RESULT_BACKEND_URL; else the broker when it is Redis; else the PostgreSQL
    database (``db+postgresql…``); else RPC replies over the broker."""
    if settings.result_backend_url:
        return settings.result_backend_url
    broker = require_broker(settings)
    if broker.startswith(("redis://", "rediss://")):
        return broker
    if settings.db_url.startswith("postgresql"):
        return f"db+{settings.db_url}"
    return "rpc://"


def _transport_options(settings: Settings) -> dict[str, Any]:
    return {"visibility_timeout": settings.broker_visibility_timeout}


def celery_app(settings: Settings) -> Celery:
    """The configured Celery app with every Sohoa task registered (``sohoa.ingest_file``, ``sohoa.page``,
    ``sohoa.periodic.<name>``); `sohoa beat` adds the schedule (:func:`~.periodic.beat_schedule`)."""
    app = Celery("sohoa", broker=require_broker(settings), backend=backend_url(settings), set_as_current=False)
    app.conf.update(
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_track_started=True, task_default_queue=PERIODIC_QUEUE,
        task_routes={"sohoa.ingest_file": {"queue": INGEST_QUEUE},
                     "sohoa.page": {"queue": PAGES_QUEUE}},
        broker_transport_options=_transport_options(settings),
        result_backend_transport_options=_transport_options(settings),
        result_expires=86400, broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False, enable_utc=True, timezone="UTC",
    )
    app.task(name="sohoa.ingest_file", bind=True, acks_late=True)(_ingest_file)
    page_task.register(app)
    for name in PERIODIC_NAMES:
        app.task(name=f"sohoa.periodic.{name}", bind=True, acks_late=True)(_periodic(name))
    return app


# The bodies of the ingest and periodic tasks are imported when a task first runs, in the worker's child
# process: they load the format identifier (siegfried, a Go runtime), which must never start in the parent
# that forks the children (a forked Go runtime hangs on its first call).
def _ingest_file(task: Any, batch: str, group: int, first_failed: str | None = None) -> Any:
    from sohoa.services.platform.tasks.ingest_task import run_ingest_file

    return run_ingest_file(task, batch, group, first_failed)


def _periodic(name: str) -> Callable[..., Any]:
    def run(task: Any, first_failed: str | None = None) -> Any:
        from sohoa.services.platform.tasks.periodic import run_periodic_task

        return run_periodic_task(task, name, first_failed)

    run.__name__ = f"periodic_{name.replace('-', '_')}"
    return run
