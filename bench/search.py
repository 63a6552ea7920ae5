"""Search benchmark: build N synthetic records, index them, measure typical queries with concurrent clients.

Usage: python bench/search.py [--records 1000000] [--clients 4] [--rounds 25] [--data DIR]
       python bench/search.py --engine postgres --pg-url postgresql+psycopg://… [--pg-schema S] [--reuse]
Writes bench/results/search.json (the PostgreSQL run: its "postgres" part; each run keeps the other's). The
baseline of the FTS5 run is an FTS5 table with SQLite's default tokenizer (no tone, đ or placement folding, no
exact-tone tier); that of the PostgreSQL run is plain PostgreSQL full-text search over the exact-tone vectors
(``plainto_tsquery``, an exact count and ``ts_rank`` over every match); both queried with the same words in
the same run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sqlalchemy import text

from _search_corpus import records
from _search_pg import (
    _chunks,
    build_pg,
    corpus_size,
    database_bytes,
    drop_schema,
    fast_canonical,
    schema_url,
    server_settings,
)
from sohoa.domain.text import canonical_text, fold
from sohoa.index.fts5 import code_column, exact_column
from sohoa.index.query import code_tokens
from sohoa.index.tags import TAGS_SQL
from sohoa.services.catalogue.search import SearchRequest, search
from sohoa.services.identity.principal import Principal
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.registry.units import import_hanoi_2025
from sohoa.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results" / "search.json"
# The same tags as Fts5Index.upsert: computed by SQLite from the documents row.
FTS_SQL = (f"INSERT INTO doc_fts(rowid, exact, folded, code, tags) VALUES (?,?,?,?, "
           f"coalesce((SELECT {TAGS_SQL} FROM documents d WHERE d.id = ?), ''))")
CHUNK = 50_000
DOC_SQL = ("INSERT INTO documents (id, unit_id, type_name, code_number, code_notation, issued_date, organ_name, "
           "subject, text, access_level, secrecy, source_name, page_amount, state, language, created_at, "
           "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,'bench',1,'published','vi',?,?)")


def _fts_row(rec: tuple[Any, ...]) -> tuple[int, str, str, str, str]:
    exact = fast_canonical("\n".join([rec[2], rec[7], rec[6], rec[8]]))
    return rec[0], exact_column(exact), fold(exact), code_column(rec[11]), rec[8]


def build(ctx: AppContext, count: int) -> dict[str, float]:
    """Insert the documents, then the shared index and the baseline index; seconds for each."""
    import_hanoi_2025(ctx)
    sample = list(records(300, [(1, "Phường Hoàn Kiếm")]))
    assert all(fast_canonical(r[8]) == canonical_text(r[8]) for r in sample), "fast_canonical drifted"
    conn = sqlite3.connect(ctx.settings.data / "sohoa.db")
    conn.execute("PRAGMA synchronous=OFF")
    units = [(int(i), str(n)) for i, n in conn.execute("SELECT id, name FROM units ORDER BY id")]
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS base_fts USING fts5(body)")
    now = "2025-07-01 00:00:00.000000"
    timings = {"documents_s": 0.0, "index_s": 0.0, "baseline_index_s": 0.0}
    with multiprocessing.Pool(2) as pool:
        for chunk in _chunks(records(count, units), CHUNK):
            start = time.perf_counter()
            conn.executemany(DOC_SQL, [(*r[:11], now, now) for r in chunk])
            conn.commit()
            timings["documents_s"] += time.perf_counter() - start
            start = time.perf_counter()
            rows = pool.map(_fts_row, chunk, chunksize=2000)
            conn.executemany(FTS_SQL, [(*r[:4], r[0]) for r in rows])
            conn.commit()
            timings["index_s"] += time.perf_counter() - start
            start = time.perf_counter()
            conn.executemany("INSERT INTO base_fts(rowid, body) VALUES (?,?)", [(r[0], r[4]) for r in rows])
            conn.commit()
            timings["baseline_index_s"] += time.perf_counter() - start
            print(f"  {chunk[-1][0]:>9} records", file=sys.stderr, flush=True)
    for table, key in (("doc_fts", "index_s"), ("base_fts", "baseline_index_s")):
        start = time.perf_counter()
        conn.execute(f"INSERT INTO {table}({table}) VALUES ('optimize')")
        conn.commit()
        timings[key] += time.perf_counter() - start
    conn.execute("ANALYZE")
    conn.close()
    return {k: round(v, 1) for k, v in timings.items()}


def queries(ctx: AppContext) -> list[tuple[str, SearchRequest, str]]:
    """(name, request for the service, FTS5 query for the baseline)."""
    with ctx.db.session() as session:
        unit = session.execute(text("SELECT identifier FROM units WHERE identifier LIKE 'HN.MOI.%' ORDER BY id "
                                    "LIMIT 1 OFFSET 7")).scalar_one()
        sign = session.execute(text("SELECT code_number || '/' || code_notation FROM documents WHERE id = 4242")
                               ).scalar_one()
    spaced = sign.replace("/", " / ").replace("-", " - ")
    return [
        ("word, tones", SearchRequest("khiếu"), "khiếu"),
        ("word, no tones", SearchRequest("khieu"), "khieu"),
        ("two words, đ folded", SearchRequest("dat dai"), "dat dai"),
        ("phrase", SearchRequest('"giải phóng mặt bằng"'), '"giải phóng mặt bằng"'),
        ("rare name", SearchRequest("Ngân Hoài"), "Ngân Hoài"),
        ("sign", SearchRequest(sign), '"' + " ".join(code_tokens(sign)) + '"'),
        ("sign, spaced", SearchRequest(spaced), '"' + " ".join(code_tokens(sign)) + '"'),
        ("unit + year filter", SearchRequest("hòa giải", unit=unit, year=2015), "hòa giải"),
        ("facets", SearchRequest("tái định cư", facets=True), "tái định cư"),
        ("did you mean", SearchRequest("quyct dịnh"), "quyct dịnh"),
    ]


def _baseline(conn: sqlite3.Connection, fts: str) -> int:
    total = conn.execute("SELECT count(*) FROM base_fts WHERE base_fts MATCH ?", (fts,)).fetchone()[0]
    conn.execute("SELECT rowid FROM base_fts WHERE base_fts MATCH ? ORDER BY rank LIMIT 20", (fts,)).fetchall()
    return int(total)


def _stats(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return {"n": len(ordered), "p50_ms": round(pick(0.5), 2), "p95_ms": round(pick(0.95), 2),
            "p99_ms": round(pick(0.99), 2), "mean_ms": round(statistics.fmean(ordered) * 1000, 2)}


def _run(clients: int, rounds: int, names: list[str], call: Callable[[str], int]) -> dict[str, Any]:
    samples: dict[str, list[float]] = {n: [] for n in names}
    totals: dict[str, int] = {}
    lock = threading.Lock()

    def client(seed: int) -> None:
        order = [n for n in names for _ in range(rounds)]
        random.Random(seed).shuffle(order)
        for name in order:
            start = time.perf_counter()
            total = call(name)
            elapsed = time.perf_counter() - start
            with lock:
                samples[name].append(elapsed)
                totals[name] = total

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    wall = time.perf_counter() - start
    every = [s for v in samples.values() for s in v]
    return {"all": _stats(every), "qps": round(len(every) / wall, 1),
            "queries": {n: {**_stats(samples[n]), "total": totals[n]} for n in names}}


def _pg_baseline(session: Any, words: str) -> int:
    """Plain PostgreSQL full-text search: an exact count and ts_rank over every match (no folding, no bound)."""
    query = words.replace('"', "")
    total = session.execute(text("SELECT count(*) FROM search_docs WHERE tsv_exact @@ plainto_tsquery('simple', :q)"),
                            {"q": query}).scalar_one()
    session.execute(text("SELECT document_id FROM search_docs WHERE tsv_exact @@ plainto_tsquery('simple', :q) "
                         "ORDER BY ts_rank(tsv_exact, plainto_tsquery('simple', :q)) DESC LIMIT 20"),
                    {"q": query}).all()
    return int(total)


def measure(ctx: AppContext, clients: int, rounds: int) -> dict[str, Any]:
    plan = queries(ctx)
    names = [name for name, _, _ in plan]
    by_name = {name: (request, fts) for name, request, fts in plan}
    archivist = Principal(user_id=999, username="bench", role="archivist")
    for name in names:  # warm the page cache once
        search(ctx, archivist, by_name[name][0], audit=False)

    def service(name: str) -> int:
        return search(ctx, archivist, by_name[name][0], audit=False).total

    local = threading.local()

    def baseline(name: str) -> int:
        if not hasattr(local, "conn"):
            local.conn = sqlite3.connect(ctx.settings.data / "sohoa.db", check_same_thread=False)
        return _baseline(local.conn, by_name[name][1])

    def pg_baseline(name: str) -> int:
        with ctx.db.session() as session:
            session.execute(text("SET LOCAL jit = off"))
            return _pg_baseline(session, by_name[name][1])

    if ctx.db.engine.dialect.name == "sqlite":
        return {"sohoa": _run(clients, rounds, names, service),
                "baseline_default_tokenizer": _run(clients, rounds, names, baseline)}
    return {"sohoa": _run(clients, rounds, names, service),
            "baseline_plain_postgres_fts": _run(clients, rounds, names, pg_baseline)}


def _load() -> dict[str, Any]:
    return json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else {}


def _save(result: dict[str, Any], engine: str) -> None:
    """The run's part of search.json: the whole file for FTS5 (its "postgres" part kept), "postgres" for PG."""
    saved = _load()
    merged = {**result, **({"postgres": saved["postgres"]} if "postgres" in saved else {})} if engine == "sqlite" \
        else {**saved, "postgres": result}
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(merged, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _open_postgres(args: argparse.Namespace, data: Path) -> tuple[AppContext, dict[str, float]]:
    """The context on the benchmark's schema, built unless ``--reuse`` finds it holding ``--records`` rows."""
    url = schema_url(args.pg_url, args.pg_schema)
    if args.reuse and corpus_size(args.pg_url, args.pg_schema) == args.records:
        return open_context(Settings(data=data, workers=1, database_url=url)), {}
    drop_schema(args.pg_url, args.pg_schema)
    ctx = open_context(Settings(data=data, workers=1, database_url=url))
    import_hanoi_2025(ctx)
    return ctx, build_pg(args.pg_url, args.pg_schema, args.records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=25, help="repetitions of each query per client")
    parser.add_argument("--data", type=Path, default=None, help="data dir (reused when it holds the corpus)")
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--pg-url", default="postgresql+psycopg://sohoa:sohoa-test@127.0.0.1:5432/sohoa_test")
    parser.add_argument("--pg-schema", default="bench_search", help="schema holding the PostgreSQL corpus")
    parser.add_argument("--reuse", action="store_true", help="PostgreSQL: measure the schema again if it is built")
    parser.add_argument("--no-save", action="store_true", help="print only (trial runs)")
    args = parser.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="sohoa-bench-")) / "data"
    if args.engine == "postgres":
        ctx, build_times = _open_postgres(args, data)
    else:
        fresh = not (data / "sohoa.db").exists()
        ctx = open_context(Settings(data=data, workers=1))
        build_times = build(ctx, args.records) if fresh else {}
    try:
        size: Any = (database_bytes(args.pg_url, args.pg_schema) if args.engine == "postgres"
                     else sum(p.stat().st_size for p in data.glob("sohoa.db*")))
        result = {"engine": args.engine, "records": args.records, "clients": args.clients, "rounds": args.rounds,
                  "cores": os.cpu_count(), "load_before": _load_average(), "build": build_times, "db_bytes": size,
                  **({"server": server_settings(args.pg_url)} if args.engine == "postgres" else {}),
                  **measure(ctx, args.clients, args.rounds)}
        if args.clients != 2:  # the machine has 2 cores: also report 2 clients (one per core)
            result["two_clients"] = measure(ctx, 2, args.rounds)
        result["load_after"] = _load_average()
    finally:
        ctx.close()
    if not args.no_save:
        _save(result, args.engine)
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
