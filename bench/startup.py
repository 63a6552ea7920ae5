"""CLI start-up benchmark: wall time of `sohoa --help`, `sohoa status` and `sohoa search … --json`, each against
`python -c pass` measured in the same run (median of N fresh processes).

The archive holds N synthetic records (bench/search.py builds them). Two variants run interleaved, round by
round: "standalone" (the command runs in its own process: `SOHOA_USE_RUNNING_SERVER=false`) and "served"
(a real `sohoa serve` runs on the same data directory and answers `status` and `search` through its control
socket). With ``--before SRC`` the same commands also run with another copy of the source
(``git archive <rev> src | tar -x -C DIR``; SRC is DIR/src) on the same archive. After the server has stopped,
the "resident" variant: no server, the resident CLI helper enabled (`SOHOA_CLI_RESIDENT`, the default); for
`status` and `search` the first call (nobody answers: it runs in its own process and starts the resident) is
timed on its own, then, once the resident answers, the repeated calls (the resident is stopped before each
command's first call, and at the end).
Usage: python bench/startup.py [--records 100000] [--repeat 10] [--data DIR] [--before SRC --before-label REV]
       [--no-write] (a smoke run: print the table, write no results)
Writes bench/results/startup.json and the "startup" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import machine, update_docs, write_results
from search import build
from sohoa.cli.resident_server import INFO
from sohoa.services.platform.context import open_context
from sohoa.services.platform.control import STOP_RESIDENT, ControlClient, socket_path
from sohoa.settings import Settings

QUERY = "quyết định"
SOHOA = Path(sys.executable).with_name("sohoa")  # the installed console script, as a user runs it
COMMANDS: dict[str, list[str]] = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "sohoa --help": [str(SOHOA), "--help"],
    "sohoa status": [str(SOHOA), "status"],
    f'sohoa search "{QUERY}" --json': [str(SOHOA), "search", QUERY, "--json"],
}
BASELINE = "python -c pass"


def _wall(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return seconds


def measure(variants: dict[str, dict[str, str]], repeat: int) -> dict[str, dict[str, list[float]]]:
    """Wall seconds of every command under every variant; one warm-up run each, then rounds interleaved."""
    samples: dict[str, dict[str, list[float]]] = {v: {c: [] for c in COMMANDS} for v in variants}
    for env in variants.values():
        for cmd in COMMANDS.values():
            _wall(cmd, env)  # bytecode compiled, files in the page cache
    for _ in range(repeat):
        for name, cmd in COMMANDS.items():
            for variant, env in variants.items():
                samples[variant][name].append(_wall(cmd, env))
    return samples


def _summary(seconds: list[float], baseline: float) -> dict[str, float]:
    median = statistics.median(seconds)
    return {"median_s": round(median, 3), "min_s": round(min(seconds), 3), "max_s": round(max(seconds), 3),
            "over_baseline_s": round(median - baseline, 3)}


TARGETS = {"sohoa --help": 0.15, "sohoa status": 0.15, f'sohoa search "{QUERY}" --json': 0.25}  # over the baseline


def _serve(env: dict[str, str], data: Path, timeout: float = 300.0) -> subprocess.Popen[bytes]:
    """A real `sohoa serve` on ``data`` (a free port, one page worker), once its control socket answers."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = (data.parent / "serve.log").open("wb")
    server = subprocess.Popen([str(SOHOA), "serve", "--port", str(port)], env={**env, "SOHOA_WORKERS": "1"},
                              stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"sohoa serve stopped ({server.returncode}); see {log.name}")
        probe_env = {**env, "SOHOA_USE_RUNNING_SERVER": "true"}
        done = subprocess.run([sys.executable, "-c", "import sys; from sohoa.cli.launch import ask_server; "
                               "sys.exit(ask_server(['status', '--json']) is None)"], env=probe_env,
                              stdout=subprocess.DEVNULL)
        if done.returncode == 0:
            return server
        time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"sohoa serve did not answer on its control socket in {timeout:.0f} s; see {log.name}")


def _resident(data: Path) -> int | None:
    """The pid of the resident answering on ``data`` (None: nobody, or a server)."""
    try:
        return int(next(iter(ControlClient(_socket(data), 0).call(INFO, timeout=30)))["pid"])
    except (OSError, RuntimeError, EOFError, StopIteration):
        return None


def _socket(data: Path) -> Path:
    return socket_path(Settings(data=data))


def _stop_resident(data: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while _socket(data).exists():
        try:
            list(ControlClient(_socket(data), 0).call(STOP_RESIDENT, timeout=30))
        except RuntimeError:
            raise SystemExit(f"something that is not a resident answers on {data}: stop it first") from None
        except (OSError, EOFError):
            return  # nobody listens (a stale socket file)
        if time.monotonic() > deadline:
            raise SystemExit(f"the resident on {data} does not stop")


def measure_resident(env: dict[str, str], data: Path, repeat: int,
                     timeout: float = 300.0) -> tuple[dict[str, list[float]], dict[str, float]]:
    """The resident variant: every command's repeated samples (status and search once the resident answers,
    interleaved with the baseline and `--help`), and the first call of status and search (which starts it)."""
    samples: dict[str, list[float]] = {c: [] for c in COMMANDS}
    first: dict[str, float] = {}
    reading = [name for name in COMMANDS if name not in (BASELINE, "sohoa --help")]
    for name in reading:
        _stop_resident(data)
        first[name] = _wall(COMMANDS[name], env)
        deadline = time.monotonic() + timeout
        while _resident(data) is None:
            if time.monotonic() > deadline:
                raise SystemExit(f"no resident answered in {timeout:.0f} s; see {data / 'run' / 'resident.log'}")
            time.sleep(0.2)
        _wall(COMMANDS[name], env)  # its first answer: the resident's own warm-up (bytecode, page cache)
    try:
        for _ in range(repeat):
            for name, cmd in COMMANDS.items():
                samples[name].append(_wall(cmd, env))
        if _resident(data) is None:
            raise SystemExit("the resident left during the measurement; the samples ran in their own processes")
    finally:
        _stop_resident(data)
    return samples, first


def import_breakdown(args: list[str], env: dict[str, str], top: int = 8) -> list[tuple[str, float]]:
    """Import seconds of one run by package (self time summed; Sohoa by subpackage), largest first."""
    code = f"import sys; from sohoa.cli.main import app; sys.argv[0] = 'sohoa'; app({args!r})"
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code], env=env, capture_output=True,
                          text=True)
    totals: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line or "self [us]" in line:
            continue
        self_us, _, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        parts = name.split(".")
        key = ".".join(parts[:2]) if parts[0] == "sohoa" else parts[0]
        totals[key] = totals.get(key, 0.0) + int(self_us) / 1e6
    return sorted(totals.items(), key=lambda kv: -kv[1])[:top]


