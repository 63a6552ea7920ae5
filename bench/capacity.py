"""Capacity figures for docs/scaling.md: database and object bytes per page, on SQLite and PostgreSQL.

Generated NĐ 30 pages (clean300) are ingested with real Tesseract into a fresh archive on each engine (the
682 Hanoi units loaded first; their bytes are measured before the ingest and left out). Per page: database
growth (SQLite: the file after a checkpoint, per table through ``dbstat``; PostgreSQL: pg_total_relation_size
of every table of the schema) and stored objects by kind. The baseline, measured in the same run, is the
masters themselves: the bytes of the input PNG pages, what any archive of these scans keeps at least.

Run: ``python bench/capacity.py [--documents N] [--workers W]`` (writes bench/results/capacity.json and the
"capacity" section of docs/benchmarks.md); ``--report-only`` re-renders the section from the results file.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy
from sqlalchemy import func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import RESULTS, machine, update_docs, write_results

from sohoa.db.models import Document, Page, StoredObject
from sohoa.samples import generate_corpus
from sohoa.services.platform.context import AppContext, open_context
from sohoa.services.production.ingest import ingest_paths
from sohoa.services.registry.units import import_hanoi_2025
from sohoa.settings import Settings

PG_URL = os.environ.get("SOHOA_TEST_PG_URL", "postgresql+psycopg://sohoa:sohoa-test@127.0.0.1:5432/sohoa_test")
UNIT, FILE_CODE = "HN.MOI.00070", "H26.00070.2025.01.VP"


@contextmanager
def _pg_schema() -> Iterator[tuple[str, str]]:
    schema = f"cap_{uuid.uuid4().hex[:10]}"
    admin = sqlalchemy.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}", schema
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _tables(ctx: AppContext, schema: str | None) -> dict[str, int]:
    """Bytes per table, indexes included (SQLite: per b-tree, indexes folded into their table)."""
    with ctx.db.engine.connect() as conn:
        if schema is not None:
            rows = conn.execute(text("SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN "
                                     "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :s AND "
                                     "c.relkind IN ('r', 'm')"), {"s": schema}).all()
            return {str(name): int(size) for name, size in rows}
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        owner = {str(n): str(t) for n, t in conn.execute(text("SELECT name, tbl_name FROM sqlite_master"))}
        sizes: dict[str, int] = {}
        for name, size in conn.execute(text("SELECT name, sum(pgsize) FROM dbstat GROUP BY name")):
            table = owner.get(str(name), str(name))
            sizes[table] = sizes.get(table, 0) + int(size)
        return sizes


def _group(sizes: dict[str, int]) -> dict[str, int]:
    """Search index tables together (FTS5 shadow tables, PostgreSQL index tables), the rest by name."""
    out: dict[str, int] = {}
    for name, size in sizes.items():
        key = "search index" if name.startswith(("doc_fts", "search_", "doc_search", "fts_")) else name
        out[key] = out.get(key, 0) + size
    return out


def measure(engine: str, pages: list[Path], workers: int, root: Path) -> dict[str, Any]:
    with (_pg_schema() if engine == "postgresql" else _none()) as pg:
        url, schema = pg if pg else (None, None)
        settings = Settings(data=root / engine, workers=workers, **({"database_url": url} if url else {}))
        ctx = open_context(settings)
        try:
            import_hanoi_2025(ctx, actor="bench")
            half = len(pages) // 2
            # The first half pays every table's first pages; the second half's growth is what a page costs.
            first = ingest_paths(ctx, pages[:half], unit_identifier=UNIT, file_code=FILE_CODE, actor="bench")
            before, counts = _tables(ctx, schema), _counts(ctx)
            started = time.perf_counter()
            report = ingest_paths(ctx, pages[half:], unit_identifier=UNIT, file_code=FILE_CODE, actor="bench")
            seconds = time.perf_counter() - started
            after, totals = _tables(ctx, schema), _counts(ctx)
        finally:
            ctx.close()
    growth = _group({t: after.get(t, 0) - before.get(t, 0) for t in after})
    objects = {k: {"count": n - counts[2].get(k, (0, 0))[0], "bytes": b - counts[2].get(k, (0, 0))[1]}
               for k, (n, b) in sorted(totals[2].items())}
    return {"engine": engine, "pages": totals[0] - counts[0], "documents": totals[1] - counts[1],
            "files_done": first.count("done") + report.count("done"), "pages_total": totals[0],
            "seconds": round(seconds, 1), "db_bytes": sum(growth.values()),
            "db_by_table": {k: v for k, v in sorted(growth.items(), key=lambda kv: -kv[1]) if v > 0},
            "objects": objects}


def _counts(ctx: AppContext) -> tuple[int, int, dict[str, tuple[int, int]]]:
    with ctx.db.session() as session:
        pages = session.execute(select(func.count(Page.id))).scalar_one()
        documents = session.execute(select(func.count(Document.id))).scalar_one()
        objects = {str(k): (int(n), int(b)) for k, n, b in session.execute(
            select(StoredObject.kind, func.count(), func.sum(StoredObject.size)).group_by(StoredObject.kind))}
    return int(pages), int(documents), objects


@contextmanager
def _none() -> Iterator[None]:
    yield None


def _per_page(value: float, pages: int) -> str:
    return f"{value / pages / 1024:,.1f}"


def render(result: dict[str, Any]) -> str:
    m = result["machine"]
    base = result["baseline"]
    lines = [f"{result['pages_in']} generated pages (clean300, seed {result['seed']}, {result['documents_in']} "
             f"documents), ingested with real Tesseract ({result['workers']} workers) into a fresh archive on each "
             f"engine in two halves, {m['date']}, {m['cores']} cores, {m['cpu']}, {m['tesseract']}. Figures are "
             "KiB per page of the second half: the growth it caused (the first half and the 682 Hanoi units loaded "
             "before pay each table's first pages). Baseline (same run): the input masters (PNG pages) of that "
             "half.", "",
             "| engine | pages | documents | database KiB/page | of which search index | master KiB/page | PDF/A "
             "KiB/page | OCR KiB/page | thumbnail/image KiB/page | all objects KiB/page |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in result["engines"]:
        p, o = r["pages"], r["objects"]

        def kib(*kinds: str, r_o: dict[str, Any] = o, pages: int = p) -> str:
            return _per_page(sum(r_o.get(k, {}).get("bytes", 0) for k in kinds), pages)

        total = sum(v["bytes"] for v in o.values())
        lines.append(f"| {r['engine']} | {p} | {r['documents']} | {_per_page(r['db_bytes'], p)} | "
                     f"{_per_page(r['db_by_table'].get('search index', 0), p)} | {kib('master')} | {kib('pdf')} | "
                     f"{kib('ocr')} | {kib('thumbnail', 'image')} | {_per_page(total, p)} |")
    lines.append(f"| baseline: input masters | {base['pages']} | — | — | — | {_per_page(base['bytes'], base['pages'])} "
                 "| — | — | — | — |")
    lines += ["", "Largest database tables per page (KiB): " + "; ".join(
        f"{r['engine']}: " + ", ".join(f"{k} {_per_page(v, r['pages'])}" for k, v in list(r["db_by_table"].items())[:5])
        for r in result["engines"]) + ".", "",
        "Run: `python bench/capacity.py --documents "
        f"{result['documents_in']}`. docs/scaling.md turns these into sizes per million pages."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=12)
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args()
    if args.report_only:
        update_docs("capacity", render(json.loads((RESULTS / "capacity.json").read_text(encoding="utf-8"))))
        return
    with tempfile.TemporaryDirectory(prefix="sohoa-capacity-") as tmp:
        root = Path(tmp)
        generate_corpus(root / "pages", documents=args.documents, seed=args.seed, condition="clean300")
        pages = sorted(p for p in (root / "pages").iterdir() if p.name.startswith("page_"))
        engines = [measure(engine, pages, args.workers, root) for engine in ("sqlite", "postgresql")]
        result = {"machine": machine(), "seed": args.seed, "documents_in": args.documents, "pages_in": len(pages),
                  "workers": args.workers,
                  "baseline": {"pages": len(pages) - len(pages) // 2,
                               "bytes": sum(p.stat().st_size for p in pages[len(pages) // 2:])},
                  "engines": engines}
    write_results("capacity", result)
    update_docs("capacity", render(result))
    print(render(result))


if __name__ == "__main__":
    main()
