"""What ``bench/load.py`` needs before and around a locust run: the files (made once into ``bench/work/``),
the two profiles (embedded: SQLite + a local object directory; cluster: a fresh PostgreSQL schema, a
SeaweedFS S3 server started here, Celery workers when ``sohoa worker`` exists and a broker is given), the
archive prepared through the CLI (``sohoa init``, a preloaded corpus by ``sohoa ingest``, users and API
tokens), a ``sohoa serve``, and counts read from its database."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import signal
import subprocess
import sys
import time
import unicodedata
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import ROOT
from _pdfs import _generated, write_pdf
from _server import SOHOA, free_port, sohoa_env

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests._s3: the tests' SeaweedFS launcher
from tests._s3 import running_seaweedfs

WORK = ROOT / "bench" / "work"
PASSWORD = "mat-khau-tai-thu-load"
PG_URL = "postgresql+psycopg://sohoa:sohoa-test@127.0.0.1:5432/sohoa_test"
_SIGN = re.compile(r"^Số: (\S+/\S+)$", re.M)
_WORDS = re.compile(r"[^\W\d_]{4,}")
_SECRECY = re.compile(r"^(?:TUYỆT |TỐI )?MẬT$", re.M)


def _marker(rng_seed: int, index: int) -> str:
    """A word found in one uploaded PDF only (letters, so it is one search token)."""
    letters = "bcdghklmnpqrstvx"
    value, out = (rng_seed * 1_000_003 + index) * 2_654_435_761 % 16**8, ""
    for _ in range(8):
        value, digit = divmod(value, 16)
        out += letters[digit]
    return "taiload" + out


def make_uploads(count: int, scanned_share: float, seed: int) -> list[dict[str, Any]]:
    """``count`` files the stations upload, each different: text PDFs of generated NĐ 30 documents (1–2
    pages, a marker word of their own, none marked độ mật) and, a share of ``scanned_share``, generated page
    scans (``sohoa.samples``, clean200 PNG, one page each; OCR'd by the server). Made once per set of options,
    then reused."""
    folder = WORK / f"load-uploads-v2-{count}-{scanned_share:g}-{seed}"
    manifest = folder / "manifest.json"
    if manifest.exists():
        return list(json.loads(manifest.read_text(encoding="utf-8")))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    scans = round(count * scanned_share)
    items: list[dict[str, Any]] = []
    if scans:
        from sohoa.samples import generate_corpus

        corpus = generate_corpus(folder / "scans", documents=scans, seed=seed, condition="clean200",
                                 multipage=False)
        items += [{"path": str(p), "kind": "scan", "pages": 1, "marker": None} for p in corpus.pages[:scans]]
    # A document marked độ mật (MẬT, TỐI MẬT, TUYỆT MẬT) is never shown on the network, to no one (the access
    # policy): left out of the uploads, so that every uploaded PDF can be looked for by the API search.
    texts = [t for t in _generated(2 * (count - scans) + 10, seed + 1, 28) if not _SECRECY.search(t)]
    for index, text in enumerate(texts[:count - scans]):
        marker = _marker(seed, index)
        path = folder / f"van-ban-{index:04}.pdf"
        pages = write_pdf(f"{text}\nMã tải thử: {marker}", path)
        items.append({"path": str(path), "kind": "pdf", "pages": pages, "marker": marker})
    # interleave the scans among the PDFs so both kinds arrive throughout the run
    pdfs, scanned = [i for i in items if i["kind"] == "pdf"], [i for i in items if i["kind"] == "scan"]
    mixed = sorted(pdfs + scanned, key=lambda i: (pdfs.index(i) / max(1, len(pdfs))) if i["kind"] == "pdf"
                   else (scanned.index(i) + 0.5) / max(1, len(scanned)))
    manifest.write_text(json.dumps(mixed, ensure_ascii=False), encoding="utf-8")
    return mixed


def _toneless(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def make_preload(count: int, seed: int) -> tuple[Path, dict[str, list[str]]]:
    """The archive the officials search (``count`` one- or two-page text PDFs of generated NĐ 30 documents)
    and queries drawn from it: two- and three-word phrases with tones, the same without tones, and the
    documents' số/ký hiệu (and the years the texts name, for the year filter)."""
    folder = WORK / f"load-preload-{count}-{seed}"
    queries_file = folder / "queries.json"
    if queries_file.exists():
        return folder / "pdf", dict(json.loads(queries_file.read_text(encoding="utf-8")))
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "pdf").mkdir(parents=True)
    texts = _generated(count, seed, 40)
    for index, text in enumerate(texts):
        write_pdf(text, folder / "pdf" / f"luu-tru-{index:04}.pdf")
    toned: set[str] = set()
    signs: set[str] = set()
    years: set[str] = set()
    for text in texts:
        signs.update(_SIGN.findall(text))
        years.update(re.findall(r"năm (20\d\d)", text))
        subjects = [line for line in text.split("\n")[5:9] if len(line) > 20 and not line.startswith(("Số", "Hà Nội"))]
        for line in subjects:  # the subject line: what an official remembers of a document
            words = _WORDS.findall(line.removeprefix("V/v "))
            for start in range(0, max(1, len(words) - 2), 3):
                toned.add(" ".join(words[start:start + 2 + start % 2]).lower())
    queries = {"toned": sorted(toned)[:400], "toneless": sorted({_toneless(q) for q in toned})[:400],
               "sign": sorted(signs), "years": sorted(years)}
    queries_file.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    return folder / "pdf", queries


