"""The review and QC queues as lists that scale: filters, sorting and pages, all from GET parameters.

A queue page's URL is the view: :class:`QueueFilter` reads the query parameters and writes them back
(``query``), so a view can be shared, saved (:mod:`sohoa.services.production.queue_views`) and linked
to from the dashboard. Every listing and every count goes through the access policy (``document_scope``):
a person never sees, nor counts, a document they may not open.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import Session

from sohoa.db.models import Accession, Document, DocumentSignature, FileUnit, Fonds, IngestBatch, IngestItem, Unit
from sohoa.domain.text import nfc
from sohoa.domain.workflow import REVIEW_STATES, DocumentState
from sohoa.services.catalogue.listing import document_clause
from sohoa.services.catalogue.publication import public_states
from sohoa.services.identity.policy import document_scope
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext

__all__ = [
    "PAGE_SIZE",
    "QUEUE_STATES",
    "SORTS",
    "Facets",
    "QueueFilter",
    "QueuePage",
    "QueueRow",
    "queue_count",
    "queue_page",
    "unit_counts",
]

PAGE_SIZE = 50
QUEUE_STATES: dict[str, tuple[DocumentState, ...]] = {"review": REVIEW_STATES, "qc": (DocumentState.QC,)}
# Sort key → (Vietnamese, English) label; the first is the default.
SORTS: dict[str, tuple[str, str]] = {
    "oldest": ("Cũ nhất trước", "Oldest first"),
    "newest": ("Mới nhất trước", "Newest first"),
    "confidence": ("Độ tin cậy thấp nhất trước", "Lowest confidence first"),
    "flagged": ("Nhiều trường bị gắn cờ nhất", "Most flagged fields"),
    "unit": ("Theo đơn vị", "By unit"),
    "type": ("Theo loại văn bản", "By document type"),
    "pages": ("Nhiều trang nhất", "Most pages"),
}


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _date(value: str | None) -> date | None:
    """dd/mm/yyyy as people type it, or yyyy-mm-dd as a date input sends it."""
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime((value or "").strip(), pattern).date()
        except ValueError:
            continue
    return None


def _text(value: str | None) -> str | None:
    return nfc(value).strip() or None if value else None


@dataclass(frozen=True)
class QueueFilter:
    """One view of a queue: what it keeps, in which order, which page. Unknown or malformed values are
    dropped (the page shows the filter it applied)."""

    unit: int | None = None
    fonds: int | None = None
    type_name: str | None = None
    accession: int | None = None
    operator: str | None = None
    ingested_from: date | None = None
    ingested_to: date | None = None
    states: tuple[str, ...] = ()
    confidence_below: int | None = None  # percent: keep documents with a field read below it
    flagged: bool = False
    signed: bool = False
    sort: str = "oldest"
    page: int = 1

    @classmethod
    def from_params(cls, items: Iterable[tuple[str, str]], queue: str = "review") -> QueueFilter:
        """Read a queue page's query parameters (``state`` may repeat)."""
        params: dict[str, str] = {}
        states: list[str] = []
        allowed = {s.value for s in QUEUE_STATES[queue]}
        for key, value in items:
            if key == "state" and value in allowed and value not in states:
                states.append(value)
            else:
                params.setdefault(key, value)
        conf = _int(params.get("conf"))
        return cls(
            unit=_int(params.get("unit")),
            fonds=_int(params.get("fonds")),
            type_name=_text(params.get("type")),
            accession=_int(params.get("accession")),
            operator=_text(params.get("operator")),
            ingested_from=_date(params.get("from")),
            ingested_to=_date(params.get("to")),
            states=tuple(states),
            confidence_below=conf if conf is not None and 0 < conf <= 100 else None,
            flagged=params.get("flagged") == "1",
            signed=params.get("signed") == "1",
            sort=params.get("sort", "") if params.get("sort") in SORTS else "oldest",
            page=max(_int(params.get("page")) or 1, 1),
        )

    def params(self) -> list[tuple[str, str]]:
        """The query parameters of this view (without its page number), in a stable order."""
        pairs: list[tuple[str, Any]] = [
            ("unit", self.unit),
            ("fonds", self.fonds),
            ("type", self.type_name),
            ("accession", self.accession),
            ("operator", self.operator),
            ("from", self.ingested_from.isoformat() if self.ingested_from else None),
            ("to", self.ingested_to.isoformat() if self.ingested_to else None),
            *(("state", s) for s in self.states),
            ("conf", self.confidence_below),
            ("flagged", "1" if self.flagged else None),
            ("signed", "1" if self.signed else None),
            ("sort", None if self.sort == "oldest" else self.sort),
        ]
        return [(k, str(v)) for k, v in pairs if v is not None]

    def query(self, **changes: Any) -> str:
        """The query string of this view, with ``changes`` (e.g. ``page=2``); empty for the plain queue."""
        view = replace(self, **changes) if changes else self
        pairs = view.params() + ([("page", str(view.page))] if view.page > 1 else [])
        return urlencode(pairs)

    @property
    def active(self) -> bool:
        """Whether anything narrows the queue (the sort alone does not)."""
        return any(k != "sort" for k, _v in self.params())


