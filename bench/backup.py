"""Replica, backup and restore benchmark: the time and CPU of `sohoa replica sync`, a full `sohoa backup`, an
incremental one, `sohoa backup --verify` and `sohoa restore` (every object re-hashed, rows counted, the audit
chain replayed) over N stored objects, beside `cp -a` of the same object folder in the same run.

The objects mix what an archive holds, in equal parts, each distinct (random bytes): masters of 256 KiB, PDFs of
128 KiB, OCR results of 16 KiB and thumbnails of 8 KiB (102 KiB on average). Everything stays on one disk and in
the page cache: the figures are the software's cost, not the media's; a real second disk or bucket bounds both.

    .venv/bin/python bench/backup.py [--objects 2000] [--database-url URL] [--no-write]

Writes bench/results/backup.json and the "backup" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, update_docs, write_results
from _objects import MIX, fill_store
from sohoa.services.platform.context import open_context
from sohoa.services.preservation.backup import make_backup
from sohoa.services.preservation.backup_set import verify_set
from sohoa.services.preservation.replica import sync_replica
from sohoa.services.preservation.restore import restore_backup
from sohoa.settings import Settings


def _cpu() -> float:
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def _timed(step: Callable[[], Any]) -> tuple[Any, dict[str, float]]:
    cpu, wall = _cpu(), time.perf_counter()
    out = step()
    return out, {"seconds": round(time.perf_counter() - wall, 2), "cpu_seconds": round(_cpu() - cpu, 2)}


def run(objects: int, database_url: str | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-backup-") as folder:
        root = Path(folder)
        base = {"workers": 1, "fixity_interval_minutes": 0, "format_interval_minutes": 0,
                "database_url": database_url, "backup_dir": root / "backups"}
        settings = Settings(data=root / "data", **base)  # type: ignore[arg-type]
        ctx = open_context(settings)
        try:
            total = fill_store(ctx, objects)
        finally:
            ctx.close()
        _out, copy = _timed(lambda: subprocess.run(["cp", "-a", str(settings.objects_dir), str(root / "cp-copy")],
                                                   check=True))
        replicated = Settings(data=root / "data", replica_url=str(root / "replica"), **base)  # type: ignore[arg-type]
        ctx = open_context(replicated)
        try:
            sync, sync_t = _timed(lambda: sync_replica(ctx))
            full, full_t = _timed(lambda: make_backup(ctx, full=True))
            added = fill_store(ctx, objects // 10)
            incr, incr_t = _timed(lambda: make_backup(ctx))
        finally:
            ctx.close()
        problems, verify_t = _timed(lambda: verify_set(full.path))
        if sync.copied != objects or problems or incr.objects_in_set != objects // 10:
            raise SystemExit(f"unexpected: {sync}, {problems}, {incr}")
        if database_url:
            raise SystemExit("restore timing needs an empty PostgreSQL schema: run with SQLite")
        target = Settings(data=root / "restored", **base)  # type: ignore[arg-type]
        report, restore_t = _timed(lambda: restore_backup(target, incr.path))
        if not report.ok or report.objects_verified != objects + objects // 10:
            raise SystemExit(f"restore failed: {report}")
        shutil.rmtree(root / "cp-copy")
    mb, mb_all = total / 1e6, (total + added) / 1e6

    def rate(t: dict[str, float], count: int, megabytes: float) -> dict[str, float]:
        return {**t, "objects_per_second": round(count / t["seconds"], 1),
                "mb_per_second": round(megabytes / t["seconds"], 1)}

    return {
        "objects": objects, "bytes": total, "added_objects": objects // 10, "added_bytes": added,
        "mix": [{"size": s, "kind": k} for s, _m, k in MIX], "database": "sqlite",
        "replica_sync": rate(sync_t, objects, mb), "full_backup": rate(full_t, objects, mb),
        "incremental_backup": rate(incr_t, objects // 10, added / 1e6), "verify_full_set": rate(verify_t, objects, mb),
        "restore": rate(restore_t, objects + objects // 10, mb_all), "cp_a_objects": rate(copy, objects, mb),
    }


def markdown(result: dict[str, Any], where: dict[str, Any]) -> str:
    rows = [
        ("`sohoa replica sync` (copy, verify the copy, `replica_copies` row + PREMIS event each)", "replica_sync"),
        ("`sohoa backup --full` (database copy, objects fsynced, keys, manifest of every file's SHA-256)",
         "full_backup"),
        (f"`sohoa backup` incremental after {result['added_objects']} new objects", "incremental_backup"),
        ("`sohoa backup --verify` of the full set (every file re-hashed)", "verify_full_set"),
        ("`sohoa restore` of full + incremental (sets re-hashed, objects written and re-hashed, rows counted, "
         "audit chain replayed, a PREMIS event per object)", "restore"),
        ("Baseline: `cp -a` of the same object folder", "cp_a_objects"),
    ]
    table = "\n".join(f"| {name} | {result[key]['seconds']} s | {result[key]['objects_per_second']} | "
                      f"{result[key]['mb_per_second']} | {result[key]['cpu_seconds']} s |" for name, key in rows)
    return (f"### Replica, backup and restore (`python bench/backup.py`)\n\n"
            f"{result['objects']} stored objects, {result['bytes'] / 1e6:.0f} MB (random bytes; masters 256 KiB, "
            f"PDFs 128 KiB, OCR 16 KiB, thumbnails 8 KiB in equal parts), SQLite, one disk and the page cache (the "
            f"software's cost, not the media's), on {where['cpu']} ({where['cores']} cores shared with other "
            f"work), {where['date']}:\n\n"
            f"| Step | Wall | Objects/s | MB/s | CPU (user+sys) |\n|---|---|---|---|---|\n{table}\n\n"
            f"Each object written (replica, set, restore) is fsynced before it counts, four at once; the replica "
            f"and the restore also read every copy back to check it, and write a row and a PREMIS event per "
            f"object, which is what `cp -a` (no fsync, no check) does not do. Incrementals copy only the new "
            f"objects; every set holds the whole database. Run: `python bench/backup.py --objects "
            f"{result['objects']}`.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=2000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    result = run(args.objects, args.database_url)
    where = machine()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if not args.no_write:
        write_results("backup", {"machine": where, **result})
        update_docs("backup", markdown(result, where))


if __name__ == "__main__":
    main()
