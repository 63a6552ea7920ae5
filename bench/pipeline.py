"""Pipeline benchmarks, each case against its baseline in the same run on the same cores.

throughput: (a) bare `tesseract` CLI, one process per core, text only; (b) OCRmyPDF → PDF/A with `-l vie`
and `--jobs` = cores; (c) `sohoa ingest` (triage, preprocess, OCR, split, fields, PDF/A, storage, index).
small, born-digital, hot-folder: see bench/_cases.py. Every sohoa run reports the peak RSS of its main
process, the forkserver and each page worker.
Usage: python bench/pipeline.py [--case throughput|small|born-digital|hot-folder|all] [--pages 48]
       [--small-pages 8] [--bd-docs 136] [--bd-repeat 2] [--drops 5] [--repeat 3] [--seed S]
       [--condition clean300] [--smoke]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cases import (
    bare_tesseract,
    born_digital_case,
    hot_folder_case,
    ingest_summary,
    max_memory,
    rounds,
    small_case,
    sohoa_ingest,
)
from _common import RESULTS, ROOT, Run, machine, run_measured, update_docs, write_results
from _report import MARKDOWN, SECTIONS


def _ocrmypdf(pages: list[Path], out: Path, cores: int) -> Run:
    import img2pdf

    source = out / "input.pdf"
    source.write_bytes(img2pdf.convert([str(p) for p in pages]))
    cmd = [sys.executable, "-m", "ocrmypdf", "-l", "vie", "--jobs", str(cores), "--output-type", "pdfa",
           str(source), str(out / "ocrmypdf.pdf")]
    return run_measured(cmd, env={**os.environ, "OMP_THREAD_LIMIT": "1"})


SYSTEMS = ("tesseract CLI (text only)", "OCRmyPDF → PDF/A-2b", "sohoa ingest → PDF/A-2b + fields + index")


def _row(name: str, runs: list[Run], pages: int, bare: list[Run]) -> dict[str, Any]:
    seconds = [r.seconds for r in runs]
    middle = statistics.median(seconds)
    speed = [b.seconds / r.seconds for b, r in zip(bare, runs, strict=True)] if all(seconds) else []
    return {"system": name, "seconds": round(middle, 2), "seconds_all": [round(s, 2) for s in seconds],
            "pages_per_min": round(pages / middle * 60, 1) if middle else 0.0,
            "vs_bare_tesseract": round(statistics.median(speed), 2) if speed else None,
            "peak_rss_mib": max(r.peak_rss_mib for r in runs), "memory": max_memory(runs),
            "ok": all(r.returncode == 0 for r in runs)}


def throughput_case(pages: list[Path], folder: Path, work: Path, cores: int, repeat: int) -> dict[str, Any]:
    runs = rounds({SYSTEMS[0]: lambda: bare_tesseract(pages, work, cores),
                   SYSTEMS[1]: lambda: _ocrmypdf(pages, work, cores),
                   SYSTEMS[2]: lambda: sohoa_ingest(folder, work / "sohoa-data", cores)}, repeat)
    bare = runs[SYSTEMS[0]]
    rows = [_row(name, runs[name], len(pages), bare) for name in SYSTEMS]
    rows[2]["ingest"] = ingest_summary(runs[SYSTEMS[2]][-1])
    per_round = [o.seconds / s.seconds for o, s in zip(runs[SYSTEMS[1]], runs[SYSTEMS[2]], strict=True)]
    return {"pages": len(pages), "rounds": len(per_round), "results": rows,
            "sohoa_vs_ocrmypdf": round(statistics.median(per_round), 2),
            "sohoa_vs_ocrmypdf_per_round": [round(r, 2) for r in per_round]}


def _pages(out: Path, count: int, seed: int, condition: str) -> list[Path]:
    """``count`` generated one-page documents in ``out`` (the truth file moved beside it)."""
    from sohoa.samples import generate_corpus

    corpus = generate_corpus(out, documents=count, seed=seed, condition=condition, multipage=False)
    for extra in corpus.pages[count:]:
        extra.unlink()
    (out / "truth.json").rename(out.parent / f"{out.name}-truth.json")
    return list(corpus.pages[:count])


CASES = ("throughput", "small", "born-digital", "hot-folder")


def run_case(case: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    repeat = max(1, args.repeat)
    if case == "throughput":
        pages = _pages(work / "pages", args.pages, args.seed, args.condition)
        return {"condition": args.condition, "seed": args.seed,
                **throughput_case(pages, work / "pages", work, args.cores, repeat)}
    if case == "small":
        pages = _pages(work / "small", args.small_pages, args.seed + 1, "clean300")
        return {"condition": "clean300", "seed": args.seed + 1,
                **small_case(pages, work / "small", work, args.cores, repeat)}
    if case == "born-digital":
        return born_digital_case(work, args.cores, max(1, args.bd_repeat), args.bd_docs)
    pages = _pages(work / "drops", args.drops, args.seed + 2, "clean300")
    return {"condition": "clean300", "seed": args.seed + 2, **hot_folder_case(pages, work, args.cores)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--case", choices=(*CASES, "all"), default="all")
    parser.add_argument("--pages", type=int, default=48, help="throughput: generated pages")
    parser.add_argument("--small-pages", type=int, default=8, help="small: generated pages")
    parser.add_argument("--bd-docs", type=int, default=136, help="born-digital: documents (one PDF each)")
    parser.add_argument("--bd-repeat", type=int, default=2,
                        help="born-digital: rounds (OCRmyPDF takes about 7 min a round on the 136 files here)")
    parser.add_argument("--drops", type=int, default=5, help="hot-folder: pages dropped one after another")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--condition", default="clean300", help="throughput: scan condition of the pages")
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of each case (medians are reported)")
    parser.add_argument("--smoke", action="store_true",
                        help="a trial: print the tables, write neither bench/results nor docs/benchmarks.md")
    args = parser.parse_args()
    path = RESULTS / "pipeline.json"
    stored: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if "results" in stored:  # the layout before the cases: the throughput case alone
        stored = {"throughput": stored}
    for case in CASES if args.case == "all" else (args.case,):
        work = Path(tempfile.mkdtemp(prefix=f"sohoa-bench-{case}-"))
        try:
            result = {"machine": machine(), "cores": args.cores, **run_case(case, args, work)}
        finally:
            shutil.rmtree(work, ignore_errors=True)
        stored[case] = result
        md = MARKDOWN[case](result)
        if not args.smoke:
            write_results("pipeline", stored)
            update_docs(SECTIONS[case], md)
        print(md, flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
