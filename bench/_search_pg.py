"""The search benchmark's corpus on PostgreSQL: one schema, loaded with COPY, indexed after the load.

The schema (``--pg-schema``, default ``bench_search``) is kept between runs: ``--reuse`` measures it again when
it holds the wanted number of documents. The documents and the index rows are the same as on SQLite (the
same records, the same canonical, folded and sign text as :class:`sohoa.index.postgres.PostgresIndex`
writes); the tsvectors and tags are computed by PostgreSQL from a staging table, the GIN indexes built
after the load, then VACUUM ANALYZE.
"""

from __future__ import annotations

import functools
import multiprocessing
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import quote

import psycopg

from _search_corpus import records
from sohoa.domain.text import _WORD_RE, canonical_text, fold, nfc
from sohoa.index.pg_tags import TAGS_PG_SQL
from sohoa.index.postgres import index_words
from sohoa.index.query import code_tokens

__all__ = ["build_pg", "corpus_size", "database_bytes", "drop_schema", "fast_canonical", "schema_url",
           "server_settings"]

CHUNK = 50_000
DOC_COLUMNS = ("id, unit_id, type_name, code_number, code_notation, issued_date, organ_name, subject, text, "
               "access_level, secrecy, source_name, page_amount, state, language, created_at, updated_at")
NOW = "2025-07-01 00:00:00+00"
INDEXES = {  # as migrations 0002 and z0c1 create them
    "ix_search_docs_tsv_exact": "gin (tsv_exact)",
    "ix_search_docs_tsv_code": "gin (tsv_code)",
    "ix_search_docs_folded_tags": "gin (tsv_folded, tags)",
}


def schema_url(url: str, schema: str) -> str:
    """The SQLAlchemy URL whose connections use ``schema``."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-csearch_path={schema}')}"


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def corpus_size(url: str, schema: str) -> int:
    """Documents in the schema's search index (0 when it does not exist)."""
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone():
            return 0
        if not conn.execute("SELECT to_regclass(%s)", (f"{schema}.search_docs",)).fetchone()[0]:  # type: ignore[index]
            return 0
        return int(conn.execute(f'SELECT count(*) FROM "{schema}".search_docs').fetchone()[0])  # type: ignore[index]


def drop_schema(url: str, schema: str) -> None:
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{schema}"')


@functools.lru_cache(maxsize=500_000)
def _canonical_word(word: str) -> str:
    return canonical_text(word)


def fast_canonical(text: str) -> str:
    """``canonical_text`` (word-local after NFC) with each distinct word computed once: same result, faster."""
    return _WORD_RE.sub(lambda m: _canonical_word(m.group(0)), nfc(text))


def _stage_row(rec: tuple[Any, ...]) -> tuple[Any, ...]:
    exact = fast_canonical("\n".join([rec[2], rec[7], rec[6], rec[8]]))
    lower, folded = exact.lower(), fold(exact)
    return rec[0], lower, folded, " ".join(code_tokens(rec[11])), index_words(lower), index_words(folded)


def _chunks(items: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def build_pg(url: str, schema: str, count: int) -> dict[str, float]:
    """Load ``count`` records into the (migrated, units imported) schema; seconds per step."""
    timings = {"documents_s": 0.0, "index_rows_s": 0.0, "index_build_s": 0.0, "analyze_s": 0.0}
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        conn.execute(f'SET search_path = "{schema}"')
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET synchronous_commit = off")
        for name in INDEXES:
            conn.execute(f"DROP INDEX IF EXISTS {name}")
        conn.execute("CREATE UNLOGGED TABLE search_stage (document_id integer, exact text, folded text, code text, "
                     "exact_words text, folded_words text)")
        units = [(int(i), str(n)) for i, n in conn.execute("SELECT id, name FROM units ORDER BY id")]
        with multiprocessing.Pool(2) as pool:
            for chunk in _chunks(records(count, units), CHUNK):
                start = time.perf_counter()
                with conn.cursor().copy(f"COPY documents ({DOC_COLUMNS}) FROM STDIN") as copy:
                    for r in chunk:
                        copy.write_row((*r[:11], "bench", 1, "published", "vi", NOW, NOW))
                timings["documents_s"] += time.perf_counter() - start
                start = time.perf_counter()
                rows = pool.map(_stage_row, chunk, chunksize=2000)
                with conn.cursor().copy("COPY search_stage FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                timings["index_rows_s"] += time.perf_counter() - start
                print(f"  {chunk[-1][0]:>9} records", file=sys.stderr, flush=True)
        start = time.perf_counter()
        conn.execute("INSERT INTO search_docs (document_id, exact, folded, code, tsv_exact, tsv_folded, tsv_code, "
                     "tags) SELECT st.document_id, st.exact, st.folded, st.code, "
                     "to_tsvector('simple', st.exact_words), "
                     "to_tsvector('simple', st.folded_words), to_tsvector('simple', st.code), "
                     f"{TAGS_PG_SQL} FROM search_stage st JOIN documents d ON d.id = st.document_id "
                     "ORDER BY st.document_id")
        conn.execute("DROP TABLE search_stage")
        conn.execute("SELECT setval(pg_get_serial_sequence('documents', 'id'), (SELECT max(id) FROM documents))")
        timings["index_rows_s"] += time.perf_counter() - start
        start = time.perf_counter()
        for name, definition in INDEXES.items():
            conn.execute(f"CREATE INDEX {name} ON search_docs USING {definition}")
        timings["index_build_s"] += time.perf_counter() - start
        start = time.perf_counter()
        conn.execute("VACUUM ANALYZE documents")
        conn.execute("VACUUM ANALYZE search_docs")
        timings["analyze_s"] += time.perf_counter() - start
    return {k: round(v, 1) for k, v in timings.items()}


def database_bytes(url: str, schema: str) -> dict[str, int]:
    """Sizes of the benchmark's tables with their indexes and TOAST (a partitioned table: its partitions')."""
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        return {t: int(conn.execute(  # type: ignore[index]
            "SELECT CASE WHEN c.relkind = 'p' THEN (SELECT sum(pg_total_relation_size(p.relid)) "
            "FROM pg_partition_tree(c.oid) AS p) ELSE pg_total_relation_size(c.oid) END "
            "FROM pg_class c WHERE c.oid = CAST(%s AS regclass)", (f'"{schema}".{t}',)).fetchone()[0])
                for t in ("documents", "search_docs")}


SERVER_SETTINGS = ("server_version", "shared_buffers", "effective_cache_size", "work_mem", "random_page_cost",
                   "max_connections")


def server_settings(url: str) -> dict[str, str]:
    """The server settings a reader needs beside the figures (docs/deployment.md says what to set)."""
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        return {name: str(conn.execute(f"SHOW {name}").fetchone()[0]) for name in SERVER_SETTINGS}  # type: ignore[index]
