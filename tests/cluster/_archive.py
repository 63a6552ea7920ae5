"""What the multi-host tests do on the cluster (tests/cluster/_hosts.py): start hosts, ingest, and check the archive."""

from __future__ import annotations

import hashlib
import io
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pikepdf
import sqlalchemy
from sqlalchemy import func, select

from sohoa.db.models import Document, IngestItem, StoredObject
from sohoa.db.models.intake import IngestClaim
from sohoa.samples import generate_corpus
from tests.cluster._hosts import WEB_PORT, Cluster, ClusterError

SOHOA = str(Path(sys.executable).with_name("sohoa"))


def sample_files(folder: Path, documents: int, seed: int, *, own_folders: bool = False) -> list[Path]:
    """``documents`` generated one-page documents (one image each, distinct per seed), none marked độ mật
    (a secret document is withheld from every search by design: the test searches for each one). With
    ``own_folders`` each image lies in a folder of its own (the cluster sends a folder's images as one task)."""
    generate_corpus(folder, documents=documents + 6, seed=seed, multipage=False)
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    (folder / "truth.json").unlink()
    kept = [folder / page["file"] for page in truth["pages"]
            if not truth["documents"][page["document"]]["fields"].get("secrecy")][:documents]
    for path in set(folder.glob("*.png")) - set(kept):
        path.unlink()
    assert len(kept) == documents, f"seed {seed}: only {len(kept)} documents without độ mật"
    if own_folders:
        moved = []
        for n, path in enumerate(sorted(kept)):
            (folder / f"{n:02d}").mkdir()
            moved.append(path.rename(folder / f"{n:02d}" / path.name))
        return moved
    return sorted(kept)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def init_archive(c: Cluster) -> str:
    """``sohoa init`` (the migrations on the private PostgreSQL) from the web host; returns an API token."""
    env = c.env("web", broker=False)
    c.run("web", [SOHOA, "init"], env=env, timeout=180)
    out = c.run("web", [SOHOA, "token", "create", "--name", "cluster-test", "--scope", "admin",
                        "--scope", "write:ingest"], env=env, timeout=60).stdout
    return out.strip().splitlines()[-1].strip()


def start_web(c: Cluster, *, broker: bool, env_extra: dict[str, str] | None = None, timeout: float = 120) -> None:
    """``sohoa serve`` on the web host's veth address; waits until it answers over the bridge."""
    web = c.hosts["web"]
    c.start("web", "serve", [SOHOA, "serve", "--host", web.address, "--port", str(WEB_PORT)],
            env=c.env("web", broker=broker, **(env_extra or {})))

    def answers() -> bool:
        return httpx.get(f"{c.web_url()}/api/v1/openapi.json", timeout=5).status_code == 200

    c.wait_until("the web host to answer over HTTP", answers, timeout, alive=["web/serve"])


@dataclass
class Uploads:
    """Files sent through the web host's upload API in a thread, and what it answered."""

    c: Cluster
    token: str
    files: list[Path]
    file_code: str
    answers: dict[str, Any] = field(default_factory=dict)
    error: BaseException | None = None
    thread: threading.Thread | None = None

    def start(self) -> Uploads:
        self.thread = threading.Thread(target=self._send, daemon=True)
        self.thread.start()
        return self

    def _send(self) -> None:
        try:
            with httpx.Client(base_url=self.c.web_url(), timeout=60,
                              headers={"Authorization": f"Bearer {self.token}"}) as client:
                for path in self.files:
                    response = client.post("/api/v1/ingest", data={"file_code": self.file_code},
                                           files={"file": (path.name, path.read_bytes(), "image/png")})
                    if response.status_code not in (200, 202):
                        raise ClusterError(f"upload of {path.name}: {response.status_code} {response.text}")
                    self.answers[sha256(path)] = response.json()
        except BaseException as exc:  # reported by join()
            self.error = exc

    def join(self, timeout: float) -> None:
        assert self.thread is not None
        self.thread.join(timeout)
        if self.thread.is_alive():
            raise ClusterError(f"the uploads did not end within {timeout:.0f}s\n{self.c.logs()}")
        if self.error is not None:
            raise ClusterError(f"upload failed: {self.error}\n{self.c.logs()}") from self.error


def upload_state(c: Cluster, token: str, digest: str) -> str:
    response = httpx.get(f"{c.web_url()}/api/v1/ingest/{digest}", headers={"Authorization": f"Bearer {token}"},
                         timeout=10)
    return str(response.json()["state"]) if response.status_code == 200 else f"http {response.status_code}"


