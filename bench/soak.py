"""Soak benchmark: one long `sohoa ingest` run, RSS of its main process, forkserver and each page worker sampled
over time, to show whether memory grows with the pages done.

The pages (2,000 by default) are one folder mixing, in interleaved order, born-digital text PDFs (the 2025 legal
texts typeset at 11, 12, 13… pt, ``_pdfs``; generated NĐ 30 text where that data is absent) and generated
scanned documents (``sohoa.samples``, 1–3 pages each, one PNG per page, condition ``clean200``: A4 at 200 dpi),
a share of ``--scanned`` of the pages. Both page paths (text layer copied; render, preprocess and OCR) run
throughout the run. The inputs are made once into ``bench/work/`` (git-ignored) and reused.
Every ``--sample`` seconds: RSS per process and the pages stored so far (the SQLite ``pages`` table, read-only).
Reported: peaks; RSS at 10 %, 50 % and 90 % of the pages; a least-squares slope in MiB per 1,000 pages over the
second half of the pages, per process.
Usage: python bench/soak.py [--pages 2000] [--scanned 0.1] [--sample 0.5] [--cores N] [--smoke]
Writes bench/results/soak.json and the "soak" section of docs/benchmarks.md (not with --smoke).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import LAST_SAMPLES, ROOT, Sample, machine, memory_cells, run_measured, update_docs, write_results
from _pdfs import source_texts, write_pdf
from _server import SOHOA, init_data, sohoa_env, stored_pages

WORK = ROOT / "bench" / "work"
GROWTH_LIMIT = 5.0  # MiB per 1,000 pages over the second half: more than this in any process counts as growth


def _born_digital(folder: Path, pages: int) -> tuple[str, list[tuple[Path, int]]]:
    """Text PDFs until ``pages`` pages (the last one may end a few pages past it)."""
    folder.mkdir(parents=True, exist_ok=True)
    source, texts = source_texts(136)
    made: list[tuple[Path, int]] = []
    total, variant = 0, 0
    while total < pages:
        size = 11.0 + variant
        for index, text in enumerate(texts):
            if total >= pages:
                break
            path = folder / f"bd{variant}_{index:04}.pdf"
            count = write_pdf(text, path, size, int(95 * 11 / size))
            made.append((path, count))
            total += count
        variant += 1
    sizes = ", ".join(f"{11 + v} pt" for v in range(variant))
    return f"{source}, typeset at {sizes}", made


def _scanned(folder: Path, pages: int, condition: str, seed: int) -> list[Path]:
    from sohoa.samples import generate_corpus

    if pages <= 0:
        return []
    corpus = generate_corpus(folder, documents=max(1, pages // 2 + 1), seed=seed, condition=condition)
    for extra in corpus.pages[pages:]:
        extra.unlink()
    return list(corpus.pages[:pages])


def make_inputs(pages: int, scanned_share: float, condition: str, seed: int) -> tuple[Path, dict[str, Any]]:
    """The input folder (made once per set of options, then reused) and what it holds."""
    name = f"soak-{pages}-{scanned_share:g}-{condition}-{seed}"
    folder, manifest = WORK / name / "in", WORK / name / "manifest.json"
    if manifest.exists():
        return folder, json.loads(manifest.read_text(encoding="utf-8"))
    shutil.rmtree(WORK / name, ignore_errors=True)
    started = time.perf_counter()
    scanned = _scanned(WORK / name / "scanned", round(pages * scanned_share), condition, seed)
    source, digital = _born_digital(WORK / name / "pdf", pages - len(scanned))
    folder.mkdir(parents=True)
    # Interleave by pages so both kinds run throughout: the next file is of the kind further behind its share.
    bd_total = sum(n for _, n in digital) or 1
    order: list[Path] = []
    i = j = bd_done = 0
    while i < len(digital) or j < len(scanned):
        behind_scanned = j < len(scanned) and (i >= len(digital) or j / len(scanned) <= bd_done / bd_total)
        if behind_scanned:
            order.append(scanned[j])
            j += 1
        else:
            order.append(digital[i][0])
            bd_done += digital[i][1]
            i += 1
    for position, path in enumerate(order):
        path.rename(folder / f"{position:05}{path.suffix}")
    facts = {"pages": sum(n for _, n in digital) + len(scanned), "files": len(order),
             "born_digital": {"files": len(digital), "pages": sum(n for _, n in digital), "source": source},
             "scanned": {"pages": len(scanned), "condition": condition, "seed": seed},
             "made_in_s": round(time.perf_counter() - started, 1)}
    manifest.write_text(json.dumps(facts, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder, facts


def _series(samples: list[Sample]) -> dict[str, list[tuple[int, float]]]:
    """(pages stored, MiB) per process: ``main``, ``forkserver``, ``worker <pid>``; samples with a page count."""
    out: dict[str, list[tuple[int, float]]] = {}
    for s in samples:
        if s.probe is None:
            continue
        for pid, (role, mib) in s.rss.items():
            if role in ("main", "forkserver", "worker"):
                out.setdefault(role if role != "worker" else f"worker {pid}", []).append((s.probe, mib))
    return out


def _at(points: list[tuple[int, float]], pages: float) -> float | None:
    """RSS at the first sample with at least ``pages`` pages stored."""
    return next((round(mib, 1) for n, mib in points if n >= pages), None)


def _envelope(points: list[tuple[int, float]], pages: int) -> list[tuple[int, float]]:
    """(window centre, peak) for each 5 % of the pages from half way on: what a leak would raise."""
    out = []
    for k in range(10, 20):
        low, high = k * pages / 20, (k + 1) * pages / 20
        window = [m for n, m in points if low <= n < high or (k == 19 and n >= pages)]
        if window:
            out.append((round((low + high) / 2), max(window)))
    return out


def _slope(points: list[tuple[int, float]], start: float) -> float | None:
    """Least-squares MiB per 1,000 pages over the points from ``start`` pages on."""
    half = [(n, mib) for n, mib in points if n >= start]
    if len({n for n, _ in half}) < 2:
        return None
    mean_n = statistics.fmean(n for n, _ in half)
    mean_m = statistics.fmean(m for _, m in half)
    num = sum((n - mean_n) * (m - mean_m) for n, m in half)
    den = sum((n - mean_n) ** 2 for n, _ in half)
    return round(num / den * 1000, 2)


def _deciles(points: list[tuple[int, float]], pages: int) -> list[float | None]:
    """The peak in each tenth of the pages (None where no sample fell)."""
    out: list[float | None] = []
    for k in range(10):
        window = [m for n, m in points if k * pages / 10 <= n < (k + 1) * pages / 10 or (k == 9 and n >= pages)]
        out.append(round(max(window), 1) if window else None)
    return out


def _rise(tenths: list[float | None]) -> float | None:
    """Peak of the last tenth of the pages minus the peak of the second (the first holds start-up): what the
    run added in MiB, beside the slope, which one step in a flat run can push over its limit."""
    return None if tenths[1] is None or tenths[9] is None else round(tenths[9] - tenths[1], 1)


def trend(samples: list[Sample], pages: int) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, points in _series(samples).items():
        out[name] = {"peak": round(max(m for _, m in points), 1), "at_10": _at(points, 0.1 * pages),
                     "at_50": _at(points, 0.5 * pages), "at_90": _at(points, 0.9 * pages),
                     "slope_second_half": _slope(points, 0.5 * pages),
                     "envelope_slope_second_half": _slope(_envelope(points, pages), 0),
                     "decile_peaks": _deciles(points, pages),
                     "rise_last_vs_second_tenth": _rise(_deciles(points, pages)),
                     "samples": len(points)}
    return out


def markdown(r: dict[str, Any]) -> str:
    m, inp = r["machine"], r["inputs"]
    rows = ["| process | peak MiB | at 10 % | at 50 % | at 90 % | slope of the samples, 2nd half | slope of the "
            "peaks, 2nd half | peak in the last tenth − in the 2nd | peak in each tenth of the pages |",
            "|---|---|---|---|---|---|---|---|---|"]
    for name, t in r["trend"].items():
        tenths = " / ".join("—" if v is None else f"{v:.0f}" for v in t["decile_peaks"])
        rows.append(f"| {name} | {t['peak']} | {t['at_10']} | {t['at_50']} | {t['at_90']} | "
                    f"{t['slope_second_half']} | {t['envelope_slope_second_half']} | "
                    f"{t['rise_last_vs_second_tenth']} | {tenths} |")
    verdict = "**met**" if r["no_growth"] else "**not met**"
    return (f"## Memory soak (`make bench-soak`, `bench/soak.py`)\n\nOne `sohoa ingest <folder>` of {inp['pages']:,} "
            f"pages in {inp['files']} files, {m['date']}, {r['cores']} cores, {m['cpu']}: "
            f"{inp['born_digital']['pages']:,} born-digital pages ({inp['born_digital']['files']} text PDFs from "
            f"{inp['born_digital']['source']}) and {inp['scanned']['pages']} generated scanned pages (NĐ 30 "
            f"documents of 1–3 pages, one PNG per page, {inp['scanned']['condition']}, seed "
            f"{inp['scanned']['seed']}), interleaved by pages so both paths run throughout. "
            f"{r['pages_stored']:,} pages stored in {r['seconds']} s ({r['pages_per_second']} pages/s, exit code "
            f"{r['returncode']}). RSS sampled every {r['sample_s']} s with the pages stored so far (SQLite, "
            f"read-only); peaks (main / forkserver / largest worker): {memory_cells(r['peaks'])} MiB, the whole "
            f"tree {r['peaks']['tree']} MiB.\n\nSlopes are least-squares fits in MiB per 1,000 pages over the "
            "second half of the pages: of every sample, and of the peak in each 5 % of the pages (a worker's RSS "
            "swings by tens of MiB between a text page and a scanned one, so the samples' slope is noisy; a leak "
            f"raises the peaks). Target: no growth — a slope of the peaks of at most {GROWTH_LIMIT:g} MiB per "
            f"1,000 pages in every process: {verdict}. Beside it, in MiB: the peak of the last tenth of the pages less "
            "the peak of the second tenth (a step shows as its size, a leak grows with the run).\n\n"
            + "\n".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--scanned", type=float, default=0.1, help="share of scanned (OCR) pages")
    parser.add_argument("--condition", default="clean200", help="scan condition of the scanned pages")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--sample", type=float, default=0.5, help="seconds between RSS samples")
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--smoke", action="store_true", help="print only; write neither results nor docs")
    args = parser.parse_args()
    folder, inputs = make_inputs(args.pages, args.scanned, args.condition, args.seed)
    print(f"inputs: {inputs}", flush=True)
    data = WORK / "soak-data"
    shutil.rmtree(data, ignore_errors=True)
    init_data(data, args.cores)
    try:
        run = run_measured([str(SOHOA), "ingest", str(folder), "--json"], env=sohoa_env(data, args.cores),
                           keep_output=True, every=0.1, timeline=args.sample, probe=lambda: stored_pages(data))
        stored = stored_pages(data) or 0
    finally:
        shutil.rmtree(data, ignore_errors=True)
    samples = list(LAST_SAMPLES)
    result: dict[str, Any] = {
        "machine": machine(), "cores": args.cores, "inputs": inputs, "seconds": round(run.seconds, 1),
        "returncode": run.returncode, "pages_stored": stored, "pages_per_second": round(stored / run.seconds, 2),
        "sample_s": args.sample, "peaks": run.memory, "trend": trend(samples, inputs["pages"])}
    slopes = [t["envelope_slope_second_half"] for t in result["trend"].values()]
    result["no_growth"] = (run.returncode == 0 and bool(slopes)
                           and all(s is not None and s <= GROWTH_LIMIT for s in slopes))
    step = max(1, len(samples) // 500)  # at most about 500 points in the results file
    result["timeline"] = [{"t": s.t, "pages": s.probe, "rss": {f"{role} {pid}": round(mib, 1)
                                                              for pid, (role, mib) in s.rss.items()}}
                          for s in samples[::step]]
    md = markdown(result)
    print(md)
    if not args.smoke:
        write_results("soak", result)
        update_docs("soak", md)


if __name__ == "__main__":
    main()
