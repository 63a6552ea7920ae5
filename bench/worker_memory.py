"""Worker memory: one page worker's RSS page by page, with and without giving freed C-heap memory back.

A short stand-in for the soak (``bench/soak.py``) that runs in minutes: the soak's inputs (born-digital text
PDFs and generated scanned PNGs, interleaved) are triaged once, then each mode runs every page job ``--repeat``
times in a fresh process set up as a page worker (``init_worker``: one Tesseract engine, one thread), with the
modes alternating round by round so that they share the machine's load. Per page: the peak RSS during the job
(``VmHWM``, reset before each job through ``/proc/self/clear_refs``), the RSS after it and the CPU seconds.

Modes: ``none`` (the page job alone), ``trim`` (then ``release_memory``, what ``run_in_worker`` does: glibc
``malloc_trim(0)`` once the RSS grew by ``TRIM_AFTER_GROWTH``; ``SOHOA_BENCH_TRIM_ALWAYS=1``: after every job),
``arena2`` (``mallopt(M_ARENA_MAX, 2)`` at worker start, no trim), ``mmap`` (a fixed 128 KiB mmap threshold:
large blocks always mmap'd and unmapped on free, no trim), ``alternate`` (blocks of 10 page jobs without and
with the trim in turn, in one process: the CPU cost of the trim under the same load; the memory columns
mean little there).
Usage: python bench/worker_memory.py [--pages 400] [--scanned 0.2] [--repeat 2] [--rounds 2] [--modes none,trim]
Prints a table; writes bench/results/worker_memory.json (not with --smoke). Linux with glibc only.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8
_BLOCK = 10  # mode ``alternate``: blocks of this many page jobs without, then with the trim, in turn


def _status_kib(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def _reset_peak() -> None:
    with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
        handle.write("5")  # resets VmHWM to the current RSS (Linux 4.0+)


def child(mode: str, jobs_file: Path, repeat: int, out: Path) -> None:
    from sohoa.pipeline.work import PageOutcome, safe_run_page_job
    from sohoa.services.platform import pool
    from sohoa.services.platform.pool import default_factory, init_worker, release_memory, worker_engine
    from sohoa.settings import Settings

    libc = ctypes.CDLL(None)
    if mode == "arena2":
        libc.mallopt(M_ARENA_MAX, 2)
    elif mode == "mmap":
        libc.mallopt(M_MMAP_THRESHOLD, 128 * 1024)
    if os.environ.get("SOHOA_BENCH_TRIM_ALWAYS") == "1":
        pool.TRIM_AFTER_GROWTH = 0
    init_worker(default_factory(Settings()))
    engine = worker_engine()
    jobs = pickle.loads(jobs_file.read_bytes())
    rows: list[dict[str, Any]] = []
    for _ in range(repeat):
        for job in jobs:
            _reset_peak()
            cpu = time.process_time()
            result = safe_run_page_job(job, engine)
            cpu = time.process_time() - cpu
            peak, after = _status_kib("VmHWM"), _status_kib("VmRSS")
            arm = mode == "trim" or (mode == "alternate" and len(rows) // _BLOCK % 2 == 1)
            trimmed = arm and release_memory()  # as run_in_worker: trims once the RSS grew TRIM_AFTER_GROWTH
            rows.append({"scanned": not job.page.born_digital, "ok": isinstance(result, PageOutcome),
                         "trim": arm, "trims": trimmed,
                         "cpu": cpu, "peak": peak / 1024, "after": after / 1024,
                         "rss": _status_kib("VmRSS") / 1024})
    out.write_text(json.dumps(rows), encoding="utf-8")


def _tenths(values: list[float]) -> list[float]:
    n = len(values)
    return [max(values[k * n // 10:(k + 1) * n // 10]) for k in range(10)]


def _slope(values: list[float]) -> float:
    """Least-squares MiB per 1,000 pages over the second half, of the peak in each 5 % of the pages."""
    n = len(values)
    points = [(k + 0.5, max(values[k * n // 20:(k + 1) * n // 20])) for k in range(10, 20)]
    mx, my = statistics.fmean(x for x, _ in points), statistics.fmean(y for _, y in points)
    num = sum((x - mx) * (y - my) for x, y in points)
    den = sum((x - mx) ** 2 for x, _ in points)
    return num / den / (n / 20) * 1000


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    peaks, afters = [r["peak"] for r in rows], [r["rss"] for r in rows]
    scanned = [r["cpu"] for r in rows if r["scanned"]]
    digital = [r["cpu"] for r in rows if not r["scanned"]]
    return {"pages": len(rows), "failed": sum(not r["ok"] for r in rows),
            "peak": round(max(peaks), 1), "peak_tenths": [round(v) for v in _tenths(peaks)],
            "peak_slope_2nd_half": round(_slope(peaks), 2),
            "last_tenth_minus_2nd_tenth": round(_tenths(peaks)[9] - _tenths(peaks)[1], 1),
            "rss_after_tenths": [round(v) for v in _tenths(afters)],
            "cpu_total_s": round(sum(r["cpu"] for r in rows), 2), "trims": sum(r["trims"] for r in rows),
            "cpu_scanned_ms": round(1000 * statistics.median(scanned), 1) if scanned else None,
            "cpu_digital_ms": round(1000 * statistics.median(digital), 2) if digital else None,
            **({"cpu_by_trim": _cpu_by_trim(rows)} if any(r["trim"] for r in rows) and not all(r["trim"] for r in rows)
               else {})}


def _cpu_by_trim(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Mode ``alternate``: mean and median CPU ms per page kind, in the blocks without and with the trim."""
    out: dict[str, Any] = {}
    for trim in (False, True):
        for scanned in (False, True):
            cpu = [1000 * r["cpu"] for r in rows if r["trim"] == trim and r["scanned"] == scanned]
            if cpu:
                out[f"{'trim' if trim else 'none'} {'scanned' if scanned else 'digital'}"] = {
                    "n": len(cpu), "mean": round(statistics.fmean(cpu), 2), "median": round(statistics.median(cpu), 2)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--scanned", type=float, default=0.2, help="share of scanned (OCR) pages")
    parser.add_argument("--repeat", type=int, default=2, help="times each mode runs the page jobs in one process")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of all modes, alternating")
    parser.add_argument("--modes", default="none,trim")
    parser.add_argument("--smoke", action="store_true", help="print only; write no results")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.jobs, args.repeat, args.out)
        return
    from _common import machine, write_results
    from soak import make_inputs
    from sohoa.pipeline.triage import triage
    from sohoa.pipeline.work import PageJob
    from sohoa.settings import Settings

    settings = Settings()
    folder, inputs = make_inputs(args.pages, args.scanned, "clean200", 17)
    jobs = [PageJob(n, page, settings.pdf_render_dpi) for n, path in enumerate(sorted(folder.iterdir()))
            for page in triage(path, max_pixels=settings.max_image_pixels,
                               min_text_chars=settings.min_text_chars_per_page,
                               render_dpi=settings.pdf_render_dpi).pages]
    modes = args.modes.split(",")
    runs: dict[str, list[dict[str, Any]]] = {m: [] for m in modes}
    with tempfile.TemporaryDirectory() as tmp:
        jobs_file = Path(tmp) / "jobs.pickle"
        jobs_file.write_bytes(pickle.dumps(jobs))
        for round_ in range(args.rounds):
            for mode in modes if round_ % 2 == 0 else modes[::-1]:
                out = Path(tmp) / "out.json"
                started = time.perf_counter()
                subprocess.run([sys.executable, __file__, "--child", mode, "--jobs", str(jobs_file),
                                "--repeat", str(args.repeat), "--out", str(out)], check=True,
                               env={**os.environ, "OMP_THREAD_LIMIT": "1"})
                s = {"round": round_, "wall_s": round(time.perf_counter() - started, 1),
                     **summary(json.loads(out.read_text(encoding="utf-8")))}
                runs[mode].append(s)
                print(mode, json.dumps(s), flush=True)
    result = {"machine": machine(), "inputs": inputs, "jobs": len(jobs), "repeat": args.repeat, "runs": runs}
    if not args.smoke:
        write_results("worker_memory", result)


if __name__ == "__main__":
    main()
