"""The periodic work of the web app as ``sohoa.periodic.<name>`` tasks scheduled by `sohoa beat`.

With a broker the web processes start none of their timers; one `sohoa beat` (the others wait: the beat holds
the ``celery-beat`` lease) sends each pass at the interval the embedded timer would use, and any worker runs it
with the very pass function of the embedded timer. Each pass runs under the lease ``periodic.<name>`` (and its
own, where it had one), so a pass sent twice never runs twice at the same time; a message not taken within one
interval expires rather than piling up while no worker runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sohoa.services.platform.audit_checkpoint import checkpoint_task
from sohoa.services.platform.background import PeriodicTask
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.tasks.base import PERIODIC_NAMES, PERIODIC_QUEUE, guarded, worker_context
from sohoa.services.preservation.backup import backup_task
from sohoa.services.preservation.encryption import encryption_task
from sohoa.services.preservation.fixity import fixity_task
from sohoa.services.preservation.formats import formats_task
from sohoa.services.preservation.lease import single_runner
from sohoa.services.preservation.ocfl import ocfl_task
from sohoa.services.preservation.replica import replica_task
from sohoa.services.sharing.webhooks import delivery_task

__all__ = ["PERIODIC", "beat_schedule", "run_periodic", "run_periodic_task"]


WEBHOOK_SECONDS = 15.0  # as the web app's own delivery thread


def _webhooks(ctx: AppContext) -> PeriodicTask:
    return delivery_task(ctx, interval=WEBHOOK_SECONDS)


# name → the embedded timer (None when the settings turn it off): its interval and its pass (the names are
# ``PERIODIC_NAMES``, which the worker's parent process registers without importing this module).
PERIODIC: dict[str, Callable[[AppContext], PeriodicTask | None]] = {
    "webhooks": _webhooks,
    "audit-checkpoint": checkpoint_task,
    "formats": formats_task,
    "sealing": encryption_task,
    "ocfl": ocfl_task,
    "fixity": fixity_task,
    "replica": replica_task,
    "backups": backup_task,
}
assert tuple(PERIODIC) == PERIODIC_NAMES


def beat_schedule(ctx: AppContext) -> dict[str, dict[str, Any]]:
    """Celery beat's schedule: every timer the settings turn on, at its interval."""
    schedule: dict[str, dict[str, Any]] = {}
    for name, factory in PERIODIC.items():
        timer = factory(ctx)
        if timer is None:
            continue
        schedule[f"sohoa.periodic.{name}"] = {"task": f"sohoa.periodic.{name}", "schedule": timer.interval,
                                              "options": {"queue": PERIODIC_QUEUE, "expires": timer.interval}}
    return schedule


def run_periodic(name: str) -> str:
    """One pass of ``name`` in this worker: "done", "skipped" (another process runs it) or "off"."""
    ctx = worker_context()
    timer = PERIODIC[name](ctx)
    if timer is None:
        return "off"
    with single_runner(ctx, f"periodic.{name}") as mine:
        if not mine:
            return "skipped"
        timer.run_once()
    return "done"


def run_periodic_task(task: Any, name: str, first_failed: str | None = None) -> Any:
    """The body of ``sohoa.periodic.<name>``."""
    return guarded(task, run_periodic, name, first_failed=first_failed)
