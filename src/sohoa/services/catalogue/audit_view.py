"""Reading the audit log: filtered pages for the admin viewer, CSV/XLSX export, chain verification."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select

from sohoa.db.models import Event
from sohoa.domain.cells import csv_bytes, xlsx_append, xlsx_finish
from sohoa.domain.errors import ValidationFailed
from sohoa.services.identity.withheld import AuditRow, withhold_secret_payloads
from sohoa.services.platform.audit import VerifyResult
from sohoa.services.platform.audit_report import audit_report
from sohoa.services.platform.context import AppContext

__all__ = ["AUDIT_EXPORT_FORMATS", "AuditFilter", "export_events", "list_audit_events", "verify_log"]

AUDIT_EXPORT_FORMATS = {"csv": "text/csv; charset=utf-8",
                        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
COLUMNS = ("id", "at", "actor", "action", "entity_type", "entity_id", "payload", "hash")
MAX_EXPORT = 100_000


@dataclass(frozen=True)
class AuditFilter:
    """Who, what, which entity and when; ``action`` matches a prefix ('document.' finds every document action)."""

    actor: str | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


def _select(filt: AuditFilter) -> Select[Event]:
    stmt = select(Event)
    if filt.actor:
        stmt = stmt.where(Event.actor == filt.actor)
    if filt.action:
        stmt = stmt.where(Event.action.startswith(filt.action, autoescape=True))
    if filt.entity_type:
        stmt = stmt.where(Event.entity_type == filt.entity_type)
    if filt.entity_id is not None:
        stmt = stmt.where(Event.entity_id == filt.entity_id)
    if filt.since:
        stmt = stmt.where(Event.at >= filt.since)
    if filt.until:
        stmt = stmt.where(Event.at < filt.until)
    return stmt


def _row(event: Event) -> AuditRow:
    return AuditRow(id=event.id, at=event.at.isoformat(), actor=event.actor, action=event.action,
                    entity_type=event.entity_type, entity_id=event.entity_id, payload=event.payload, hash=event.hash)


def _local(at: str, zone: ZoneInfo) -> datetime:
    moment = datetime.fromisoformat(at)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)


def _cell(row: AuditRow, column: str, zone: ZoneInfo) -> object:
    """An exported value: the time in ISO 8601 with the local offset (TT 05/2025: +07:00), whole seconds;
    the payload as JSON with Vietnamese letters as letters."""
    if column == "at":
        return _local(row.at, zone).isoformat(timespec="seconds")
    if column == "payload":
        return json.dumps(row.payload, ensure_ascii=False)
    return getattr(row, column)


def list_audit_events(ctx: AppContext, filt: AuditFilter, *, before: int | None = None, limit: int = 100,
                      withhold_secret: bool = False) -> tuple[list[AuditRow], int | None]:
    """Newest first; the second value is the ``before`` of the next (older) page, None at the end.
    ``withhold_secret``: payloads of events about độ mật documents withheld (network viewers)."""
    with ctx.db.session() as session:
        stmt = _select(filt)
        if before is not None:
            stmt = stmt.where(Event.id < before)
        rows = list(session.execute(stmt.order_by(Event.id.desc()).limit(limit)).scalars())
        shown = [_row(e) for e in rows]
        if withhold_secret:
            shown = withhold_secret_payloads(session, shown)
        return shown, (rows[-1].id if len(rows) == limit else None)


def export_events(ctx: AppContext, filt: AuditFilter, fmt: str, *,
                  withhold_secret: bool = False) -> tuple[bytes, str, str]:
    """(content, media type, file name) of the matching events, oldest first (``withhold_secret``: as
    :func:`list_audit_events`)."""
    if fmt not in AUDIT_EXPORT_FORMATS:
        raise ValidationFailed(f"Định dạng không hỗ trợ: {fmt}", f"Unsupported format: {fmt}")
    with ctx.db.session() as session:
        rows = [_row(e) for e in session.execute(_select(filt).order_by(Event.id).limit(MAX_EXPORT)).scalars()]
        if withhold_secret:
            rows = withhold_secret_payloads(session, rows)
    zone = ZoneInfo(ctx.settings.time_zone)
    table = [[_cell(r, c, zone) for c in COLUMNS] for r in rows]
    # Actors and payloads hold what anyone typed (a failed login's user name): cells are neutralised.
    if fmt == "csv":
        content = csv_bytes(COLUMNS, table)
    else:
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        xlsx_append(sheet, (*COLUMNS, "local_time"))
        for row, line in zip(rows, table, strict=True):  # and the time as a real date cell, on the local clock
            xlsx_append(sheet, [*line, _local(row.at, zone).replace(tzinfo=None, microsecond=0)])
        xlsx_finish(sheet)
        buffer = io.BytesIO()
        book.save(buffer)
        content = buffer.getvalue()
    return content, AUDIT_EXPORT_FORMATS[fmt], f"sohoa-audit.{fmt}"


def verify_log(ctx: AppContext) -> VerifyResult:
    """The chain checked against the signed checkpoints; the result names the first row concerned."""
    report = audit_report(ctx)
    if report.ok:
        return report.chain
    problem = report.problems[0] if report.problems else None
    if problem is None or report.chain.first_bad_id is not None:
        return report.chain
    return VerifyResult(False, report.chain.checked, problem.first_id, problem.en)
