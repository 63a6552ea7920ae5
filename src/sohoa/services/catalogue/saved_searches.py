"""Saved searches: a named query with its filters, kept per owner (a user name or an API token's name)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from sohoa.db.models import SavedSearch
from sohoa.domain.errors import NotFound, ValidationFailed
from sohoa.index.query import check_query_length, parse_query
from sohoa.services.catalogue.search import SearchRequest
from sohoa.services.platform.context import AppContext

__all__ = ["SavedSearchInfo", "delete_saved_search", "list_saved_searches", "request_of", "save_search"]

_DATES = {"date_from", "date_to"}
_FIELDS = set(SearchRequest.__dataclass_fields__) - {"query", "limit", "offset"}


@dataclass(frozen=True)
class SavedSearchInfo:
    id: int
    name: str
    query: str
    params: dict[str, Any]
    created_at: datetime


def _info(row: SavedSearch) -> SavedSearchInfo:
    return SavedSearchInfo(row.id, row.name, row.query, dict(row.params), row.created_at)


def save_search(ctx: AppContext, owner: str, name: str, request: SearchRequest) -> SavedSearchInfo:
    """Keep ``request`` under ``name`` for ``owner``."""
    if not name.strip() or not request.query.strip():
        raise ValidationFailed("Cần tên và từ khóa", "A name and a query are required")
    check_query_length(request.query, min(ctx.settings.max_query_chars, 500))  # what the column holds, no cut
    parse_query(request.query)  # a query that could never run is not kept (too many words)
    params = {k: v for k, v in request.params().items() if k != "query"}
    with ctx.db.session() as session:
        row = SavedSearch(owner=owner, name=name.strip()[:200], query=request.query[:500], params=params)
        session.add(row)
        session.flush()
        return _info(row)


def list_saved_searches(ctx: AppContext, owner: str) -> list[SavedSearchInfo]:
    with ctx.db.session() as session:
        stmt = select(SavedSearch).where(SavedSearch.owner == owner).order_by(SavedSearch.id)
        return [_info(r) for r in session.execute(stmt).scalars()]


def delete_saved_search(ctx: AppContext, owner: str, saved_id: int) -> None:
    """Delete one of the owner's saved searches (another owner's is 'not found')."""
    with ctx.db.session() as session:
        row = session.get(SavedSearch, saved_id)
        if row is None or row.owner != owner:
            raise NotFound(f"Không có tìm kiếm đã lưu số {saved_id}", f"No saved search {saved_id}")
        session.delete(row)


def request_of(saved: SavedSearchInfo, *, limit: int = 20, offset: int = 0) -> SearchRequest:
    """The search request a saved search stands for."""
    values: dict[str, Any] = {k: v for k, v in saved.params.items() if k in _FIELDS}
    for key in _DATES & values.keys():
        values[key] = date.fromisoformat(values[key])
    return SearchRequest(query=saved.query, limit=limit, offset=offset, **values)
