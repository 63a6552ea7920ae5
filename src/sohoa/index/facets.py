"""Facet counts over the documents a query matches, inside the same filters and access scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from sohoa.domain.ports import SearchIndex
from sohoa.domain.search import SearchFilters
from sohoa.index.columns import BLOC_EXPR, RETENTION_EXPR, year_expr

__all__ = ["FACET_NAMES", "FacetValue", "facet_counts"]

FACET_NAMES: tuple[str, ...] = ("unit", "year", "type", "access_level", "bloc", "retention")


@dataclass(frozen=True)
class FacetValue:
    """One value of a facet and how many matching documents carry it."""

    value: str
    count: int


def _expressions(dialect: str) -> dict[str, str]:
    return {
        "unit": "CAST(d.unit_id AS TEXT)",
        "year": year_expr(dialect),
        "type": "d.type_name",
        "access_level": "d.access_level",
        "bloc": BLOC_EXPR,
        "retention": RETENTION_EXPR,
    }


def _facet_sql(exprs: list[str], base: str, sample: int | None) -> str:
    """One statement: the matches' facet values read once (at most ``sample`` rows), grouped per facet."""
    columns = ", ".join(f"{expr} AS c{i}" for i, expr in enumerate(exprs))
    bound = f" LIMIT {int(sample)}" if sample is not None else ""
    groups = " UNION ALL ".join(
        f"SELECT {i} AS f, v, n FROM (SELECT CAST(c{i} AS TEXT) AS v, count(*) AS n FROM m WHERE c{i} IS NOT NULL "
        f"GROUP BY c{i} ORDER BY n DESC, v LIMIT :flimit) AS g{i}" for i in range(len(exprs)))
    return f"WITH m AS MATERIALIZED (SELECT {columns} {base}{bound}) {groups}"


def facet_counts(session: Session, index: SearchIndex, query: str, filters: SearchFilters | None,
                 names: Sequence[str] = FACET_NAMES, *, limit: int = 20,
                 sample: int | None = None) -> dict[str, list[FacetValue]]:
    """For each facet, its most frequent values among the matches (no value → left out).

    ``sample``: count over the first ``sample`` matches only (bounded work for very common words).
    """
    expressions = _expressions(session.get_bind().dialect.name)
    params: dict[str, object] = {"flimit": limit}
    base = index.base_sql(query, filters, params)
    if base is None:
        return {n: [] for n in names}
    rows = session.execute(text(_facet_sql([expressions[n] for n in names], base, sample)), params).all()
    found: dict[int, list[tuple[str, int]]] = {}
    for facet, value, count in rows:
        found.setdefault(int(facet), []).append((str(value), int(count)))
    return {name: [FacetValue(v, n) for v, n in sorted(found.get(i, []), key=lambda vn: (-vn[1], vn[0]))]
            for i, name in enumerate(names)}
