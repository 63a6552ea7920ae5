"""SQL expressions for the derived document attributes that filters and facets share (both dialects)."""

from __future__ import annotations

__all__ = ["BLOC_EXPR", "BLOC_JOINED", "RETENTION_EXPR", "RETENTION_JOINED", "SORTS", "year_expr"]

# A document's bloc is its file's, else its creating unit's.
BLOC_EXPR = ("COALESCE((SELECT f.bloc FROM file_units f WHERE f.id = d.file_id), "
             "(SELECT u.bloc FROM units u WHERE u.id = d.unit_id))")
# Retention as one value: 'permanent' or the number of years as text.
RETENTION_EXPR = ("(SELECT CASE WHEN f.permanent THEN 'permanent' WHEN f.retention_years IS NOT NULL "
                  "THEN CAST(f.retention_years AS TEXT) END FROM file_units f WHERE f.id = d.file_id)")
# The same two values over the document's ``file_units f`` and ``units u`` rows, LEFT JOINed (facets on PostgreSQL).
BLOC_JOINED = "COALESCE(f.bloc, u.bloc)"
RETENTION_JOINED = ("CASE WHEN f.permanent THEN 'permanent' WHEN f.retention_years IS NOT NULL "
                    "THEN CAST(f.retention_years AS TEXT) END")

# Sort orders after the exact-tone tier; relevance keeps the index's own rank.
SORTS: dict[str, str] = {
    "relevance": "",
    "date_desc": "d.issued_date DESC, d.id DESC",
    "date_asc": "d.issued_date ASC, d.id ASC",
    "newest": "d.id DESC",
}


def year_expr(dialect: str) -> str:
    """The issue year of ``d`` as text."""
    if dialect == "sqlite":
        return "substr(d.issued_date, 1, 4)"
    return "to_char(d.issued_date, 'YYYY')"
