"""SQLite FTS5 search: a tone-folded column for matching, an exact column ranked first, a sign column."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from sohoa.domain.text import canonical_text, fold
from sohoa.index.base import IndexDoc, SearchFilters, SearchHit, SearchResult
from sohoa.index.query import ParsedQuery, code_tokens, parse_query

__all__ = ["Fts5Index", "fts_expression"]


def _phrase(words: list[str]) -> str:
    return '"' + " ".join(w.replace('"', "") for w in words) + '"'


def fts_expression(column: str, phrases: list[list[str]]) -> str:
    """A column-filtered AND of phrases, e.g. ``folded : ("hoa binh" AND "quyet")``."""
    return f"{column} : (" + " AND ".join(_phrase(p) for p in phrases) + ")"


def _filter_sql(filters: SearchFilters | None, params: dict[str, object]) -> str:
    if filters is None:
        return ""
    clauses: list[str] = []
    if filters.unit_ids is not None:
        ids = sorted(filters.unit_ids) or [-1]
        clauses.append(f"d.unit_id IN ({','.join(str(int(i)) for i in ids)})")
    if filters.document_ids is not None:
        ids = sorted(filters.document_ids) or [-1]
        clauses.append(f"d.id IN ({','.join(str(int(i)) for i in ids)})")
    if filters.year is not None:
        clauses.append("d.issued_date >= :y0 AND d.issued_date < :y1")
        params.update(y0=f"{filters.year:04d}-01-01", y1=f"{filters.year + 1:04d}-01-01")
    if filters.access_levels is not None:
        levels = sorted(filters.access_levels) or ["-"]
        names = [f"lv{i}" for i in range(len(levels))]
        params.update(zip(names, levels, strict=True))
        clauses.append(f"d.access_level IN ({','.join(':' + n for n in names)})")
    if filters.scope_unit_ids is not None:
        ids = sorted(filters.scope_unit_ids) or [-1]
        clauses.append(f"(d.access_level = 'public' OR d.unit_id IN ({','.join(str(int(i)) for i in ids)}))")
    if filters.type_name:
        clauses.append("d.type_name = :type_name")
        params["type_name"] = canonical_text(filters.type_name)
    return "".join(f" AND {c}" for c in clauses)


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

    def search(self, session: Session, query: str, filters: SearchFilters | None = None, *, limit: int = 20,
               offset: int = 0) -> SearchResult:
        """Tone-insensitive match; rows whose tones match as typed come first, then by BM25."""
        parsed = parse_query(query)
        if parsed.empty:
            return SearchResult(total=0)
        match, exact = self._match_expressions(parsed)
        params: dict[str, object] = {"m": match, "x": exact, "limit": limit, "offset": offset}
        where = "doc_fts MATCH :m" + _filter_sql(filters, params)
        base = f"FROM doc_fts JOIN documents d ON d.id = doc_fts.rowid WHERE {where}"
        total = session.execute(text(f"SELECT count(*) {base}"), params).scalar_one()
        rows = session.execute(text(
            f"SELECT doc_fts.rowid, bm25(doc_fts, 4.0, 1.0, 8.0) AS r, "
            f"doc_fts.rowid IN (SELECT rowid FROM doc_fts WHERE doc_fts MATCH :x) AS ex "
            f"{base} ORDER BY ex DESC, r LIMIT :limit OFFSET :offset"), params).all()
        hits = [SearchHit(document_id=int(r[0]), score=round(-float(r[1]), 4), exact=bool(r[2])) for r in rows]
        return SearchResult(total=int(total), hits=hits)
