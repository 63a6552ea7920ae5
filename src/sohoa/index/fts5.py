"""SQLite FTS5 search: a tone-folded column for matching, an exact column ranked first, a sign column."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import text
from sqlalchemy.orm import Session

from sohoa.domain.text import canonical_text, fold
from sohoa.index.base import IndexDoc, SearchFilters, SearchHit, SearchResult
from sohoa.index.columns import BLOC_EXPR, RETENTION_EXPR, SORTS
from sohoa.index.large import BOUND, bounded_count, large_hits
from sohoa.index.query import ParsedQuery, code_tokens, parse_query

__all__ = ["Fts5Index", "fts_expression", "order_sql"]


def _phrase(words: list[str]) -> str:
    return '"' + " ".join(w.replace('"', "") for w in words) + '"'


def fts_expression(column: str, phrases: list[list[str]]) -> str:
    """A column-filtered AND of phrases, e.g. ``folded : ("hoa binh" AND "quyet")``."""
    return f"{column} : (" + " AND ".join(_phrase(p) for p in phrases) + ")"


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


def _choice_sql(filters: SearchFilters, params: dict[str, object]) -> list[str]:
    """The user's own filters: units, documents, dates, type, level, bloc, retention."""
    clauses: list[str] = []
    if filters.unit_ids is not None:
        clauses.append(f"d.unit_id IN ({_ids(filters.unit_ids)})")
    if filters.document_ids is not None:
        clauses.append(f"d.id IN ({_ids(filters.document_ids)})")
    if filters.year is not None:
        clauses.append("d.issued_date >= :y0 AND d.issued_date < :y1")
        params.update(y0=f"{filters.year:04d}-01-01", y1=f"{filters.year + 1:04d}-01-01")
    if filters.date_from is not None:
        clauses.append("d.issued_date >= :d0")
        params["d0"] = filters.date_from.isoformat()
    if filters.date_to is not None:
        clauses.append("d.issued_date <= :d1")
        params["d1"] = filters.date_to.isoformat()
    if filters.type_name:
        clauses.append("d.type_name = :type_name")
        params["type_name"] = canonical_text(filters.type_name)
    if filters.access_level:
        clauses.append("d.access_level = :one_level")
        params["one_level"] = filters.access_level
    if filters.bloc:
        clauses.append(f"{BLOC_EXPR} = :bloc")
        params["bloc"] = filters.bloc
    if filters.retention:
        clauses.append(f"{RETENTION_EXPR} = :retention")
        params["retention"] = filters.retention
    return clauses


def _filter_sql(filters: SearchFilters | None, params: dict[str, object]) -> str:
    if filters is None:
        return ""
    clauses = _choice_sql(filters, params) + _access_sql(filters, params)
    return "".join(f" AND {c}" for c in clauses)


def order_sql(sort: str, rank: str) -> str:
    """ORDER BY after the exact-tone tier: the sort's columns, or the rank for relevance."""
    extra = SORTS.get(sort)
    if extra is None:
        raise ValueError(f"unknown sort {sort!r}")
    return f"ex DESC, {extra or rank}"


class Fts5Index:
    """Search over the ``doc_fts`` virtual table (created by migration 0002)."""

    def upsert(self, session: Session, doc: IndexDoc) -> None:
        exact = canonical_text(doc.text)
        session.execute(text("DELETE FROM doc_fts WHERE rowid = :id"), {"id": doc.document_id})
        session.execute(
            text("INSERT INTO doc_fts(rowid, exact, folded, code) VALUES (:id, :exact, :folded, :code)"),
            {"id": doc.document_id, "exact": exact, "folded": fold(exact),
             "code": " ".join(code_tokens(doc.codes))},
        )

    def delete(self, session: Session, document_id: int) -> None:
        session.execute(text("DELETE FROM doc_fts WHERE rowid = :id"), {"id": document_id})

    def _match_expressions(self, parsed: ParsedQuery) -> tuple[str, str]:
        if parsed.code:
            code = fts_expression("code", [parsed.code])
            return code, code
        return fts_expression("folded", parsed.folded), fts_expression("exact", parsed.exact)

    def base_sql(self, query: str, filters: SearchFilters | None, params: dict[str, object]) -> str | None:
        """``FROM … WHERE …`` over the matching documents (alias ``d``); ``:x`` is the exact-tone match."""
        parsed = parse_query(query)
        if parsed.empty:
            return None
        match, exact = self._match_expressions(parsed)
        params.update(m=match, x=exact)
        where = "doc_fts MATCH :m" + _filter_sql(filters, params)
        return f"FROM doc_fts JOIN documents d ON d.id = doc_fts.rowid WHERE {where}"

    def search(self, session: Session, query: str, filters: SearchFilters | None = None, *, limit: int = 20,
               offset: int = 0, sort: str = "relevance") -> SearchResult:
        """Tone-insensitive match; rows whose tones match as typed come first, then by BM25 (or ``sort``)."""
        params: dict[str, object] = {"limit": limit, "offset": offset}
        base = self.base_sql(query, filters, params)
        if base is None:
            return SearchResult(total=0)
        total = bounded_count(session, base, params)
        if total > BOUND:  # bounded work for very common words: see sohoa.index.large
            hits = large_hits(session, _filter_sql(filters, params), params, limit=limit, offset=offset,
                              sort=sort)
            return SearchResult(total=total, hits=hits, total_exact=False)
        rows = session.execute(text(
            f"SELECT doc_fts.rowid, bm25(doc_fts, 4.0, 1.0, 8.0) AS r, "
            f"doc_fts.rowid IN (SELECT rowid FROM doc_fts WHERE doc_fts MATCH :x) AS ex "
            f"{base} ORDER BY {order_sql(sort, 'r')} LIMIT :limit OFFSET :offset"), params).all()
        hits = [SearchHit(document_id=int(r[0]), score=round(-float(r[1]), 4), exact=bool(r[2]))
                for r in rows]
        return SearchResult(total=int(total), hits=hits)
