"""Search A/B: two source trees of Sohoa on one search database, their runs alternating in the same minutes (ABBA).

Usage: python bench/search_ab.py --data DIR --old SRC [--new SRC] [--pairs 3] [--clients 4] [--rounds 5]
       [--plan DIR] [--pg-url URL --pg-schema S]
``DIR`` is a data directory built by ``bench/search.py`` (brought to the new tree's revision first by
``--migrate REVISION``); ``SRC`` a tree's ``src`` folder (e.g. ``git archive`` of an older commit). Each run is a
process of its own with that tree first on ``sys.path``, measuring ``bench/search.py``'s query plan and client
loop (from ``--plan``, the same file for both sides) for an archivist and for a unit officer (the lineage
scope of the unit with the most predecessors); with ``--pg-url``, on the PostgreSQL schema built by
``bench/search.py --engine postgres`` instead (``DIR``: that run's data directory). The machine's load average
is recorded with every run, so that a difference is read against the machine state. Writes
bench/results/search_ab.json (or ``--out``).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "search_ab.json"
NEW_SRC = HERE.parent / "src"


def schema_url(url: str, schema: str) -> str:
    """The SQLAlchemy URL whose connections use ``schema`` (as bench/_search_pg.py's)."""
    from urllib.parse import quote
    return f"{url}{'&' if '?' in url else '?'}options={quote(f'-csearch_path={schema}')}"


def _side(data: Path, plan: Path, clients: int, rounds: int, database_url: str | None = None) -> dict[str, Any]:
    """One run in this process: the plan for the archivist, then for the unit officer."""
    sys.path.insert(0, str(plan))
    bench = importlib.import_module("search")  # the plan's bench/search.py: queries() and _run()
    from sqlalchemy import text

    from sohoa.services.catalogue.search import search
    from sohoa.services.identity.principal import Principal
    from sohoa.services.platform.context import open_context
    from sohoa.settings import Settings

    ctx = open_context(Settings(data=data, workers=1, **({"database_url": database_url} if database_url else {})),
                       migrate_schema=False)
    try:
        with ctx.db.session() as session:
            unit = session.execute(text("SELECT to_unit_id FROM unit_links WHERE to_unit_id IS NOT NULL "
                                        "GROUP BY to_unit_id ORDER BY count(*) DESC, to_unit_id LIMIT 1")).scalar()
        people = {"archivist": Principal(user_id=999, username="bench", role="archivist"),
                  "unit_officer": Principal(user_id=998, username="bench-officer", role="unit_officer",
                                            unit_id=int(unit))}
        plan_items = bench.queries(ctx)
        names = [name for name, _, _ in plan_items]
        requests = {name: request for name, request, _ in plan_items}
        out: dict[str, Any] = {"officer_unit": int(unit)}
        for who, principal in people.items():
            for name in names:  # warm the page cache once
                search(ctx, principal, requests[name], audit=False)

            def call(name: str, principal: Principal = principal) -> int:
                return int(search(ctx, principal, requests[name], audit=False).total)

            out[who] = bench._run(clients, rounds, names, call)
        return out
    finally:
        ctx.close()


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def _one(side: str, src: Path, args: argparse.Namespace) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    command = [sys.executable, __file__, "--side", "--data", str(args.data), "--plan", str(args.plan),
               "--clients", str(args.clients), "--rounds", str(args.rounds), "--pg-schema", args.pg_schema,
               *(["--pg-url", args.pg_url] if args.pg_url else [])]
    before, start = _load(), time.time()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout)
    summary = {who: {"p50_ms": result[who]["all"]["p50_ms"], "p95_ms": result[who]["all"]["p95_ms"],
                     "qps": result[who]["qps"]} for who in ("archivist", "unit_officer")}
    print(f"{side}: load {before}→{_load()} {json.dumps(summary)}", file=sys.stderr, flush=True)
    return {"side": side, "started": time.strftime("%H:%M:%S", time.gmtime(start)), "load_before": before,
            "load_after": _load(), **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--old", type=Path, help="the older tree's src folder")
    parser.add_argument("--new", type=Path, default=NEW_SRC)
    parser.add_argument("--plan", type=Path, default=HERE, help="folder of the bench/search.py both sides use")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument("--migrate", metavar="REVISION", help="bring DIR to this revision of the new tree and stop")
    parser.add_argument("--pg-url", help="PostgreSQL server of the schema built by bench/search.py --engine postgres")
    parser.add_argument("--pg-schema", default="bench_search")
    parser.add_argument("--side", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        url = schema_url(args.pg_url, args.pg_schema) if args.pg_url else None
        print(json.dumps(_side(args.data, args.plan, args.clients, args.rounds, url)))
        return
    if args.migrate:
        code = ("import sys; from alembic import command; from sohoa.db.session import alembic_config; "
                "command.upgrade(alembic_config(sys.argv[1]), sys.argv[2])")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, f"sqlite:///{args.data / 'sohoa.db'}", args.migrate],
                       env={**os.environ, "PYTHONPATH": str(args.new)}, check=True)
        print(f"migrated to {args.migrate} in {time.perf_counter() - start:.1f} s (load {_load()})", file=sys.stderr)
        return
    if args.old is None:
        parser.error("--old is needed")
    sides = (("old", args.old), ("new", args.new))
    # old, new, new, old, …: a load that rises (or falls) through the minutes weighs on both sides alike
    runs = [_one(side, src, args) for n in range(args.pairs) for side, src in (sides if n % 2 == 0 else sides[::-1])]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"clients": args.clients, "rounds": args.rounds, "cores": os.cpu_count(),
                                   "runs": runs}, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
