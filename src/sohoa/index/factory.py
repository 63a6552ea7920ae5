"""Choose the search index by the database dialect."""

from __future__ import annotations

from sqlalchemy import Engine

from sohoa.domain.ports import SearchIndex
from sohoa.index.fts5 import Fts5Index
from sohoa.index.postgres import PostgresIndex


def make_index(engine: Engine) -> SearchIndex:
    """FTS5 for SQLite, PostgreSQL full-text search otherwise."""
    if engine.dialect.name == "sqlite":
        return Fts5Index()
    return PostgresIndex()
