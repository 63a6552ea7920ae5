"""Browsing the public records without a query (the portal's home): facets by unit, year and document type,
each with its count, and a page of the records, newest first.

Everything is read as the anonymous caller (``document_scope(session, None)``: public, published, never
độ mật), the same rule as the portal's search. Units follow their succession (the 2025 reorganisation): a
unit's entry counts its own records and those of every unit that went into it (recursively), and lists
those predecessor units under it with their own counts; choosing a unit lists exactly what its entry counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from sohoa.db.models import Document, FileUnit, Fonds, Unit, UnitLink
from sohoa.domain.errors import NotFound
from sohoa.domain.text import canonical_text
from sohoa.services.catalogue.fields import document_fields
from sohoa.services.catalogue.listing import document_clause
from sohoa.services.catalogue.permalinks import canonical_identifiers, permalink_path
from sohoa.services.catalogue.personal_masking import Masking, maskings_for
from sohoa.services.identity.policy import document_scope
from sohoa.services.platform.context import AppContext

__all__ = ["PAGE_SIZE", "BrowseFilters", "BrowseItem", "BrowsePage", "FacetValue", "UnitFacet", "browse", "year_query"]

PAGE_SIZE = 20
FACET_LIMIT = 40  # values shown per facet (units: current units; their predecessors are all listed)
FIRST_YEAR, LAST_YEAR = 1900, 2100


def year_query(query: str) -> int | None:
    """The year a query is made of alone ("2024"), else None: the portal lists that year's records."""
    text = query.strip()
    if len(text) == 4 and text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR:
        return int(text)
    return None


@dataclass(frozen=True)
class BrowseFilters:
    """What the citizen chose: a unit (identifier), a year, a document type, a hồ sơ or a phông (codes)."""

    unit: str | None = None
    year: int | None = None
    type_name: str | None = None
    file_code: str | None = None
    fonds_code: str | None = None
    page: int = 1

    def params(self, **changes: object) -> dict[str, str]:
        """The query string of these filters with ``changes`` (None drops a filter); page 1 unless given."""
        values: dict[str, object] = {
            "unit": self.unit,
            "year": self.year,
            "type": self.type_name,
            "file": self.file_code,
            "fonds": self.fonds_code,
            "page": None,
        }
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in (None, "") and not (k == "page" and v == 1)}

    @property
    def any(self) -> bool:
        return any((self.unit, self.year, self.type_name, self.file_code, self.fonds_code))


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet: what the link sets, what it shows, how many records it leads to."""

    value: str
    label: str
    count: int


@dataclass(frozen=True)
class UnitFacet:
    """A unit with its records' count (its predecessors' included) and its predecessors holding records."""

    identifier: str
    name: str
    count: int
    predecessors: tuple[UnitFacet, ...] = ()


@dataclass(frozen=True)
class BrowseItem:
    """One public record of the list."""

    document_id: int
    path: str  # the permanent link
    fields: dict[str, str | None]
    issued: date | None


@dataclass(frozen=True)
class BrowsePage:
    """A page of public records under the filters, with the facets to narrow them further."""

    filters: BrowseFilters
    total: int
    items: list[BrowseItem]
    pages: int
    units: list[UnitFacet] = field(default_factory=list)
    years: list[FacetValue] = field(default_factory=list)
    types: list[FacetValue] = field(default_factory=list)
    chosen: dict[str, str] = field(default_factory=dict)  # filter → its label (unit name, file title…)

    @property
    def first(self) -> int:
        """The number of the page's first record in the whole list."""
        return (self.filters.page - 1) * PAGE_SIZE + 1


# --- units and their succession ----------------------------------------------------------------------------


def _links(session: Session) -> dict[int, set[int]]:
    """Successors of each unit that has one (merged into, split into, renamed to)."""
    forward: dict[int, set[int]] = {}
    rows = session.execute(select(UnitLink.from_unit_id, UnitLink.to_unit_id).where(UnitLink.to_unit_id.is_not(None)))
    for old, new in rows:
        if new is not None and old != new:
            forward.setdefault(int(old), set()).add(int(new))
    return forward


def _backward(forward: dict[int, set[int]]) -> dict[int, set[int]]:
    back: dict[int, set[int]] = {}
    for old, news in forward.items():
        for new in news:
            back.setdefault(new, set()).add(old)
    return back


def _closure(start: int, step: dict[int, set[int]]) -> set[int]:
    """``start`` and every unit reached from it through ``step`` (cycles in the data stop the walk)."""
    seen, frontier = {start}, {start}
    while frontier:
        frontier = {n for u in frontier for n in step.get(u, ()) if n not in seen}
        seen |= frontier
    return seen


def _lineage_ids(session: Session, unit_id: int) -> set[int]:
    """The unit and all the units that went into it: what its facet entry counts and its filter lists."""
    return _closure(unit_id, _backward(_links(session)))


