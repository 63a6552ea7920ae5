"""Prometheus metrics of an archive (``GET /metrics``, text format).

Two kinds, so that several processes and hosts never give numbers that lie:
- what the archive holds or did is read from the shared database at each scrape (every web host answers the
  same): pages stored, pages per minute (pages of the ingest items finished in the last five minutes),
  ingest items by state, dead-letter task failures, fixity failures, the audit chain's length, and the depth
  of each broker queue (cluster profile);
- what this process serves is counted in the process: HTTP requests and their latency by route template and
  status, search latency by channel. With several processes of one host sharing a port, set
  ``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode: every process writes there and any one
  answers for all); otherwise scrape each `sohoa serve` instance on its own address.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import ParamSpec, TypeVar

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily as Gauge
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import func, inspect, select, text

from sohoa.db.models import Event, FixityCheck, IngestItem, Page
from sohoa.services.platform.context import AppContext
from sohoa.services.platform.health import broker_connection
from sohoa.settings import Settings

__all__ = [
    "CONTENT_TYPE_LATEST",
    "HTTP_REQUESTS",
    "HTTP_SECONDS",
    "PAGES_WINDOW",
    "QUEUES",
    "SEARCH_SECONDS",
    "ArchiveCollector",
    "observe_search",
    "queue_depth",
    "render_metrics",
    "task_failure_count",
]

log = logging.getLogger(__name__)

PAGES_WINDOW = timedelta(minutes=5)
QUEUES = ("ingest", "pages", "celery")  # the Celery queues of `sohoa worker` (and Celery's default)
_FIXITY_BAD = ("mismatch", "missing", "unreadable")
_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_REQUESTS = Counter("sohoa_http_requests", "HTTP requests answered, by method, route template and status",
                        ("method", "route", "status"))
HTTP_SECONDS = Histogram("sohoa_http_request_seconds", "HTTP request latency by route template",
                         ("method", "route"), buckets=_LATENCY)
SEARCH_SECONDS = Histogram("sohoa_search_seconds", "Search latency in the catalogue service, by channel",
                           ("channel",), buckets=_LATENCY)

P = ParamSpec("P")
R = TypeVar("R")


def observe_search(function: Callable[P, R]) -> Callable[P, R]:
    """Decorate the catalogue's search: each call's duration in ``sohoa_search_seconds`` by its channel."""

    @wraps(function)
    def timed(*args: P.args, **kwargs: P.kwargs) -> R:
        channel = str(kwargs.get("channel", "web"))
        with SEARCH_SECONDS.labels(channel).time():
            return function(*args, **kwargs)

    return timed


def _broker_depths(url: str, queues: tuple[str, ...]) -> dict[str, int]:
    depths: dict[str, int] = {}
    with broker_connection(url) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        for queue in queues:
            channel = connection.channel()
            try:
                depths[queue] = int(channel.queue_declare(queue=queue, passive=True).message_count)
            except Exception:  # a queue nobody declared yet holds nothing
                depths[queue] = 0
            finally:
                try:
                    channel.close()
                except Exception:  # an amqp channel closed by the server's 404 already
                    log.debug("channel of %s already closed", queue)
    return depths


def queue_depth(settings: Settings) -> dict[str, int]:
    """Messages waiting in each queue of the broker ({} without one); raises when the broker is unreachable."""
    if not settings.broker_url:
        return {}
    return _broker_depths(settings.broker_url, QUEUES)


def task_failure_count(ctx: AppContext) -> int:
    """Dead letters: tasks that failed after their last retry (table ``task_failures``; 0 before it exists)."""
    with ctx.db.engine.connect() as connection:
        if not inspect(connection).has_table("task_failures"):
            return 0
        columns = {c["name"] for c in inspect(connection).get_columns("task_failures")}
        where = " WHERE state = 'dead'" if "state" in columns else ""
        return int(connection.execute(text(f"SELECT count(*) FROM task_failures{where}")).scalar_one())


class ArchiveCollector(Collector):
    """The archive's gauges, read from the database (and the broker) at each scrape."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx

    def collect(self) -> Iterator[Gauge]:
        since = datetime.now(UTC) - PAGES_WINDOW
        with self.ctx.db.session() as session:
            pages = session.execute(select(func.count(Page.id))).scalar_one()
            recent = session.execute(select(func.coalesce(func.sum(IngestItem.pages), 0)).where(
                IngestItem.state == "done", IngestItem.updated_at >= since)).scalar_one()
            states = session.execute(select(IngestItem.state, func.count()).group_by(IngestItem.state)).all()
            fixity = session.execute(select(func.count(FixityCheck.id)).where(
                FixityCheck.outcome.in_(_FIXITY_BAD))).scalar_one()
            audit = session.execute(select(func.coalesce(func.max(Event.id), 0))).scalar_one()
        yield Gauge("sohoa_pages", "Pages stored in the archive", value=int(pages))
        yield Gauge("sohoa_pages_per_minute", "Pages of the ingest items finished in the last 5 minutes, per minute",
                    value=int(recent) / (PAGES_WINDOW.total_seconds() / 60))
        by_state = Gauge("sohoa_ingest_items", "Ingest items (master files) by state", labels=["state"])
        for state in ("pending", "processing", "done", "quarantined", "failed"):
            by_state.add_metric([state], dict((str(s), int(n)) for s, n in states).get(state, 0))
        yield by_state
        yield Gauge("sohoa_fixity_failures", "Fixity checks that found an object damaged, missing or unreadable",
                    value=int(fixity))
        yield Gauge("sohoa_audit_events", "Length of the audit chain (id of its last event)", value=int(audit))
        yield Gauge("sohoa_task_failures", "Dead letters: tasks failed after their last retry",
                    value=task_failure_count(self.ctx))
        yield from self._queues()

    def _queues(self) -> Iterator[Gauge]:
        if not self.ctx.settings.broker_url:
            return
        up = Gauge("sohoa_broker_up", "1 when the broker answered this scrape")
        depth = Gauge("sohoa_queue_depth", "Messages waiting in each broker queue", labels=["queue"])
        try:
            depths = queue_depth(self.ctx.settings)
        except Exception as exc:
            log.warning("queue depth unavailable: %s: %s", type(exc).__name__, exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        for queue, count in sorted(depths.items()):
            depth.add_metric([queue], count)
        yield up
        yield depth


def render_metrics(ctx: AppContext) -> bytes:
    """The text exposition: this process's counters (every process's in multiprocess mode) and the archive's."""
    process: CollectorRegistry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        process = CollectorRegistry()
        MultiProcessCollector(process)  # type: ignore[no-untyped-call]
    archive = CollectorRegistry()
    archive.register(ArchiveCollector(ctx))
    return generate_latest(process) + generate_latest(archive)