def markdown(data: dict[str, Any]) -> str:
    variants = list(data["variants"])
    rows = ["| Command | " + " | ".join(f"{v}: median (over `python -c pass`)" for v in variants)
            + " | target (over `python -c pass`) |", "|---|" + "---|" * (len(variants) + 1)]
    for name in COMMANDS:
        cells = []
        for v in variants:
            s = data["variants"][v][name]
            cells.append(f"{s['median_s']:.3f} s" if name == BASELINE
                         else f"{s['median_s']:.3f} s (+{s['over_baseline_s']:.3f} s)")
        target = "—"
        if name in TARGETS:
            met = [v for v in variants if data["variants"][v][name]["over_baseline_s"] <= TARGETS[name]]
            target = f"≤ +{TARGETS[name]:.2f} s: " + (f"met ({', '.join(met)})" if met else "not met")
        rows.append(f"| `{name}` | " + " | ".join(cells) + f" | {target} |")
    m = data["machine"]
    resident = ""
    if data.get("resident_first"):
        firsts = ", ".join(f"`{name}` {sec:.3f} s" for name, sec in data["resident_first"].items())
        resident = (" *resident*: no server; the first `status` or `search` runs in its own process and starts the "
                    "resident CLI helper, which answers the next ones through the control socket (the repeated "
                    f"samples; the first calls, each with no resident before it: {firsts}).")
    lines = ["## CLI start-up (`python bench/startup.py`)", "",
             f"Measured {m['date']} on {m['cpu']} ({m['cores']} cores), Python {m['python']}: wall time of a fresh "
             f"process, median of {data['repeat']} runs after one warm-up, the variants interleaved round by round; "
             f"the archive holds {data['records']:,} generated documents (SQLite). *standalone*: the command runs in "
             "its own process (`SOHOA_USE_RUNNING_SERVER=false`, as with no server); *served*: `sohoa serve` runs on "
             "the same data directory and answers `status` and `search` through its control socket (`--help` "
             "always runs in the process)." + resident, "", *rows, "",
             "Where the import time of a standalone run goes (one run under `python -X importtime`, self time by "
             "package):", ""]
    for name, parts in data["imports"].items():
        lines.append(f"- `{name}`: " + ", ".join(f"{pkg} {sec:.3f} s" for pkg, sec in parts))
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--data", type=Path, default=None, help="data dir (reused when it holds an archive)")
    parser.add_argument("--before", type=Path, default=None, help="another source tree's src folder to compare")
    parser.add_argument("--before-label", default="before")
    parser.add_argument("--docs", action="store_true", help="also write the table into docs/benchmarks.md")
    parser.add_argument("--no-write", action="store_true", help="a smoke run: print the table, write no results")
    args = parser.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="sohoa-startup-")) / "data"
    if not (data / "sohoa.db").exists():
        ctx = open_context(Settings(data=data, workers=1))
        try:
            build(ctx, args.records)
        finally:
            ctx.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_") and k != "PYTHONPATH"}
    env |= {"SOHOA_DATA": str(data), "COLUMNS": "100"}
    quiet = {**env, "SOHOA_CLI_RESIDENT": "false"}  # these variants start no resident
    variants = {"standalone": {**quiet, "SOHOA_USE_RUNNING_SERVER": "false"}, "served": quiet}
    if args.before is not None:
        variants = {args.before_label: {**quiet, "PYTHONPATH": str(args.before.resolve())}, **variants}
    _stop_resident(data)  # a resident would give way to the server anyway
    server = _serve(env, data)
    try:
        samples = measure(variants, args.repeat)
    finally:
        server.terminate()
        server.wait(60)
    samples["resident"], resident_first = measure_resident({**env, "SOHOA_CLI_RESIDENT": "true"}, data, args.repeat)
    result: dict[str, Any] = {"machine": machine(), "records": args.records, "repeat": args.repeat, "variants": {}}
    for variant, by_command in samples.items():
        baseline = statistics.median(by_command[BASELINE])
        result["variants"][variant] = {name: {**_summary(s, baseline), "samples_s": [round(x, 3) for x in s]}
                                       for name, s in by_command.items()}
    result["resident_first"] = {name: round(sec, 3) for name, sec in resident_first.items()}
    result["imports"] = {name: import_breakdown(cmd[1:], variants["standalone"])
                         for name, cmd in COMMANDS.items() if name != BASELINE}
    md = markdown(result)
    print(md)
    if args.no_write:
        return
    write_results("startup", result)
    if args.docs:
        update_docs("startup", md)


if __name__ == "__main__":
    main()
