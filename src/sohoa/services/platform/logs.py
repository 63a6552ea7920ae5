"""Process logging in one place: plain text or one JSON object per line (``SOHOA_LOG_FORMAT``), with the id of
the HTTP request being served (``request_id``, set by ``sohoa.http.observe``) on every record logged inside it.

`sohoa serve`, `sohoa worker` and `sohoa beat` call :func:`configure_logging` once at start-up.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from sohoa.settings import Settings

__all__ = ["REQUEST_ID", "JsonFormatter", "configure_logging", "request_id_from"]

# The id of the request this task serves (None outside a request); contextvars follow it into the thread pool.
REQUEST_ID: ContextVar[str | None] = ContextVar("sohoa_request_id", default=None)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(request)s: %(message)s"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")


def request_id_from(header: str | None) -> str:
    """The request id: a client's or proxy's X-Request-ID when it is sane (1–128 of ``A-Za-z0-9._:@-``), else a
    new random one (never a value that could break a log line or a header)."""
    if header and _SANE_ID.match(header):
        return header
    return uuid.uuid4().hex


class _RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record (None outside a request) for both formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        rid = REQUEST_ID.get()
        record.request_id = rid
        record.request = f" [{rid}]" if rid else ""
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (ISO 8601, UTC), level, logger, message, request_id when in a request,
    exc (the traceback) when the record carries one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or REQUEST_ID.get()
        if rid:
            entry["request_id"] = rid
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exc"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(settings: Settings, *, level: int = logging.INFO) -> logging.Handler:
    """One stderr handler on the root logger in the format of ``settings.log_format``; the loggers of uvicorn
    and Celery keep no handlers of their own and reach it (so access lines are JSON too). Idempotent: a second
    call replaces the handler it installed."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_sohoa", False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler()
    handler._sohoa = True  # type: ignore[attr-defined]
    handler.addFilter(_RequestIdFilter())
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "celery"):
        named = logging.getLogger(name)
        named.handlers.clear()
        named.propagate = True
    return handler
