"""The database part of ``sohoa migrate-to``: every table of the models copied row by row, parents first, from
the archive's database into another one (SQLite → PostgreSQL, or any pair SQLAlchemy speaks), then the search
index filled on the destination's engine and PostgreSQL's sequences set past the copied ids.

Rows go through the models' own column types, so what differs between engines (booleans, JSON, timestamps with
their time zone, large text) is converted by SQLAlchemy on the way out and on the way in; a timestamp SQLite kept
without its zone is UTC (the only clock the models use) and is written as such. Each batch commits on its own and
only rows whose key the destination lacks are inserted: a run cut short and started again goes on where it was.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Connection, DateTime, Engine, Table, func, inspect, select, text, update

import sohoa.db.models  # noqa: F401  (every table on the metadata)
from sohoa.db.base import Base
from sohoa.db.models import Document
from sohoa.db.session import Database
from sohoa.index.factory import make_index
from sohoa.services.catalogue.index_docs import document_index_doc
from sohoa.services.preservation.backup_db import table_counts

__all__ = ["BATCH", "copy_table", "fill_index", "index_ids", "model_tables", "set_sequences", "table_counts"]

BATCH = 1000  # rows per transaction

Progress = Callable[[str], None]


def model_tables(conn: Connection) -> list[Table]:
    """The models' tables that the database at hand has, parents before children."""
    present = set(inspect(conn).get_table_names())
    return [t for t in Base.metadata.sorted_tables if t.name in present]


def _self_refs(table: Table) -> list[Column[Any]]:
    """Columns pointing at the same table (a unit's parent): written after every row of the table exists."""
    return [fk.parent for fk in table.foreign_keys if fk.column.table is table]


def _row(table: Table, raw: dict[str, Any], later: list[Column[Any]]) -> dict[str, Any]:
    row = dict(raw)
    for column in table.columns:
        value = row.get(column.name)
        if isinstance(value, datetime) and value.tzinfo is None and isinstance(column.type, DateTime) \
                and column.type.timezone:
            row[column.name] = value.replace(tzinfo=UTC)
    for column in later:
        row[column.name] = None
    return row


def copy_table(source: Engine, dest: Engine, table: Table, *, replace: bool = False) -> int:
    """Copy the rows of ``table`` the destination lacks (by primary key), in batches that commit on their own;
    ``replace``: the destination's rows are deleted first (rows the migrations seeded). Rows inserted now."""
    (key,) = table.primary_key.columns
    later = _self_refs(table)
    inserted, last = 0, None
    if replace:
        with dest.begin() as out:
            out.execute(table.delete())
    while True:
        query = select(table).order_by(key).limit(BATCH)
        if last is not None:
            query = query.where(key > last)
        with source.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(query)]
        if not rows:
            break
        last = rows[-1][key.name]
        with dest.begin() as out:
            have = set(out.execute(select(key).where(key.in_([r[key.name] for r in rows]))).scalars())
            missing = [_row(table, r, later) for r in rows if r[key.name] not in have]
            if missing:
                out.execute(table.insert(), missing)
            inserted += len(missing)
    if later:
        _link_self_refs(source, dest, table, later)
    return inserted


def _link_self_refs(source: Engine, dest: Engine, table: Table, later: list[Column[Any]]) -> None:
    (key,) = table.primary_key.columns
    with source.connect() as conn:
        links = [dict(r._mapping) for r in conn.execute(select(key, *later))]
    with dest.begin() as out:
        for link in links:
            values = {c.name: link[c.name] for c in later}
            out.execute(update(table).where(key == link[key.name]).values(**values))


def set_sequences(dest: Engine) -> int:
    """PostgreSQL: each table's id sequence (serial or identity) set past the highest id copied; the number of
    sequences set (0 on another engine, whose ids follow the rows)."""
    if dest.dialect.name != "postgresql":
        return 0
    done = 0
    with dest.begin() as conn:
        for table in model_tables(conn):
            (key,) = table.primary_key.columns
            sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                    {"t": f'"{table.name}"', "c": key.name}).scalar()
            if sequence is None:
                continue
            top = conn.execute(select(func.max(key))).scalar()
            conn.execute(text("SELECT setval(:s, :v, :called)"),
                         {"s": sequence, "v": int(top or 1), "called": top is not None})
            done += 1
    return done


def index_ids(conn: Connection) -> set[int]:
    """The documents the search index of this database holds (FTS5's ``doc_fts``, PostgreSQL's
    ``search_docs``)."""
    sql = "SELECT rowid FROM doc_fts" if conn.dialect.name == "sqlite" else "SELECT document_id FROM search_docs"
    return {int(r[0]) for r in conn.execute(text(sql))}


def fill_index(dest: Database, wanted: set[int], progress: Progress | None = None) -> int:
    """Index on the destination's engine every document of ``wanted`` it does not hold yet (the text masked as
    everywhere, :func:`document_index_doc`); the number indexed now."""
    index = make_index(dest.engine)
    with dest.engine.connect() as conn:
        todo = sorted(wanted - index_ids(conn))
    for start in range(0, len(todo), BATCH):
        with dest.session() as session:
            for doc in session.execute(select(Document).where(Document.id.in_(todo[start:start + BATCH]))).scalars():
                index.upsert(session, document_index_doc(doc))
        if progress is not None:
            progress(f"search index: {min(start + BATCH, len(todo))}/{len(todo)} documents")
    return len(todo)
