"""What every Sohoa task shares: queue names, the broker check, the worker process's context and engine,
transient errors and the retry-or-dead-letter rule.

A task retries with exponential backoff when the failure is transient — the database, the object store or the
broker unreachable (connection refused, timeouts, a dropped connection) — and never for bad input
(``InputRejected`` is quarantined by the ingest itself). After ``SOHOA_TASK_MAX_RETRIES`` retries it becomes a
dead letter (:mod:`sohoa.services.platform.tasks.failures`) that staff retry or discard on /staff/tasks.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from sohoa.domain.errors import InputRejected, SohoaError
from sohoa.domain.ports import OcrEngine
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.platform.pool import default_factory, init_worker, worker_engine
from sohoa.services.platform.tasks.failures import record_dead_letter
from sohoa.settings import Settings

__all__ = ["INGEST_QUEUE", "MAX_RETRY_DELAY", "PAGES_QUEUE", "PERIODIC_NAMES", "PERIODIC_QUEUE", "QUEUES", "guarded",
           "is_transient", "process_engine", "require_broker", "retry_delay", "worker_context"]

log = logging.getLogger(__name__)

INGEST_QUEUE, PAGES_QUEUE, PERIODIC_QUEUE = "ingest", "pages", "celery"
QUEUES = (INGEST_QUEUE, PAGES_QUEUE, PERIODIC_QUEUE)
PERIODIC_NAMES = ("webhooks", "audit-checkpoint", "formats", "sealing", "ocfl", "fixity", "replica", "backups")
MAX_RETRY_DELAY = 600.0
RETRY_BACKOFF = 2.0  # seconds before the first retry, doubled at each

# Exception classes of libraries imported only where they are used, matched by module and name.
_TRANSIENT_NAMES = {
    ("botocore", "HTTPClientError"), ("botocore", "EndpointConnectionError"), ("botocore", "ConnectTimeoutError"),
    ("botocore", "ReadTimeoutError"), ("botocore", "ConnectionClosedError"),
    ("redis", "ConnectionError"), ("redis", "TimeoutError"), ("kombu", "OperationalError"),
    ("amqp", "ConnectionError"), ("amqp", "RecoverableConnectionError"), ("psycopg", "OperationalError"),
}


def require_broker(settings: Settings) -> str:
    """SOHOA_BROKER_URL, or the bilingual error of a command that needs it."""
    if not settings.broker_url:
        raise SohoaError("Chưa đặt SOHOA_BROKER_URL (redis://… hoặc amqp://…): lệnh này chỉ dùng trong cấu hình cụm",
                         "SOHOA_BROKER_URL is not set (redis://… or amqp://…): this command belongs to the cluster "
                         "profile")
    return settings.broker_url


def retry_delay(settings: Settings, retries: int) -> float:
    """Seconds before retry number ``retries + 1``: the backoff doubled at each retry, capped."""
    return float(min(MAX_RETRY_DELAY, RETRY_BACKOFF * (2 ** retries)))


def _named_transient(exc: BaseException) -> bool:
    return any((cls.__module__.split(".")[0], cls.__name__) in _TRANSIENT_NAMES for cls in type(exc).__mro__)


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is a service being unreachable rather than bad input or a bug."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, InputRejected):
            return False
        if isinstance(current, (OperationalError, InterfaceError, DisconnectionError, ConnectionError, TimeoutError)):
            return True
        if _named_transient(current):
            return True
        current = current.__cause__ or current.__context__
    return False


_CONTEXT: tuple[int, AppContext] | None = None


def worker_context() -> AppContext:
    """This worker process's context (opened once per process, after the fork): settings from the environment
    with one page worker, since the process itself is one of the worker's slots."""
    global _CONTEXT
    if _CONTEXT is None or _CONTEXT[0] != os.getpid():
        settings = Settings().model_copy(update={"workers": 1})
        _CONTEXT = (os.getpid(), open_context(settings))
    return _CONTEXT[1]


_ENGINE_PID: int | None = None


def process_engine(settings: Settings | None = None) -> OcrEngine:
    """The one OCR engine of this process (built on first use, from ``settings`` or the worker's; one thread for
    Tesseract and OpenCV)."""
    global _ENGINE_PID
    if os.getpid() != _ENGINE_PID:
        init_worker(default_factory(settings or worker_context().settings))
        _ENGINE_PID = os.getpid()
    return worker_engine()


def _summary(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    text = ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items() if k != "first_failed"])
    return text[:1000]


def guarded(task: Any, body: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run ``body(*args, **kwargs)`` for a bound Celery ``task``: a transient failure is retried after
    :func:`retry_delay` (the task's own arguments, the time of the first failure added); after the last retry it
    is recorded as a dead letter, ``on_dead(error)`` runs (when given) and the task ends (acknowledged)."""
    first = kwargs.pop("first_failed", None)
    on_dead: Callable[[str], None] | None = kwargs.pop("on_dead", None)
    try:
        return body(*args, **kwargs)
    except Exception as exc:
        if not is_transient(exc):
            raise
        settings = worker_context().settings
        retries = int(task.request.retries or 0)
        first = first or datetime.now(UTC).isoformat()
        own_args = list(task.request.args or [])
        own_kwargs = {k: v for k, v in (task.request.kwargs or {}).items() if k != "first_failed"}
        if retries < settings.task_max_retries:
            delay = retry_delay(settings, retries)
            log.warning("%s: transient failure (%s), retry %d in %.0fs", task.name, exc, retries + 1, delay)
            raise task.retry(exc=exc, countdown=delay, args=own_args, kwargs={**own_kwargs, "first_failed": first},
                             max_retries=settings.task_max_retries) from exc
        log.error("%s: given up after %d attempts: %s", task.name, retries + 1, exc)
        record_dead_letter(worker_context(), name=task.name, task_id=str(task.request.id or ""),
                           args_summary=_summary(tuple(own_args), own_kwargs),
                           payload={"args": own_args, "kwargs": own_kwargs},
                           error=f"{type(exc).__name__}: {exc}", attempts=retries + 1,
                           first_failed=datetime.fromisoformat(first))
        if on_dead is not None:
            on_dead(f"{type(exc).__name__}: {exc}")
        return {"state": "dead", "error": f"{type(exc).__name__}: {exc}"}
