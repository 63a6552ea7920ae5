"""Facet counts of a PostgreSQL search from the index rows its first statement reads (``search_docs.tags``).

A search asked for facets reads its first ``BOUND + 1`` matches in scope once, with their tags
(:mod:`sohoa.index.pg_tags`: ``u<unit>``, ``y<year>``, ``t<hex of the type>``, ``lv<level>``, ``f<file>``,
kept equal to the documents' columns by a trigger). The facet values are counted from those tags over the
first ``BOUND`` rows (all of them when fewer match), so the ``documents`` rows are not read again: on a
million documents that second read (2,000 look-ups by key) was most of a faceted search's time. Bloc and
retention come from the matches' file and unit rows, read once for the distinct ids. The values are those
:func:`sohoa.index.facets.facet_counts` computes over ``documents``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

__all__ = ["ROW_SEPARATOR", "count_facets"]

ROW_SEPARATOR = "\x1e"  # between the rows' tags: ASCII's record separator (``chr(30)`` in SQL), never in a tag
_LEXEME = re.compile(r"'([^']*(?:''[^']*)*)'")  # a tsvector's text: lexemes quoted, quotes doubled
_HEX = re.compile(r"[0-9a-f]+")
_UNIT, _FILE = re.compile(r"'u(\d+)'"), re.compile(r"'f(\d+)'")
Counts = dict[str, list[tuple[str, int]]]


def _type_name(hex_value: str) -> str:
    return bytes.fromhex(hex_value).decode("utf-8", errors="replace")


def _top(counter: Counter[str], limit: int) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda vn: (-vn[1], vn[0]))[:limit]


def _files_and_units(session: Session, unit_ids: Iterable[int], file_ids: Iterable[int]
                     ) -> tuple[dict[int, str | None], dict[int, tuple[str | None, str | None]], dict[str, str]]:
    """The bloc of each unit, the (bloc, retention) of each file and each unit's name: one statement."""
    units, files = sorted(set(unit_ids)), sorted(set(file_ids))
    if not units and not files:
        return {}, {}, {}
    rows = session.execute(text(
        "SELECT 'u', id, bloc, name FROM units WHERE id = ANY(CAST(:u AS integer[])) UNION ALL "
        "SELECT 'f', id, bloc, CASE WHEN permanent THEN 'permanent' WHEN retention_years IS NOT NULL "
        "THEN CAST(retention_years AS TEXT) END FROM file_units WHERE id = ANY(CAST(:f AS integer[]))"),
        {"u": "{" + ",".join(map(str, units)) + "}", "f": "{" + ",".join(map(str, files)) + "}"}).all()
    unit_bloc = {int(r[1]): r[2] for r in rows if r[0] == "u"}
    file_values = {int(r[1]): (r[2], r[3]) for r in rows if r[0] == "f"}
    return unit_bloc, file_values, {str(r[1]): str(r[3]) for r in rows if r[0] == "u"}


def _lexemes(tags: str) -> list[str]:
    """The lexemes of the rows' tsvector texts, as written (quotes still doubled). With no quote inside a lexeme
    (the usual case: a level with a quote is rare) every quote delimits one, so the text split at its quotes holds
    them at odd places: three times faster than the pattern on 2,000 rows."""
    return tags.split("'")[1::2] if "''" not in tags else _LEXEME.findall(tags)


def count_facets(session: Session, tags: str | None, limit: int = 20) -> tuple[Counts, dict[str, str]]:
    """For each facet, its ``limit`` most frequent values (count descending, then value) among the rows whose
    tags ``tags`` holds (``ROW_SEPARATOR`` between rows); and the name of each unit counted (unit id → name),
    read in the same statement as the units' blocs."""
    counters: dict[str, Counter[str]] = {name: Counter() for name in
                                         ("unit", "year", "type", "access_level", "bloc", "retention")}
    if not tags:
        return {name: [] for name in counters}, {}
    for lexeme, count in Counter(_lexemes(tags)).items():  # unit, year and type tags hold no quote nor backslash
        head, value = lexeme[:1], lexeme[1:]
        if head == "u":
            if value.isdigit():  # not u<unit>y<year>
                counters["unit"][value] += count
        elif head == "y":
            if value.isdigit():
                counters["year"][value] += count
        elif head == "t":
            if _HEX.fullmatch(value):
                counters["type"][_type_name(value)] += count
        elif lexeme.startswith("lv") and lexeme not in ("lv", "lvx"):  # lvx: marks a level outside the four
            token = lexeme.replace("''", "'").replace("\\\\", "\\")
            counters["access_level"][token[2:]] += count
    # bloc: the file's, else the unit's; retention: the file's. Rows with a file are paired with their unit.
    units = Counter({int(v): n for v, n in counters["unit"].items()})
    paired: Counter[tuple[int | None, int]] = Counter()
    if "'f" in tags:
        for row in tags.split(ROW_SEPARATOR):
            if (file_match := _FILE.search(row)) is not None:
                unit_match = _UNIT.search(row)
                paired[(int(unit_match.group(1)) if unit_match else None, int(file_match.group(1)))] += 1
    unit_bloc, file_values, names = _files_and_units(session, units, (f for _, f in paired))
    for (unit, file), count in paired.items():
        file_bloc, retention = file_values.get(file, (None, None))
        bloc = file_bloc if file_bloc is not None else unit_bloc.get(unit) if unit is not None else None
        if bloc is not None:
            counters["bloc"][bloc] += count
        if retention is not None:
            counters["retention"][retention] += count
        if unit is not None:
            units[unit] -= count
    for unit, count in units.items():  # the rows without a file: the unit's bloc
        if count > 0 and (bloc := unit_bloc.get(unit)) is not None:
            counters["bloc"][bloc] += count
    return {name: _top(counter, limit) for name, counter in counters.items()}, names
