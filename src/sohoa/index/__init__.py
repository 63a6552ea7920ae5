"""Vietnamese full-text search: FTS5 on SQLite, full-text search on PostgreSQL, one interface (the domain's port)."""

from sohoa.domain.ports import SearchIndex
from sohoa.domain.search import IndexDoc, SearchFilters, SearchHit, SearchResult
from sohoa.index.factory import make_index

__all__ = ["IndexDoc", "SearchFilters", "SearchHit", "SearchIndex", "SearchResult", "make_index"]
