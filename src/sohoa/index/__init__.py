"""Vietnamese full-text search: FTS5 on SQLite, full-text search on PostgreSQL, one interface."""

from sohoa.index.base import IndexDoc, SearchFilters, SearchHit, SearchIndex, SearchResult
from sohoa.index.factory import make_index

__all__ = ["IndexDoc", "SearchFilters", "SearchHit", "SearchIndex", "SearchResult", "make_index"]
