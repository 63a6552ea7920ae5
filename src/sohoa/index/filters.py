"""Filters and the access scope as SQL over the documents row ``d`` (PostgreSQL, and SQLite's residue)."""

from __future__ import annotations

from collections.abc import Collection

from sohoa.domain.search import SearchFilters
from sohoa.domain.text import canonical_text
from sohoa.index.columns import BLOC_EXPR, RETENTION_EXPR

__all__ = ["bloc_retention_sql", "filter_sql", "residual_sql"]


def _ids(values: Collection[int]) -> str:
    return ",".join(str(int(i)) for i in sorted(values)) or "-1"


def _access_sql(filters: SearchFilters, params: dict[str, object]) -> list[str]:
    """The principal's scope: (visible level AND unit scope) OR a granted file; never secret when excluded."""
    scope: list[str] = []
    if filters.access_levels is not None:
        levels = sorted(filters.access_levels) or ["-"]
        names = [f"lv{i}" for i in range(len(levels))]
        params.update(zip(names, levels, strict=True))
        scope.append(f"d.access_level IN ({','.join(':' + n for n in names)})")
    if filters.scope_unit_ids is not None:
        scope.append(f"(d.access_level = 'public' OR d.unit_id IN ({_ids(filters.scope_unit_ids)}))")
    clauses: list[str] = []
    if scope:
        combined = " AND ".join(scope)
        if filters.grant_file_ids:
            combined = f"({combined}) OR d.file_id IN ({_ids(filters.grant_file_ids)})"
        clauses.append(f"({combined})")
    if filters.exclude_secret:
        clauses.append("d.access_level <> 'secret' AND d.secrecy IS NULL")
    return clauses


def _tagged_choice_sql(filters: SearchFilters, params: dict[str, object]) -> list[str]:
    """The choices that SQLite answers with tags (see :mod:`sohoa.index.tags`), bloc and retention included."""
    clauses: list[str] = []
    if filters.unit_ids is not None:
        clauses.append(f"d.unit_id IN ({_ids(filters.unit_ids)})")
    if filters.year is not None:
        clauses.append("d.issued_date >= :y0 AND d.issued_date < :y1")
        params.update(y0=f"{filters.year:04d}-01-01", y1=f"{filters.year + 1:04d}-01-01")
    if filters.type_name:
        clauses.append("d.type_name = :type_name")
        params["type_name"] = canonical_text(filters.type_name)
    if filters.access_level:
        clauses.append("d.access_level = :one_level")
        params["one_level"] = filters.access_level
    return clauses + bloc_retention_sql(filters, params)


def bloc_retention_sql(filters: SearchFilters, params: dict[str, object]) -> list[str]:
    """The bloc and retention choices as SQL over ``d`` (FTS5 answers them with tags; PostgreSQL with this)."""
    clauses: list[str] = []
    if filters.bloc:
        clauses.append(f"{BLOC_EXPR} = :bloc")
        params["bloc"] = filters.bloc
    if filters.retention:
        clauses.append(f"{RETENTION_EXPR} = :retention")
        params["retention"] = filters.retention
    return clauses


def _published_sql(filters: SearchFilters, params: dict[str, object]) -> list[str]:
    """Public documents outside the own units and granted files count only once published (reviewed)."""
    if filters.published_states is None or filters.scope_unit_ids is None:
        return []
    states = sorted(filters.published_states) or ["-"]
    names = [f"ps{i}" for i in range(len(states))]
    params.update(zip(names, states, strict=True))
    own = [f"d.unit_id IN ({_ids(filters.scope_unit_ids)})"] if filters.scope_unit_ids else []
    own += [f"d.file_id IN ({_ids(filters.grant_file_ids)})"] if filters.grant_file_ids else []
    return [f"(d.access_level <> 'public' OR d.state IN ({','.join(':' + n for n in names)})"
            + "".join(f" OR {c}" for c in own) + ")"]


def residual_sql(filters: SearchFilters | None, params: dict[str, object]) -> str:
    """`` AND …`` for the choices tags cannot answer: document ids, date range, signed, state."""
    if filters is None:
        return ""
    clauses: list[str] = _published_sql(filters, params)
    if filters.document_ids is not None:
        clauses.append(f"d.id IN ({_ids(filters.document_ids)})")
    if filters.date_from is not None:
        clauses.append("d.issued_date >= :d0")
        params["d0"] = filters.date_from.isoformat()
    if filters.date_to is not None:
        clauses.append("d.issued_date <= :d1")
        params["d1"] = filters.date_to.isoformat()
    if filters.signed is not None:  # the signatures read at ingest (document_signatures)
        clauses.append(("" if filters.signed else "NOT ")
                       + "EXISTS (SELECT 1 FROM document_signatures s WHERE s.document_id = d.id)")
    return "".join(f" AND {c}" for c in clauses)


def filter_sql(filters: SearchFilters | None, params: dict[str, object]) -> str:
    """`` AND …`` for every filter and the scope, as SQL over ``d``."""
    if filters is None:
        return ""
    clauses = _tagged_choice_sql(filters, params) + _access_sql(filters, params)
    return "".join(f" AND {c}" for c in clauses) + residual_sql(filters, params)
