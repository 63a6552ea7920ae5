"""Several hosts, really (issue #11): network namespaces on this machine joined over veth to private PostgreSQL,
Redis and SeaweedFS S3 servers (never the system services on 127.0.0.1); a web host, worker hosts and a scanning
station each with its own data folder and hostname. Files go in through the web upload API and the CLI at once;
the archive must hold each exactly once, searchable on the web host, with its PDF/A in the bucket."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster._archive import (
    SOHOA,
    Uploads,
    check_archive,
    claims_of,
    init_archive,
    sample_files,
    sha256,
    start_web,
    start_workers,
    wait_all_done,
)
from tests.cluster._hosts import Cluster, cluster

pytestmark = [pytest.mark.cluster, pytest.mark.tesseract, pytest.mark.slow]


@pytest.fixture
def hosts() -> Iterator[Cluster]:
    with cluster(("web", "station")) as c:
        yield c


def test_web_host_and_a_station_ingest_into_postgresql_and_s3_over_veth(hosts: Cluster, tmp_path: Path) -> None:
    """No broker: the web host's own pool takes the uploads, the station's CLI its own files, at the same time."""
    c = hosts
    for port in (5432, 6379):  # the machine's own services are out of the hosts' reach; the private ones are not
        assert not c.reachable("web", "127.0.0.1", port) and c.reachable("web", c.services.address, port)
    token = init_archive(c)
    start_web(c, broker=False)
    uploaded = sample_files(tmp_path / "scans", documents=2, seed=11)
    staged = sample_files(c.hosts["station"].root / "scans", documents=2, seed=12)

    cli = c.start("station", "ingest", [SOHOA, "ingest", str(staged[0].parent), "--file-code", "HS-CL.02",
                                        "--json"], env=c.env("station", broker=False))
    uploads = Uploads(c, token, uploaded, "HS-CL.01").start()
    uploads.join(timeout=120)
    assert cli.wait(timeout=150) == 0, c.logs()
    digests = [sha256(p) for p in (*uploaded, *staged)]
    assert len(set(digests)) == 4
    wait_all_done(c, token, digests, timeout=150, alive=["web/serve"])
    counts = check_archive(c, token, digests)
    assert counts["documents"] == 4


@pytest.fixture
def worker_hosts() -> Iterator[Cluster]:
    with cluster(("web", "worker1", "worker2", "station")) as c:
        yield c


# A killed host's task comes back from Redis after the visibility timeout, and its master's claim is free
# after the claim lease: both short here so that the test stays short (the defaults are hours and minutes).
FAST_RECOVERY = {"SOHOA_BROKER_VISIBILITY_TIMEOUT": "45", "SOHOA_INGEST_CLAIM_TTL_SECONDS": "10"}


def test_two_worker_hosts_survive_one_killed_mid_batch(worker_hosts: Cluster, tmp_path: Path) -> None:
    """With Redis: uploads to the web host and `sohoa ingest --wait` on the station at once, done by `sohoa worker`
    on two hosts; worker1's host is killed (every process, kill -9) while it holds a file. Every file ends stored
    exactly once, searchable on the web host, its PDF/A in the bucket."""
    c = worker_hosts
    token = init_archive(c)
    start_workers(c, ("worker1", "worker2"), FAST_RECOVERY)
    start_web(c, broker=True, env_extra=FAST_RECOVERY)
    uploaded = sample_files(tmp_path / "scans", documents=2, seed=21)
    staged = sample_files(c.hosts["station"].root / "scans", documents=3, seed=22, own_folders=True)

    cli = c.start("station", "ingest", [SOHOA, "ingest", *map(str, staged), "--file-code", "HS-CL.02", "--wait",
                                        "--json"], env=c.env("station", **FAST_RECOVERY))
    uploads = Uploads(c, token, uploaded, "HS-CL.01").start()
    held: list[str] = []

    def worker1_holds_a_file() -> bool:
        held[:] = claims_of(c, "worker1")
        return bool(held)

    c.wait_until("worker1 to hold a file", worker1_holds_a_file, 150,
                 alive=["worker1/worker", "worker2/worker", "station/ingest"])
    killed = c.kill_host("worker1")
    assert killed and not c.pids("worker1")
    digests = [sha256(p) for p in (*uploaded, *staged)]
    # With a broker the web host queues its uploads for the workers too: the killed file is the station's or the
    # web host's, whichever worker1 took first; either way it must end done below.
    assert set(held) <= set(digests), "worker1 held a file neither the station nor the web host sent"

    uploads.join(timeout=120)
    try:
        assert cli.wait(timeout=300) == 0, c.logs()
    except Exception as exc:
        raise AssertionError(f"`sohoa ingest --wait` on the station did not end well: {exc}\n{c.logs()}") from exc
    out = (c.root / "logs" / "station-ingest.log").read_text(encoding="utf-8")
    report = json.loads(out[out.index("{"):])
    assert [item["state"] for item in report["items"]] == ["done"] * 3, report  # the killed file too
    wait_all_done(c, token, digests, timeout=120, alive=["web/serve", "worker2/worker"])
    counts = check_archive(c, token, digests)
    assert counts["documents"] == 5