@dataclass
class Profile:
    """One deployment profile: its name, the environment of every ``sohoa`` process, its database URL,
    and the Celery workers to start beside the web process (0: the web process ingests)."""

    name: str
    env: dict[str, str]
    db_url: str
    workers: int = 0
    notes: list[str] = field(default_factory=list)


def cli(profile: Profile, *args: str, timeout: float = 1800, env: dict[str, str] | None = None) -> str:
    """One ``sohoa`` command in the profile; its standard output (stops the benchmark when it fails)."""
    done = subprocess.run([str(SOHOA), *args], env=env or profile.env, capture_output=True, text=True,
                          timeout=timeout)
    if done.returncode:
        raise SystemExit(f"sohoa {' '.join(args[:2])} failed: {done.stderr[-2000:]}{done.stdout[-1000:]}")
    return done.stdout


def prepare(profile: Profile, preload: Path, stations: int, officials: int) -> dict[str, Any]:
    """``sohoa init``, the preloaded archive ingested, the users and tokens; the credentials for the plan."""
    cli(profile, "init")
    started = time.perf_counter()
    # no broker for the preload: it is ingested here and now (with one, `sohoa ingest` would only queue it for
    # workers that are not started yet), into the same database and object store
    local = {k: v for k, v in profile.env.items() if k != "SOHOA_BROKER_URL"}
    cli(profile, "ingest", str(preload), "--json", env=local)
    preload_seconds = time.perf_counter() - started
    station_users = [f"tram{n:02d}" for n in range(1, stations + 1)]
    official_users = [f"canbo{n:02d}" for n in range(1, max(1, officials) + 1)]
    wanted = {"scan_operator": station_users, "archivist": official_users,
              "tokens": [f"he-thong-{name}" for name in [*official_users, "kiem-tra"]]}
    done = subprocess.run([sys.executable, __file__, "accounts", json.dumps(wanted)], env=profile.env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise SystemExit(f"accounts failed: {done.stderr[-2000:]}")
    tokens = list(json.loads(done.stdout.strip().splitlines()[-1]))
    # the last token: the benchmark's own searchability checks
    return {"stations": station_users, "officials": official_users, "password": PASSWORD, "tokens": tokens[:-1],
            "checker_token": tokens[-1], "preload_seconds": round(preload_seconds, 1)}


def _accounts(wanted: dict[str, list[str]]) -> list[str]:
    """Users (role → usernames) and API tokens (scope admin: every document, whatever its state) made in one
    process of the profile (its settings from the environment), as ``sohoa user create`` and ``sohoa token
    create`` make them; the tokens' secrets."""
    from sohoa.services.identity.accounts import create_user
    from sohoa.services.identity.tokens import create_token
    from sohoa.services.platform.context import open_context
    from sohoa.settings import Settings

    ctx = open_context(Settings())
    try:
        for role in ("scan_operator", "archivist"):
            for name in wanted[role]:
                create_user(ctx, name, PASSWORD, role)
        return [create_token(ctx, name, ["admin"], actor="load-bench")[0] for name in wanted["tokens"]]
    finally:
        ctx.close()


@contextlib.contextmanager
def embedded(work: Path, cores: int) -> Iterator[Profile]:
    data = work / "embedded" / "data"
    shutil.rmtree(data.parent, ignore_errors=True)
    data.mkdir(parents=True)
    yield Profile("embedded", sohoa_env(data, cores), f"sqlite:///{data / 'sohoa.db'}",
                  notes=["SQLite + FTS5", "local object directory", "the web process ingests (its page pool)"])


def worker_available() -> bool:
    from sohoa.cli.commands import COMMANDS

    return "worker" in COMMANDS


@contextlib.contextmanager
def cluster(work: Path, cores: int, broker: str | None, workers: int) -> Iterator[Profile]:
    """A fresh PostgreSQL schema (dropped afterwards), SeaweedFS with a fresh bucket, a broker when given
    and ``sohoa worker`` exists."""
    import sqlalchemy

    data = work / "cluster" / "data"
    shutil.rmtree(data.parent, ignore_errors=True)
    data.mkdir(parents=True)
    schema = f"load_{uuid.uuid4().hex[:10]}"
    engine = sqlalchemy.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    try:
        with running_seaweedfs(work / "cluster") as server:  # the tests' SeaweedFS (ready once it stores)
            bucket = server.new_bucket("sohoa-load")
            extra = {"SOHOA_DATABASE_URL": url, "SOHOA_STORAGE_URL": f"s3://{bucket}/archive", **server.env()}
            notes = ["PostgreSQL 127.0.0.1:5432 (a fresh schema)", "S3 on SeaweedFS (weed server -s3, loopback)"]
            use_workers = bool(broker) and workers > 0 and worker_available()
            if use_workers:
                assert broker is not None
                if broker.startswith("redis://"):  # this benchmark's own database number: no stale tasks
                    import redis

                    redis.Redis.from_url(broker).flushdb()
                extra["SOHOA_BROKER_URL"] = broker
                notes.append(f"Celery: {workers} `sohoa worker` process(es), broker {broker}")
            else:
                notes.append("no broker: the web process ingests (its page pool)"
                             + ("" if worker_available() else "; `sohoa worker` does not exist yet"))
            yield Profile("cluster", sohoa_env(data, cores, **extra), url, workers if use_workers else 0, notes)
    finally:
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextlib.contextmanager
def serve(profile: Profile, log_dir: Path) -> Iterator[str]:
    """``sohoa serve`` (and the profile's ``sohoa worker`` processes) until the block ends; yields its URL."""
    port = free_port()
    procs: list[subprocess.Popen[bytes]] = []
    with (log_dir / f"serve-{profile.name}.log").open("wb") as log:
        procs.append(subprocess.Popen([str(SOHOA), "serve", "--port", str(port)], env=profile.env, stdout=log,
                                      stderr=subprocess.STDOUT))
    for n in range(profile.workers):
        with (log_dir / f"worker-{profile.name}-{n + 1}.log").open("wb") as wlog:
            procs.append(subprocess.Popen([str(SOHOA), "worker", "--concurrency", "1"], env=profile.env,
                                          stdout=wlog, stderr=subprocess.STDOUT))
    try:
        deadline = time.monotonic() + 180
        while not _ready(port):
            if procs[0].poll() is not None or time.monotonic() > deadline:
                tail = (log_dir / f"serve-{profile.name}.log").read_text()[-2000:]
                raise SystemExit(f"sohoa serve did not start: {tail}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT if proc is procs[0] else signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def worker_tasks(log_dir: Path, profile: Profile) -> dict[str, int]:
    """Celery tasks the profile's workers logged as succeeded, by task name (what shows the ingest ran there)."""
    done: dict[str, int] = {}
    for log in sorted(log_dir.glob(f"worker-{profile.name}-*.log")):
        for found in re.findall(r"Task (sohoa\.[\w.-]+)\[[^\]]+\] succeeded", log.read_text(errors="replace")):
            done[found] = done.get(found, 0) + 1
    return done


if __name__ == "__main__" and sys.argv[1:2] == ["accounts"]:
    print(json.dumps(_accounts(json.loads(sys.argv[2]))))
