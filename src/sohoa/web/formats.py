"""One way to show dates, times, codes and counts in the staff app and the portal (the templates' filters).

Dates are dd/mm/yyyy in both languages; times are the user's wall clock (the signed-in user's own time zone,
else ``SOHOA_TIME_ZONE``, Asia/Ho_Chi_Minh by default) as HH:MM, never UTC and never with microseconds. Stored
times without a zone are UTC (SQLite keeps none). "ngày … tháng … năm …" belongs to formal documents (the PDFs),
not to these pages.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import pass_context
from jinja2.runtime import Context

from sohoa.domain.fields import FIELD_BY_NAME
from sohoa.web.labels import EMPTY, label, plural

__all__ = ["DEFAULT_ZONE", "FILTERS", "format_date", "format_datetime", "local_time", "payload_text", "zone_of"]

DEFAULT_ZONE = "Asia/Ho_Chi_Minh"


def _known_zone(name: object) -> tzinfo | None:
    if not isinstance(name, str) or not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # a zone the system no longer knows: the next one applies
        return None


def zone_of(context: Any) -> tzinfo:
    """The time zone of the page being rendered: the signed-in user's own, else the ``time_zone`` setting."""
    principal = context.get("principal") if context is not None else None
    own = _known_zone(getattr(principal, "time_zone", None))
    if own is not None:
        return own
    request = context.get("request") if context is not None else None
    app_ctx = getattr(getattr(getattr(request, "app", None), "state", None), "ctx", None)
    return _known_zone(getattr(getattr(app_ctx, "settings", None), "time_zone", None)) or ZoneInfo(DEFAULT_ZONE)


def _parse(value: object) -> date | datetime | None:
    if isinstance(value, date):  # datetime is a date too
        return value
    if isinstance(value, str) and value.strip():
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def local_time(value: datetime, zone: tzinfo) -> datetime:
    """``value`` on the wall clock of ``zone`` (a value without a zone is UTC)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(zone)


def format_date(value: object, zone: tzinfo | None = None) -> str:
    """dd/mm/yyyy (a time is first put on the local clock); "—" for nothing; text that is no date as it is."""
    parsed = _parse(value)
    if parsed is None:
        return EMPTY if value is None or value == "" else str(value)
    if isinstance(parsed, datetime):
        parsed = local_time(parsed, zone or ZoneInfo(DEFAULT_ZONE)).date()
    return parsed.strftime("%d/%m/%Y")


def format_datetime(value: object, zone: tzinfo | None = None, *, seconds: bool = False) -> str:
    """dd/mm/yyyy HH:MM (HH:MM:SS with ``seconds``) on the local clock; a bare date as dd/mm/yyyy."""
    parsed = _parse(value)
    if not isinstance(parsed, datetime):
        return format_date(value, zone)
    shown = local_time(parsed, zone or ZoneInfo(DEFAULT_ZONE))
    return shown.strftime("%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M")


def payload_text(value: object) -> str:
    """A JSON payload as people read it: Vietnamese letters as letters (no ``\\u`` escapes)."""
    if value is None or value == {}:
        return EMPTY
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def _lang(context: Context) -> str:
    lang = context.get("lang")
    return lang if isinstance(lang, str) else "vi"


@pass_context
def _label_filter(context: Context, code: object, kind: str) -> str:
    return label(kind, code, _lang(context))


@pass_context
def _date_filter(context: Context, value: object) -> str:
    return format_date(value, zone_of(context))


@pass_context
def _datetime_filter(context: Context, value: object, seconds: bool = False) -> str:
    return format_datetime(value, zone_of(context), seconds=seconds)


@pass_context
def _plural_filter(context: Context, count: int, noun: str, vi: str | None = None, many: str | None = None) -> str:
    return plural(int(count or 0), noun, lang=_lang(context), vi=vi, many=many)


@pass_context
def _field_filter(context: Context, value: object, name: str) -> str:
    """A document field's value as people read it: dates dd/mm/yyyy, độ mật/độ khẩn named, "—" for none."""
    spec = FIELD_BY_NAME.get(name)
    shown = spec.display(value) if spec is not None else ("" if value is None else str(value))
    if name in ("secrecy", "urgency"):
        return label(name, shown, _lang(context))
    if name == "type_name" and shown:
        return label("doctype", shown, _lang(context))
    return shown or EMPTY


def _or_dash(value: object) -> object:
    return EMPTY if value is None or value == "" else value


# Registered on the staff and the portal template environments.
FILTERS: dict[str, Any] = {
    "label": _label_filter,
    "date": _date_filter,
    "datetime": _datetime_filter,
    "plural": _plural_filter,
    "payload": payload_text,
    "or_dash": _or_dash,
    "field": _field_filter,
}
