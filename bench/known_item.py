"""Known-item search on real legal texts, through the front door: `sohoa ingest` of text PDFs, `sohoa search --json`.

Usage: python bench/known_item.py [--baseline REV] [--pg-url URL] [--work DIR] [--limit N]

The 136 documents of ``tvpl_2025_legal_text`` (``docs.jsonl``) are typeset as born-digital PDFs (bench/_pdfs.py)
and digitized by ``sohoa ingest`` into a fresh archive, once per engine (SQLite FTS5 and, when reachable,
PostgreSQL) and once per code: the working tree, and the baseline revision (``--baseline``, by default the
commit before the ranking of issue #17 item 8), unpacked with ``git archive`` and run from its own ``src`` —
its own ingest, index and search, not a flag of today's code. The 272 derived known-item queries
(``derived_known_item_queries.jsonl``: number lookups "<type> <number> <issuer>", and the titles) then go
through ``sohoa search --json --limit 10`` (the CLI's command, invoked in one process per archive so that 1,088
queries do not pay 1,088 interpreter start-ups) as written and with the tones removed. Reported: MRR@10 and
recall@10 per query type, engine, code and form. Writes bench/results/known_item.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import unicodedata
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, write_results
from _pdfs import write_pdf

ROOT = Path(__file__).resolve().parents[1]
DATA = Path("/work/shared/data/real/tvpl_2025_legal_text")
BASELINE = "5ead768^"  # the commit before closeness and partial matches
PG_URL = os.environ.get("SOHOA_TEST_PG_URL", "postgresql+psycopg://sohoa:sohoa-test@127.0.0.1:5432/sohoa_test")

# Runs inside the archive's process, on the code under test: `sohoa search --json --limit 10 <query>` per query.
SEARCH_ALL = """
import contextlib, io, json, sys
from sohoa.cli.main import app
out = []
for query in json.load(sys.stdin):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(io.StringIO()):
        app(["search", "--json", "--limit", "10", query], standalone_mode=False)
    printed = buf.getvalue()  # nothing: the command refused the query (its error went to stderr)
    out.append([hit["source"] for hit in json.loads(printed)["results"]] if printed else None)
json.dump(out, sys.stdout)
"""


def toneless(text: str) -> str:
    """The query as typed without diacritics (đ → d), case kept."""
    stripped = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped.replace("đ", "d").replace("Đ", "D"))


def _env(src: Path, data: Path, url: str | None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(src), "SOHOA_DATA": str(data), "SOHOA_WORKERS": "1",
           "SOHOA_CLI_RESIDENT": "false"}
    env.pop("SOHOA_DATABASE_URL", None)
    if url:
        env["SOHOA_DATABASE_URL"] = url
    return env


def _sohoa(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    cmd = [sys.executable, "-c", "import sys; from sohoa.cli.launch import main; sys.argv[0] = 'sohoa'; main()", *args]
    done = subprocess.run(cmd, env=env, input=stdin, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"sohoa {' '.join(args[:2])} failed: {done.stderr[-2000:]}")
    return done.stdout


def build_archive(src: Path, data: Path, url: str | None, pdfs: Path) -> dict[str, Any]:
    """`sohoa init` and `sohoa ingest` of the PDFs with the code in ``src``; the ingest's summary."""
    env = _env(src, data, url)
    _sohoa(["init"], env)
    started = time.perf_counter()
    summary = json.loads(_sohoa(["ingest", "--local-pool", "--json", str(pdfs)], env))
    return {"seconds": round(time.perf_counter() - started, 1), "pages": summary.get("pages"),
            "states": summary.get("states")}


def run_queries(src: Path, data: Path, url: str | None, queries: list[str]) -> list[list[str] | None]:
    """The sources of the top 10 hits of each query, as `sohoa search --json --limit 10` prints them (None: the
    command refused the query, e.g. more than 32 words)."""
    cmd = [sys.executable, "-c", SEARCH_ALL]
    done = subprocess.run(cmd, env=_env(src, data, url), input=json.dumps(queries), capture_output=True, text=True,
                          check=False)
    if done.returncode:
        raise SystemExit(f"search failed: {done.stderr[-2000:]}")
    result: list[list[str] | None] = json.loads(done.stdout)
    return result


def _metrics(ranks: list[int | None]) -> dict[str, float]:
    return {"mrr10": round(sum(1.0 / r for r in ranks if r) / len(ranks), 4) if ranks else 0.0,
            "recall10": round(sum(1 for r in ranks if r) / len(ranks), 4) if ranks else 0.0, "n": len(ranks)}


