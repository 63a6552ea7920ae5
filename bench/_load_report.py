"""The "Load (locust)" section of docs/benchmarks.md from ``bench/load.py``'s results."""

from __future__ import annotations

from typing import Any


def _table(runs: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """One row per (profile/run, request type): requests, failures, req/s, p50/p95/p99 in ms."""
    lines = ["| profile, run | request | requests | failures | req/s | p50 ms | p95 ms | p99 ms |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for label, run in runs:
        rows = run["requests"]
        for name in sorted(rows, key=lambda n: (n == "Aggregated", n)):
            r = rows[name]
            shown = "**all**" if name == "Aggregated" else f"`{name}`"
            lines.append(f"| {label} | {shown} | {r['requests']} | {r['failures']} | {r['rps']:g} | "
                         f"{r['p50_ms']:g} | {r['p95_ms']:g} | {r['p99_ms']:g} |")
    return lines


def _search_only_vs_mixed(profiles: dict[str, Any]) -> list[str]:
    lines = ["| profile | search p50 alone → with uploads (ms) | search p95 alone → with uploads (ms) | "
             "search req/s alone → with uploads |", "|---|---:|---:|---:|"]
    for name, data in profiles.items():
        if "search_only" not in data:
            continue

        def searches(run: dict[str, Any]) -> list[dict[str, Any]]:
            return [r for n, r in run["requests"].items() if "search" in n]

        alone, mixed = searches(data["search_only"]), searches(data["mixed"])

        def weighted(rows: list[dict[str, Any]], key: str) -> float:
            total = sum(r["requests"] for r in rows)
            return round(sum(r[key] * r["requests"] for r in rows) / total, 1) if total else 0.0

        lines.append(f"| {name} | {weighted(alone, 'p50_ms')} → {weighted(mixed, 'p50_ms')} | "
                     f"{weighted(alone, 'p95_ms')} → {weighted(mixed, 'p95_ms')} | "
                     f"{round(sum(r['rps'] for r in alone), 1)} → {round(sum(r['rps'] for r in mixed), 1)} |")
    lines.append("")
    lines.append("(p50/p95 here: the search request types' own percentiles, averaged weighted by their counts.)")
    return lines


def _ingest(profiles: dict[str, Any]) -> list[str]:
    lines = ["| profile | ingest by | uploads (scans) | pages/min during run | pages/min until last searchable | "
             "last upload searchable after run end | upload → searchable p50 / p95 / max | failed | done, not found | "
             "never |", "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, data in profiles.items():
        i = data["ingest"]
        waits = i["upload_to_searchable_s"]
        tasks = ", ".join(f"`{k}` ×{v}" for k, v in sorted(i.get("worker_tasks_succeeded", {}).items()))
        by = (i["ingest_workers"] if isinstance(i["ingest_workers"], str)
              else f"{i['ingest_workers']} Celery workers" + (f" ({tasks})" if tasks else ""))
        after = i["seconds_after_run_until_last_searchable"]
        lines.append(f"| {name} | {by} | {i['uploads']} ({i['scans']}) | {i['pages_per_minute_during_run']} | "
                     f"{i.get('pages_per_minute_until_last_searchable', '–')} | "
                     f"{'–' if after is None else f'{after} s'} | "
                     f"{waits['p50']} / {waits['p95']} / {waits['max']} s | {i['failed']} | {i['done_not_found']} | "
                     f"{i['never_searchable']} |")
    return lines


def markdown(results: dict[str, Any]) -> str:
    o, m = results["options"], results["machine"]
    profiles = results["profiles"]
    out = ["## Load (locust) (`make bench-load`, `python bench/load.py`)", "",
           f"Measured {m['date']} on {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB — **the 2 cores were "
           "shared with other work running at the same time** (other developers' builds and tests), so the "
           "numbers are noisy and pessimistic; the load average is given beside each run.",
           "",
           f"locust 2.47 headless, per profile: {o['officials']} officials (archivist logins for the staff "
           f"search page and one API token each for `/api/v1/search`; queries with tones, without tones, "
           f"số/ký hiệu lookups, year and type filters; 1–3 s between queries) — first **alone** for "
           f"{o['duration']} s (search only), then with {o['stations']} **scanning stations** for {o['duration']} s "
           f"(the web app's chunked upload, `POST /scanning/uploads` + `PUT` chunks with `Content-Range`, "
           f"3–8 s between uploads; every file different: 1-page text PDFs of generated NĐ 30 documents and "
           f"{o['scanned']:.0%} generated page scans, clean200 PNG, OCR'd by the server). Spawn rate "
           f"{o['spawn_rate']:g} users/s. The archive holds {o['preload']} generated documents ingested by "
           f"`sohoa ingest` beforehand. A PDF is *searchable* when its own marker word is found by the API "
           f"search; a scan when its upload is done (OCR'd, stored and indexed). Run it with `make bench-load` "
           "(`LOAD_ARGS=\"--duration 300 --stations 4 --officials 8\"`, `--profiles embedded`, `--broker ''`…); "
           f"measured at commit {results.get('code', {}).get('commit', '?')}.", ""]
    for name, data in profiles.items():
        out.append(f"- **{name}**: {'; '.join(data['setup'])}. Load: before search-only "
                   f"`{data.get('uptime_before_search_only', '-')}`; before mixed `{data['uptime_before_mixed']}`; "
                   f"after `{data['uptime_after_mixed']}`.")
    out += ["", "The embedded profile is the baseline of the cluster profile; the search-only run is the baseline "
            "of search latency under ingest.", "",
            "How to read it: here both profiles run on **one** machine of 2 cores. The cluster profile then puts "
            "the web process, PostgreSQL, SeaweedFS, Redis and its Celery workers (each OCR'ing with Tesseract) "
            "on the same 2 cores, so under ingest it measures their contention, not what separate worker hosts "
            "give: compare its search-only run with the embedded one for the cost of PostgreSQL + S3 per "
            "request, and its mixed run for what happens when workers share the web host's cores (what "
            "docs/deployment.md avoids by putting workers on their own machines). A failure with status 0 is a "
            "request that got no HTTP answer (connection closed or timed out).", "",
            "### Ingest during the mixed run", "",
           "A negative \"searchable after run end\" means the last upload was searchable before the run ended (no "
           "backlog). *Never*: still not searchable when the benchmark stopped waiting "
           f"({o['drain']} s after the run).", ""]
    out += _ingest(profiles)
    out += ["", "### Search latency alone and under ingest", ""]
    out += _search_only_vs_mixed(profiles)
    out += ["", "### Every request type", ""]
    runs: list[tuple[str, dict[str, Any]]] = []
    for name, data in profiles.items():
        if "search_only" in data:
            runs.append((f"{name}, search only", data["search_only"]))
        runs.append((f"{name}, mixed", data["mixed"]))
    out += _table(runs)
    out += ["", "`POST /login` is the logins at each user's start (an argon2 password hash, by design slow); the "
            "**all** rows include them, so their p95/p99 say more about the logins than about the searches."]
    errors = [(name, e) for name, data in profiles.items() for run in ("search_only", "mixed")
              for e in data.get(run, {}).get("errors", [])]
    if errors:
        out += ["", "Errors seen:", ""]
        out += [f"- {name}: {e['Method']} `{e['Name']}` ×{e['Occurrences']}: {e['Error'][:160]}" for name, e in errors]
    return "\n".join(out) + "\n"
