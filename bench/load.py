"""Load benchmark (issue #11 item 3): scanning stations uploading and officials searching one ``sohoa serve``
at the same time, driven by locust (``bench/_locust_sohoa.py``, headless), on both profiles.

Per profile: a fresh archive (``sohoa init``), a preloaded corpus of generated NĐ 30 text PDFs (``sohoa
ingest``), users (scan operators, archivists) and API tokens made through the CLI; then ``sohoa serve`` and
two locust runs against it: **search only** (the officials alone: the baseline of search latency) and
**mixed** (stations uploading through the web app's chunked upload while the officials search). During the
mixed run the pages stored are sampled from the database, and every finished upload is followed until it is
searchable (a text PDF: its own marker word found by the API search; a scan: its upload done, i.e. OCR'd and
indexed); after the run the benchmark waits for the last upload to become searchable.

Profiles: ``embedded`` (SQLite + FTS5, a local object directory, the web process ingests) is the baseline of
``cluster`` (a fresh PostgreSQL schema on 127.0.0.1:5432, S3 on a SeaweedFS server started here, and Celery
workers — ``sohoa worker`` — when that command exists and ``--broker`` is given; otherwise the web process
ingests).
Usage: python bench/load.py [--profiles embedded,cluster] [--duration 90] [--stations 3] [--officials 6]
       [--spawn-rate 3] [--preload 60] [--scanned 0.25] [--broker redis://127.0.0.1:6379/11] [--workers 2]
       [--smoke]
Writes bench/results/load.json and the "load" section of docs/benchmarks.md (not with --smoke).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import ROOT, machine, update_docs, write_results
from _load_report import markdown
from _load_setup import WORK, Profile, cluster, embedded, make_preload, make_uploads, prepare, serve, worker_tasks

LOCUST = Path(sys.executable).with_name("locust")
LOCUSTFILE = Path(__file__).resolve().parent / "_locust_sohoa.py"
STATION_WAIT = (3.0, 8.0)  # seconds at the scanner between two uploads
UNFOUND_AFTER = 60.0  # seconds after an upload is done without its PDF's marker found: given up on


class Tracker:
    """Follows the uploads the stations log (the ``scan_uploads`` rows' state; then a search for a PDF's
    marker word) and samples the pages stored, every ``every`` seconds, in a thread."""

    def __init__(self, db_url: str, url: str, token: str, log: Path, every: float = 1.0) -> None:
        import sqlalchemy

        self.engine = sqlalchemy.create_engine(db_url)
        self.url, self.token, self.log, self.every = url, token, log, every
        self.uploads: dict[str, dict[str, Any]] = {}
        self.pages: list[tuple[float, int]] = []
        self._read = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> Tracker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.engine.dispose()

    def pending(self) -> int:
        return sum(1 for u in self.uploads.values() if "searchable" not in u and "failed" not in u)

    def _new_entries(self) -> None:
        if not self.log.exists():
            return
        with self.log.open(encoding="utf-8") as handle:
            handle.seek(self._read)
            for line in handle:
                if line.endswith("\n"):
                    entry = json.loads(line)
                    self.uploads[entry["token"]] = entry
                    self._read += len(line.encode("utf-8"))

    def _found(self, marker: str) -> bool:
        query = urllib.parse.urlencode({"q": marker, "limit": 1})
        request = urllib.request.Request(f"{self.url}/api/v1/search?{query}",
                                         headers={"Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return int(json.load(answer)["total"]) > 0
        except OSError:
            return False

    def look(self) -> None:
        import sqlalchemy

        self._new_entries()
        with self.engine.connect() as conn:
            stored = conn.execute(sqlalchemy.text("SELECT count(*) FROM pages")).scalar_one()
            self.pages.append((time.time(), int(stored)))
            open_ = [t for t, u in self.uploads.items() if "searchable" not in u and "failed" not in u]
            states = dict(conn.execute(sqlalchemy.text("SELECT token, state FROM scan_uploads WHERE token IN :t")
                                       .bindparams(sqlalchemy.bindparam("t", expanding=True)), {"t": open_ or [""]})
                          .all())
        for token in open_:
            upload, state, now = self.uploads[token], states.get(token), time.time()
            if state == "failed":
                upload["failed"] = now
            elif state == "done":
                upload.setdefault("done", now)
                if upload["kind"] != "pdf" or self._found(upload["marker"]):
                    upload["searchable"] = now
                elif now - upload["done"] > UNFOUND_AFTER:
                    upload["failed"] = now  # done, yet its marker word is not found: counted as failed
                    upload["unfound"] = True

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.look()
            except Exception as exc:  # a busy database: the next look tries again
                print(f"tracker: {exc}", file=sys.stderr)
            self._stop.wait(self.every)


def locust(url: str, plan: Path, stations: int, officials: int, duration: int, spawn_rate: float,
           prefix: Path) -> dict[str, Any]:
    """One headless locust run; its per-request-type statistics (from its CSV)."""
    classes = (["ScanningStation"] if stations else []) + ["Official"]
    env = os.environ | {"SOHOA_LOAD_PLAN": str(plan), "SOHOA_LOAD_STATIONS": str(stations),
                        "SOHOA_LOAD_OFFICIALS": str(officials), "SOHOA_LOAD_STATION_MIN": str(STATION_WAIT[0]),
                        "SOHOA_LOAD_STATION_MAX": str(STATION_WAIT[1])}
    command = [str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "--host", url, "-u", str(stations + officials),
               "-r", str(spawn_rate), "-t", f"{duration}s", "--stop-timeout", "30", "--csv", str(prefix),
               "--only-summary", "--loglevel", "WARNING", *classes]
    started = time.time()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=duration + 300)
    ended = time.time()
    if not (prefix.parent / f"{prefix.name}_stats.csv").exists():
        raise SystemExit(f"locust failed ({done.returncode}): {done.stderr[-3000:]}")
    rows: dict[str, Any] = {}
    with (prefix.parent / f"{prefix.name}_stats.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            name = "Aggregated" if row["Name"] == "Aggregated" else row["Name"]
            rows[name] = {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                          "rps": round(float(row["Requests/s"]), 2),
                          "p50_ms": float(row["50%"]), "p95_ms": float(row["95%"]), "p99_ms": float(row["99%"]),
                          "mean_ms": round(float(row["Average Response Time"]), 1)}
    failures = (prefix.parent / f"{prefix.name}_failures.csv")
    errors = list(csv.DictReader(failures.open(encoding="utf-8"))) if failures.exists() else []
    return {"started": started, "ended": ended, "seconds": round(ended - started, 1), "requests": rows,
            "errors": [{k: e[k] for k in ("Method", "Name", "Error", "Occurrences")} for e in errors][:20],
            "locust_exit": done.returncode, "note": [line for line in done.stdout.splitlines()
                                                     if line.startswith("load:")]}


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def _code() -> dict[str, str]:
    """The commit of this checkout and where the ``sohoa`` package measured was imported from."""
    import sohoa

    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {"commit": head.stdout.strip(), "sohoa": str(Path(sohoa.__file__).parent)}


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)], 1)


def _filters(url: str, token: str, queries: dict[str, list[str]]) -> dict[str, list[Any]]:
    """Document types of the preloaded archive (the API's facets) and the years its texts name."""
    query = urllib.parse.urlencode({"q": queries["toneless"][0], "facets": "true"})
    request = urllib.request.Request(f"{url}/api/v1/search?{query}", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=60) as answer:
        facets = json.load(answer).get("facets") or {}
    types = [f["value"] for f in facets.get("type", [])] or ["Công văn"]
    return {"types": types, "years": [int(y) for y in queries.get("years", [])] or [2024, 2025]}


def run_profile(profile: Profile, args: argparse.Namespace, run_dir: Path) -> dict[str, Any]:
    """Prepare the archive, serve it, the search-only run, then the mixed run and its drain."""
    preload, queries = make_preload(args.preload, args.seed)
    per_station = math.ceil(args.duration / STATION_WAIT[0]) + 2
    uploads = make_uploads(args.stations * per_station, args.scanned, args.seed + 100)
    started = time.perf_counter()
    credentials = prepare(profile, preload, args.stations, args.officials)
    out: dict[str, Any] = {"profile": profile.name, "setup": profile.notes,
                           "prepare_seconds": round(time.perf_counter() - started, 1),
                           "preload": {"documents": args.preload, "ingest_seconds": credentials["preload_seconds"]}}
    log = run_dir / f"uploads-{profile.name}.jsonl"
    plan = run_dir / f"plan-{profile.name}.json"
    with serve(profile, run_dir) as url:
        filters = _filters(url, credentials["checker_token"], queries)
        plan.write_text(json.dumps(credentials | {"files": uploads, "queries": queries, "filters": filters,
                                                  "log": str(log)}, ensure_ascii=False), encoding="utf-8")
        if not args.no_search_only:
            out["uptime_before_search_only"] = _uptime()
            out["search_only"] = locust(url, plan, 0, args.officials, args.duration, args.spawn_rate,
                                        run_dir / f"{profile.name}-search-only")
        out["uptime_before_mixed"] = _uptime()
        tracker = Tracker(profile.db_url, url, credentials["checker_token"], log).start()
        try:
            mixed = locust(url, plan, args.stations, args.officials, args.duration, args.spawn_rate,
                           run_dir / f"{profile.name}-mixed")
            deadline = time.time() + args.drain
            tracker.look()
            while tracker.pending() and time.time() < deadline:
                time.sleep(1)
        finally:
            tracker.stop()
        out["mixed"] = mixed
        out["uptime_after_mixed"] = _uptime()
        out["ingest"] = _ingest_figures(tracker, mixed, profile)
    if profile.workers:
        tasks = worker_tasks(run_dir, profile)
        out["ingest"]["worker_tasks_succeeded"] = tasks
        if not any(name in tasks for name in ("sohoa.ingest_file", "sohoa.page")):
            out["ingest"]["ingest_workers"] = (f"web process ({profile.workers} Celery workers ran, yet no ingest "
                                               "task: the uploads were not queued to them)")
    return out


def _ingest_figures(tracker: Tracker, mixed: dict[str, Any], profile: Profile) -> dict[str, Any]:
    """Pages per minute during the run and until the last upload was searchable; upload → searchable."""
    uploads = list(tracker.uploads.values())
    searchable = [u for u in uploads if "searchable" in u]
    pages = tracker.pages

    def at(moment: float) -> int:
        before = [n for t, n in pages if t <= moment]
        return before[-1] if before else (pages[0][1] if pages else 0)

    start, end = mixed["started"], mixed["ended"]
    last = max((u["searchable"] for u in searchable), default=None)
    run_minutes = (end - start) / 60
    figures: dict[str, Any] = {
        "uploads": len(uploads), "upload_pages": sum(int(u["pages"]) for u in uploads),
        "scans": sum(1 for u in uploads if u["kind"] == "scan"), "searchable": len(searchable),
        "failed": sum(1 for u in uploads if "failed" in u and "unfound" not in u),
        "done_not_found": sum(1 for u in uploads if "unfound" in u), "never_searchable": tracker.pending(),
        "pages_per_minute_during_run": round((at(end) - at(start)) / run_minutes, 1) if run_minutes else None,
        "seconds_after_run_until_last_searchable": round(last - end, 1) if last else None,
        "ingest_workers": profile.workers or "web process",
    }
    if last:
        figures["pages_per_minute_until_last_searchable"] = round((at(last) - at(start)) / ((last - start) / 60), 1)
    waits = [u["searchable"] - u["sent"] for u in searchable]
    figures["upload_to_searchable_s"] = {"p50": _percentile(waits, 0.5), "p95": _percentile(waits, 0.95),
                                         "max": round(max(waits), 1) if waits else None}
    return figures


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", default="embedded,cluster")
    parser.add_argument("--duration", type=int, default=90, help="seconds of each locust run")
    parser.add_argument("--stations", type=int, default=3)
    parser.add_argument("--officials", type=int, default=6)
    parser.add_argument("--spawn-rate", type=float, default=3.0)
    parser.add_argument("--preload", type=int, default=60, help="documents in the archive before the run")
    parser.add_argument("--scanned", type=float, default=0.25, help="share of the uploads that are page scans")
    parser.add_argument("--drain", type=int, default=600, help="seconds to wait for the last upload after a run")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/11", help="cluster: Celery broker ('' none)")
    parser.add_argument("--workers", type=int, default=2, help="cluster: `sohoa worker` processes")
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 2, help="SOHOA_WORKERS of the server")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--no-search-only", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="do not write results or docs")
    parser.add_argument("--run-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    run_dir = args.run_dir or WORK / "load-run"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    results: dict[str, Any] = {"benchmark": "load", "machine": machine(),
                               "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
                               "uptime_start": _uptime(), "code": _code(), "profiles": {}}
    for name in args.profiles.split(","):
        print(f"load: profile {name}", flush=True)
        opened = (embedded(run_dir, args.cores) if name == "embedded"
                  else cluster(run_dir, args.cores, args.broker or None, args.workers))
        with opened as profile:
            results["profiles"][name] = run_profile(profile, args, run_dir)
        print(json.dumps(results["profiles"][name]["ingest"], ensure_ascii=False), flush=True)
    results["uptime_end"] = _uptime()
    if args.smoke:
        print(markdown(results))
    else:
        write_results("load", results)
        update_docs("load", markdown(results))
        print(f"load: wrote {ROOT / 'bench/results/load.json'} and the load section of docs/benchmarks.md")
    return results


if __name__ == "__main__":
    main()