def score(rows: list[dict[str, Any]], found: list[list[str] | None]) -> dict[str, Any]:
    """MRR@10 and recall@10 per query type (and over all): over every query (a refused one counts as not
    found), and over the queries the command answered; the rank of each query (None: not in the top 10)."""
    ranks: dict[str, list[int | None]] = {}
    answered: dict[str, list[int | None]] = {}
    per_query: dict[str, int | None] = {}
    for row, sources in zip(rows, found, strict=True):
        ids = [Path(s).stem for s in (sources or [])[:10]]
        rank = next((n for n, i in enumerate(ids, 1) if i in row["relevant_ids"]), None)
        per_query[row["qid"]] = rank if sources is not None else -1
        for key in (row["type"], "all"):
            ranks.setdefault(key, []).append(rank)
            answered.setdefault(key, [])
            if sources is not None:
                answered[key].append(rank)
    out: dict[str, Any] = {k: {**_metrics(v), "refused": len(v) - len(answered[k]),
                               "answered": _metrics(answered[k])} for k, v in ranks.items()}
    out["ranks"] = per_query  # -1: refused
    return out


def _pg_schema(url: str) -> str | None:
    """A fresh schema on the PostgreSQL server (its URL), or None when none answers."""
    import sqlalchemy

    schema = f"ki_{uuid.uuid4().hex[:8]}"
    try:
        admin = sqlalchemy.create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
    except Exception as exc:  # no server: the run reports SQLite only
        print(f"PostgreSQL unreachable ({exc.__class__.__name__}): SQLite only", file=sys.stderr)
        return None
    return f"{url}?options=-csearch_path%3D{schema}"


def _drop(url: str) -> None:
    import sqlalchemy

    base, _, options = url.partition("?options=-csearch_path%3D")
    admin = sqlalchemy.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sqlalchemy.text(f'DROP SCHEMA "{options}" CASCADE'))
    admin.dispose()


def _unpack(rev: str, into: Path) -> tuple[Path, str]:
    """The baseline's ``src`` unpacked under ``into`` (git archive; the working tree is not touched)."""
    commit = subprocess.run(["git", "rev-parse", rev], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", commit, "src"], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into / "src", commit


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", default=BASELINE, help="git revision of the baseline ranking")
    parser.add_argument("--pg-url", default=PG_URL, help="PostgreSQL server ('' for SQLite only)")
    parser.add_argument("--work", type=Path, default=None, help="work directory (default: a temporary one)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N documents (a quick try)")
    args = parser.parse_args()
    docs = [json.loads(line) for line in (DATA / "docs.jsonl").read_text(encoding="utf-8").splitlines()]
    docs = docs[:args.limit] if args.limit else docs
    known = {d["id"] for d in docs}
    rows = [json.loads(line) for line in (DATA / "derived_known_item_queries.jsonl").read_text(
        encoding="utf-8").splitlines()]
    rows = [r for r in rows if set(r["relevant_ids"]) & known]
    work = args.work or Path(tempfile.mkdtemp(prefix="known_item_"))
    pdfs = work / "pdfs"
    pdfs.mkdir(parents=True, exist_ok=True)
    pages = sum(write_pdf(d["text"], pdfs / f"{d['id']}.pdf") for d in docs)
    base_src, commit = _unpack(args.baseline, work / "baseline")
    codes = {"closeness": ROOT / "src", "baseline": base_src}
    forms = {"as written": [r["query"] for r in rows], "without tones": [toneless(r["query"]) for r in rows]}
    engines = ["sqlite"] + (["postgres"] if args.pg_url else [])
    results: dict[str, Any] = {}
    for engine in engines:
        for code, src in codes.items():
            url = _pg_schema(args.pg_url) if engine == "postgres" else None
            if engine == "postgres" and url is None:
                continue
            data = work / f"{engine}-{code}"
            try:
                archive = build_archive(src, data, url, pdfs)
                for form, queries in forms.items():
                    started = time.perf_counter()
                    found = run_queries(src, data, url, queries)
                    results.setdefault(engine, {}).setdefault(code, {"ingest": archive})[form] = {
                        **score(rows, found), "seconds": round(time.perf_counter() - started, 1)}
                    print(engine, code, form, results[engine][code][form]["all"], flush=True)
            finally:
                if url:
                    _drop(url)
    out = {"machine": machine(), "documents": len(docs), "pages": pages, "queries": len(rows),
           "source": str(DATA), "baseline": {"revision": args.baseline, "commit": commit},
           "front_door": "sohoa init + sohoa ingest --local-pool of text PDFs; sohoa search --json --limit 10",
           "results": results}
    print(write_results("known_item", out))


if __name__ == "__main__":
    main()
