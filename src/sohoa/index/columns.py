"""SQL expressions for the derived document attributes that filters and facets share (both dialects)."""

from __future__ import annotations

__all__ = ["BLOC_EXPR", "RETENTION_EXPR", "SORTS", "bloc_expr", "retention_expr", "year_expr"]


def bloc_expr(file_id: str, unit_id: str) -> str:
    """A document's bloc from its file id and unit id columns: the file's bloc, else its creating unit's."""
    return (f"COALESCE((SELECT f.bloc FROM file_units f WHERE f.id = {file_id}), "
            f"(SELECT u.bloc FROM units u WHERE u.id = {unit_id}))")


def retention_expr(file_id: str) -> str:
    """A document's retention from its file id column: 'permanent' or the number of years as text."""
    return ("(SELECT CASE WHEN f.permanent THEN 'permanent' WHEN f.retention_years IS NOT NULL "
            f"THEN CAST(f.retention_years AS TEXT) END FROM file_units f WHERE f.id = {file_id})")


# Over the documents row ``d``.
BLOC_EXPR = bloc_expr("d.file_id", "d.unit_id")
RETENTION_EXPR = retention_expr("d.file_id")

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
