"""Three-way throughput benchmark on the same generated pages and the same cores.

(a) bare `tesseract` CLI, one process per core, text only; (b) OCRmyPDF → PDF/A with `-l vie`
and `--jobs` = cores; (c) `sohoa ingest` (triage, preprocess, OCR, split, fields, PDF/A, storage, index).
Usage: python bench/pipeline.py [--pages N] [--seed S] [--condition clean300]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

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
    env = {**os.environ, "SOHOA_DATA": str(out / "sohoa-data"), "SOHOA_WORKERS": str(cores),
           "OMP_THREAD_LIMIT": "1"}
    sohoa = Path(sys.executable).with_name("sohoa")
    run_measured([str(sohoa), "init"], env=env)
    return run_measured([str(sohoa), "ingest", str(folder), "--json"], env=env)


def _row(name: str, run: Run, pages: int, bare: Run) -> dict[str, object]:
    ppm = pages / run.seconds * 60 if run.seconds else 0.0
    return {"system": name, "seconds": round(run.seconds, 2), "pages_per_min": round(ppm, 1),
            "vs_bare_tesseract": round(bare.seconds / run.seconds, 2) if run.seconds else None,
            "peak_rss_mib": run.peak_rss_mib, "ok": run.returncode == 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=24)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--condition", default="clean300")
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
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
        bare = _tesseract_all(pages, work, args.cores)
        ocrmypdf = _ocrmypdf(pages, work, args.cores)
        sohoa = _sohoa(work / "pages", work, args.cores)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = [_row("tesseract CLI (text only)", bare, len(pages), bare),
            _row("OCRmyPDF → PDF/A-2b", ocrmypdf, len(pages), bare),
            _row("sohoa ingest → PDF/A-2b + fields + index", sohoa, len(pages), bare)]
    ratio = round(ocrmypdf.seconds / sohoa.seconds, 2) if sohoa.seconds else None
    data = {"machine": machine(), "pages": len(pages), "condition": args.condition, "seed": args.seed,
            "cores": args.cores, "results": rows, "sohoa_vs_ocrmypdf": ratio}
    write_results("pipeline", data)
    table = ["| system | s | pages/min | × bare Tesseract speed | peak RSS MiB |", "|---|---|---|---|---|"]
    table += [f"| {r['system']} | {r['seconds']} | {r['pages_per_min']} | {r['vs_bare_tesseract']} | "
              f"{r['peak_rss_mib']} |" for r in rows]
    m = data["machine"]
    md = (f"## Pipeline throughput (`make bench`)\n\n{len(pages)} generated pages ({args.condition}, seed "
          f"{args.seed}), {args.cores} cores, {m['cpu']}, {m['date']}. Sohoa is {ratio}× OCRmyPDF.\n\n"
          + "\n".join(table))
    update_docs("pipeline", md)
    print(md)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    main()