@dataclass(frozen=True)
class QueueRow:
    """One line of a queue."""

    id: int
    state: str
    file_code: str | None
    source_name: str
    type_name: str | None
    subject: str | None
    pages: int
    unit_name: str | None
    operator: str | None
    ingested_at: datetime | None
    min_confidence: float | None
    flagged_fields: int
    public_state: str


@dataclass(frozen=True)
class Facets:
    """What the filter's selects offer: the values present in the queue the person may see, with counts."""

    units: list[tuple[int, str, int]] = field(default_factory=list)  # id, name (code), documents
    fonds: list[tuple[int, str, int]] = field(default_factory=list)
    accessions: list[tuple[int, str, int]] = field(default_factory=list)
    types: list[tuple[str, str, int]] = field(default_factory=list)  # value, text, documents
    operators: list[tuple[str, str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class QueuePage:
    """One page of a filtered queue, the total it was cut from and the facets of the whole queue."""

    rows: list[QueueRow]
    total: int
    filter: QueueFilter
    facets: Facets

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


S = TypeVar("S", bound=Select[*tuple[Any, ...]])


def _joined(stmt: S) -> S:
    return (
        stmt.outerjoin(FileUnit, Document.file_id == FileUnit.id)
        .outerjoin(Unit, Document.unit_id == Unit.id)
        .outerjoin(IngestItem, Document.ingest_item_id == IngestItem.id)
        .outerjoin(IngestBatch, IngestItem.batch_id == IngestBatch.id)
    )


def _since(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _conditions(view: QueueFilter) -> list[ColumnElement[bool]]:
    """The filter's conditions over documents joined as :func:`_joined` does."""
    found: list[tuple[object, ColumnElement[bool]]] = [
        (view.unit, Document.unit_id == view.unit),
        (view.fonds, FileUnit.fonds_id == view.fonds),
        (view.type_name, Document.type_name == view.type_name),
        (view.accession, FileUnit.accession_id == view.accession),
        (view.operator, IngestBatch.actor == view.operator),
        (view.ingested_from, Document.created_at >= _since(view.ingested_from or date.min)),
        (view.ingested_to, Document.created_at < _since((view.ingested_to or date.min) + timedelta(days=1))),
        (view.states or None, Document.state.in_(view.states)),
        (view.confidence_below, Document.min_confidence < (view.confidence_below or 0) / 100),
        (view.flagged or None, Document.flagged_fields > 0),
        (view.signed or None, exists().where(DocumentSignature.document_id == Document.id)),
    ]
    return [condition for value, condition in found if value is not None]


def _order(queue: str, sort: str) -> list[Any]:
    rework_first = (Document.state == DocumentState.REWORK_REVIEW).desc()  # QC sent it back: it waits longest
    orders: dict[str, list[Any]] = {
        "oldest": [rework_first, Document.id] if queue == "review" else [Document.id],
        "newest": [Document.id.desc()],
        "confidence": [Document.min_confidence.is_(None), Document.min_confidence, Document.id],
        "flagged": [Document.flagged_fields.desc(), Document.id],
        "unit": [Unit.name.is_(None), Unit.name, Document.id],
        "type": [Document.type_name.is_(None), Document.type_name, Document.id],
        "pages": [Document.page_amount.desc(), Document.id],
    }
    return orders[sort]


def _base(session: Session, queue: str, principal: Principal | None) -> ColumnElement[bool]:
    return and_(Document.state.in_(QUEUE_STATES[queue]), document_clause(document_scope(session, principal)))


def _count(session: Session, where: ColumnElement[bool]) -> int:
    return int(
        session.execute(_joined(select(func.count(Document.id)).select_from(Document)).where(where)).scalar_one()
    )


def _grouped(session: Session, where: ColumnElement[bool], *columns: Any) -> list[Any]:
    stmt = _joined(select(*columns, func.count(Document.id)).select_from(Document))
    stmt = stmt.where(where, columns[0].is_not(None))
    return list(session.execute(stmt.group_by(*columns).order_by(*columns[1:], columns[0])).all())


def _facets(session: Session, where: ColumnElement[bool]) -> Facets:
    fonds = _grouped(session, where, FileUnit.fonds_id)
    names = dict(
        session.execute(
            select(Fonds.id, Fonds.code + " " + Fonds.name).where(Fonds.id.in_([f for f, _n in fonds]))
        ).all()
    )
    accessions = _grouped(session, where, FileUnit.accession_id)
    codes = dict(
        session.execute(select(Accession.id, Accession.code).where(Accession.id.in_([a for a, _n in accessions]))).all()
    )
    return Facets(
        units=[
            (i, f"{name} ({code})" if code else name, n)
            for i, name, code, n in _grouped(session, where, Unit.id, Unit.name, Unit.identifier)
        ],
        fonds=[(i, names.get(i, str(i)), n) for i, n in fonds],
        accessions=[(i, codes.get(i, str(i)), n) for i, n in accessions],
        types=[(t, t, n) for t, n in _grouped(session, where, Document.type_name)],
        operators=[(o, o, n) for o, n in _grouped(session, where, IngestBatch.actor)],
    )


def queue_count(ctx: AppContext, queue: str, view: QueueFilter, *, principal: Principal | None) -> int:
    """How many documents the queue page of ``view`` lists for ``principal`` (the figure a link shows)."""
    with ctx.db.session() as session:
        return _count(session, and_(_base(session, queue, principal), *_conditions(view)))


def queue_page(ctx: AppContext, queue: str, view: QueueFilter, *, principal: Principal | None) -> QueuePage:
    """One page of the review (``review``) or QC (``qc``) queue as ``principal`` may see it."""
    with ctx.db.session() as session:
        base = _base(session, queue, principal)
        where = and_(base, *_conditions(view))
        total = _count(session, where)
        page = min(view.page, max(1, -(-total // PAGE_SIZE)))
        stmt = _joined(select(Document, FileUnit.file_code, Unit.name, IngestBatch.actor).select_from(Document))
        rows = session.execute(
            stmt.where(where).order_by(*_order(queue, view.sort)).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
        ).all()
        states = public_states(session, [d for d, *_rest in rows])
        items = [
            QueueRow(
                d.id,
                str(d.state),
                code,
                d.source_name,
                d.type_name,
                d.subject,
                d.page_amount,
                unit,
                operator,
                d.created_at,
                d.min_confidence,
                d.flagged_fields,
                str(states[d.id]),
            )
            for d, code, unit, operator in rows
        ]
        return QueuePage(items, total, replace(view, page=page), _facets(session, base))


def unit_counts(ctx: AppContext, *, principal: Principal | None) -> list[tuple[int, str, int, int]]:
    """Per unit: (id, name, documents waiting for review, documents waiting for QC) that ``principal`` may
    see — the totals of ``/review?unit=…`` and ``/qc?unit=…``."""
    states = (*QUEUE_STATES["review"], *QUEUE_STATES["qc"])
    with ctx.db.session() as session:
        visible = document_clause(document_scope(session, principal))
        rows = session.execute(
            select(Unit.id, Unit.name, Document.state, func.count(Document.id))
            .join(Unit, Document.unit_id == Unit.id)
            .where(Document.state.in_(states), visible)
            .group_by(Unit.id, Unit.name, Document.state)
        ).all()
    totals: dict[tuple[int, str], list[int]] = {}
    for unit_id, name, state, n in rows:
        pair = totals.setdefault((unit_id, name), [0, 0])
        pair[1 if state == DocumentState.QC else 0] += n
    return sorted(((i, name, r, q) for (i, name), (r, q) in totals.items()), key=lambda t: (t[1], t[0]))
