"""Migration benchmark: `sohoa migrate-to` of an embedded archive (SQLite, local objects) into PostgreSQL + S3
(SeaweedFS on loopback) and into PostgreSQL + a local folder, beside a full `sohoa backup` of the same archive in
the same run (the baseline: the other whole copy Sohoa makes of an archive).

The archive holds N stored objects in the mix of the preservation benchmarks (random bytes; masters 256 KiB, PDFs
128 KiB, OCR 16 KiB, thumbnails 8 KiB) with their rows, PREMIS events and audit events. Everything runs on this one
machine (PostgreSQL, SeaweedFS and the copies share its disk and cores): the figures are the software's cost.

    .venv/bin/python bench/migrate.py [--objects 2000] [--pg-url URL] [--no-write]

Writes bench/results/migrate.json and the "migrate" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlalchemy as sa
from tests._s3 import running_seaweedfs

from _common import machine, update_docs, write_results
from _objects import fill_store
from sohoa.services.platform.context import open_context
from sohoa.services.preservation.backup import make_backup
from sohoa.services.preservation.migrate import MigrateReport, migrate_to
from sohoa.settings import Settings

PG_URL = "postgresql+psycopg://sohoa:sohoa-test@127.0.0.1:5432/sohoa_test"


def _cpu() -> float:
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def _timed(step: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    cpu, wall = _cpu(), time.perf_counter()
    out = step()
    return out, {"seconds": round(time.perf_counter() - wall, 2), "cpu_seconds": round(_cpu() - cpu, 2)}


@contextmanager
def _schema(url: str) -> Iterator[str]:
    """An empty PostgreSQL schema of its own (dropped afterwards): the destination database."""
    name = f"bench_migrate_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{name}"'))
    try:
        yield f"{url}?options=-csearch_path%3D{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


def _checked(report: MigrateReport, objects: int) -> MigrateReport:
    if not report.ok or report.objects_copied != objects:
        raise SystemExit(f"migration failed: {report}")
    return report


def run(objects: int, pg_url: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-migrate-") as folder:
        root = Path(folder)
        settings = Settings(data=root / "data", workers=1, fixity_interval_minutes=0, format_interval_minutes=0,
                            backup_dir=root / "backups")
        ctx = open_context(settings)
        try:
            total = fill_store(ctx, objects)
            backup, backup_t = _timed(lambda: make_backup(ctx, full=True))
        finally:
            ctx.close()
        if backup.problems or backup.objects_in_set != objects:
            raise SystemExit(f"backup failed: {backup}")
        with _schema(pg_url) as url:
            local, local_t = _timed(lambda: _checked(migrate_to(settings, url, str(root / "objects-copy")), objects))
        with running_seaweedfs(root / "seaweedfs") as server, _schema(pg_url) as url:
            bucket = server.new_bucket("bench")
            os.environ.update(server.env())  # boto3 reads the credentials from the environment
            target = settings.model_copy(update={"s3_endpoint": server.endpoint})
            s3, s3_t = _timed(lambda: _checked(migrate_to(target, url, f"s3://{bucket}/archive"), objects))
    mb = total / 1e6

    def rate(t: dict[str, float]) -> dict[str, float]:
        return {**t, "objects_per_second": round(objects / t["seconds"], 1),
                "mb_per_second": round(mb / t["seconds"], 1)}

    return {"objects": objects, "bytes": total, "rows": s3.rows, "tables": s3.tables,
            "migrate_pg_s3": rate(s3_t), "migrate_pg_local": rate(local_t), "backup_full": rate(backup_t),
            "report_seconds": {"pg_s3": s3.seconds, "pg_local": local.seconds}}


def markdown(result: dict[str, Any], where: dict[str, Any]) -> str:
    rows = [("`sohoa migrate-to` → PostgreSQL + S3 (SeaweedFS on loopback)", "migrate_pg_s3"),
            ("`sohoa migrate-to` → PostgreSQL + a local folder", "migrate_pg_local"),
            ("Baseline: `sohoa backup --full` of the same archive (SQLite copy, objects fsynced, manifest)",
             "backup_full")]
    table = "\n".join(f"| {name} | {result[key]['seconds']} s | {result[key]['objects_per_second']} | "
                      f"{result[key]['mb_per_second']} | {result[key]['cpu_seconds']} s |" for name, key in rows)
    return (f"### Migration to the cluster profile (`sohoa migrate-to`, `python bench/migrate.py`)\n\n"
            f"An embedded archive of {result['objects']} stored objects, {result['bytes'] / 1e6:.0f} MB (random "
            f"bytes; masters 256 KiB, PDFs 128 KiB, OCR 16 KiB, thumbnails 8 KiB in equal parts) and "
            f"{result['rows']} rows in {result['tables']} tables, PostgreSQL and SeaweedFS on the same machine, on "
            f"{where['cpu']} ({where['cores']} cores shared with other work), {where['date']}:\n\n"
            f"| Step | Wall | Objects/s | MB/s | CPU (user+sys) |\n|---|---|---|---|---|\n{table}\n\n"
            f"A migration copies every row (parents first, types converted), every object as stored, fills the "
            f"PostgreSQL search index, then proves the copy: rows counted on both sides, every object's stored bytes "
            f"read back and hashed at the destination (and verified), the audit chain replayed. The backup writes the "
            f"same objects once and hashes them once, to a local disk. Each migration also pays a fixed cost: the "
            f"destination's schema built by `upgrade heads` (seconds on PostgreSQL), and on SeaweedFS a new bucket's "
            f"first writes wait for volumes to be allocated; eight objects are in flight at once. Run: "
            f"`python bench/migrate.py --objects {result['objects']}`.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=2000)
    parser.add_argument("--pg-url", default=PG_URL)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    result = run(args.objects, args.pg_url)
    where = machine()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if not args.no_write:
        write_results("migrate", {"machine": where, **result})
        update_docs("migrate", markdown(result, where))


if __name__ == "__main__":
    main()
