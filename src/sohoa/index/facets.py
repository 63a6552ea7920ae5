"""Facet counts over the documents a query matches, inside the same filters and access scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

from sohoa.domain.ports import SearchIndex
from sohoa.domain.search import SearchFilters
from sohoa.index.columns import bloc_expr, retention_expr, year_expr

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
    }


# Facets of the file and unit (bloc: file, else unit; retention: file), looked up once per pair of ids among
# the matches instead of once per match (three correlated look-ups a row, most of a facet statement's work).
_BY_PAIR = {"bloc": bloc_expr("p.pf", "p.pu"), "retention": retention_expr("p.pf")}


def _facet_sql(names: Sequence[str], dialect: str, base: str, sample: int | None) -> str:
    """One statement: the matches' facet values read once (at most ``sample`` rows), grouped per facet."""
    expressions = _expressions(dialect)
    columns = ", ".join([f"{expressions[n]} AS c{i}" for i, n in enumerate(names) if n in expressions]
                        + (["d.file_id AS pf", "d.unit_id AS pu"] if set(names) & set(_BY_PAIR) else []))
    bound = f" LIMIT {int(sample)}" if sample is not None else ""
    pairs = "(SELECT pf, pu, count(*) AS n FROM m GROUP BY pf, pu) AS p"
    groups = " UNION ALL ".join(
        f"SELECT {i} AS f, v, n FROM (SELECT CAST(c{i} AS TEXT) AS v, count(*) AS n FROM m WHERE c{i} IS NOT NULL "
        f"GROUP BY c{i} ORDER BY n DESC, v LIMIT :flimit) AS g{i}" if name in expressions else
        f"SELECT {i} AS f, v, n FROM (SELECT CAST(c AS TEXT) AS v, sum(n) AS n FROM (SELECT {_BY_PAIR[name]} AS c, "
        f"p.n AS n FROM {pairs}) AS q{i} WHERE c IS NOT NULL GROUP BY c ORDER BY n DESC, v LIMIT :flimit) AS g{i}"
        for i, name in enumerate(names))
    return f"WITH m AS MATERIALIZED (SELECT {columns} {base}{bound}) {groups}"


def facet_counts(session: Session, index: SearchIndex, query: str, filters: SearchFilters | None,
                 names: Sequence[str] = FACET_NAMES, *, limit: int = 20,
                 sample: int | None = None) -> dict[str, list[FacetValue]]:
    """For each facet, its most frequent values among the matches (no value → left out).

    ``sample``: count over the first ``sample`` matches only (bounded work for very common words).
    """
    params: dict[str, object] = {"flimit": limit}
    base = index.base_sql(query, filters, params)
    if base is None:
        return {n: [] for n in names}
    rows = session.execute(text(_facet_sql(names, session.get_bind().dialect.name, base, sample)), params).all()
    found: dict[int, list[tuple[str, int]]] = {}
    for facet, value, count in rows:
        found.setdefault(int(facet), []).append((str(value), int(count)))
    return {name: [FacetValue(v, n) for v, n in sorted(found.get(i, []), key=lambda vn: (-vn[1], vn[0]))]
            for i, name in enumerate(names)}
