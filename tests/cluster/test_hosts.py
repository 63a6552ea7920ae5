"""Several hosts, really (issue #11): network namespaces on this machine joined over veth to private PostgreSQL,
Redis and SeaweedFS S3 servers (never the system services on 127.0.0.1); a web host, worker hosts and a scanning
station each with its own data folder and hostname. Files go in through the web upload API and the CLI at once;
the archive must hold each exactly once, searchable on the web host, with its PDF/A in the bucket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cluster._archive import (
    SOHOA,
    Uploads,
    check_archive,
    init_archive,
    sample_files,
    sha256,
    start_web,
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
