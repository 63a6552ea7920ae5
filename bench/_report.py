"""The docs/benchmarks.md sections of ``bench/pipeline.py``'s cases, from their results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from _common import memory_cells

MEMORY_HEAD = "peak RSS MiB: main / forkserver / largest page worker (×workers)"


def _met(flag: bool) -> str:
    return "**met**" if flag else "**not met**"


def _when(result: dict[str, Any]) -> str:
    m = result["machine"]
    return f"{m['date']}, {result['cores']} cores, {m['cpu']}, {m['tesseract']}"


def _name(row: dict[str, Any]) -> str:
    """The system, marked when a run of it failed (its time is then not a result)."""
    return str(row["system"]) + ("" if row.get("ok", True) else " **(a run failed)**")


def _memory(row: dict[str, Any]) -> str:
    return memory_cells(row.get("memory", {})) if row["system"].startswith("sohoa") else "—"


def throughput(r: dict[str, Any]) -> str:
    table = [f"| system | s (median) | s per round | pages/min | × bare Tesseract speed | peak RSS MiB (tree) "
             f"| {MEMORY_HEAD} |", "|---|---|---|---|---|---|---|"]
    table += [f"| {_name(x)} | {x['seconds']} | {' / '.join(str(s) for s in x['seconds_all'])} | "
              f"{x['pages_per_min']} | {x['vs_bare_tesseract']} | {x['peak_rss_mib']} | {_memory(x)} |"
              for x in r["results"]]
    per_round = " / ".join(f"{v:.2f}" for v in r["sohoa_vs_ocrmypdf_per_round"])
    return (f"## Pipeline throughput (`make bench`, `--case throughput`)\n\n{r['pages']} generated pages "
            f"({r['condition']}, seed {r['seed']}), {_when(r)}, {r['rounds']} round(s), each system once per round "
            f"in rotating order. Sohoa is {r['sohoa_vs_ocrmypdf']}× OCRmyPDF (median; per round {per_round}).\n\n"
            + "\n".join(table))


def small(r: dict[str, Any]) -> str:
    table = ["| system | s (median) | s per round | × bare Tesseract's time | " + MEMORY_HEAD + " |",
             "|---|---|---|---|---|"]
    for x in r["results"]:
        if not x["available"]:
            table.append(f"| {x['system']} | not available: {x['reason']} | | | |")
            continue
        table.append(f"| {_name(x)} | {x['seconds']} | {' / '.join(str(s) for s in x['seconds_all'])} | "
                     f"{x['vs_bare_tesseract_time']} | {_memory(x)} |")
    warm = r["results"][-1]
    server = (f"\n\nThe running server's tree during those ingests: {memory_cells(warm['server_memory'])} MiB."
              if warm.get("server_memory") else "")
    return (f"## Small batch (`--case small`)\n\n{r['pages']} generated pages ({r['condition']}, seed {r['seed']}), "
            f"{_when(r)}, {r['rounds']} round(s) in rotating order. Baseline: bare `tesseract … -l vie`, one "
            "process per page, as many at a time as cores (text only). `sohoa ingest` cold: a fresh data "
            "directory and nothing running (start-up, worker pool, PDF/A, fields, storage, index all counted). "
            "With `sohoa serve` running: the same command while a server runs on the same (fresh) data "
            "directory; counted only when the ingest process starts no page workers of its own.\n\n"
            f"Target: {r['target']} — {_met(r['target_met'])} (best sohoa: {r['best_vs_bare']}×)."
            + server + "\n\n" + "\n".join(table))


def born_digital(r: dict[str, Any]) -> str:
    table = ["| system | s (median) | s per round | pages/s | peak RSS MiB (tree) | " + MEMORY_HEAD + " |",
             "|---|---|---|---|---|---|"]
    table += [f"| {_name(x)} | {x['seconds']} | {' / '.join(str(s) for s in x['seconds_all'])} | "
              f"{x['pages_per_second']} | {x['peak_rss_mib']} | {_memory(x)} |" for x in r["results"]]
    ingest = r["results"][1].get("ingest", {})
    states = ", ".join(f"{n} {k}" for k, n in sorted(ingest.get("states", {}).items()))
    baseline = f"`ocrmypdf {' '.join(r['ocrmypdf_options'])}` run on each file in turn"
    if r.get("ocrmypdf_fallback_reason"):
        baseline += (f" — not the issue's `--output-type pdfa`, because {r['ocrmypdf_fallback_reason']} "
                     "(`auto` adds the PDF/A-2b declarations itself and checks them with pikepdf's validator)")
    return (f"## Born-digital PDFs (`--case born-digital`)\n\n{r['files']} text PDFs, {r['pages']} pages, made "
            f"from {r['source']} (reportlab, Liberation Serif 11 pt embedded, A4, no images; made once per run "
            f"in {r['pdf_seconds']} s), {_when(r)}, {r['rounds']} round(s) in rotating order. Baseline: {baseline}. "
            f"Sohoa: `sohoa ingest <folder>` on a fresh data directory (last round: {ingest.get('pages', '?')} "
            f"pages, items {states or '?'}).\n\nTarget: {r['target']} — {_met(r['target_met'])} "
            f"(sohoa {r['results'][1]['pages_per_second']} pages/s, {r['sohoa_vs_ocrmypdf']}× OCRmyPDF's speed)."
            "\n\n" + "\n".join(table))


def hot_folder(r: dict[str, Any]) -> str:
    table = ["| drop | page | drop → searchable s | bare tesseract s | bare tesseract, 1 thread s |",
             "|---|---|---|---|---|"]
    table += [f"| {i + 1} | {d['page']} | {d['searchable_s'] if d['searchable_s'] is not None else 'not found'} | "
              f"{d['tesseract_s']} | {d['tesseract_1thread_s']} |" for i, d in enumerate(r["drops"])]
    median = r["median_searchable_s"]
    shown = f"{median} s" if median is not None else f"not every drop was found within {r['timeout_s']} s"
    return (f"## Hot folder (`--case hot-folder`)\n\n{len(r['drops'])} generated pages ({r['condition']}, seed "
            f"{r['seed']}) dropped one after another into `$SOHOA_DATA/hotfolders/bench/` of a running "
            f"`sohoa serve` with the default settings (ready after {r['server_ready_s']} s; control socket: "
            f"{'yes' if r['control_socket'] else 'no'}), {_when(r)}. Each page is written under a hidden name "
            "and renamed into place; the clock runs from the rename until the SQLite database holds one more "
            "document with a search-index row (polled read-only every 50 ms). Baseline: bare `tesseract <page> "
            "out -l vie` on the same page, as installed (OpenMP threads) and with `OMP_THREAD_LIMIT=1`, before "
            "or after the drop in alternation; the faster median is the page's OCR time.\n\n"
            f"Target: median drop → searchable ≤ OCR time + 1 s = {r['target_s']} s — {_met(r['target_met'])} "
            f"(median {shown}; tesseract {r['median_tesseract_s']} s, 1 thread {r['median_tesseract_1thread_s']} s)."
            f" The server's tree: {memory_cells(r['server_memory'])} MiB.\n\n" + "\n".join(table))


MARKDOWN: dict[str, Callable[[dict[str, Any]], str]] = {
    "throughput": throughput, "small": small, "born-digital": born_digital, "hot-folder": hot_folder}
SECTIONS = {"throughput": "pipeline", "small": "pipeline-small", "born-digital": "pipeline-born-digital",
            "hot-folder": "pipeline-hot-folder"}
