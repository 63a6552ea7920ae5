"""Three-way throughput benchmark on the same generated pages and the same cores.

(a) bare `tesseract` CLI, one process per core, text only; (b) OCRmyPDF → PDF/A with `-l vie`
and `--jobs` = cores; (c) `sohoa ingest` (triage, preprocess, OCR, split, fields, PDF/A, storage, index).
Usage: python bench/pipeline.py [--pages 48] [--repeat 3] [--seed S] [--condition clean300]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, Run, machine, run_measured, update_docs, write_results


def _tesseract_all(pages: list[Path], out: Path, cores: int) -> Run:
    """A driver script so the whole pool is one measured process tree."""
    script = out / "bare.py"
    script.write_text(
        "import subprocess, sys\nfrom concurrent.futures import ThreadPoolExecutor\n"
        f"pages = {[str(p) for p in pages]!r}\n"
        "def one(p):\n"
        "    subprocess.run(['tesseract', p, p + '.bare', '-l', 'vie'], check=True, capture_output=True)\n"
        f"with ThreadPoolExecutor({cores}) as pool:\n    list(pool.map(one, pages))\n")
    return run_measured([sys.executable, str(script)], env={**os.environ, "OMP_THREAD_LIMIT": "1"})


def _ocrmypdf(pages: list[Path], out: Path, cores: int) -> Run:
    import img2pdf

    source = out / "input.pdf"
    source.write_bytes(img2pdf.convert([str(p) for p in pages]))
    cmd = [sys.executable, "-m", "ocrmypdf", "-l", "vie", "--jobs", str(cores), "--output-type", "pdfa",
           str(source), str(out / "ocrmypdf.pdf")]
    return run_measured(cmd, env={**os.environ, "OMP_THREAD_LIMIT": "1"})


def _sohoa(folder: Path, out: Path, cores: int) -> Run:
    data = out / "sohoa-data"
    shutil.rmtree(data, ignore_errors=True)  # every round digitizes the pages anew (no duplicates)
    env = {**os.environ, "SOHOA_DATA": str(data), "SOHOA_WORKERS": str(cores), "OMP_THREAD_LIMIT": "1"}
    sohoa = Path(sys.executable).with_name("sohoa")
    run_measured([str(sohoa), "init"], env=env)
    return run_measured([str(sohoa), "ingest", str(folder), "--json"], env=env)


SYSTEMS = ("tesseract CLI (text only)", "OCRmyPDF → PDF/A-2b", "sohoa ingest → PDF/A-2b + fields + index")


def _row(name: str, runs: list[Run], pages: int, bare: list[Run]) -> dict[str, Any]:
    seconds = [r.seconds for r in runs]
    middle = statistics.median(seconds)
    speed = [b.seconds / r.seconds for b, r in zip(bare, runs, strict=True)] if all(seconds) else []
    return {"system": name, "seconds": round(middle, 2), "seconds_all": [round(s, 2) for s in seconds],
            "pages_per_min": round(pages / middle * 60, 1) if middle else 0.0,
            "vs_bare_tesseract": round(statistics.median(speed), 2) if speed else None,
            "peak_rss_mib": max(r.peak_rss_mib for r in runs), "ok": all(r.returncode == 0 for r in runs)}


def _rounds(pages: list[Path], folder: Path, work: Path, cores: int, repeat: int) -> dict[str, list[Run]]:
    """Each round runs the three systems on the same pages, starting with a different one each time so
    that a slow spell of a shared machine does not always fall on the same system."""
    runners = {SYSTEMS[0]: lambda: _tesseract_all(pages, work, cores),
               SYSTEMS[1]: lambda: _ocrmypdf(pages, work, cores),
               SYSTEMS[2]: lambda: _sohoa(folder, work, cores)}
    runs: dict[str, list[Run]] = {name: [] for name in SYSTEMS}
    for round_no in range(repeat):
        order = SYSTEMS[round_no % 3:] + SYSTEMS[: round_no % 3]
        for name in order:
            runs[name].append(runners[name]())
            print(f"round {round_no + 1}/{repeat}: {name}: {runs[name][-1].seconds:.1f} s", flush=True)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=48)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--condition", default="clean300")
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the three systems (medians are reported)")
    args = parser.parse_args()
    from sohoa.samples import generate_corpus

    work = Path(tempfile.mkdtemp(prefix="sohoa-bench-"))
    try:
        corpus = generate_corpus(work / "pages", documents=args.pages, seed=args.seed,
                                 condition=args.condition, multipage=False)
        pages = corpus.pages[: args.pages]
        for extra in corpus.pages[args.pages:]:
            extra.unlink()
        (work / "pages" / "truth.json").rename(work / "truth.json")
        runs = _rounds(pages, work / "pages", work, args.cores, max(1, args.repeat))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    bare = runs[SYSTEMS[0]]
    rows = [_row(name, runs[name], len(pages), bare) for name in SYSTEMS]
    per_round = [o.seconds / s.seconds for o, s in zip(runs[SYSTEMS[1]], runs[SYSTEMS[2]], strict=True)]
    ratio = round(statistics.median(per_round), 2)
    data = {"machine": machine(), "pages": len(pages), "condition": args.condition, "seed": args.seed,
            "cores": args.cores, "rounds": len(per_round), "results": rows, "sohoa_vs_ocrmypdf": ratio,
            "sohoa_vs_ocrmypdf_per_round": [round(r, 2) for r in per_round]}
    write_results("pipeline", data)
    table = ["| system | s (median) | s per round | pages/min | × bare Tesseract speed | peak RSS MiB |",
             "|---|---|---|---|---|---|"]
    table += [f"| {r['system']} | {r['seconds']} | {' / '.join(str(x) for x in r['seconds_all'])} | "
              f"{r['pages_per_min']} | {r['vs_bare_tesseract']} | {r['peak_rss_mib']} |" for r in rows]
    m = data["machine"]
    rounds = " / ".join(f"{r:.2f}" for r in per_round)
    md = (f"## Pipeline throughput (`make bench`)\n\n{len(pages)} generated pages ({args.condition}, seed "
          f"{args.seed}), {args.cores} cores, {m['cpu']}, {m['date']}, {len(per_round)} round(s), each system "
          f"once per round in rotating order. Sohoa is {ratio}× OCRmyPDF (median; per round {rounds}).\n\n"
          + "\n".join(table))
    update_docs("pipeline", md)
    print(md)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
