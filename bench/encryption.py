"""Encryption at rest benchmark: sealing, decrypting reads, ranged reads and fixity of envelopes vs plain objects.

One large object (``--mib``, random bytes) and ``--objects`` objects of 200 KB (a page image's size), in a local
store with a fresh key ring. Measured: sealing (encrypt, decrypt back and check, hash the envelope, fsync, key
record), a whole decrypting read, a fixity check (decrypt + SHA-256) against the same check of the plain object,
4 KiB ranged reads (one 1 MiB chunk decrypted each) and sealing many page-sized objects. Usage:
python bench/encryption.py [--mib 64] [--objects 200] [--no-write]. Writes bench/results/encryption.json and the
"encryption" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, update_docs, write_results
from sohoa.storage.keyring import KeyRing
from sohoa.storage.objects import LocalObjectStore


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(action: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), _cpu()
    action()
    return time.perf_counter() - wall, _cpu() - cpu


def run(mib: int, objects: int) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="sohoa-bench-encryption-"))
    try:
        ring = KeyRing(root / "keys")
        ring.create()
        store = LocalObjectStore(root / "objects", keyring=ring)
        plain = LocalObjectStore(root / "plain")
        data = os.urandom(mib * 1024 * 1024)
        sha = store.put_bytes(data).sha256
        plain.put_bytes(data)
        rows: dict[str, Any] = {}
        rows["seal"] = _timed(lambda: store.encrypt_object(sha))
        rows["read"] = _timed(lambda: store.read(sha) == data or sys.exit("read back differs"))
        rows["verify"] = _timed(lambda: store.verify(sha) or sys.exit("verify failed"))
        rows["verify_plain"] = _timed(lambda: plain.verify(sha) or sys.exit("verify failed"))
        step = max(1, len(data) // 200)
        ranges = _timed(lambda: [store.read_range(sha, i * step, i * step + 4096) for i in range(200)])
        small = [store.put_bytes(os.urandom(200_000)).sha256 for _ in range(objects)]
        many = _timed(lambda: [store.encrypt_object(s) for s in small])
        return {"mib": mib, "objects": objects, "machine": machine(),
                "at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "large": {k: {"wall_s": round(w, 3), "cpu_s": round(c, 3), "mib_per_s": round(mib / w, 1)}
                          for k, (w, c) in rows.items()},
                "range_4k_ms": round(ranges[0] / 200 * 1000, 2),
                "small_objects_per_s": round(objects / many[0], 1), "small_cpu_ms": round(many[1] / objects * 1000, 2)}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def markdown(result: dict[str, Any]) -> str:
    m = result["machine"]
    large = result["large"]
    names = {"seal": "Seal (encrypt, decrypt back and check, hash envelope, fsync, key record)",
             "read": "Read, decrypted", "verify": "Fixity of the envelope (decrypt + SHA-256)",
             "verify_plain": "Fixity of the same object plain (SHA-256)"}
    lines = ["### Encryption at rest (`python bench/encryption.py`)", "",
             f"One object of {result['mib']} MiB (random bytes), AES-256-GCM in 1 MiB chunks, local store, on "
             f"{m['cpu']} ({m['cores']} cores shared with other work), {result['at']}:", "",
             "| Step | Wall | CPU | MiB/s (wall) |", "|---|---|---|---|"]
    for key, label in names.items():
        row = large[key]
        lines.append(f"| {label} | {row['wall_s']} s | {row['cpu_s']} s | {row['mib_per_s']} |")
    lines += ["", f"A 4 KiB byte range of the encrypted object: {result['range_4k_ms']} ms (one chunk decrypted). "
              f"Sealing {result['objects']} objects of 200 KB: {result['small_objects_per_s']} objects/s "
              f"({result['small_cpu_ms']} ms CPU each; two fsyncs and a rename per object).", "",
              "Run: `python bench/encryption.py --mib 64 --objects 200`."]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mib", type=int, default=64)
    parser.add_argument("--objects", type=int, default=200)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    result = run(args.mib, args.objects)
    text = markdown(result)
    print(text)
    if not args.no_write:
        write_results("encryption", result)
        update_docs("encryption", text)


if __name__ == "__main__":
    main()
