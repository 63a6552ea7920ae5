"""Scope and filter values as a ``tags`` tsvector of ``search_docs`` (PostgreSQL), as FTS5's tags column.

Migration z0c1 adds ``search_docs.tags`` (the same tokens as :mod:`sohoa.index.tags`: ``lv<level>``,
``sec0``/``sec1``, ``u<unit>``, ``y<year>``, ``u<unit>y<year>``, ``f<file>``, ``t<hex of the type>``, ``lvx``),
computed from the documents row by :data:`TAGS_PG_SQL` at upsert and by a trigger on ``documents`` whenever
those columns change, and one GIN index over ``(tsv_folded, tags)``: a filter chosen by the user (units,
year, type, one level) is then intersected with the words inside one index scan, without reading
``documents``. The access scope is broad (most of the archive), so it is checked on the index row itself
(``tags`` as a filter, never an index probe). Filters that need other tables or ranges (bloc, retention,
dates, published states, signatures) stay SQL over ``d``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from sohoa.domain.search import SearchFilters
from sohoa.index.filters import bloc_retention_sql, residual_sql
from sohoa.index.tags import type_tag

__all__ = ["TAGS_PG_SQL", "needs_documents", "pg_filter_sql"]

# Over the documents row ``d`` (PostgreSQL). Migration z0c1 holds a frozen copy (a test checks they agree).
TAGS_PG_SQL = ("array_to_tsvector(array_remove(ARRAY['lv' || coalesce(d.access_level, ''), "
               "CASE WHEN d.secrecy IS NOT NULL OR d.access_level = 'secret' THEN 'sec1' ELSE 'sec0' END, "
               "'u' || d.unit_id, 'y' || to_char(d.issued_date, 'YYYY'), "
               "'u' || d.unit_id || 'y' || to_char(d.issued_date, 'YYYY'), 'f' || d.file_id, "
               "'t' || nullif(encode(convert_to(d.type_name, 'UTF8'), 'hex'), ''), "
               "CASE WHEN d.access_level IN ('public', 'conditional', 'internal', 'secret') THEN NULL "
               "ELSE 'lvx' END]::text[], NULL))")

_NONE = "znone"  # a token no row carries: an empty choice matches nothing
_TOKEN = re.compile(r"^[a-z0-9]+$")


def _token(prefix: str, value: object) -> str:
    token = f"{prefix}{value}".lower()
    return token if _TOKEN.match(token) else _NONE


def _any(tokens: Iterable[str]) -> str:
    return "(" + " | ".join(sorted(set(tokens)) or [_NONE]) + ")"


def _choices(filters: SearchFilters) -> list[str]:
    """The user's choices as tsquery parts (selective: probed in the index)."""
    parts: list[str] = []
    year = _token("y", f"{filters.year:04d}") if filters.year is not None else None
    if filters.unit_ids is not None and year:
        parts.append(_any(f"u{int(i)}{year}" for i in filters.unit_ids))
    elif filters.unit_ids is not None:
        parts.append(_any(f"u{int(i)}" for i in filters.unit_ids))
    elif year:
        parts.append(year)
    if filters.type_name:
        parts.append(type_tag(filters.type_name))
    if filters.access_level:
        parts.append(_token("lv", filters.access_level))
    return parts


def _scope(filters: SearchFilters) -> str | None:
    """The principal's scope as a tsquery: (visible level AND (public OR unit in scope)) OR a granted file,
    never độ mật when excluded."""
    parts: list[str] = []
    if filters.access_levels is not None:
        parts.append(_any(_token("lv", level) for level in filters.access_levels))
    if filters.scope_unit_ids is not None:
        parts.append(_any(["lvpublic", *(f"u{int(i)}" for i in filters.scope_unit_ids)]))
    scope = " & ".join(parts)
    if scope and filters.grant_file_ids:
        scope = f"({scope}) | {_any(f'f{int(i)}' for i in filters.grant_file_ids)}"
    if filters.exclude_secret:
        scope = f"({scope}) & !sec1" if scope else "!sec1"
    return scope or None


def needs_documents(filters: SearchFilters | None) -> bool:
    """Whether the filters need the documents row (else the index row answers them alone)."""
    if filters is None:
        return False
    return bool(filters.bloc or filters.retention or residual_sql(_untagged(filters), {}))


def _untagged(filters: SearchFilters) -> SearchFilters:
    return replace(filters, bloc=None, retention=None)


def pg_filter_sql(filters: SearchFilters | None, params: dict[str, object]) -> str:
    """`` AND …`` over ``s`` (search_docs) and ``d`` (documents, joined when :func:`needs_documents`)."""
    if filters is None:
        return ""
    clauses: list[str] = []
    choices = _choices(filters)
    if choices:  # indexable: the GIN index over (tsv_folded, tags) intersects them with the words
        params["tq"] = " & ".join(choices)
        clauses.append("s.tags @@ CAST(:tq AS tsquery)")
    scope = _scope(filters)
    if scope:  # NOT of the complement: checked on each index row, never a probe of most of the archive
        params["tscope"] = f"!({scope})"
        clauses.append("NOT (s.tags @@ CAST(:tscope AS tsquery))")
    clauses += bloc_retention_sql(filters, params)
    return "".join(f" AND {c}" for c in clauses) + residual_sql(_untagged(filters), params)