def wait_all_done(c: Cluster, token: str, digests: list[str], timeout: float, alive: list[str]) -> None:
    """Wait until the web host reports every file done (its status API), failing early on a quarantine."""
    states: dict[str, str] = {}

    def done() -> bool:
        for digest in digests:
            states[digest] = upload_state(c, token, digest)
            if states[digest] in {"failed", "quarantined"}:
                raise ClusterError(f"{digest} ended {states[digest]}\n{c.logs()}")
        return all(state == "done" for state in states.values())

    try:
        c.wait_until("every file done", done, timeout, alive=alive)
    except ClusterError as exc:
        raise ClusterError(f"states: {json.dumps(states)}\n{exc}") from exc


def check_archive(c: Cluster, token: str, digests: list[str]) -> dict[str, int]:
    """Every input stored exactly once: one ingest item and one document per file, the document searchable on
    the web host and its PDF/A in the bucket with the checksum the database holds. Returns counts."""
    engine = sqlalchemy.create_engine(c.pg_url)
    try:
        with engine.connect() as conn:
            items = conn.execute(select(IngestItem.sha256, IngestItem.id, IngestItem.state)).all()
            by_sha: dict[str, list[int]] = {}
            for sha, item_id, _state in items:
                by_sha.setdefault(sha, []).append(item_id)
            assert sorted(by_sha) == sorted(digests), f"ingest items {sorted(by_sha)} != inputs {sorted(digests)}"
            assert all(len(ids) == 1 for ids in by_sha.values()), by_sha
            assert {str(state.value if hasattr(state, "value") else state) for *_x, state in items} == {"done"}, items
            per_item: dict[int, int] = dict(conn.execute(select(Document.ingest_item_id, func.count())
                                         .group_by(Document.ingest_item_id)).all())
            assert per_item == {ids[0]: 1 for ids in by_sha.values()}, f"documents per input: {per_item}"
            docs = conn.execute(select(Document.id, Document.subject, Document.text, StoredObject.sha256,
                                       StoredObject.size)
                                .join(StoredObject, StoredObject.id == Document.pdf_object_id)).all()
            assert len(docs) == len(digests), f"{len(docs)} documents with a PDF for {len(digests)} inputs"
    finally:
        engine.dispose()
    s3 = c.s3_client()
    keys = {o["Key"] for page in s3.get_paginator("list_objects_v2").paginate(Bucket=c.bucket)
            for o in page.get("Contents", [])}
    with httpx.Client(base_url=c.web_url(), timeout=30, headers={"Authorization": f"Bearer {token}"}) as web:
        for doc_id, subject, text, pdf_sha, size in docs:
            key = f"sha256/{pdf_sha[:2]}/{pdf_sha[2:4]}/{pdf_sha}"
            assert key in keys, f"document {doc_id}: PDF/A {key} is not in the bucket ({len(keys)} keys)"
            body = s3.get_object(Bucket=c.bucket, Key=key)["Body"].read()
            assert hashlib.sha256(body).hexdigest() == pdf_sha and len(body) == size, f"document {doc_id}: checksum"
            with pikepdf.open(io.BytesIO(body)) as pdf:
                part = pdf.open_metadata().get("pdfaid:part")
            assert part == "2", f"document {doc_id}: the PDF in the bucket does not declare PDF/A-2 ({part!r})"
            words = " ".join((subject or text).split()[:6])
            found = web.get("/api/v1/search", params={"q": words, "limit": 100})
            for _ in range(10):  # a client of the API waits as the rate limit asks (429, Retry-After)
                if found.status_code != 429:
                    break
                time.sleep(float(found.headers.get("Retry-After", "1")))
                found = web.get("/api/v1/search", params={"q": words, "limit": 100})
            assert found.status_code == 200, found.text
            ids = [hit["document_id"] for hit in found.json()["results"]]
            assert doc_id in ids, f"document {doc_id} not found on the web host by {words!r}: {ids}"
    return {"inputs": len(digests), "documents": len(docs), "objects": len(keys)}


def start_workers(c: Cluster, hosts: tuple[str, ...], env_extra: dict[str, str], timeout: float = 120) -> None:
    """``sohoa worker --concurrency 1`` on each worker host; waits until each says it is ready."""
    for host in hosts:
        c.start(host, "worker", [SOHOA, "worker", "--concurrency", "1"], env=c.env(host, **env_extra))
    for host in hosts:
        log = c.root / "logs" / f"{host}-worker.log"
        c.wait_until(f"the worker on {host} to be ready", lambda log=log: " ready." in log.read_text(errors="replace"),
                     timeout, alive=[f"{h}/worker" for h in hosts])


def claims_of(c: Cluster, host: str) -> list[str]:
    """The masters a process of ``host`` is ingesting now (its claims, by the host's own hostname)."""
    engine = sqlalchemy.create_engine(c.pg_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(IngestClaim.sha256).where(IngestClaim.host == f"{c.prefix}-{host}"))
                        .scalars())
    finally:
        engine.dispose()
