"""CPU per search: this process (Python) and the PostgreSQL backends it opened (the server), per query class.

Usage: python bench/search_cpu.py --src SRC [--searches 30] [--data DIR] [--pg-url URL --pg-schema S]
``SRC`` is a tree's ``src`` folder (the checkout's own by default; an older commit's from ``git worktree add``),
put first on ``sys.path``; run it for two trees alternately to compare them in the same minutes. The corpus is the
one ``bench/search.py --engine postgres`` built (``DIR``: that run's data directory), the queries and the
principal (an archivist, audit write off) are ``bench/search.py``'s. One client: ``--searches`` searches of each
class after one warm-up each. CPU is read from ``/proc`` (user + system time of this process and of each backend
it connected), so other work on the machine changes it little, unlike wall time; the backends' figure moves in
steps of one clock tick over ``--searches``. Prints one JSON object: class → [Python ms, server ms] per search.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _proc_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process, 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--src", type=Path, default=HERE.parent / "src")
    parser.add_argument("--searches", type=int, default=30)
    parser.add_argument("--data", type=Path, default=Path("/tmp/sohoa-bench-pg"))
    parser.add_argument("--pg-url", default="postgresql+psycopg://sohoa:sohoa-test@127.0.0.1:5432/sohoa_test")
    parser.add_argument("--pg-schema", default="bench_search")
    args = parser.parse_args()
    sys.path[:0] = [str(args.src.resolve()), str(HERE)]
    from sqlalchemy import event

    from _search_pg import schema_url
    from search import queries
    from sohoa.services.catalogue.search import search
    from sohoa.services.identity.principal import Principal
    from sohoa.services.platform.context import open_context
    from sohoa.settings import Settings

    ctx = open_context(Settings(data=args.data, workers=1, database_url=schema_url(args.pg_url, args.pg_schema)))
    backends: set[int] = set()

    def remember_backend(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("SELECT pg_backend_pid()")
        backends.add(int(cursor.fetchone()[0]))
        cursor.close()

    event.listen(ctx.db.engine, "connect", remember_backend)
    ctx.db.engine.dispose()  # connections opened from now on are seen
    archivist = Principal(user_id=999, username="bench", role="archivist")
    plan = queries(ctx)
    try:
        for _, request, _ in plan:
            search(ctx, archivist, request, audit=False)
        out: dict[str, list[float]] = {}
        for name, request, _ in plan:
            python, server = time.process_time(), sum(_proc_cpu_seconds(p) for p in backends)
            for _ in range(args.searches):
                search(ctx, archivist, request, audit=False)
            python = (time.process_time() - python) / args.searches * 1000
            server = (sum(_proc_cpu_seconds(p) for p in backends) - server) / args.searches * 1000
            out[name] = [round(python, 3), round(server, 3)]
    finally:
        ctx.close()
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
