"""Benchmark helpers: machine facts, peak RSS of a process tree, results files and the docs table."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DOCS = ROOT / "docs" / "benchmarks.md"


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    tess = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "python": platform.python_version(), "tesseract": tess,
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


ROLES = ("main", "forkserver", "worker", "resource_tracker", "other")


def role_of(proc: psutil.Process, root_pid: int, forkservers: set[int]) -> str:
    """What a process of a measured tree is: the command itself (``main``), the multiprocessing forkserver,
    a page worker (a child of the forkserver), the resource tracker, or anything else (a tool it runs)."""
    if proc.pid == root_pid:
        return "main"
    if proc.pid in forkservers:
        return "forkserver"
    cmdline = " ".join(proc.cmdline())
    if "multiprocessing.resource_tracker" in cmdline:
        return "resource_tracker"
    return "worker" if proc.ppid() in forkservers else "other"


def _is_forkserver(proc: psutil.Process, forkservers: set[int]) -> bool:
    """The forkserver; its workers are forks of it, with the same command line, and its children."""
    try:
        if proc.ppid() in forkservers or "multiprocessing.forkserver" not in " ".join(proc.cmdline()):
            return False
        parent = proc.parent()
        return parent is None or "multiprocessing.forkserver" not in " ".join(parent.cmdline())
    except psutil.Error:
        return False


@dataclass
class Sample:
    """One look at the tree: seconds since the start, MiB per process (pid → role, MiB), a probe's value."""
    t: float
    rss: dict[int, tuple[str, float]]
    probe: int | None = None


class TreeSampler:
    """Samples the RSS of a process and all its descendants in a thread: per-process peaks (every
    ``every`` s), the peak of their sum, and, when ``timeline`` is set, a sample every ``timeline`` s
    (with ``probe()``'s value, e.g. pages stored so far)."""

    def __init__(self, pid: int, every: float = 0.05, timeline: float | None = None,
                 probe: Callable[[], int | None] | None = None) -> None:
        self.pid, self.every, self.timeline, self.probe = pid, every, timeline, probe
        self.peak_total = 0.0
        self.peaks: dict[int, tuple[str, float]] = {}
        self.samples: list[Sample] = []
        self._roles: dict[int, str] = {}
        self._forkservers: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = time.perf_counter()

    def __enter__(self) -> TreeSampler:
        self._started = time.perf_counter()
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _look(self) -> dict[int, tuple[str, float]]:
        root = psutil.Process(self.pid)
        procs = [root, *root.children(recursive=True)]
        for proc in procs:  # forkservers first: a worker is known by its parent
            if proc.pid not in self._roles and proc.pid not in self._forkservers \
                    and _is_forkserver(proc, self._forkservers):
                self._forkservers.add(proc.pid)
        seen: dict[int, tuple[str, float]] = {}
        for proc in procs:
            try:
                if proc.pid not in self._roles:
                    self._roles[proc.pid] = role_of(proc, self.pid, self._forkservers)
                seen[proc.pid] = (self._roles[proc.pid], proc.memory_info().rss / 2**20)
            except psutil.Error:
                continue  # it ended between the listing and the look
        return seen

    def _run(self) -> None:
        next_sample = 0.0
        while not self._stop.is_set():
            try:
                seen = self._look()
            except psutil.Error:
                seen = {}
            self.peak_total = max(self.peak_total, sum(mib for _, mib in seen.values()))
            for pid, (role, mib) in seen.items():
                self.peaks[pid] = (role, max(mib, self.peaks.get(pid, (role, 0.0))[1]))
            now = time.perf_counter() - self._started
            if self.timeline is not None and seen and now >= next_sample:
                self.samples.append(Sample(round(now, 2), seen, self.probe() if self.probe else None))
                next_sample = now + self.timeline
            time.sleep(self.every)

    def by_role(self) -> dict[str, Any]:
        """Peak RSS in MiB: the tree's summed peak, each role's largest process, every worker's peak."""
        out: dict[str, Any] = {"tree": round(self.peak_total, 1)}
        for role in ROLES:
            values = [mib for r, mib in self.peaks.values() if r == role]
            if values:
                out[role] = round(max(values), 1)
        workers = sorted((mib for r, mib in self.peaks.values() if r == "worker"), reverse=True)
        out["workers"] = [round(w, 1) for w in workers]
        return out


@dataclass
class Run:
    seconds: float
    peak_rss_mib: float
    returncode: int
    memory: dict[str, Any] = field(default_factory=dict)  # TreeSampler.by_role()
    output: str = ""  # stdout, when asked for


def run_measured(cmd: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None,
                 *, keep_output: bool = False, every: float = 0.05, timeline: float | None = None,
                 probe: Callable[[], int | None] | None = None) -> Run:
    """Run a command; wall time, the peak summed RSS of its whole process tree and each process's peak
    by role (``TreeSampler``); with ``timeline`` the samples are kept in ``run_measured.last_samples``."""
    started = time.perf_counter()
    proc = subprocess.Popen(list(cmd), env=env, cwd=cwd, stdout=subprocess.PIPE if keep_output else subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    with TreeSampler(proc.pid, every=every, timeline=timeline, probe=probe) as sampler:
        out, err = proc.communicate()
    LAST_SAMPLES[:] = sampler.samples
    if proc.returncode:
        print(err.decode("utf-8", "replace")[-2000:])
    return Run(time.perf_counter() - started, round(sampler.peak_total, 1), proc.returncode, sampler.by_role(),
               out.decode("utf-8", "replace") if out else "")


LAST_SAMPLES: list[Sample] = []  # the timeline of the last run_measured(…, timeline=…)


def memory_cells(memory: dict[str, Any]) -> str:
    """``main / forkserver / worker max (n)`` for a docs table."""
    if not memory:
        return "—"
    workers = memory.get("workers") or []
    worker = f"{max(workers)} (×{len(workers)})" if workers else "—"
    return f"{memory.get('main', '—')} / {memory.get('forkserver', '—')} / {worker}"


def write_results(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def update_docs(section: str, markdown: str) -> None:
    """Replace the section between ``<!-- section:start -->`` and ``<!-- section:end -->``."""
    text = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Benchmarks\n"
    start, end = f"<!-- {section}:start -->", f"<!-- {section}:end -->"
    block = f"{start}\n{markdown.rstrip()}\n{end}"
    if start in text:
        text = re.sub(re.escape(start) + r".*?" + re.escape(end), lambda _m: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    DOCS.write_text(text, encoding="utf-8")
