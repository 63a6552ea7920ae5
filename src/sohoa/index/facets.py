"""Facet counts over the documents a query matches, inside the same filters and access scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from sohoa.index.base import SearchFilters, SearchIndex
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


def facet_counts(session: Session, index: SearchIndex, query: str, filters: SearchFilters | None,
                 names: Sequence[str] = FACET_NAMES, *, limit: int = 20,
                 sample: int | None = None) -> dict[str, list[FacetValue]]:
    """For each facet, its most frequent values among the matches (no value → left out).

    ``sample``: count over the first ``sample`` matches only (bounded work for very common words).
    """
    dialect = session.get_bind().dialect.name
    expressions = _expressions(dialect)
    out: dict[str, list[FacetValue]] = {}
    for name in names:
        params: dict[str, object] = {"flimit": limit}
        base = index.base_sql(query, filters, params)
        if base is None:
            return {n: [] for n in names}
        if sample is not None:
            base = f"FROM documents d WHERE d.id IN (SELECT d.id {base} LIMIT {int(sample)})"
        expr = expressions[name]
        rows = session.execute(text(
            f"SELECT {expr} AS v, count(*) AS n {base} AND {expr} IS NOT NULL "
            f"GROUP BY {expr} ORDER BY n DESC, v LIMIT :flimit"), params).all()
        out[name] = [FacetValue(str(v), int(n)) for v, n in rows]
    return out
