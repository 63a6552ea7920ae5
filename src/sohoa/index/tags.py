"""Scope and filter values as FTS5 tokens, so that FTS5 intersects them with the words' posting lists.

Each row of ``doc_fts`` carries a ``tags`` column derived from its ``documents`` row by :data:`TAGS_SQL`
(at upsert, and by the triggers of migration 0003 whenever the columns change): ``lv<level>``, ``sec1``
for độ mật documents (``sec0`` otherwise), ``u<unit id>``, ``y<year>``, ``u<unit>y<year>``, ``f<file id>``,
``t<hex of the type name>``, ``lvx`` for a level outside the four known ones, and (migration z0d1)
``b<hex of the bloc>`` and ``r<hex of the retention>`` (the values of :data:`sohoa.index.columns.BLOC_EXPR` and
``RETENTION_EXPR``: the file's, else the unit's bloc; the file's retention). A filter then becomes part of the
MATCH expression instead of a lookup of every match in ``documents``. Bloc and retention come from
``file_units`` and ``units``: triggers on those tables re-tag their documents when the values change. Date
ranges stay SQL.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

from sohoa.domain.codes import AccessLevel
from sohoa.domain.search import SearchFilters
from sohoa.domain.text import canonical_text
from sohoa.index.columns import BLOC_EXPR, RETENTION_EXPR

__all__ = ["TAGS_SQL", "bloc_tag", "retention_tag", "scope_expression", "type_tag"]

# Over the documents row ``d`` (SQLite). Every piece is coalesced: one NULL must not empty the whole string.
# Migration z0d1 holds a frozen copy; tests/index checks that both give the same tags.
TAGS_SQL = ("'lv' || coalesce(d.access_level, '') "
            "|| CASE WHEN d.secrecy IS NOT NULL OR d.access_level = 'secret' THEN ' sec1' ELSE ' sec0' END "
            "|| coalesce(' u' || d.unit_id, '') || coalesce(' y' || substr(d.issued_date, 1, 4), '') "
            "|| coalesce(' u' || d.unit_id || 'y' || substr(d.issued_date, 1, 4), '') "
            "|| coalesce(' f' || d.file_id, '') || coalesce(' t' || nullif(hex(d.type_name), ''), '') "
            "|| CASE WHEN d.access_level IN ('public', 'conditional', 'internal', 'secret') THEN '' ELSE ' lvx' END "
            f"|| coalesce(' b' || nullif(hex({BLOC_EXPR}), ''), '') "
            f"|| coalesce(' r' || nullif(hex({RETENTION_EXPR}), ''), '')")
_KNOWN_LEVELS = frozenset(level.value for level in AccessLevel)  # the levels TAGS_SQL names; others: lvx

_NONE = "znone"  # a token no row carries: an empty choice matches nothing
_TOKEN = re.compile(r"^[a-z0-9]+$")


def type_tag(type_name: str) -> str:
    """The tag of a type name (canonical form, UTF-8 in hex, as ``hex()`` writes it, lower-cased)."""
    return "t" + canonical_text(type_name).encode("utf-8").hex()


def bloc_tag(bloc: str) -> str:
    """The tag of a bloc (the value as stored, UTF-8 in hex, lower-cased)."""
    return "b" + bloc.encode("utf-8").hex()


def retention_tag(retention: str) -> str:
    """The tag of a retention value (``permanent`` or years as text, UTF-8 in hex, lower-cased)."""
    return "r" + retention.encode("utf-8").hex()


def _token(prefix: str, value: object) -> str:
    token = f"{prefix}{value}".lower()
    return token if _TOKEN.match(token) else _NONE


def _any(tokens: Iterable[str]) -> str:
    unique = sorted(set(tokens)) or [_NONE]
    return "tags : (" + " OR ".join(unique) + ")"


def _ids(prefix: str, ids: Collection[int]) -> str:
    return _any(f"{prefix}{int(i)}" for i in ids)


def _access(filters: SearchFilters) -> str | None:
    """The principal's scope: (visible level AND (public OR unit in scope)) OR a granted file."""
    parts: list[str] = []
    if filters.access_levels is not None:
        parts.append(_any(_token("lv", level) for level in filters.access_levels))
    if filters.scope_unit_ids is not None:
        parts.append(_any(["lvpublic", *(f"u{int(i)}" for i in filters.scope_unit_ids)]))
    if not parts:
        return None
    combined = " AND ".join(parts)
    if filters.grant_file_ids:
        combined = f"({combined}) OR {_ids('f', filters.grant_file_ids)}"
    return f"({combined})"


def _choices(filters: SearchFilters) -> list[str]:
    """The user's choices that tags can answer: units, year, type, one access level, bloc, retention."""
    parts: list[str] = []
    year = _token("y", f"{filters.year:04d}") if filters.year is not None else None
    if filters.unit_ids is not None and year:
        # One short posting list per unit and year instead of a unit list AND a year's (the usual pair).
        parts.append(_any(f"u{int(i)}{year}" for i in filters.unit_ids))
    elif filters.unit_ids is not None:
        parts.append(_ids("u", filters.unit_ids))
    elif year:
        parts.append(_any([year]))
    if filters.type_name:
        parts.append(_any([type_tag(filters.type_name)]))
    if filters.access_level:
        parts.append(_any([_token("lv", filters.access_level)]))
    if filters.bloc:
        parts.append(_any([bloc_tag(filters.bloc)]))
    if filters.retention:
        parts.append(_any([retention_tag(filters.retention)]))
    return parts


def _excluded(filters: SearchFilters) -> list[str] | None:
    """Tags whose absence is the whole scope, when it can be said so: cheaper for FTS5 than an OR over
    most of the archive (``lvpublic OR lvconditional OR lvinternal``). None: say it positively."""
    levels = filters.access_levels
    if levels is None or filters.grant_file_ids or not levels:
        return None
    if filters.scope_unit_ids is not None:  # no own units (anonymous, public-only tokens): public rows only
        if filters.scope_unit_ids:
            return None
        levels = set(levels) & {AccessLevel.PUBLIC.value}
        if not levels:
            return None
    if not set(levels) <= _KNOWN_LEVELS:
        return None
    return ["lvx", *(f"lv{level}" for level in sorted(_KNOWN_LEVELS - set(levels)))]


def scope_expression(text_match: str, filters: SearchFilters | None) -> str:
    """``text_match`` AND the tag-answerable filters, NOT độ mật when the scope excludes it."""
    if filters is None:
        return text_match
    parts = [f"({text_match})", *_choices(filters)]
    excluded = _excluded(filters)
    access = _access(filters) if excluded is None else None
    if access:
        parts.append(access)
    excluded = (excluded or []) + (["sec1"] if filters.exclude_secret else [])
    expression = " AND ".join(parts)
    if excluded:
        expression = f"({expression}) NOT tags : ({' OR '.join(excluded)})"
    return expression
