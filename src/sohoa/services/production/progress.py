"""Progress (tiến độ): counts per stage, unit, accession, operator and day; forecast; xlsx export."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sohoa.db.models import Accession, Document, FileUnit, IngestBatch, IngestItem, Page, Unit
from sohoa.domain.cells import xlsx_append, xlsx_finish
from sohoa.domain.workflow import PUBLISHED_STATES
from sohoa.domain.workflow import DocumentState as _D
from sohoa.services.platform.context import AppContext

__all__ = ["STAGES", "AccessionProgress", "Dashboard", "dashboard", "export_xlsx"]

# Document states grouped into the stages people talk about (Vietnamese, English).
STAGES: tuple[tuple[str, tuple[_D, ...], str, str], ...] = (
    ("review", (_D.REVIEW, _D.UNSORTED), "Chờ kiểm duyệt", "Awaiting review"),
    ("qc", (_D.QC,), "Chờ kiểm tra chất lượng", "Awaiting QC"),
    ("rework", (_D.REWORK_SCAN, _D.REWORK_REVIEW), "Làm lại", "Rework"),
    ("accepted", (_D.ACCEPTED, _D.PUBLISHED), "Đạt", "Accepted"),
)
LIVE = (_D.REVIEW, _D.UNSORTED, _D.QC, _D.REWORK_SCAN, _D.REWORK_REVIEW, _D.ACCEPTED, _D.PUBLISHED)
RATE_WINDOW_DAYS = 14


@dataclass(frozen=True)
class AccessionProgress:
    """One accession against its plan: pages scanned, accepted, forecast completion date."""

    id: int
    code: str
    unit_name: str
    planned_pages: int | None
    scanned_pages: int
    accepted_pages: int
    deadline: date | None
    forecast: date | None

    @property
    def late(self) -> bool | None:
        if self.deadline is None or self.planned_pages is None:
            return None
        if self.scanned_pages >= self.planned_pages:
            return False
        return self.forecast is None or self.forecast > self.deadline


@dataclass(frozen=True)
class Dashboard:
    """All the numbers of the Tiến độ page."""

    pages_total: int
    documents_total: int
    stages: list[tuple[str, str, str, int]]  # key, vi, en, documents
    per_unit: list[tuple[str, int, int]]  # unit name, documents, pages
    per_operator: list[tuple[str, int, int]]  # operator, documents, pages
    per_day: list[tuple[date, int]]  # pages per day (last 30 days)
    accessions: list[AccessionProgress]
    pages_per_day: float


def _stage_counts(session: Session) -> list[tuple[str, str, str, int]]:
    counts = dict(session.execute(select(Document.state, func.count()).group_by(Document.state)).all())
    return [(key, vi, en, sum(counts.get(s, 0) for s in states)) for key, states, vi, en in STAGES]


def _per_unit(session: Session) -> list[tuple[str, int, int]]:
    rows = session.execute(
        select(Unit.name, func.count(Document.id), func.coalesce(func.sum(Document.page_amount), 0))
        .join(Document, Document.unit_id == Unit.id)
        .where(Document.state.in_(LIVE))
        .group_by(Unit.name)
        .order_by(Unit.name)
    ).all()
    return [(name, docs, int(pages)) for name, docs, pages in rows]


def _per_operator(session: Session) -> list[tuple[str, int, int]]:
    rows = session.execute(
        select(IngestBatch.actor, func.count(Document.id), func.coalesce(func.sum(Document.page_amount), 0))
        .join(IngestItem, IngestItem.batch_id == IngestBatch.id)
        .join(Document, Document.ingest_item_id == IngestItem.id)
        .where(Document.state.in_(LIVE))
        .group_by(IngestBatch.actor)
        .order_by(IngestBatch.actor)
    ).all()
    return [(actor, docs, int(pages)) for actor, docs, pages in rows]


def _per_day(session: Session, today: date, days: int = 30) -> list[tuple[date, int]]:
    start = today - timedelta(days=days - 1)
    docs = session.execute(
        select(Document.created_at, Document.page_amount).where(
            # a timestamp bound, not date(...) >= 'text': PostgreSQL has no date >= varchar operator
            Document.state.in_(LIVE), Document.created_at >= datetime.combine(start, time.min, tzinfo=UTC)
        )
    ).all()
    totals = {start + timedelta(days=n): 0 for n in range(days)}
    for created, pages in docs:
        day = created.date()
        if day in totals:
            totals[day] += pages or 0
    return sorted(totals.items())


def _accession_pages(session: Session, accession_id: int, states: tuple[_D, ...]) -> int:
    return int(
        session.execute(
            select(func.coalesce(func.sum(Document.page_amount), 0))
            .join(FileUnit, Document.file_id == FileUnit.id)
            .where(FileUnit.accession_id == accession_id, Document.state.in_(states))
        ).scalar_one()
    )


def _forecast(remaining: int, rate: float, today: date) -> date | None:
    if remaining <= 0:
        return today
    if rate <= 0:
        return None
    return today + timedelta(days=int(-(-remaining // rate)))


def _accessions(session: Session, rate: float, today: date) -> list[AccessionProgress]:
    result = []
    for acc in session.execute(select(Accession).order_by(Accession.id)).scalars():
        scanned = _accession_pages(session, acc.id, LIVE)
        accepted = _accession_pages(session, acc.id, tuple(sorted(PUBLISHED_STATES)))
        remaining = (acc.planned_pages or 0) - scanned
        result.append(
            AccessionProgress(
                acc.id,
                acc.code,
                acc.unit.name,
                acc.planned_pages,
                scanned,
                accepted,
                acc.deadline,
                _forecast(remaining, rate, today),
            )
        )
    return result


def dashboard(ctx: AppContext, today: date | None = None) -> Dashboard:
    """Counts over document states; the forecast uses the mean pages/day of the last 14 days."""
    now = today or date.today()
    with ctx.db.session() as session:
        per_day = _per_day(session, now)
        recent = per_day[-RATE_WINDOW_DAYS:]
        rate = sum(p for _d, p in recent) / RATE_WINDOW_DAYS
        return Dashboard(
            pages_total=session.execute(
                select(func.count()).select_from(Page).join(Document).where(Document.state.in_(LIVE))
            ).scalar_one(),
            documents_total=session.execute(
                select(func.count()).where(Document.state.in_(LIVE))
            ).scalar_one(),
            stages=_stage_counts(session),
            per_unit=_per_unit(session),
            per_operator=_per_operator(session),
            per_day=per_day,
            accessions=_accessions(session, rate, now),
            pages_per_day=rate,
        )


def export_xlsx(ctx: AppContext, lang: str = "vi") -> bytes:
    """The dashboard as a workbook: stages, units, operators, days, accessions."""
    from openpyxl import Workbook

    data = dashboard(ctx)
    vi = lang != "en"
    book = Workbook()
    sheet = book.active
    sheet.title = "Giai đoạn" if vi else "Stages"
    # Unit, operator and accession names are typed by people: every cell goes through xlsx_append.
    xlsx_append(sheet, ["Giai đoạn", "Số văn bản"] if vi else ["Stage", "Documents"])
    for _key, v, e, count in data.stages:
        xlsx_append(sheet, [v if vi else e, count])
    tables = (
        ("Đơn vị" if vi else "Units", ["Đơn vị", "Văn bản", "Trang"] if vi else ["Unit", "Documents", "Pages"],
         data.per_unit),
        ("Người quét" if vi else "Operators",
         ["Người quét", "Văn bản", "Trang"] if vi else ["Operator", "Documents", "Pages"], data.per_operator),
        ("Theo ngày" if vi else "Days", ["Ngày", "Trang"] if vi else ["Day", "Pages"], data.per_day),
    )
    for title, head, rows in tables:
        ws = book.create_sheet(title)
        xlsx_append(ws, head)
        for row in rows:
            xlsx_append(ws, row)  # days are real dates, shown dd/mm/yyyy by xlsx_finish
    ws = book.create_sheet("Đợt giao nộp" if vi else "Accessions")
    xlsx_append(ws, ["Mã", "Đơn vị", "Kế hoạch (trang)", "Đã quét", "Đạt", "Hạn", "Dự báo hoàn thành"] if vi
                else ["Code", "Unit", "Planned pages", "Scanned", "Accepted", "Deadline", "Forecast completion"])
    for a in data.accessions:
        xlsx_append(
            ws,
            [
                a.code,
                a.unit_name,
                a.planned_pages,
                a.scanned_pages,
                a.accepted_pages,
                a.deadline,
                a.forecast,
            ]
        )
    for each in book.worksheets:
        xlsx_finish(each)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