def _unit_facets(session: Session, counts: dict[int, int]) -> list[UnitFacet]:
    forward = _links(session)
    back = _backward(forward)
    current: dict[int, set[int]] = {}  # the units of today each unit holding records went into (or itself)
    for unit_id in counts:
        reached = _closure(unit_id, forward)
        current[unit_id] = {u for u in reached if u not in forward} or {unit_id}
    tops = sorted({top for tops in current.values() for top in tops})
    names = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(tops + list(counts)))).all())
    identifiers = dict(session.execute(select(Unit.id, Unit.identifier).where(Unit.id.in_(tops + list(counts)))).all())

    def total(unit_id: int) -> int:
        return sum(counts.get(u, 0) for u in _closure(unit_id, back))

    def entry(unit_id: int, predecessors: tuple[UnitFacet, ...] = ()) -> UnitFacet:
        return UnitFacet(identifiers[unit_id], names[unit_id], total(unit_id), predecessors)

    facets = []
    for top in tops:
        olds = sorted((u for u in counts if u != top and top in current[u]), key=lambda u: canonical_text(names[u]))
        facets.append(entry(top, tuple(entry(u) for u in olds)))
    facets.sort(key=lambda f: (-f.count, canonical_text(f.name)))
    return facets[:FACET_LIMIT]


# --- the filters as SQL --------------------------------------------------------------------------------------


def _unit_by_identifier(session: Session, identifier: str) -> Unit:
    unit = session.execute(select(Unit).where(Unit.identifier == identifier)).scalar_one_or_none()
    if unit is None:
        raise NotFound(f"Không tìm thấy đơn vị '{identifier}'", f"Unknown unit '{identifier}'")
    return unit


def _conditions(
    session: Session, filters: BrowseFilters, chosen: dict[str, str], skip: str = ""
) -> list[ColumnElement[bool]]:
    """The public scope and every filter but ``skip`` (a facet counts under the other filters)."""
    where: list[ColumnElement[bool]] = [document_clause(document_scope(session, None))]
    if filters.unit and skip != "unit":
        unit = _unit_by_identifier(session, filters.unit)
        chosen["unit"] = unit.name
        where.append(Document.unit_id.in_(sorted(_lineage_ids(session, unit.id))))
    if filters.year and skip != "year":
        where += [Document.issued_date >= date(filters.year, 1, 1), Document.issued_date < date(filters.year + 1, 1, 1)]
    if filters.type_name and skip != "type":
        where.append(Document.type_name == canonical_text(filters.type_name))
    if filters.file_code:
        file = session.execute(select(FileUnit).where(FileUnit.file_code == filters.file_code)).scalar_one_or_none()
        if file is None:
            raise NotFound(f"Không có hồ sơ mã {filters.file_code}", f"No file with the code {filters.file_code}")
        chosen["file"] = file.file_code
        where.append(Document.file_id == file.id)
    if filters.fonds_code:
        fonds = session.execute(select(Fonds).where(Fonds.code == filters.fonds_code)).scalar_one_or_none()
        if fonds is None:
            raise NotFound(f"Không có phông mã {filters.fonds_code}", f"No fonds with the code {filters.fonds_code}")
        chosen["fonds"] = f"{fonds.name} ({fonds.code})"
        where.append(Document.file_id.in_(select(FileUnit.id).where(FileUnit.fonds_id == fonds.id)))
    return where


def _grouped(
    session: Session, column: ColumnElement[Any] | InstrumentedAttribute[Any], where: Iterable[ColumnElement[bool]]
) -> list[tuple[Any, int]]:
    """(value, number of records) for each value of ``column`` among the records ``where`` selects."""
    stmt = select(column, func.count(Document.id)).where(*where).group_by(column)
    return [(value, int(n)) for value, n in session.execute(stmt) if value is not None]


def _items(session: Session, where: list[ColumnElement[bool]], page: int) -> list[BrowseItem]:
    stmt = (
        select(Document)
        .where(*where)
        .order_by(Document.issued_date.desc().nulls_last(), Document.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    docs = list(session.execute(stmt).scalars())
    identifiers = canonical_identifiers(session, [(d.id, d.doc_code) for d in docs])
    maskings = maskings_for(session, docs, None)  # the portal: the public's masking
    return [BrowseItem(d.id, permalink_path(identifiers[d.id]), _fields(maskings[d.id], document_fields(d)),
                       d.issued_date) for d in docs]


def _fields(masking: Masking | None, fields: dict[str, str | None]) -> dict[str, str | None]:
    return fields if masking is None else masking.fields(fields)


def browse(ctx: AppContext, filters: BrowseFilters) -> BrowsePage:
    """The public records under ``filters`` (a page of them, newest first) and the facets to narrow them."""
    with ctx.db.session() as session:
        chosen: dict[str, str] = {}
        where = _conditions(session, filters, chosen)
        total = int(session.execute(select(func.count(Document.id)).where(*where)).scalar_one())
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(1, filters.page), pages)
        year = func.extract("year", Document.issued_date)
        by_year = _grouped(session, year, _conditions(session, filters, {}, "year"))
        years = sorted(((int(v), n) for v, n in by_year), reverse=True)
        types = sorted(
            _grouped(session, Document.type_name, _conditions(session, filters, {}, "type")),
            key=lambda vn: (-vn[1], canonical_text(str(vn[0]))),
        )
        unit_counts = {
            int(str(v)): n for v, n in _grouped(session, Document.unit_id, _conditions(session, filters, {}, "unit"))
        }
        return BrowsePage(
            filters=replace(filters, page=page),
            total=total,
            items=_items(session, where, page),
            pages=pages,
            units=_unit_facets(session, unit_counts),
            years=[FacetValue(str(y), str(y), n) for y, n in years[:FACET_LIMIT]],
            types=[FacetValue(str(t), str(t), n) for t, n in types[:FACET_LIMIT]],
            chosen=chosen,
        )
